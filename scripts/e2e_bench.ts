/**
 * End-to-end benchmark: lake → source → processor → sink → Parquet on pubnet-p26 (20 real
 * ledgers), all four processes (control plane included) on this machine. Each run is a fresh
 * pipeline with a fresh DATA_DIR over the bounded range, timed from the sink's "Streaming ledgers"
 * log line to its checkpoint reaching the last ledger. Runs with WORKERS=1 and WORKERS=2; prints
 * ledgers/s and events/s, CPU time and peak RSS of every process, and as the baseline the
 * `@stellar/stellar-sdk` full decode (`xdr.LedgerCloseMeta.fromXDR`) of the same ledgers measured in
 * the same run.
 *
 *   deno run -A scripts/e2e_bench.ts [--runs 3] [--workers 1,2]
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
import { RssSampler } from "../components/pipeline/testing/rss.ts";
import { procCpuMs } from "../components/ttp-arrow-processor/testing/processes.ts";
import type { ServiceName } from "../components/pipeline/plan.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    workers: { type: "string", default: "1,2" },
  },
});
const RUNS = Number(values.runs);
const LEDGERS = PUBNET_P26.last - PUBNET_P26.first + 1;
const EVENTS = expectedEvents(PUBNET_P26.lake).length;
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
  peakMiB: Record<string, number>;
}

async function run(workers: number): Promise<RunResult> {
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-bench-" });
  const pipeline = new TestPipeline({
    datalakeUrl: PUBNET_P26.lake,
    dataDir,
    startLedger: PUBNET_P26.first,
    endLedger: PUBNET_P26.last,
    workers,
    logLevel: "info",
    env: { sink: { FLUSH_INTERVAL: "2s" } }, // the sink's default
  });
  try {
    for (const name of NAMES.slice(0, 3)) await pipeline.start(name);
    const pids: Record<string, number> = {};
    for (const name of NAMES.slice(0, 3)) pids[name] = pipeline.pid(name);
    const sink = await pipeline.start("sink", { wait: false });
    pids.sink = sink.child.pid;
    const sampler = new RssSampler(pids, 100);
    const cpu0: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      cpu0[name] = name === "sink" ? 0 : procCpuMs(String(pid));
    }
    let end: number | undefined;
    const deadline = Date.now() + 120_000;
    while (end === undefined && Date.now() < deadline) {
      if (readCheckpoint(dataDir)?.last_ledger === PUBNET_P26.last) end = Date.now();
      else await new Promise((r) => setTimeout(r, 5));
    }
    const cpuMs: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      cpuMs[name] = procCpuMs(String(pid)) - cpu0[name];
    }
    const rss = sampler.stop();
    if (end === undefined) {
      throw new Error(`the sink did not reach ${PUBNET_P26.last}:\n${pipeline.tail()}`);
    }
    const line = pipeline.lines("sink").find((l) => l.includes("Streaming ledgers"));
    const start = line ? logTime(line) : undefined;
    if (start === undefined) {
      throw new Error(`no "Streaming ledgers" line from the sink:\n${pipeline.tail()}`);
    }
    const peakMiB: Record<string, number> = {};
    for (const [name, s] of Object.entries(rss)) peakMiB[name] = Math.round(s.peak / 1024);
    return { seconds: (end - start) / 1000, cpuMs, peakMiB };
  } finally {
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

const baseline = sdkBaseline();
console.log(
  `pubnet-p26: ${LEDGERS} ledgers, ${EVENTS} events; ${Deno.osRelease()} ${navigator.hardwareConcurrency} CPUs`,
);
console.log(
  `baseline @stellar/stellar-sdk xdr.LedgerCloseMeta.fromXDR: ${
    baseline.toFixed(1)
  } ledgers/s (1 thread, decode only)`,
);
for (const workers of values.workers.split(",").map(Number)) {
  const results: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await run(workers);
    results.push(r);
    const cpu = NAMES.map((n) => `${n} ${(r.cpuMs[n] / 1000).toFixed(2)}`).join(", ");
    const rss = NAMES.map((n) => `${n} ${r.peakMiB[n]}`).join(", ");
    console.log(
      `WORKERS=${workers} run ${i + 1}: ${r.seconds.toFixed(2)} s, ${
        (LEDGERS / r.seconds).toFixed(1)
      } ledgers/s, ${Math.round(EVENTS / r.seconds)} events/s; CPU s: ${cpu}; peak RSS MiB: ${rss}`,
    );
  }
  const median = results.map((r) =>
    r.seconds
  ).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  console.log(
    `WORKERS=${workers} median: ${(LEDGERS / median).toFixed(1)} ledgers/s, ${
      Math.round(EVENTS / median)
    } events/s = ${(LEDGERS / median / baseline).toFixed(2)}x the SDK decode baseline`,
  );
}
