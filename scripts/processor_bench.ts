/**
 * Throughput of ttp-arrow-processor end to end: stellar-arrow-source (subprocess, `pubnet-p26`
 * fixture lake) → processor (subprocess, WORKERS=1 and 2) → a Flight client here reading
 * `ttp_events:FIRST:LAST` PASSES times in a row (the 20 ledgers looped).
 *
 * Baselines measured in the same run: the source alone (the client reads `stellar_ledgers`
 * directly) and single-threaded extraction in this process (no I/O).
 *
 * ```sh
 * deno run -A scripts/processor_bench.ts [--passes 5]
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { FlightClient, pathDescriptor } from "../shared/flight/mod.ts";
import { summarizeLedgerCloseMetaBatch } from "../shared/ledger/mod.ts";
import { readFixtureBatches } from "../shared/ledger/testdata.ts";
import { extractEvents } from "../shared/ttp/mod.ts";
import { NO_KEEPALIVE } from "../components/ttp-arrow-processor/channel.ts";
import { KNOWN_NETWORKS } from "../components/ttp-arrow-processor/network.ts";
import {
  startProcessorProcess,
  startSourceProcess,
} from "../components/ttp-arrow-processor/testing/processes.ts";

const passesArg = Deno.args.indexOf("--passes");
const PASSES = passesArg >= 0 ? Number(Deno.args[passesArg + 1]) : 5;
const LAKE = fileURLToPath(new URL("../testdata/lakes/pubnet-p26", import.meta.url));

interface Rate {
  name: string;
  ledgers: number;
  events: number;
  ms: number;
}

function show(r: Rate, base?: Rate): string {
  const lps = (r.ledgers / r.ms) * 1000;
  const eps = (r.events / r.ms) * 1000;
  const ratio = base
    ? ` (${(lps / ((base.ledgers / base.ms) * 1000)).toFixed(2)}x source alone)`
    : "";
  return `${r.name.padEnd(44)} ${lps.toFixed(1).padStart(7)} ledgers/s ${
    eps.toFixed(0).padStart(8)
  } events/s${ratio}`;
}

async function readPasses(
  client: FlightClient,
  ticket: string,
  passes: number,
): Promise<{ rows: number; ms: number }> {
  const t0 = performance.now();
  let rows = 0;
  for (let p = 0; p < passes; p++) {
    for await (const b of client.doGet(ticket)) rows += b.numRows;
  }
  return { rows, ms: performance.now() - t0 };
}

const ledgers = readFixtureBatches("pubnet-p26")
  .flatMap((b) => summarizeLedgerCloseMetaBatch(b.bytes).ledgers);
const n = ledgers.length;
const rates: Rate[] = [];

// Baseline 1: extraction alone, one thread.
{
  let events = 0;
  for (const l of ledgers) extractEvents(l.bytes, { networkPassphrase: KNOWN_NETWORKS.pubnet });
  const t0 = performance.now();
  for (let p = 0; p < PASSES; p++) {
    for (const l of ledgers) {
      events += extractEvents(l.bytes, { networkPassphrase: KNOWN_NETWORKS.pubnet }).length;
    }
  }
  rates.push({
    name: "extraction only (1 thread, in process)",
    ledgers: n * PASSES,
    events,
    ms: performance.now() - t0,
  });
}

const source = await startSourceProcess(LAKE);
try {
  const sc = new FlightClient(`127.0.0.1:${source.port}`, { channelOptions: NO_KEEPALIVE });
  const info = await sc.getFlightInfo(pathDescriptor("stellar_ledgers"));
  const [, first, last] = new TextDecoder().decode(info.endpoints[0].ticket).split(":").map(Number);
  // Baseline 2: the source alone.
  await readPasses(sc, `stellar_ledgers:${first}:${last}`, 1);
  const s = await readPasses(sc, `stellar_ledgers:${first}:${last}`, PASSES);
  const sourceRate: Rate = {
    name: "source alone (stellar_ledgers)",
    ledgers: s.rows,
    events: 0,
    ms: s.ms,
  };
  rates.push(sourceRate);
  sc.close();

  for (const workers of [1, 2]) {
    const processor = await startProcessorProcess(`127.0.0.1:${source.port}`, {
      WORKERS: String(workers),
    });
    const client = new FlightClient(`127.0.0.1:${processor.flightPort}`, {
      channelOptions: NO_KEEPALIVE,
    });
    try {
      const ticket = `ttp_events:${first}:${last}`;
      await readPasses(client, ticket, 1); // warm-up: worker start, JIT
      const r = await readPasses(client, ticket, PASSES);
      if (Deno.env.get("BENCH_DEBUG")) console.error(processor.process.log.slice(-3000));
      rates.push({
        name: `source → processor WORKERS=${workers} → client`,
        ledgers: (last - first + 1) * PASSES,
        events: r.rows,
        ms: r.ms,
      });
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

console.log(`pubnet-p26: ${n} ledgers x ${PASSES} passes, ${navigator.hardwareConcurrency} cores`);
for (const r of rates) console.log(show(r, r.name.startsWith("source →") ? rates[1] : undefined));
