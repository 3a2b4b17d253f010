/**
 * A small in-memory history of metric samples per service, and the throughput series drawn as
 * an SVG sparkline on the status page.
 *
 * @module
 */
import type { ServiceKind } from "./registry.ts";

/** One heartbeat's numeric metrics at a time. */
export interface Sample {
  /** Epoch ms. */
  t: number;
  /** Numeric metrics. */
  values: Record<string, number>;
}

/** Counter used for throughput, by kind, in order of preference. */
export const THROUGHPUT_COUNTERS: Readonly<Record<ServiceKind, readonly string[]>> = {
  source: ["ledgers_processed", "success_count"],
  processor: ["events_extracted", "ledgers_consumed", "success_count"],
  sink: ["events_written", "events_consumed", "success_count"],
  pipeline: ["events_processed", "success_count"],
  unspecified: ["success_count"],
};

/** Per-service ring buffers of samples. */
export class MetricHistory {
  readonly #size: number;
  readonly #samples = new Map<string, Sample[]>();

  /** Keeps the last `size` samples per service. */
  constructor(size = 60) {
    this.#size = size;
  }

  /** Records the numeric values of `metrics` for `id` at time `t`. */
  add(id: string, t: number, metrics: Record<string, number | string>): void {
    const values: Record<string, number> = {};
    for (const [k, v] of Object.entries(metrics)) if (typeof v === "number") values[k] = v;
    let list = this.#samples.get(id);
    if (!list) this.#samples.set(id, list = []);
    list.push({ t, values });
    if (list.length > this.#size) list.splice(0, list.length - this.#size);
  }

  /** Samples of `id`, oldest first. */
  get(id: string): readonly Sample[] {
    return this.#samples.get(id) ?? [];
  }

  /** Forgets `id`. */
  delete(id: string): void {
    this.#samples.delete(id);
  }
}

/** The counter to chart for a kind given the metrics present (null if none fits). */
export function throughputCounter(kind: ServiceKind, samples: readonly Sample[]): string | null {
  const last = samples.at(-1)?.values ?? {};
  for (const name of THROUGHPUT_COUNTERS[kind]) if (name in last) return name;
  return null;
}

/**
 * Per-second rates of `counter` between consecutive samples (a counter that went down, e.g.
 * after a restart, counts from zero).
 */
export function rates(samples: readonly Sample[], counter: string): number[] {
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1], b = samples[i];
    const va = a.values[counter], vb = b.values[counter];
    const dt = (b.t - a.t) / 1000;
    if (va === undefined || vb === undefined || dt <= 0) continue;
    out.push((vb >= va ? vb - va : vb) / dt);
  }
  return out;
}

/** An SVG sparkline of `values` (empty chart with a baseline for fewer than two points). */
export function sparklineSvg(values: readonly number[], width = 160, height = 32): string {
  const pad = 2;
  const head =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`;
  const baseline = `<line x1="0" y1="${height - pad}" x2="${width}" y2="${
    height - pad
  }" stroke="#ccc" stroke-width="1"/>`;
  if (values.length < 2) return `${head}${baseline}</svg>`;
  const max = Math.max(...values, 1e-9);
  const step = (width - 2 * pad) / (values.length - 1);
  const points = values.map((v, i) => {
    const x = pad + i * step;
    const y = height - pad - (v / max) * (height - 2 * pad);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return `${head}${baseline}<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="${
    points.join(" ")
  }"/></svg>`;
}
