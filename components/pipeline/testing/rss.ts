/**
 * Resident memory of processes over a run, sampled from `/proc/<pid>/status` (Linux).
 *
 * @module
 */

/** VmRSS of a process in KiB, or `undefined` when it is gone. */
export function rssKib(pid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** What {@linkcode RssSampler} saw for one process. */
export interface RssSeries {
  /** Samples in KiB, in time order. */
  samples: number[];
  /** Largest sample (KiB). */
  peak: number;
  /** Largest sample of the first third of the run (KiB). */
  firstThirdPeak: number;
  /** Largest sample of the last third of the run (KiB). */
  lastThirdPeak: number;
  /** Largest sample of each sixth of the run (KiB), in time order: a plateau or a slope. */
  windowPeaks: number[];
}

/** Samples the RSS of named processes every `intervalMs` until stopped. */
export class RssSampler {
  readonly #pids: Map<string, number>;
  readonly #samples = new Map<string, number[]>();
  readonly #timer: number;

  /** Starts sampling. */
  constructor(pids: Record<string, number>, intervalMs = 500) {
    this.#pids = new Map(Object.entries(pids));
    for (const name of this.#pids.keys()) this.#samples.set(name, []);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
  }

  #sample(): void {
    for (const [name, pid] of this.#pids) {
      const kib = rssKib(pid);
      if (kib !== undefined) this.#samples.get(name)!.push(kib);
    }
  }

  /** Stops sampling and returns each process's series. */
  stop(): Record<string, RssSeries> {
    clearInterval(this.#timer);
    this.#sample();
    const out: Record<string, RssSeries> = {};
    for (const [name, samples] of this.#samples) {
      const third = Math.max(1, Math.floor(samples.length / 3));
      const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
      out[name] = {
        samples,
        peak: max(samples),
        firstThirdPeak: max(samples.slice(0, third)),
        lastThirdPeak: max(samples.slice(-third)),
        windowPeaks: Array.from({ length: 6 }, (_, i) =>
          max(
            samples.slice(
              Math.floor(i * samples.length / 6),
              Math.max(
                Math.floor((i + 1) * samples.length / 6),
                Math.floor(i * samples.length / 6) + 1,
              ),
            ),
          )),
      };
    }
    return out;
  }
}
