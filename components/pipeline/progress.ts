/**
 * Progress of a running pipeline from the services' Prometheus metrics: ledgers/s, events/s,
 * last ledger and lag, computed from two samples.
 *
 * @module
 */

/**
 * Parses Prometheus text exposition into a map of metric name to value, summing the series of
 * a labelled metric. Comments and malformed lines are ignored.
 */
export function parsePrometheus(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    out.set(match[1], (out.get(match[1]) ?? 0) + value);
  }
  return out;
}

/** The value of the first metric whose name ends with one of `suffixes` (in order). */
export function metricBySuffix(
  metrics: Map<string, number>,
  ...suffixes: string[]
): number | undefined {
  for (const suffix of suffixes) {
    for (const [name, value] of metrics) if (name.endsWith(suffix)) return value;
  }
  return undefined;
}

/** One reading of the pipeline's counters. */
export interface Sample {
  /** Epoch milliseconds of the reading. */
  at: number;
  /** Ledgers the processor consumed. */
  ledgers: number;
  /** Events the sink wrote (or consumed, when it writes no files). */
  events: number;
  /** Last ledger the sink finished. */
  lastLedger?: number;
  /** Last ledger the source has read. */
  sourceLedger?: number;
}

/** Builds a sample from the metrics of the source, processor and sink. */
export function sampleFrom(
  at: number,
  metrics: {
    source?: Map<string, number>;
    processor?: Map<string, number>;
    sink?: Map<string, number>;
  },
): Sample {
  const p = metrics.processor ?? new Map();
  const s = metrics.sink ?? new Map();
  return {
    at,
    ledgers: metricBySuffix(p, "ledgers_consumed_total", "ledgers_consumed") ?? 0,
    events: metricBySuffix(s, "events_consumed_total", "events_consumed") ?? 0,
    lastLedger: metricBySuffix(s, "last_ledger", "checkpoint_ledger") ??
      metricBySuffix(p, "last_ledger_sequence"),
    sourceLedger: metricBySuffix(metrics.source ?? new Map(), "last_sequence"),
  };
}

/** Rates between two samples. */
export interface Rates {
  /** Ledgers the processor consumed per second. */
  ledgersPerSecond: number;
  /** Events the sink consumed per second. */
  eventsPerSecond: number;
  /** Ledgers the sink is behind the source, when both are known. */
  lag?: number;
}

/** Computes rates from an earlier and a later sample. */
export function rates(before: Sample, after: Sample): Rates {
  const seconds = Math.max((after.at - before.at) / 1000, 1e-9);
  const lag = after.sourceLedger !== undefined && after.lastLedger !== undefined
    ? Math.max(after.sourceLedger - after.lastLedger, 0)
    : undefined;
  return {
    ledgersPerSecond: (after.ledgers - before.ledgers) / seconds,
    eventsPerSecond: (after.events - before.events) / seconds,
    lag,
  };
}

/** One status line, e.g. `ledgers 20 (12.5/s) | events 4,211 (2,630/s) | last ledger 63093001 | lag 0`. */
export function formatProgress(sample: Sample, r: Rates): string {
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const parts = [
    `ledgers ${n(sample.ledgers)} (${r.ledgersPerSecond.toFixed(1)}/s)`,
    `events ${n(sample.events)} (${n(r.eventsPerSecond)}/s)`,
    `last ledger ${sample.lastLedger ?? "-"}`,
    `lag ${r.lag ?? "-"}`,
  ];
  return parts.join(" | ");
}
