/** Public surface of the per-request context (AsyncLocalStorage): read the current request's id and deadline. */
export { type RequestContext, abortReasonOf, currentRequestContext, onRequestAbort, remainingTimeMs } from './request-context';
