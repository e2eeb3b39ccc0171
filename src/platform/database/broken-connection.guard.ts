import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DatabaseError } from 'pg';
import { DataSource } from 'typeorm';
import { type CheckoutGuard, guardConnectionCheckouts } from './connection-checkout';

/**
 * True when a failed query leaves its connection unusable: anything PostgreSQL did not answer itself — a client
 * `query_timeout` ("Query read timeout": pg leaves the unanswered query active, so every later query on that
 * client queues behind it and times out too), a socket error, a terminated connection — and the server's own
 * connection-level errors (class 08, 57P admin/crash shutdown). A statement the server cancelled or refused
 * (57014, 23505, 42P01, ...) leaves a healthy connection.
 */
export function breaksConnection(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) return true;
  const code = error.code ?? '';
  return code.startsWith('08') || code.startsWith('57P');
}

/**
 * Destroys, instead of pooling again, every connection on which a query failed at the connection level
 * (see {@link breaksConnection}). TypeORM's query runner releases its client without the error after a
 * failed query (only a client `error` event passes one), and pg-pool destroys a client only when released
 * with an error: without this a half-open connection whose query timed out is handed to the next request,
 * for as long as its socket stays open (up to DB_MAX_LIFETIME_MS). Covers every checkout, in a request or not.
 */
@Injectable()
export class BrokenConnectionGuard implements OnModuleInit {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    guardConnectionCheckouts(this.dataSource, this.guard);
  }

  private readonly guard: CheckoutGuard = async (obtain) => {
    const [client, release] = await obtain();
    let broken: Error | undefined;
    const query = client.query;
    client.query = function (this: unknown, ...args: never[]) {
      // Later queries on a broken checkout (a transaction's ROLLBACK) would queue behind the hung one and wait
      // a whole query timeout more: fail them at once.
      if (broken && typeof args[args.length - 1] !== 'function') {
        return Promise.reject(new Error(`connection discarded after a connection-level failure: ${broken.message}`));
      }
      const result = query.apply(this, args);
      // Observed before the caller's own handler runs (registered first), so `broken` is set before release.
      if (result instanceof Promise) {
        result.then(undefined, (error: unknown) => {
          if (!broken && breaksConnection(error)) broken = error instanceof Error ? error : new Error(String(error));
        });
      }
      return result;
    };
    return [
      client,
      (error?: Error) => {
        // An own property again, not `delete`: see bindToSignal in database-permits.checkout.ts.
        client.query = query;
        release(error ?? (broken ? new Error(`connection discarded after a connection-level failure: ${broken.message}`) : undefined));
      },
    ];
  };
}
