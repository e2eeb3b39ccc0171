import pino, { type Logger } from 'pino';

/**
 * PRIVATE INTERNALS of pino, read here alone. pino exports its symbols (`pino.symbols`) but documents neither
 * `streamSym` (the logger's destination) nor `chindingsSym` (its bindings, serialised once), and writing a
 * pre-serialised line to them is what makes the one-per-request log line cheap (request-line.ts). Why not the
 * public API: `logger.info(fields, msg)` costs 15–30 µs of CPU per request in the running service (bench).
 * When a pino release moves them, `pinoLineTarget` returns undefined, the caller warns at boot and falls back to
 * the public API; pino-internals.spec.ts fails on that release.
 */
export interface PinoLineTarget {
  /** The logger's destination stream. */
  stream: { write(line: string): unknown };
  /** The logger's bindings as pino serialises them (`,"pid":1,"hostname":"h"`), or '' without any. */
  bindings: string;
}

/** The destination and serialised bindings of `logger`, or undefined when pino's private layout changed. */
export function pinoLineTarget(logger: Logger): PinoLineTarget | undefined {
  const symbols = (pino as { symbols?: Record<string, symbol | undefined> }).symbols;
  const streamSym = symbols?.['streamSym'];
  const chindingsSym = symbols?.['chindingsSym'];
  if (typeof streamSym !== 'symbol' || typeof chindingsSym !== 'symbol') return undefined;
  const fields = logger as unknown as Record<symbol, unknown>;
  const stream = fields[streamSym] as { write?: unknown } | undefined;
  const bindings = fields[chindingsSym] ?? '';
  if (typeof stream?.write !== 'function' || typeof bindings !== 'string') return undefined;
  return { stream: stream as PinoLineTarget['stream'], bindings };
}
