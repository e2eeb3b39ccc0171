import { currentRequestContext } from '../request-context/request-context';

/**
 * Headers that tie an outbound call to the request being served: its `x-request-id` and W3C `traceparent`,
 * when there are any. Nothing else of the incoming request is forwarded (no cookies, no authorization).
 * TODO(merge): replace with `outboundTraceHeaders()` from the observability module (adds `tracestate`).
 */
export function outboundContextHeaders(): Record<string, string> {
  const context = currentRequestContext();
  const headers: Record<string, string> = {};
  if (context?.requestId) headers['x-request-id'] = context.requestId;
  if (context?.traceparent) headers.traceparent = context.traceparent;
  return headers;
}
