import { Gauge, Registry } from 'prom-client';
import { collectOnScrape } from './collect-on-scrape';

describe(collectOnScrape.name, () => {
  const gauge = () => new Gauge({ name: 'collect_on_scrape_test', help: 'x', registers: [new Registry()] });

  it('reads the value when the metric is scraped, not before', async () => {
    const metric = gauge();
    let reads = 0;
    collectOnScrape(metric, () => metric.set(++reads));
    expect(reads).toBe(0);
    expect((await metric.get()).values[0]?.value).toBe(1);
    expect((await metric.get()).values[0]?.value).toBe(2);
  });

  it('unhooks its own reader, and leaves a newer one in place', async () => {
    const metric = gauge();
    const unhookOld = collectOnScrape(metric, () => metric.set(1));
    const unhookNew = collectOnScrape(metric, () => metric.set(2));
    unhookOld();
    expect((await metric.get()).values[0]?.value).toBe(2);
    unhookNew();
    metric.set(7);
    expect((await metric.get()).values[0]?.value).toBe(7);
  });
});
