import { createHash } from 'node:crypto';
import { weakEtag } from './weak-etag';

/** The `etag` package's weak tag (what Express 5 sends by default), written out as that package computes it. */
function expressWeakEtag(buf: Buffer): string {
  if (buf.length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  return `W/"${buf.length.toString(16)}-${createHash('sha1').update(buf).digest('base64').substring(0, 27)}"`;
}

describe('weakEtag', () => {
  it("gives Express's default tags, byte for byte", () => {
    // Seen from Ballast before the change (Express's own generator) for GET /bench/json.
    expect(weakEtag(Buffer.from('{"ok":true}'))).toBe('W/"b-Ai2R8hgEarLmHKwesT1qcY913ys"');
    for (const body of ['', 'a', '{"id":"x","name":"Ada Lovelace – ünïcödé"}', 'x'.repeat(70_000)]) {
      const buf = Buffer.from(body);
      expect(weakEtag(buf)).toBe(expressWeakEtag(buf));
      expect(weakEtag(body, 'utf8')).toBe(expressWeakEtag(buf));
    }
  });
});
