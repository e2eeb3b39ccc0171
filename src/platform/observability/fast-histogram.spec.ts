import { Histogram, Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram';

const BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5];

function pair(labelNames: string[]): { stock: Histogram<string>; fast: FastHistogram; stockRegistry: Registry; fastRegistry: Registry } {
  const stockRegistry = new Registry();
  const fastRegistry = new Registry();
  const config = { name: 'x_duration_seconds', help: 'X.', labelNames, buckets: BUCKETS };
  return {
    stock: new Histogram({ ...config, registers: [stockRegistry] }),
    fast: new FastHistogram({ ...config, registers: [fastRegistry] }),
    stockRegistry,
    fastRegistry,
  };
}

describe(FastHistogram.name, () => {
  it("exposes exactly what prom-client's Histogram exposes for the same observations", async () => {
    const { stock, fast, stockRegistry, fastRegistry } = pair(['method', 'route', 'status_code']);
    const observations: Array<[Record<string, string | number>, number]> = [
      [{ method: 'GET', route: '/api/v1/users/:id', status_code: 200 }, 0.003],
      [{ method: 'GET', route: '/api/v1/users/:id', status_code: 200 }, 0.005],
      [{ method: 'GET', route: '/api/v1/users/:id', status_code: 200 }, 0.0051],
      [{ method: 'GET', route: '/api/v1/users/:id', status_code: 404 }, 0.2],
      [{ method: 'POST', route: '/api/v1/users', status_code: 201 }, 3],
      [{ method: 'GET', route: 'with "quote" \\ and \n', status_code: 200 }, 1],
      [{ method: 'GET', route: '/a', status_code: 200 }, 0],
    ];
    for (const [labels, value] of observations) {
      stock.observe(labels, value);
      fast.observe(labels, value);
    }
    fast.labels('PUT', '/b', '204').observe(0.07);
    stock.labels('PUT', '/b', '204').observe(0.07);
    fast.startTimer({ method: 'GET', route: '/timer', status_code: 200 })();
    stock.observe({ method: 'GET', route: '/timer', status_code: 200 }, 0);
    const stockText = await stockRegistry.metrics();
    const fastText = await fastRegistry.metrics();
    // The timer's value differs by a few ns: compare it by presence, everything else byte for byte.
    const withoutTimer = (text: string) =>
      text
        .split('\n')
        .filter((l) => !l.includes('route="/timer"'))
        .join('\n');
    expect(withoutTimer(fastText)).toBe(withoutTimer(stockText));
    expect(fastText).toContain('x_duration_seconds_count{method="GET",route="/timer",status_code="200"} 1');
    const notTimer = (d: Awaited<ReturnType<Histogram<string>['get']>>) => ({
      ...d,
      values: d.values.filter((v) => v.labels['route'] !== '/timer'),
    });
    expect(notTimer(await fast.get())).toEqual(notTimer(await stock.get()));
  });

  it('observes without labels, zeroes, removes and resets like the stock histogram', async () => {
    const { stock, fast, stockRegistry, fastRegistry } = pair(['outcome']);
    for (const h of [stock, fast]) {
      h.zero({ outcome: 'timeout' });
      h.observe({ outcome: 'ok' }, 0.02);
      h.observe({ outcome: 'gone' }, 0.02);
      h.remove('gone');
    }
    expect(await fastRegistry.metrics()).toBe(await stockRegistry.metrics());
    for (const h of [stock, fast]) h.reset();
    expect(await fastRegistry.metrics()).toBe(await stockRegistry.metrics());
    const plain = new FastHistogram({ name: 'y_seconds', help: 'Y.', buckets: BUCKETS, registers: [] });
    plain.observe(0.2);
    expect((await plain.get()).values.find((v) => v.metricName === 'y_seconds_count')?.value).toBe(1);
  });

  it('refuses an unknown label and a value that is not a finite number, as prom-client does', () => {
    const { fast } = pair(['outcome']);
    expect(() => fast.observe({ nope: 'x' } as never, 1)).toThrow(/not included in initial labelset/);
    expect(() => fast.observe({ outcome: 'ok' }, NaN)).toThrow(TypeError);
  });

  it("keeps each bucket's latest exemplar when enabled and renders it in OpenMetrics only; the plain form records none", async () => {
    const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const histogram = new FastHistogram({
      name: 'e_seconds',
      help: 'E.',
      buckets: [0.1, 1],
      labelNames: ['route'],
      enableExemplars: true,
      registers: [],
    });
    registry.registerMetric(histogram);
    histogram.observe({ route: '/a' }, 0.05);
    histogram.observe({ labels: { route: '/a' }, value: 0.5, exemplarLabels: { trace_id: 'abc' } } as never);
    const text = await registry.metrics();
    expect(text).toMatch(/^e_seconds_bucket\{le="1",route="\/a"\} 2 # \{trace_id="abc"\} 0\.5 \d+/m);
    expect(text).toMatch(/^e_seconds_bucket\{le="0\.1",route="\/a"\} 1$/m);
  });
});
