/**
 * IETF RateLimit header fields, draft-ietf-httpapi-ratelimit-headers-11 (May 2026; same syntax since -09):
 * both fields are Structured Field lists of items named by a policy string, e.g.
 *   RateLimit-Policy: "default";q=30;w=3      quota q tokens per window w seconds
 *   RateLimit: "default";r=29;t=1             r tokens left; t seconds
 * For a token bucket, q is the burst and w the time to refill it (so q/w is the rate; rounded up to whole
 * seconds, which understates the rate rather than overstates it). On success t is the time until the
 * bucket is full; on a 429 it is the wait for the next token, equal to Retry-After (the draft asks that
 * Retry-After not end before the effective window).
 */

/** One `RateLimit-Policy` item. */
export function policyItem(name: string, limit: number, ttlMs: number): string {
  return `${sfString(name)};q=${Math.floor(limit)};w=${Math.max(1, Math.ceil(ttlMs / 1000))}`;
}

/** One `RateLimit` item. */
export function limitItem(name: string, remaining: number, seconds: number): string {
  return `${sfString(name)};r=${Math.max(0, Math.floor(remaining))};t=${Math.max(0, Math.ceil(seconds))}`;
}

/** Appends an item to a list-valued header already on the response (several policies per request). */
export function appendItem(existing: unknown, item: string): string {
  return typeof existing === 'string' && existing !== '' ? `${existing}, ${item}` : item;
}

const sfStrings = new Map<string, string>();

/** A Structured Field String (RFC 9651 §3.3.3): printable ASCII with `"` and `\` escaped. Policy names are few: memoized. */
function sfString(value: string): string {
  let encoded = sfStrings.get(value);
  if (encoded === undefined) {
    encoded = `"${value.replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '\\$&')}"`;
    if (sfStrings.size < 1000) sfStrings.set(value, encoded);
  }
  return encoded;
}
