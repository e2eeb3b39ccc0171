import { isIP } from 'node:net';

/** Express `trust proxy` values Ballast accepts: never `true` (any client could claim any address). */
export type TrustProxySetting = false | number | string[];

/** Names `proxy-addr` (Express) understands for well-known ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Parses `TRUST_PROXY`: `false` (the default: the TCP peer is the client, `X-Forwarded-For` is ignored),
 * a hop count (trust that many proxies in front of the service), or a comma-separated list of proxy
 * addresses, CIDR subnets or the names loopback/linklocal/uniquelocal. Throws a message naming the bad
 * entry, so a typo stops the boot instead of Express throwing at the first request.
 */
export function parseTrustProxy(raw: string): TrustProxySetting {
  const value = raw.trim();
  if (value === '' || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!isTrustEntry(entry)) throw new Error(`"${entry}" is not an address, a CIDR subnet or one of loopback, linklocal, uniquelocal`);
  }
  if (entries.length === 0) return false;
  return entries;
}

function isTrustEntry(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return false;
  if (slash === -1) return true;
  const suffix = entry.slice(slash + 1);
  if (/^\d{1,3}$/.test(suffix)) return Number(suffix) <= (version === 4 ? 32 : 128);
  return version === 4 && isIP(suffix) === 4; // proxy-addr also takes an IPv4 netmask (10.0.0.0/255.0.0.0)
}
