/**
 * In-process metrics: counters, gauges and histograms in a {@linkcode Registry}, rendered in the
 * Prometheus text exposition format (`GET /metrics`) and as a flat snapshot of numbers (flowctl
 * heartbeats).
 *
 * ```ts
 * import { Registry } from "../shared/metrics/mod.ts";
 * const metrics = new Registry({ prefix: "stellar_source_" });
 * const ledgers = metrics.counter("ledgers_processed", "Ledgers decoded and served");
 * const written = metrics.counter("events_written", "Events written", ["format"]);
 * ledgers.inc();
 * written.inc(10, { format: "parquet" });
 * metrics.snapshot(); // { ledgers_processed: 1, events_written_parquet: 10 }
 * ```
 *
 * @module
 */

/** Label values of one series, by label name. */
export type Labels = Readonly<Record<string, string>>;

/** The kinds of metric. */
export type Kind = "counter" | "gauge" | "histogram";

/** What every metric kind implements. */
export interface Metric {
  /** Name without prefix, e.g. `ledgers_processed`. */
  readonly name: string;
  /** One-line description for `# HELP`. */
  readonly help: string;
  /** Counter, gauge or histogram. */
  readonly kind: Kind;
  /** The Prometheus lines of this metric, names prefixed with `prefix`. */
  render(prefix: string): string[];
  /** Adds this metric's current values to a flat snapshot. */
  flatten(into: Record<string, number>): void;
}

function seriesKey(labelNames: readonly string[], labels: Labels | undefined): string {
  if (labelNames.length === 0) return "";
  return labelNames.map((n) => {
    const v = labels?.[n];
    if (v === undefined) {
      throw new RangeError(`Expected label "${n}", got ${JSON.stringify(labels)}`);
    }
    return v;
  }).join("\u0000");
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function labelText(labelNames: readonly string[], key: string, extra = ""): string {
  if (labelNames.length === 0) return extra ? `{${extra}}` : "";
  const values = key.split("\u0000");
  const parts = labelNames.map((n, i) => `${n}="${escapeLabel(values[i])}"`);
  if (extra) parts.push(extra);
  return `{${parts.join(",")}}`;
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function flatName(name: string, key: string): string {
  return key === "" ? name : `${name}_${key.split("\u0000").join("_")}`;
}

/** A monotonically increasing count. */
export class Counter implements Metric {
  /** Metric kind. */
  readonly kind = "counter";
  #values = new Map<string, number>();
  /** Creates the metric; prefer the {@linkcode Registry} methods. */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    if (labelNames.length === 0) this.#values.set("", 0);
  }
  /** Adds `n` (default 1, never negative). */
  inc(n = 1, labels?: Labels): void {
    if (!(n >= 0)) {
      throw new RangeError(`Counter ${this.name}: expected an increment >= 0, got ${n}`);
    }
    const key = seriesKey(this.labelNames, labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + n);
  }
  /** The current value of a series (0 when never incremented). */
  value(labels?: Labels): number {
    return this.#values.get(seriesKey(this.labelNames, labels)) ?? 0;
  }
  /** Renders the Prometheus lines of this metric. */
  render(prefix: string): string[] {
    const full = `${prefix}${this.name}${this.name.endsWith("_total") ? "" : "_total"}`;
    const lines = [`# HELP ${full} ${this.help}`, `# TYPE ${full} counter`];
    for (const [key, v] of this.#values) {
      lines.push(`${full}${labelText(this.labelNames, key)} ${formatNumber(v)}`);
    }
    return lines;
  }
  /** Adds this metric's series to a flat snapshot. */
  flatten(into: Record<string, number>): void {
    for (const [key, v] of this.#values) into[flatName(this.name, key)] = v;
  }
}

/** A value that goes up and down, set directly or read from a callback at collection time. */
export class Gauge implements Metric {
  /** Metric kind. */
  readonly kind = "gauge";
  #values = new Map<string, number>();
  /** Creates the metric; prefer the {@linkcode Registry} methods. */
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly collect?: () => number,
  ) {
    if (labelNames.length === 0 && !collect) this.#values.set("", 0);
  }
  /** Sets a series' value. */
  set(value: number, labels?: Labels): void {
    this.#values.set(seriesKey(this.labelNames, labels), value);
  }
  /** Adds `n` (may be negative). */
  inc(n = 1, labels?: Labels): void {
    const key = seriesKey(this.labelNames, labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + n);
  }
  /** Subtracts `n`. */
  dec(n = 1, labels?: Labels): void {
    this.inc(-n, labels);
  }
  /** The current value of a series. */
  value(labels?: Labels): number {
    if (this.collect && this.labelNames.length === 0) return this.collect();
    return this.#values.get(seriesKey(this.labelNames, labels)) ?? 0;
  }
  #entries(): [string, number][] {
    if (this.collect && this.labelNames.length === 0) return [["", this.collect()]];
    return [...this.#values];
  }
  /** Renders the Prometheus lines of this metric. */
  render(prefix: string): string[] {
    const full = `${prefix}${this.name}`;
    const lines = [`# HELP ${full} ${this.help}`, `# TYPE ${full} gauge`];
    for (const [key, v] of this.#entries()) {
      lines.push(`${full}${labelText(this.labelNames, key)} ${formatNumber(v)}`);
    }
    return lines;
  }
  /** Adds this metric's series to a flat snapshot. */
  flatten(into: Record<string, number>): void {
    for (const [key, v] of this.#entries()) into[flatName(this.name, key)] = v;
  }
}

/** Default histogram buckets, in milliseconds. */
export const DEFAULT_MS_BUCKETS: readonly number[] = [
  0.5,
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
];

/** A distribution of observations (no labels), with the last observation kept for snapshots. */
export class Histogram implements Metric {
  /** Metric kind. */
  readonly kind = "histogram";
  #counts: number[];
  #sum = 0;
  #count = 0;
  #last = 0;
  /** Creates the histogram; prefer {@linkcode Registry.histogram}. */
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {
    this.#counts = new Array(buckets.length).fill(0);
  }
  /** Records one observation. */
  observe(value: number): void {
    this.#last = value;
    this.#sum += value;
    this.#count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) this.#counts[i]++;
  }
  /** Number of observations. */
  get count(): number {
    return this.#count;
  }
  /** Mean of all observations (0 when none). */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }
  /** The last observation (0 when none). */
  get last(): number {
    return this.#last;
  }
  /** Renders the Prometheus lines of this metric. */
  render(prefix: string): string[] {
    const full = `${prefix}${this.name}`;
    const lines = [`# HELP ${full} ${this.help}`, `# TYPE ${full} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${full}_bucket{le="${b}"} ${this.#counts[i]}`));
    lines.push(`${full}_bucket{le="+Inf"} ${this.#count}`);
    lines.push(`${full}_sum ${formatNumber(this.#sum)}`, `${full}_count ${this.#count}`);
    return lines;
  }
  /** Adds the last observation under the metric's name to a flat snapshot. */
  flatten(into: Record<string, number>): void {
    into[this.name] = this.#last;
  }
}

/** Options of a {@linkcode Registry}. */
export interface RegistryOptions {
  /** Prepended to every name in the Prometheus text (not in snapshots), e.g. `ttp_processor_`. */
  prefix?: string;
}

/** A set of named metrics. Names are unique within a registry. */
export class Registry {
  /** Prepended to every name in the Prometheus text. */
  readonly prefix: string;
  #metrics = new Map<string, Metric>();
  #extraText: (() => string)[] = [];

  /** Creates an empty registry. */
  constructor(options: RegistryOptions = {}) {
    this.prefix = options.prefix ?? "";
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) {
      throw new RangeError(`Metric "${metric.name}" is already registered`);
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  /** Creates a counter. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  /** Creates a gauge; with `collect`, its value is read at collection time. */
  gauge(
    name: string,
    help: string,
    options: { labelNames?: readonly string[]; collect?: () => number } = {},
  ): Gauge {
    return this.#add(new Gauge(name, help, options.labelNames ?? [], options.collect));
  }

  /** Creates a histogram (buckets default to {@linkcode DEFAULT_MS_BUCKETS}). */
  histogram(
    name: string,
    help: string,
    buckets: readonly number[] = DEFAULT_MS_BUCKETS,
  ): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }

  /** Adds text appended to {@linkcode Registry.render} (e.g. the flowctl controller's status). */
  addTextProvider(provide: () => string): void {
    this.#extraText.push(provide);
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.#metrics.values()) lines.push(...metric.render(this.prefix));
    let text = lines.join("\n") + "\n";
    for (const provide of this.#extraText) {
      const extra = provide();
      if (extra) text += extra.endsWith("\n") ? extra : extra + "\n";
    }
    return text;
  }

  /** A flat map of metric name (labels joined with `_`) to current value. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const metric of this.#metrics.values()) metric.flatten(out);
    return out;
  }
}
