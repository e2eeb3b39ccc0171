/**
 * Text that must never reach a client: stack frames, source paths, SQL, driver and ORM messages, socket
 * error codes with addresses. Shared by the hostile-input tests.
 */
const LEAK_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['stack frame', /\bat (?:async )?[\w$.<>[\] ]+ \(?[^()\s]*:\d+:\d+\)?/],
  ['source path', /node_modules|\/dist\/|\/src\/|\.(?:js|ts):\d+/],
  ['SQL', /\b(?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|RETURNING)\b/],
  [
    'driver or ORM',
    /QueryFailedError|TypeORMError|duplicate key|violates|syntax error at|invalid input syntax|relation "|pg_\w+|SQLSTATE/i,
  ],
  ['socket error', /\bE(?:CONNREFUSED|CONNRESET|TIMEDOUT|ADDRINUSE|HOSTUNREACH|NOTFOUND|PIPE)\b/],
  ['internal error name', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|URIError)\b/],
];

/**
 * Removes what the request itself put in the response (validation errors name unknown fields), so that a
 * generated key like `at x (y:1:2)` is not mistaken for a stack frame. Each input is removed in its raw and
 * JSON-escaped forms.
 */
export function withoutEchoes(text: string, inputs: readonly string[]): string {
  let scrubbed = text;
  for (const input of [...inputs].sort((a, b) => b.length - a.length)) {
    if (input.length < 2) continue;
    for (const form of [input, JSON.stringify(input).slice(1, -1)]) scrubbed = scrubbed.split(form).join('');
  }
  return scrubbed;
}

/** The name of the first leak pattern found in `text`, or undefined when it is clean. */
export function findLeak(text: string): string | undefined {
  for (const [name, pattern] of LEAK_PATTERNS) {
    const match = pattern.exec(text);
    if (match) return `${name}: ${match[0]}`;
  }
  return undefined;
}
