import { Writable } from 'node:stream';
import { pinoLineTarget } from './pino-internals';
import { createRootLogger } from './root-logger.factory';

describe(pinoLineTarget.name, () => {
  it("finds the installed pino's destination and serialised bindings (fails on the pino release that moves them)", () => {
    const written: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        callback();
      },
    });
    const target = pinoLineTarget(createRootLogger({ level: 'info', destination }));
    expect(target).toBeDefined();
    expect(target?.bindings).toMatch(/^,"pid":\d+,"hostname":".+"$/);
    target?.stream.write('{"x":1}\n');
    expect(written.join('')).toContain('{"x":1}\n');
  });
});
