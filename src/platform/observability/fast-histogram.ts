import {
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from 'prom-client';

/** One label set's counts. */
interface Cell {
  labels: LabelValues<string>;
  /** Per bucket (not cumulative), the last one for values above every bound (+Inf). */
  counts: Float64Array;
  sum: number;
  count: number;
  /** Per bucket, the latest observation that carried exemplar labels (only with exemplars on). */
  exemplars?: Array<Exemplar | undefined>;
}

/** An OpenMetrics exemplar as prom-client's registry formats it (`# {labels} value timestamp`). */
interface Exemplar {
  labelSet: Record<string, string>;
  value: number;
  timestamp: number;
}

/** prom-client's object form of `observe`, the one that can carry exemplar labels. */
interface Observation {
  labels?: LabelValues<string>;
  value: number;
  exemplarLabels?: Record<string, string>;
}

type Values<T extends string> = MetricObjectWithValues<MetricValueWithName<T>>;

/**
 * A prom-client Histogram (same registry, name, help, buckets and exposition, so /metrics and every reader of
 * `get()` see no difference) whose `observe(labels, value)` costs a fraction of the stock one: the label set
 * is found by one string key in a Map, its bucket by a scan of a Float64Array, and labels are validated once per
 * label set instead of on every observation. The stock path also formats each bucket's bound as a property name
 * (a float-to-string conversion per observation) and copies the labels. Measured in the bench: the stock
 * observation was ~3.5 µs of CPU per request on the HTTP histogram and as much on the query histogram.
 * With `exemplars` (tracing on) each bucket keeps the latest observation made in the object form with
 * `exemplarLabels` (a sampled request's trace id), as prom-client's exemplar histogram does, without its second
 * label hash and exemplar object per observation; the plain form stays as cheap as without.
 * Hand-written: prom-client has no cached-child API (`labels()` hashes on every call too).
 */
export class FastHistogram<T extends string = string> extends Histogram<T> {
  private readonly cells = new Map<string, Cell>();
  private readonly bounds: Float64Array;
  private readonly names: readonly string[];

  constructor(config: HistogramConfiguration<T>) {
    // prom-client's own exemplar bookkeeping is left off; this class keeps them (see the class comment).
    super({ ...config, enableExemplars: false });
    const self = this as unknown as { upperBounds: number[]; labelNames: string[]; enableExemplars: boolean };
    this.bounds = Float64Array.from(self.upperBounds);
    this.names = [...self.labelNames];
    self.enableExemplars = config.enableExemplars === true;
    // prom-client's constructor sets `observe` as an own property: it is replaced, not overridden.
    (this as { observe: (labels: LabelValues<T> | number | Observation, value?: number) => void }).observe = (labels, value) => {
      if (typeof labels === 'number') return this.record({}, labels);
      if (value === undefined && typeof (labels as Observation).value === 'number') {
        const observation = labels as Observation;
        return this.record(observation.labels ?? {}, observation.value, observation.exemplarLabels);
      }
      this.record(labels as LabelValues<string>, value ?? NaN);
    };
  }

  /** A cell's key: the label values in labelNames order (an absent label is ''). */
  private keyOf(labels: LabelValues<string>): string {
    const names = this.names;
    if (names.length === 1) return String(labels[names[0]] ?? '');
    let key = '';
    for (let i = 0; i < names.length; i++) key += `${i === 0 ? '' : '\u0001'}${labels[names[i]] ?? ''}`;
    return key;
  }

  private record(labels: LabelValues<string>, value: number, exemplarLabels?: Record<string, string>): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${String(value)}`);
    const key = this.keyOf(labels);
    let cell = this.cells.get(key);
    if (!cell) cell = this.createCell(key, labels);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    cell.counts[i]++;
    cell.sum += value;
    cell.count++;
    if (exemplarLabels !== undefined && (this as unknown as { enableExemplars: boolean }).enableExemplars)
      (cell.exemplars ??= [])[i] = { labelSet: exemplarLabels, value, timestamp: Date.now() / 1000 };
  }

  private createCell(key: string, labels: LabelValues<string>): Cell {
    for (const name of Object.keys(labels)) {
      if (!this.names.includes(name))
        throw new Error(`Added label "${name}" is not included in initial labelset: ${JSON.stringify(this.names)}`);
    }
    const cell: Cell = { labels: { ...labels }, counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
    this.cells.set(key, cell);
    return cell;
  }

  /** prom-client's two call forms of `labels()`/`remove()`: one labels object, or the values in labelNames order. */
  private labelsOf(args: unknown[]): LabelValues<T> {
    return args.length === 1 && typeof args[0] === 'object' && args[0] !== null
      ? args[0]
      : (Object.fromEntries(this.names.map((name, i) => [name, args[i]])) as LabelValues<T>);
  }

  override labels(...args: unknown[]): { observe(value: number): void; startTimer(): (labels?: LabelValues<T>) => number } {
    const labels = this.labelsOf(args);
    return {
      observe: (value: number) => this.observe(labels, value),
      startTimer: () => this.startTimer(labels),
    };
  }

  override zero(labels: LabelValues<T>): void {
    const key = this.keyOf(labels);
    const cell = this.cells.get(key) ?? this.createCell(key, labels);
    cell.counts.fill(0);
    cell.sum = cell.count = 0;
  }

  override reset(): void {
    // prom-client's Metric constructor calls reset() before this class's fields exist.
    (this.cells as Map<string, Cell> | undefined)?.clear();
    super.reset();
  }

  override remove(...args: unknown[]): void {
    this.cells.delete(this.keyOf(this.labelsOf(args)));
  }

  /** What the registry formats: prom-client's own shape (bucket lines with `le`, then +Inf, sum and count per label set). */
  async getForPromString(): Promise<Values<T>> {
    const collect = (this as unknown as { collect?: () => unknown }).collect;
    if (collect) await collect.call(this);
    const name = (this as unknown as { name: string }).name;
    const values: Array<MetricValueWithName<T> & { sharedLabels: LabelValues<T>; exemplar?: Exemplar | null }> = [];
    for (const cell of this.cells.values()) {
      const sharedLabels = cell.labels as LabelValues<T>;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += cell.counts[i];
        values.push({
          labels: { le: this.bounds[i] } as LabelValues<T>,
          value: cumulative,
          metricName: `${name}_bucket`,
          exemplar: cell.exemplars?.[i] ?? null,
          sharedLabels,
        });
      }
      values.push({
        labels: { le: '+Inf' } as LabelValues<T>,
        value: cell.count,
        metricName: `${name}_bucket`,
        exemplar: cell.exemplars?.[this.bounds.length] ?? null,
        sharedLabels,
      });
      values.push({ labels: {}, value: cell.sum, metricName: `${name}_sum`, sharedLabels });
      values.push({ labels: {}, value: cell.count, metricName: `${name}_count`, sharedLabels });
    }
    const self = this as unknown as { help: string; aggregator: Values<T>['aggregator'] };
    return {
      name,
      help: self.help,
      type: (this as unknown as { type: Values<T>['type'] }).type,
      values,
      aggregator: self.aggregator,
    } as unknown as Values<T>;
  }

  /** prom-client's `get()`: the same values with each set's labels merged into its lines. */
  override async get(): Promise<Values<T>> {
    const data = await this.getForPromString();
    data.values = data.values.map((v) => {
      const { sharedLabels, ...rest } = v as MetricValueWithName<T> & { sharedLabels?: LabelValues<T> };
      return { ...rest, labels: { ...rest.labels, ...sharedLabels } };
    });
    return data;
  }
}
