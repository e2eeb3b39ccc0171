import { Controller, Get, Module, Param, ParseIntPipe, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ShedPriority } from '../../src/platform/resilience/shed-priority.decorator';
import { currentRequestContext } from '../../src/platform/request-context/request-context';

/** What the database route costs now: the test switches it mid-run (a 10× slower database, then back). */
export const dbCost = { ms: 2 };

/** Test-only routes for pressure shedding, adaptive concurrency and shed priorities (never in the production app). */
@Controller('test/overload')
class OverloadController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Burns `ms` of CPU on the event loop: what drives event-loop delay and utilisation up. */
  @Get('burn')
  burn(@Query('ms', ParseIntPipe) ms: number): { burned: number } {
    const until = performance.now() + ms;
    while (performance.now() < until);
    return { burned: ms };
  }

  /** Sleeps `ms` (stops when the request's signal aborts); normal priority. */
  @Get('slow')
  async slow(@Query('ms', ParseIntPipe) ms: number): Promise<{ slept: number }> {
    await sleep(ms, undefined, { signal: currentRequestContext()?.signal });
    return { slept: ms };
  }

  /** The same, marked low priority on the handler. */
  @Get('low-slow')
  @ShedPriority('low')
  async lowSlow(@Query('ms', ParseIntPipe) ms: number): Promise<{ slept: number }> {
    await sleep(ms, undefined, { signal: currentRequestContext()?.signal });
    return { slept: ms };
  }

  /** One query that takes {@link dbCost} on the server (pg_sleep): the route whose cost the adaptive test changes. */
  @Get('db')
  async db(): Promise<{ ms: number }> {
    const ms = dbCost.ms;
    await this.dataSource.query('SELECT pg_sleep($1)', [ms / 1000]);
    return { ms };
  }
}

/** A whole controller marked low priority (a batch feature), with a parameterised route. */
@ShedPriority('low')
@Controller('test/batch')
class BatchController {
  @Get(':id')
  job(@Param('id') id: string): { id: string } {
    return { id };
  }

  /** Overrides the controller's level. */
  @Get(':id/status')
  @ShedPriority('normal')
  status(@Param('id') id: string): { id: string; status: string } {
    return { id, status: 'ok' };
  }
}

/** Composed through createTestApp's `extraImports`. */
@Module({ controllers: [OverloadController, BatchController] })
export class OverloadTestModule {}
