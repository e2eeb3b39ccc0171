import { Controller, Get, Module, ParseIntPipe, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ConflictError } from '../../src/platform/errors/problem.error';
import { UsePermits } from '../../src/platform/resilience/permits.decorator';
import { ResilienceModule } from '../../src/platform/resilience/resilience.module';
import { currentRequestContext } from '../../src/platform/request-context/request-context';

/** Test-only routes: never part of the production app (composed through createTestApp's `extraImports`). */
@ApiExcludeController() // test-only: not part of the API document
@Controller('test')
class SlowController {
  /**
   * Sleeps `ms`. By default it ignores the request's signal, so its result arrives after a deadline;
   * with `aware=1` it stops when the signal aborts (deadline passed, client gone), as well-behaved work does.
   */
  @Get('slow')
  async slow(@Query('ms', ParseIntPipe) ms: number, @Query('aware') aware?: string): Promise<{ slept: number }> {
    await sleep(ms, undefined, aware === '1' ? { signal: currentRequestContext()?.signal } : {});
    return { slept: ms };
  }

  /** Holds a `reports` permit while sleeping; stops when the request's signal aborts. */
  @Get('report')
  @UsePermits('reports')
  async report(@Query('ms', ParseIntPipe) ms: number): Promise<{ slept: number }> {
    await sleep(ms, undefined, { signal: currentRequestContext()?.signal });
    return { slept: ms };
  }

  /** Fails while holding a `reports` permit. */
  @Get('report-fails')
  @UsePermits('reports')
  async reportFails(): Promise<never> {
    await sleep(10);
    throw new ConflictError('the report failed');
  }
}

/** A database probe under /health/, which admission control and the `db` permits exempt. */
@ApiExcludeController() // test-only: not part of the API document
@Controller('health')
class HealthProbeController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get('test-db')
  async probe(): Promise<{ ok: boolean }> {
    await this.dataSource.query('SELECT 1');
    return { ok: true };
  }
}

/** A feature module declaring its own permit pool, the way a team would. */
@Module({
  imports: [ResilienceModule.forFeature({ name: 'reports', permits: 1 })],
  controllers: [SlowController, HealthProbeController],
})
export class ResilienceTestModule {}
