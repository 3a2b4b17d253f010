/**
 * End-to-end benchmark: lake → source → processor → sink → Parquet on pubnet-p26 looped (its 20
 * real ledgers repeated `--copies` times, renumbered with valid hashes: see
 * `components/pipeline/testing/looped_lake.ts`), all four processes (control plane included) on
 * this machine. Each run is a fresh
 * pipeline with a fresh DATA_DIR over the bounded range, timed from the sink's "Streaming ledgers"
 * log line to its checkpoint reaching the last ledger. Runs with WORKERS=1 and WORKERS=2; prints
 * ledgers/s and events/s, CPU time and peak RSS of every process, and as the baseline the
 * `@stellar/stellar-sdk` full decode (`xdr.LedgerCloseMeta.fromXDR`) of the same ledgers measured in
 * the same run.
 *
 *   deno run -A scripts/e2e_bench.ts [--runs 3] [--warm 3] [--workers 1,2] [--copies 10]
 *
 * `--runs` fresh pipelines per WORKERS value; the first is followed by `--warm` runs that restart
 * only the sink (fresh DATA_DIR) against the warm source and processor.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { xdr } from "@stellar/stellar-sdk";
import { splitLedgerCloseMetaBatch } from "../shared/ledger/mod.ts";
import {
  expectedEvents,
  PUBNET_P26,
  readCheckpoint,
} from "../components/pipeline/testing/events.ts";
import { TestPipeline } from "../components/pipeline/testing/harness.ts";
import { lakeObjects } from "../components/pipeline/testing/lake.ts";
import { writeLoopedLake } from "../components/pipeline/testing/looped_lake.ts";
import { RssSampler } from "../components/pipeline/testing/rss.ts";
import { procCpuMs, type ThreadCpu, threadCpuDelta, threadCpuMs } from "../shared/proc_cpu/mod.ts";
import type { ServiceName } from "../components/pipeline/plan.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    workers: { type: "string", default: "1,2" },
    warm: { type: "string", default: "3" },
    copies: { type: "string", default: "10" },
  },
});
const RUNS = Number(values.runs);
const WARM = Number(values.warm);
const COPIES = Number(values.copies);
const LAKE = Deno.makeTempDirSync({ prefix: "e2e-bench-lake-" });
const LOOPED = writeLoopedLake({ lake: PUBNET_P26.lake, target: LAKE, copies: COPIES });
const LEDGERS = LOOPED.last - LOOPED.first + 1;
const EVENTS = expectedEvents(PUBNET_P26.lake).length * COPIES;
const NAMES: ServiceName[] = ["control-plane", "source", "processor", "sink"];

/** SDK baseline: full decode of every ledger, best of 3 passes (single thread). */
function sdkBaseline(): number {
  const ledgers: Uint8Array[] = [];
  for (const o of lakeObjects(PUBNET_P26.lake)) {
    const raw = zlib.zstdDecompressSync(Deno.readFileSync(`${PUBNET_P26.lake}/${o.path}`));
    ledgers.push(...splitLedgerCloseMetaBatch(new Uint8Array(raw)).ledgers);
  }
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t = performance.now();
    for (const l of ledgers) {
      xdr.LedgerCloseMeta.fromXDR(Buffer.from(l.buffer, l.byteOffset, l.byteLength));
    }
    best = Math.min(best, performance.now() - t);
  }
  return ledgers.length / (best / 1000);
}

function logTime(line: string): number | undefined {
  const m = line.match(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) \+00:00/);
  return m ? Date.parse(`${m[1]}T${m[2]}Z`) : undefined;
}

interface RunResult {
  seconds: number;
  cpuMs: Record<string, number>;
  /** CPU ms by thread kind, per process. */
  threads: Record<string, ThreadCpu>;
  peakMiB: Record<string, number>;
}

/** Starts a fresh sink (fresh DATA_DIR) on the running pipeline and times it through the range. */
async function sinkRun(pipeline: TestPipeline): Promise<RunResult> {
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-bench-" });
  try {
    pipeline.setEnv("sink", { DATA_DIR: dataDir });
    const seen = pipeline.lines("sink").length;
    const pids: Record<string, number> = {};
    for (const name of NAMES.slice(0, 3)) pids[name] = pipeline.pid(name);
    const cpu0: Record<string, number> = {};
    const threads0: Record<string, ThreadCpu> = {};
    for (const [name, pid] of Object.entries(pids)) {
      cpu0[name] = procCpuMs(pid);
      threads0[name] = threadCpuMs(pid);
    }
    const sink = await pipeline.start("sink", { wait: false });
    pids.sink = sink.child.pid;
    const sampler = new RssSampler(pids, 100);
    let end: number | undefined;
    const deadline = Date.now() + 120_000;
    while (end === undefined && Date.now() < deadline) {
      if (
        cpu0.sink === undefined &&
        pipeline.lines("sink").slice(seen).some((l) => l.includes("Streaming ledgers"))
      ) {
        cpu0.sink = procCpuMs(pids.sink); // the sink's CPU from the start of streaming
        threads0.sink = threadCpuMs(pids.sink);
      }
      if (readCheckpoint(dataDir)?.last_ledger === LOOPED.last) end = Date.now();
      else await new Promise((r) => setTimeout(r, 5));
    }
    const cpuMs: Record<string, number> = {};
    const threads: Record<string, ThreadCpu> = {};
    for (const [name, pid] of Object.entries(pids)) {
      cpuMs[name] = procCpuMs(pid) - (cpu0[name] ?? 0);
      const before = threads0[name] ?? { main: 0, workers: 0, v8: 0, rest: 0 };
      threads[name] = threadCpuDelta(before, threadCpuMs(pid));
    }
    const rss = sampler.stop();
    if (end === undefined) {
      throw new Error(`the sink did not reach ${LOOPED.last}:\n${pipeline.tail()}`);
    }
    const line = pipeline.lines("sink").slice(seen).find((l) => l.includes("Streaming ledgers"));
    const start = line ? logTime(line) : undefined;
    if (start === undefined) {
      throw new Error(`no "Streaming ledgers" line from the sink:\n${pipeline.tail()}`);
    }
    const peakMiB: Record<string, number> = {};
    for (const [name, s] of Object.entries(rss)) peakMiB[name] = Math.round(s.peak / 1024);
    await pipeline.stop("sink");
    return { seconds: (end - start) / 1000, cpuMs, threads, peakMiB };
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** One fresh pipeline: a cold run, then `warm` runs of a fresh sink on the warm upstream. */
async function runs(workers: number, warm: number): Promise<RunResult[]> {
  const pipeline = new TestPipeline({
    datalakeUrl: LAKE,
    dataDir: "/nonexistent", // replaced per run
    startLedger: LOOPED.first,
    endLedger: LOOPED.last,
    workers,
    logLevel: "info",
    env: { sink: { FLUSH_INTERVAL: "2s" } }, // the sink's default
  });
  try {
    for (const name of NAMES.slice(0, 3)) await pipeline.start(name);
    const out: RunResult[] = [];
    for (let i = 0; i <= warm; i++) out.push(await sinkRun(pipeline));
    return out;
  } finally {
    await pipeline.close();
  }
}

const baseline = sdkBaseline();
console.log(
  `pubnet-p26 looped ${COPIES}x: ${LEDGERS} ledgers, ${EVENTS} events; ${Deno.osRelease()} ${navigator.hardwareConcurrency} CPUs`,
);
console.log(
  `baseline @stellar/stellar-sdk xdr.LedgerCloseMeta.fromXDR: ${
    baseline.toFixed(1)
  } ledgers/s (1 thread, decode only)`,
);
try {
  for (const workers of values.workers.split(",").map(Number)) {
    const cold: RunResult[] = [];
    const warm: RunResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      const results = await runs(workers, i === 0 ? WARM : 0);
      results.forEach((r, j) => {
        (j === 0 ? cold : warm).push(r);
        const cpu = NAMES.map((n) => `${n} ${(r.cpuMs[n] / 1000).toFixed(2)}`).join(", ");
        const rss = NAMES.map((n) => `${n} ${r.peakMiB[n]}`).join(", ");
        console.log(
          `WORKERS=${workers} ${j === 0 ? "cold" : "warm"}: ${r.seconds.toFixed(2)} s, ${
            (LEDGERS / r.seconds).toFixed(1)
          } ledgers/s, ${
            Math.round(EVENTS / r.seconds)
          } events/s; CPU s: ${cpu}; peak RSS MiB: ${rss}`,
        );
      });
    }
    for (
      const [label, rs] of [["cold (fresh processes)", cold], [
        "warm upstream (fresh sink)",
        warm,
      ]] as const
    ) {
      if (rs.length === 0) continue;
      const median = rs.map((r) => r.seconds).sort((a, b) => a - b)[Math.floor(rs.length / 2)];
      // CPU per ledger does not depend on what else the machine runs: it gives the CPU-bound
      // ceiling of the pipeline on this machine's cores when they are idle.
      const cpuPerLedger = (name: string) =>
        rs.map((r) => r.cpuMs[name]).reduce((a, b) => a + b, 0) / rs.length / LEDGERS;
      const total = NAMES.reduce((a, n) => a + cpuPerLedger(n), 0);
      console.log(
        `WORKERS=${workers} ${label} median of ${rs.length}: ${
          (LEDGERS / median).toFixed(1)
        } ledgers/s, ${Math.round(EVENTS / median)} events/s = ${
          (LEDGERS / median / baseline).toFixed(2)
        }x the SDK decode baseline; CPU ms per ledger: ${
          NAMES.map((n) => `${n} ${cpuPerLedger(n).toFixed(1)}`).join(", ")
        } (by thread: ${
          NAMES.slice(1).map((n) => {
            const t = (k: keyof ThreadCpu) =>
              (rs.map((r) => r.threads[n][k]).reduce((a, b) => a + b, 0) / rs.length / LEDGERS)
                .toFixed(1);
            return `${n} main ${t("main")} workers ${t("workers")} V8 ${t("v8")} other ${
              t("rest")
            }`;
          }).join("; ")
        }), total ${total.toFixed(1)} (SDK decode ${
          (1000 / baseline).toFixed(1)
        }) → CPU-bound ceiling on ${navigator.hardwareConcurrency} idle cores ${
          (navigator.hardwareConcurrency * 1000 / total).toFixed(1)
        } ledgers/s`,
      );
    }
  }
} finally {
  Deno.removeSync(LAKE, { recursive: true });
}
