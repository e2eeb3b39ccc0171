import { currentRequestContext } from '../request-context/request-context';
import { tracingActive } from '../spans/tracing-runtime';
import { REQUEST_ID_HEADER } from './request-id';

// W3C Trace Context level 1: version-traceid-parentid-flags, lowercase hex. Versions above 00 may append
// fields after a dash; those are dropped (we propagate as version 00, as the spec asks).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_PARENT_ID = '0'.repeat(16);

/** Longest `tracestate` propagated (the spec's 32 members of up to 256 characters is far above real use). @default 512 */
export const TRACESTATE_MAX_LENGTH = 512;
const SAFE_TRACESTATE = new RegExp(`^[\\x20-\\x7e]{1,${TRACESTATE_MAX_LENGTH}}$`);

/**
 * A valid W3C `traceparent`, normalised to version 00, or undefined. Invalid values (wrong shape,
 * uppercase, version ff, all-zero ids, extra fields on version 00) are ignored, as the spec requires.
 */
export function acceptTraceparent(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const match = TRACEPARENT.exec(header);
  if (!match) return undefined;
  const [, version, traceId, parentId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE_ID || parentId === ZERO_PARENT_ID) return undefined;
  return version === '00' ? header : `00-${traceId}-${parentId}-${flags}`;
}

/** The `tracestate` to keep with an accepted `traceparent`: printable ASCII, bounded; otherwise dropped. */
export function acceptTracestate(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && SAFE_TRACESTATE.test(header) ? header : undefined;
}

/** The 32-hex trace id of a `traceparent` accepted by {@link acceptTraceparent}. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/**
 * Headers an outbound call made on behalf of the current request must carry: `x-request-id`, and W3C trace context.
 * With tracing on, the request's trace: its SERVER span's ids with the sampled flag (a sampled request's attempts
 * replace it with their own CLIENT span's, see traceOutboundAttempt), so the trace goes on downstream either way.
 * With tracing off Ballast records no spans, so it forwards the caller's trace context unchanged (like a proxy)
 * rather than inventing a parent span no collector will ever see; without an incoming trace the request id is the
 * correlation. Empty outside a request.
 */
export function outboundTraceHeaders(): Record<string, string> {
  const context = currentRequestContext();
  const headers: Record<string, string> = {};
  if (!context) return headers;
  if (context.requestId !== undefined) headers[REQUEST_ID_HEADER] = context.requestId;
  const ids = tracingActive() ? context.span : undefined;
  if (ids !== undefined) headers['traceparent'] = `00-${ids.traceId}-${ids.spanId}-${ids.sampled ? '01' : '00'}`;
  else if (context.traceparent !== undefined) headers['traceparent'] = context.traceparent;
  if (context.tracestate !== undefined) headers['tracestate'] = context.tracestate;
  return headers;
}
