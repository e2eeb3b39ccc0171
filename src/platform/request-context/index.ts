/** Public surface of the per-request context (AsyncLocalStorage): the current request's id, deadline, client key and principal. */
export {
  type RequestContext,
  type RequestPrincipal,
  abortReasonOf,
  clientKeyOf,
  contextOf,
  currentRequestContext,
  onRequestAbort,
  remainingTimeMs,
  runInRequestContext,
} from './request-context';
