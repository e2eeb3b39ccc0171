import type { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/app-config';
import { PRESSURE_SAMPLE_INTERVAL_MS, PressureMonitor } from './pressure-monitor';

function monitor(thresholds: Partial<AllConfig['resilience']>): PressureMonitor {
  const resilience = { shedLowPriorityPercent: 80, ...thresholds };
  return new PressureMonitor({ get: () => resilience } as unknown as ConfigService<AllConfig, true>);
}

const calm = { eventLoopDelayMs: 0, eventLoopUtilization: 0, heapUsedPercent: 0 };

describe(PressureMonitor.name, () => {
  it('is off, and samples nothing, when no threshold is set', async () => {
    const m = monitor({});
    expect(m.enabled).toBe(false);
    m.onModuleInit();
    await new Promise((r) => setTimeout(r, PRESSURE_SAMPLE_INTERVAL_MS * 2));
    expect(m.last).toBeUndefined();
    m.onModuleDestroy();
  });

  it('is overloaded past any one threshold and strained past its low-priority share', () => {
    const m = monitor({ shedMaxEventLoopDelayMs: 100, shedMaxEventLoopUtilization: 0.9, shedMaxHeapUsedPercent: 80 });
    m.apply({ ...calm, eventLoopDelayMs: 79 });
    expect([m.overloaded, m.strained]).toEqual([false, false]);
    m.apply({ ...calm, eventLoopDelayMs: 81 });
    expect([m.overloaded, m.strained]).toEqual([false, true]);
    m.apply({ ...calm, eventLoopDelayMs: 101 });
    expect([m.overloaded, m.strained]).toEqual([true, true]);
    m.apply({ ...calm, eventLoopUtilization: 0.95 });
    expect(m.overloaded).toBe(true);
    m.apply({ ...calm, heapUsedPercent: 81 });
    expect(m.overloaded).toBe(true);
    m.apply(calm);
    expect([m.overloaded, m.strained]).toEqual([false, false]);
  });

  it('ignores a signal that is off', () => {
    const m = monitor({ shedMaxHeapUsedPercent: 90 });
    m.apply({ eventLoopDelayMs: 10_000, eventLoopUtilization: 1, heapUsedPercent: 10 });
    expect(m.overloaded).toBe(false);
  });

  it('samples on an unref-ed timer and stops at shutdown', async () => {
    const m = monitor({ shedMaxEventLoopUtilization: 1, shedMaxEventLoopDelayMs: 60_000, shedMaxHeapUsedPercent: 100 });
    m.onModuleInit();
    await new Promise((r) => setTimeout(r, PRESSURE_SAMPLE_INTERVAL_MS * 3));
    expect(m.last).toEqual({
      eventLoopDelayMs: expect.any(Number),
      eventLoopUtilization: expect.any(Number),
      heapUsedPercent: expect.any(Number),
    });
    expect(m.last?.heapUsedPercent).toBeGreaterThan(0);
    m.onModuleDestroy();
    const last = m.last;
    await new Promise((r) => setTimeout(r, PRESSURE_SAMPLE_INTERVAL_MS * 2));
    expect(m.last).toBe(last);
  });
});
