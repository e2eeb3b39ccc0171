import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShutdownRegistry } from './shutdown-registry.service';
import { closeWithin, ShutdownTimeoutError } from './shutdown-timeout.error';

describe(ShutdownRegistry.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  it('closes phase by phase: outbound, then clients, then database, whatever the registration order', async () => {
    const registry = new ShutdownRegistry();
    const order: string[] = [];
    registry.register('database', 'pool', () => void order.push('pool'));
    registry.register('clients', 'redis', async () => {
      await sleep(30);
      order.push('redis');
    });
    registry.register('outbound', 'agent', () => void order.push('agent'));
    expect(registry.registered.map((hook) => hook.name)).toEqual(['agent', 'redis', 'pool']);

    expect(await registry.closeAll(1000)).toEqual({ failed: [] });
    expect(order).toEqual(['agent', 'redis', 'pool']);
  });

  it('closes the resources of one phase concurrently', async () => {
    const registry = new ShutdownRegistry();
    let bStarted!: () => void;
    const bHasStarted = new Promise<void>((resolve) => (bStarted = resolve));
    // `a` finishes only once `b` has begun: closed one after the other, `a` would time out and be reported.
    registry.register('clients', 'a', () => bHasStarted);
    registry.register('clients', 'b', () => bStarted());
    expect(await registry.closeAll(1000)).toEqual({ failed: [] });
  });

  it('bounds each close, reports the ones that failed or hung, and still closes the later phases', async () => {
    const registry = new ShutdownRegistry();
    let databaseClosed = false;
    registry.register('outbound', 'hung agent', () => new Promise<void>(() => undefined));
    registry.register('clients', 'broken redis', () => Promise.reject(new Error('boom')));
    registry.register('database', 'pool', () => void (databaseClosed = true));

    // Resolving at all is the bound: the hung close never settles.
    const report = await registry.closeAll(100);
    expect(report.failed.sort()).toEqual(['broken redis', 'hung agent']);
    expect(databaseClosed).toBe(true);
  });
});

describe(closeWithin.name, () => {
  it('rejects with a ShutdownTimeoutError naming the resource after the timeout', async () => {
    await expect(closeWithin('redis', 20, () => new Promise<void>(() => undefined))).rejects.toThrow(ShutdownTimeoutError);
    await expect(closeWithin('redis', 20, () => new Promise<void>(() => undefined))).rejects.toThrow('redis did not close within 20 ms');
  });

  it('passes a close error through unchanged', async () => {
    await expect(closeWithin('pool', 1000, () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
  });
});
