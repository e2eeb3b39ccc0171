import { z } from 'zod';
import { parseTrustProxy } from './trust-proxy';

/** An integer variable with an inclusive range; the message names the accepted range. */
export function intVar(defaultValue: number, min: number, max: number) {
  const range = `an integer from ${min} to ${max}`;
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return defaultValue;
      const value = Number(raw.trim());
      if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not an integer; expected ${range}` });
        return z.NEVER;
      }
      if (value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${value} is out of range; expected ${range}` });
        return z.NEVER;
      }
      return value;
    });
}

/** A choice among fixed values. */
export function enumVar<const T extends readonly [string, ...string[]]>(defaultValue: T[number], values: T) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (raw === undefined || raw.trim() === '') return defaultValue;
      const value = raw.trim();
      if (!(values as readonly string[]).includes(value)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not allowed; expected one of ${values.join(', ')}` });
        return z.NEVER;
      }
      return value;
    });
}

/** A boolean flag: true/false/1/0/yes/no. */
export function boolVar(defaultValue: boolean) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return defaultValue;
      const value = raw.trim().toLowerCase();
      if (['true', '1', 'yes'].includes(value)) return true;
      if (['false', '0', 'no'].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `"${raw}" is not a boolean; expected true or false` });
      return z.NEVER;
    });
}

/** An optional URL restricted to the given protocols. Values are never echoed: they may hold a password. */
export function urlVar(protocols: readonly string[]) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not a valid URL; expected ${protocols.map((p) => `${p}//…`).join(' or ')}` });
        return z.NEVER;
      }
      if (!protocols.includes(url.protocol)) {
        ctx.addIssue({ code: 'custom', message: `has protocol "${url.protocol}"; expected ${protocols.join(' or ')}` });
        return z.NEVER;
      }
      return raw.trim();
    });
}

/**
 * An optional secret (a token): at least `minLength` characters, no whitespace. Unset: undefined. The value
 * is never echoed in a message.
 */
export function secretVar(minLength: number, describe: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const value = raw.trim();
      if (value.length < minLength || /\s/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `is not a usable secret (${value.length} characters); expected ${describe}` });
        return z.NEVER;
      }
      return value;
    });
}

/** A free-form string with a default. */
export function stringVar(defaultValue: string, pattern?: RegExp, describe?: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return defaultValue;
      const value = raw.trim();
      if (pattern && !pattern.test(value)) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not valid; expected ${describe ?? pattern.source}` });
        return z.NEVER;
      }
      return value;
    });
}

/**
 * A comma-separated list of browser origins (`https://app.example.com`), or `*` alone. Unset: an empty
 * list. An origin has a scheme, a host and an optional port, and nothing else: no path, no trailing slash.
 */
export function originListVar() {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string[] => {
      const items = (raw ?? '')
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (items.includes('*')) {
        if (items.length === 1) return ['*'];
        ctx.addIssue({ code: 'custom', message: '"*" must stand alone; expected "*" or a list of origins like https://app.example.com' });
        return z.NEVER;
      }
      const bad = items.filter((item) => !isOrigin(item));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${bad.map((b) => `"${b}"`).join(', ')} is not an origin; expected scheme://host[:port] like https://app.example.com, comma-separated`,
        });
        return z.NEVER;
      }
      return items;
    });
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * `TRUST_PROXY`: false, a hop count, or a list of proxy addresses/subnets (see trust-proxy.ts), kept as the
 * string; `true` is refused here, with the variable's other checks, because it trusts any X-Forwarded-For.
 */
export function trustProxyVar() {
  const expected = 'expected false, a hop count, or a list of proxy addresses/subnets';
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return 'false';
      const value = raw.trim();
      if (value.toLowerCase() === 'true') {
        ctx.addIssue({ code: 'custom', message: `"true" trusts any X-Forwarded-For (spoofable); ${expected}` });
        return z.NEVER;
      }
      try {
        parseTrustProxy(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `${(error as Error).message}; ${expected}` });
        return z.NEVER;
      }
      return value;
    });
}

/** An integer like {@link intVar}, or one fixed keyword instead (`HTTP_CONCURRENCY_LIMIT=adaptive`). */
export function intOrKeywordVar<const K extends string>(defaultValue: number, min: number, max: number, keyword: K) {
  const asInt = intVar(defaultValue, min, max);
  return z
    .string()
    .optional()
    .transform((raw, ctx): number | K => {
      if (raw !== undefined && raw.trim().toLowerCase() === keyword) return keyword;
      const parsed = asInt.safeParse(raw);
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: `${parsed.error.issues[0]?.message ?? `"${raw}" is not valid`} or "${keyword}"` });
      return z.NEVER;
    });
}

/** An optional number in an inclusive range (integer only with `integer`); unset or empty: undefined (off). */
export function optionalNumberVar(min: number, max: number, integer: boolean) {
  const range = `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  return z
    .string()
    .optional()
    .transform((raw, ctx): number | undefined => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const text = raw.trim();
      const value = Number(text);
      if (!(integer ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)$/).test(text) || !Number.isFinite(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${raw}" is not ${integer ? 'an integer' : 'a number'}; expected ${range} (or unset: off)`,
        });
        return z.NEVER;
      }
      if (value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `${value} is out of range; expected ${range} (or unset: off)` });
        return z.NEVER;
      }
      return value;
    });
}
