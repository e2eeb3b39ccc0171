import { createLogDestination } from './log-destination';

describe(createLogDestination.name, () => {
  it('writes JSON to stdout outside development, even on a terminal', () => {
    expect(createLogDestination('production', true).constructor.name).toBe('SonicBoom');
    expect(createLogDestination('test', true).constructor.name).toBe('SonicBoom');
  });

  it('writes JSON in development when stdout is not a terminal (a pipe, a container log)', () => {
    expect(createLogDestination('development', false).constructor.name).toBe('SonicBoom');
  });

  it('pretty-prints in development on a terminal', () => {
    expect(createLogDestination('development', true).constructor.name).not.toBe('SonicBoom');
  });
});
