/**
 * The phases in which registered resources close after the HTTP drain, in this order (SPEC Lifecycle):
 * - `outbound`: outbound HTTP agents: no request needs an upstream any more.
 * - `clients`: clients of shared services (Redis, brokers, the readiness probe's own database connection).
 * - `database`: the database pool, then the embedded PostgreSQL (DatabaseConnectionService closes both, in order).
 * Resources of one phase are independent and close concurrently; each is bounded by SHUTDOWN_CLOSE_TIMEOUT_MS.
 */
export const SHUTDOWN_PHASES = ['outbound', 'clients', 'database'] as const;

/** One of {@link SHUTDOWN_PHASES}. */
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

/**
 * Process exit codes after a signal. A clean drain exits 0 (SPEC); a drain that had to cut requests at
 * SHUTDOWN_DRAIN_TIMEOUT_MS exits 3, so a supervisor or a log query can tell the two apart; otherwise a
 * resource that failed or timed out while closing exits 1. A second signal exits at once with 128 + the signal number.
 */
export const EXIT_CODE = { clean: 0, closeFailed: 1, drainCut: 3 } as const;

/**
 * How long a connection must stay quiet (no request in flight, no byte received) before the drain closes it.
 * An idle keep-alive connection, or one accepted just before the listener closed, may have a request on the
 * wire; Node's own `server.close()` destroys idle keep-alive connections at once and resets such a request.
 * One second covers any request already sent; a client that sends nothing for that long after the listener
 * closed is told by FIN.
 * @default 1000
 */
export const IDLE_CONNECTION_GRACE_MS = 1000;

/** How often the drain looks at its connections (closing quiet ones, checking whether all are gone). */
export const DRAIN_POLL_MS = 25;
