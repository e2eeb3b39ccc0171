import { inspect } from 'node:util';

/** How deep a cause chain is followed (a cycle would otherwise never end). */
const MAX_DEPTH = 10;

/**
 * The messages of an error and of each of its `cause`s, outermost first, for a log line that names the real
 * reason ("the embedded PostgreSQL did not start: … exited during its start: … lock file exists"). Something
 * thrown that is not an Error, or an Error without a message, is named as such rather than printed as
 * `undefined`.
 */
export function causeChain(error: unknown): string[] {
  const messages: string[] = [];
  for (let current = error, depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
    if (current instanceof Error) {
      messages.push(current.message || `${current.name} without a message`);
      current = current.cause;
    } else {
      messages.push(`${inspect(current, { depth: 2, breakLength: Infinity })} thrown`);
      break;
    }
  }
  return messages.length > 0 ? messages : ['a failure without an error (undefined thrown)'];
}
