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
import { FlightClient, pathDescriptor } from "../shared/flight/mod.ts";
import { summarizeLedgerCloseMetaBatch } from "../shared/ledger/mod.ts";
import { readFixtureBatches } from "../shared/ledger/testdata.ts";
import { extractEvents } from "../shared/ttp/mod.ts";
import { KNOWN_NETWORKS } from "../components/ttp-arrow-processor/network.ts";
import {
  startProcessorProcess,
  startSourceProcess,
} from "../components/ttp-arrow-processor/testing/processes.ts";
import { procCpuMs, threadCpuMs } from "../shared/proc_cpu/mod.ts";
import { rerunWithV8Flags } from "../shared/runtime/mod.ts";

// This process is the client: it runs with the services' V8 flags, as the source and processor
// do (without them V8 marks its whole heap every 64 MiB of received buffers).
await rerunWithV8Flags();

function numberArg(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(Deno.args[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} expects a positive integer, got ${JSON.stringify(Deno.args[at + 1])}`);
  }
  return value;
}
const PASSES = numberArg("--passes", 20);
const WARM = numberArg("--warm", 20);
const LAKE = fileURLToPath(new URL("../testdata/lakes/pubnet-p26", import.meta.url));
const CORES = navigator.hardwareConcurrency;

interface Row {
  name: string;
  ledgers: number;
  events: number;
  ms: number;
  /** CPU ms per ledger by process. */
  cpu: Record<string, number>;
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
        "processor main": () => threadCpuMs(processor.process.pid).main,
        "processor workers": () => threadCpuMs(processor.process.pid).workers,
        "processor V8": () => threadCpuMs(processor.process.pid).v8,
        client: self,
      };
      // The first WARM passes after the processor starts (its JIT compiles, its heaps grow),
      // then PASSES passes of a warm processor.
      for (const [label, passes] of [["first", WARM], ["warm", PASSES]] as const) {
        const m = await measure(clocks, () => readPasses(client, ticket, passes));
        const ledgerCount = (last - first + 1) * passes;
        rows.push({
          name: `source → processor WORKERS=${workers} → client, ${
            label === "first" ? `first ${ledgerCount} ledgers` : "warm"
          }`,
          ledgers: ledgerCount,
          events: m.value,
          ms: m.ms,
          cpu: perLedger(m.cpuMs, ledgerCount),
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
  // "processor main/workers/V8" split the processor's figure: not added again.
  const cpuTotal = Object.entries(r.cpu).filter(([k]) => !k.startsWith("processor "))
    .reduce((a, [, v]) => a + v, 0);
  const cpu = Object.entries(r.cpu).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
  console.log(
    `${r.name.padEnd(42)} ${lps.toFixed(1).padStart(6)} ledgers/s ${
      eps.toFixed(0).padStart(7)
    } events/s${ratio}\n${"".padEnd(42)} CPU ms/ledger: ${cpu}; ${
      (CORES * 1000 / cpuTotal).toFixed(1)
    } ledgers/s on ${CORES} idle cores`,
  );
}
