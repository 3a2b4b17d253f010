/**
 * Throughput of ttp-arrow-processor end to end: stellar-arrow-source (subprocess, `pubnet-p26`
 * fixture lake) → processor (subprocess, WORKERS=1 and 2) → a Flight client here reading
 * `ttp_events:FIRST:LAST` over and over (the 20 ledgers looped).
 *
 * Baselines measured in the same run: single-threaded extraction in this process (no I/O) and
 * the source alone (the client reads `stellar_ledgers` directly). Besides wall-clock rates, the
 * CPU time each process used per ledger (Linux `/proc`) is reported: it does not depend on how
 * busy the machine is, and `cores × 1000 / (CPU ms per ledger of source + processor + client)`
 * is the rate the pipeline can reach when it has the cores to itself.
 *
 * This process (the client) runs itself again with the services' V8 flags when started without them.
 * Each processor is measured twice: over its first WARM passes after it starts (JIT compilation
 * and heap growth included), then over PASSES more passes (warm).
 *
 * ```sh
 * deno run -A scripts/processor_bench.ts [--warm 20] [--passes 20]
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FlightClient, pathDescriptor } from "../shared/flight/mod.ts";
import { summarizeLedgerCloseMetaBatch } from "../shared/ledger/mod.ts";
import { readFixtureBatches } from "../shared/ledger/testdata.ts";
import { extractEvents } from "../shared/ttp/mod.ts";
import { KNOWN_NETWORKS } from "../components/ttp-arrow-processor/network.ts";
import {
  startProcessorProcess,
  startSourceProcess,
} from "../components/ttp-arrow-processor/testing/processes.ts";
import { procCpuMs, type ThreadCpu, threadCpuDelta, threadCpuMs } from "../shared/proc_cpu/mod.ts";
import { rerunWithV8Flags } from "../shared/runtime/mod.ts";

// This process is the client: it runs with the services' V8 flags, as the source and processor
// do (without them V8 marks its whole heap every 64 MiB of received buffers).
await rerunWithV8Flags();

const { values: args } = parseArgs({
  args: Deno.args,
  options: { passes: { type: "string", default: "20" }, warm: { type: "string", default: "20" } },
});
function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} expects a positive integer, got ${JSON.stringify(text)}`);
  }
  return value;
}
const PASSES = positive("passes", args.passes);
const WARM = positive("warm", args.warm);
const LAKE = fileURLToPath(new URL("../testdata/lakes/pubnet-p26", import.meta.url));
const CORES = navigator.hardwareConcurrency;

interface Row {
  name: string;
  ledgers: number;
  events: number;
  ms: number;
  /** CPU ms per ledger by process. */
  cpu: Record<string, number>;
  /** The processor's CPU ms per ledger by thread kind (part of `cpu.processor`). */
  processorThreads?: ThreadCpu;
}

async function readPasses(client: FlightClient, ticket: string, passes: number) {
  let rows = 0;
  for (let p = 0; p < passes; p++) {
    for await (const b of client.doGet(ticket)) rows += b.numRows;
  }
  return rows;
}

/** Runs `fn`, measuring wall time and the CPU time of the given processes. */
async function measure<T>(
  pids: Record<string, () => number>,
  fn: () => Promise<T>,
): Promise<{ value: T; ms: number; cpuMs: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, f]) => [k, f()]));
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const cpuMs = Object.fromEntries(Object.entries(pids).map(([k, f]) => [k, f() - before[k]]));
  return { value, ms, cpuMs };
}

const ledgers = readFixtureBatches("pubnet-p26")
  .flatMap((b) => summarizeLedgerCloseMetaBatch(b.bytes).ledgers);
const n = ledgers.length;
const rows: Row[] = [];
const self = () => procCpuMs("self");
const perLedger = (cpu: Record<string, number>, count: number) =>
  Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / count]));

const source = await startSourceProcess(LAKE);
try {
  const sc = new FlightClient(`127.0.0.1:${source.port}`);
  const info = await sc.getFlightInfo(pathDescriptor("stellar_ledgers"));
  const [, first, last] = new TextDecoder().decode(info.endpoints[0].ticket).split(":").map(Number);
  // Baseline: the source alone.
  await readPasses(sc, `stellar_ledgers:${first}:${last}`, 1);
  const s = await measure(
    { source: () => source.process.cpuMs(), client: self },
    () => readPasses(sc, `stellar_ledgers:${first}:${last}`, PASSES),
  );
  rows.push({
    name: "source alone (stellar_ledgers)",
    ledgers: s.value,
    events: 0,
    ms: s.ms,
    cpu: perLedger(s.cpuMs, s.value),
  });
  sc.close();

  for (const workers of [1, 2]) {
    const processor = await startProcessorProcess(`127.0.0.1:${source.port}`, {
      WORKERS: String(workers),
    });
    const client = new FlightClient(`127.0.0.1:${processor.flightPort}`);
    try {
      const ticket = `ttp_events:${first}:${last}`;
      const clocks = {
        source: () => source.process.cpuMs(),
        processor: () => processor.process.cpuMs(),
        client: self,
      };
      // The first WARM passes after the processor starts (its JIT compiles, its heaps grow),
      // then PASSES passes of a warm processor.
      for (const [label, passes] of [["first", WARM], ["warm", PASSES]] as const) {
        const threads0 = threadCpuMs(processor.process.pid);
        const m = await measure(clocks, () => readPasses(client, ticket, passes));
        const threads = threadCpuDelta(threads0, threadCpuMs(processor.process.pid));
        const ledgerCount = (last - first + 1) * passes;
        rows.push({
          name: `source → processor WORKERS=${workers} → client, ${
            label === "first" ? `first ${ledgerCount} ledgers` : "warm"
          }`,
          ledgers: ledgerCount,
          events: m.value,
          ms: m.ms,
          cpu: perLedger(m.cpuMs, ledgerCount),
          processorThreads: {
            main: threads.main / ledgerCount,
            workers: threads.workers / ledgerCount,
            v8: threads.v8 / ledgerCount,
            rest: threads.rest / ledgerCount,
          },
        });
      }
    } catch (err) {
      console.error(
        `WORKERS=${workers} failed: ${err}\nprocessor log:\n${
          processor.process.log.slice(-4000)
        }\nsource log:\n${source.process.log.slice(-4000)}`,
      );
      throw err;
    } finally {
      client.close();
      await processor.process.stop("SIGTERM");
    }
  }
} finally {
  await source.process.stop("SIGTERM");
}

// Baseline: extraction alone, one thread. Run last, so that its garbage is not in this
// process's heap (the pipelines' Flight client) while the pipelines are measured.
for (const l of ledgers) extractEvents(l.bytes, { networkPassphrase: KNOWN_NETWORKS.pubnet });
{
  const m = await measure({ "this process": self }, () => {
    let events = 0;
    for (let p = 0; p < PASSES; p++) {
      for (const l of ledgers) {
        events += extractEvents(l.bytes, { networkPassphrase: KNOWN_NETWORKS.pubnet }).length;
      }
    }
    return Promise.resolve(events);
  });
  rows.push({
    name: "extraction only (1 thread, in process)",
    ledgers: n * PASSES,
    events: m.value,
    ms: m.ms,
    cpu: perLedger(m.cpuMs, n * PASSES),
  });
}

const load = Deno.loadavg()[0];
console.log(
  `pubnet-p26: ${n} ledgers x ${PASSES} passes, ${CORES} cores, load average ${load.toFixed(1)}`,
);
const sourceAlone = rows[0];
for (const r of rows) {
  const lps = (r.ledgers / r.ms) * 1000;
  const eps = (r.events / r.ms) * 1000;
  const ratio = r.name.startsWith("source →")
    ? ` = ${(lps / ((sourceAlone.ledgers / sourceAlone.ms) * 1000)).toFixed(2)}x source alone`
    : "";
  const cpuTotal = Object.values(r.cpu).reduce((a, v) => a + v, 0);
  const t = r.processorThreads;
  const cpu = Object.entries(r.cpu).map(([k, v]) =>
    `${k} ${v.toFixed(1)}${
      k === "processor" && t
        ? ` (main ${t.main.toFixed(1)}, workers ${t.workers.toFixed(1)}, V8 ${t.v8.toFixed(1)})`
        : ""
    }`
  ).join(", ");
  console.log(
    `${r.name.padEnd(42)} ${lps.toFixed(1).padStart(6)} ledgers/s ${
      eps.toFixed(0).padStart(7)
    } events/s${ratio}\n${"".padEnd(42)} CPU ms/ledger: ${cpu}; ${
      (CORES * 1000 / cpuTotal).toFixed(1)
    } ledgers/s on ${CORES} idle cores`,
  );
}
