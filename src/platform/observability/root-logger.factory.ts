import pino, { type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { currentRequestContext } from '../request-context/request-context';
import { REDACTED_PATHS } from './logging.constants';
import { activeTraceIds } from '../spans/trace-ids';
import { tracingActive } from '../spans/tracing-runtime';
import { traceIdOf } from './trace-context';

/** Options of {@link createRootLogger}. */
export interface RootLoggerOptions {
  /** `LOG_LEVEL`. @default 'info' */
  level: LevelWithSilent;
  /** Where lines go (stdout, the pretty printer, or a test's capture stream). */
  destination: DestinationStream;
}

// `scheme://user:password@` inside any log line: a driver error or a careless message must not leak the
// password of DATABASE_URL or REDIS_URL. Checked on the serialised line, so it covers every field.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^:@/\s"]*:)[^@/\s"]+@/gi;

/** Replaces the password of any `scheme://user:password@` in a serialised log line. */
export function scrubUrlCredentials(line: string): string {
  return line.includes('://') ? line.replace(URL_CREDENTIALS, '$1[Redacted]@') : line;
}

/**
 * Adds the current request's id to every line — with tracing on also `trace_id` and `span_id` of the active
 * span; with tracing off the `traceId` of an incoming `traceparent`, if any —
 * logged while serving it — Nest `Logger` calls in services included — read from the async request
 * context rather than passed around. Returns a fresh object: pino merges the line's fields into it.
 */
export function requestContextMixin(): Record<string, string> {
  const context = currentRequestContext();
  if (context?.requestId === undefined) return {};
  if (tracingActive()) {
    // The span the line is written in: the handler's, a query's, or the SERVER span at the edge.
    const ids = activeTraceIds() ?? context.span;
    return ids ? { requestId: context.requestId, trace_id: ids.traceId, span_id: ids.spanId } : { requestId: context.requestId };
  }
  if (context.traceparent === undefined) return { requestId: context.requestId };
  return { requestId: context.requestId, traceId: traceIdOf(context.traceparent) };
}

let secondStart = NaN;
let secondPrefix = '';
let stampedAt = NaN;
let stamp = '';

/** "000"–"999". */
const MILLIS = Array.from({ length: 1000 }, (_, ms) => String(ms).padStart(3, '0'));

/**
 * pino's `isoTime` (`,"time":"2026-11-25T12:00:00.000Z"`): `Date#toISOString` once per second, the milliseconds
 * appended from a table. Caching per millisecond was not enough: at a few thousand requests per second nearly
 * every line falls in a new millisecond, and toISOString was the largest single cost of a request line.
 */
export function cachedIsoTime(): string {
  const now = Date.now();
  if (now === stampedAt) return stamp;
  const ms = now % 1000;
  const second = now - ms;
  if (second !== secondStart) {
    secondStart = second;
    secondPrefix = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
  }
  stampedAt = now;
  stamp = `${secondPrefix}${MILLIS[ms] ?? '000'}Z"`;
  return stamp;
}

/**
 * The application's one pino logger: JSON lines with an ISO time and a textual level, sensitive headers
 * redacted, URL passwords scrubbed, request id and trace id mixed in from the request context.
 */
export function createRootLogger({ level, destination }: RootLoggerOptions): Logger {
  return pino(
    {
      level,
      timestamp: cachedIsoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
      mixin: requestContextMixin,
      hooks: { streamWrite: scrubUrlCredentials },
    },
    destination,
  );
}
