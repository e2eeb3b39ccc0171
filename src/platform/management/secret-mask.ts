/** What a masked value is shown as. */
export const MASKED = '[masked]';

/**
 * Words that make a setting secret wherever they appear in its name (`MANAGEMENT_TOKEN`, `management.token`,
 * `clientSecret`, `DB_PASSWORD`, `apiKey`). Names are split into words at `_`, `.`, `-` and camelCase humps, so
 * `maxKeys` (word `keys`) is not a secret and `apiKey` is.
 */
export const SECRET_NAME_WORDS = [
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'key',
  'apikey',
  'credential',
  'credentials',
  'authorization',
  'cookie',
];

/** A name ending in one of these is secret too (`OTEL_EXPORTER_OTLP_HEADERS` carries credentials; `headersTimeoutMs` does not). */
export const SECRET_NAME_LAST_WORDS = ['headers'];

/** `scheme://user:password@` anywhere in a string. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*:)[^@/\s]+@/gi;

/** Whether a setting's name marks it secret (see {@link SECRET_NAME_WORDS}). */
export function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/);
  return words.some((word) => SECRET_NAME_WORDS.includes(word)) || SECRET_NAME_LAST_WORDS.includes(words[words.length - 1] ?? '');
}

/**
 * A copy of `value` fit to show an operator: every property with a secret name replaced by {@link MASKED}
 * (when set), and the password of any URL (`postgres://user:password@host`) masked in every string.
 */
export function maskSecrets(value: unknown, name = ''): unknown {
  if (value === undefined || value === null) return value ?? null;
  if (name !== '' && isSecretName(name)) return MASKED;
  if (typeof value === 'string') return value.includes('://') ? value.replace(URL_PASSWORD, `$1${MASKED}@`) : value;
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item));
  if (typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) copy[key] = maskSecrets(item, key);
    return copy;
  }
  return value;
}
