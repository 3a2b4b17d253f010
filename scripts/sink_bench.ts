/**
 * Figures for the arrow-analytics-sink, on real pubnet-p26 events (TTP module):
 *
 * 1. File writing (Parquet alone, then Parquet+JSONL+CSV): events/s with encoding in a Web Worker
 *    versus on the main thread, from rows or from the received Arrow batches, and the longest
 *    main-thread stall during each (what the worker is for);
 * 2. WebSocket fan-out: events/s delivered to 100 clients (clients on another thread);
 * 3. REST: p50/p95 latency of a filtered `/api/events` query over the whole fixture dataset,
 *    against an unfiltered first page as baseline;
 * 4. End to end: events/s from a loopback Flight server through the sink into Parquet+JSONL;
 * 5. Sink process CPU: `main.ts` as a subprocess with its default outputs
 *    (`parquet,jsonl,websocket,api`, PARQUET_WORKERS=1, as `scripts/e2e_bench.ts` runs it) fed by a
 *    loopback Flight stub in this process; CPU ms (utime+stime of the whole process, workers
 *    included, from `/proc`) per ledger and per event, from its "Streaming ledgers" line to the
 *    checkpoint reaching the last ledger.
 *
 * Run: `deno run -A scripts/sink_bench.ts [--rounds N] [--cpu-only] [--cpu-runs N]
 *   [--cpu-ledger-rounds N] [--cpu-prof DIR]`
 *
 * `--cpu-only` runs only section 5; `--cpu-runs` fresh sink processes (default 3, the median is
 * reported); `--cpu-ledger-rounds` serves the 20 fixture ledgers N times under shifted ledger
 * numbers (default 1: exactly the e2e benchmark's range; more rounds amortise start-up and show
 * the steady state); `--cpu-prof DIR` runs the sink with `--cpu-prof-dir DIR --cpu-prof-md`;
 * the sink runs with the services' V8 flags (`shared/runtime`; `--cpu-no-service-flags` to compare);
 * `--cpu-env KEY=VALUE` (repeatable) overrides the sink's environment, `--cpu-v8-flags` adds V8
 * flags (experiments); `--cpu-sink PATH/main.ts` (repeatable) runs that sink instead, e.g.
 * a baseline checkout's (`git worktree add`), alternating run by run when several are given;
 * `--cpu-log FILE` saves the sink's output of the last run.
 * Per-thread CPU (by thread name) is printed for each run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { setupLogging } from "../shared/log/mod.ts";
import type { RecordBatch } from "apache-arrow";
import { eventsToRecordBatch } from "../shared/schema/ttp_event.ts";
import { createApiHandler } from "../components/arrow-analytics-sink/api/router.ts";
import { readCheckpoint } from "../components/arrow-analytics-sink/checkpoint.ts";
import { EventStore } from "../components/arrow-analytics-sink/query/store.ts";
import { startSink } from "../components/arrow-analytics-sink/sink.ts";
import { loadPubnetP26 } from "../components/arrow-analytics-sink/testing/fixture_events.ts";
import { startProcessorStub } from "../components/arrow-analytics-sink/testing/processor_stub.ts";
import { DatasetWriter } from "../components/arrow-analytics-sink/writers/dataset_writer.ts";
import type { FileFormat } from "../components/arrow-analytics-sink/writers/partition.ts";
import {
  encodeInline,
  WorkerFileEncoder,
} from "../components/arrow-analytics-sink/writers/file_encoder.ts";
import { WsHub } from "../components/arrow-analytics-sink/ws/hub.ts";
import type { TtpEvent } from "../shared/schema/ttp_event.ts";
import { SERVICE_V8_FLAGS } from "../shared/runtime/mod.ts";
import { procCpuMs, type ThreadCpu, threadCpuDelta, threadCpuMs } from "../shared/proc_cpu/mod.ts";
import { loopbackSinkConfig } from "../components/arrow-analytics-sink/testing/config.ts";

setupLogging({ level: "error" });
const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "5" },
    "cpu-only": { type: "boolean", default: false },
    "cpu-runs": { type: "string", default: "3" },
    "cpu-ledger-rounds": { type: "string", default: "1" },
    "cpu-prof": { type: "string" },
    "cpu-env": { type: "string", multiple: true, default: [] },
    "cpu-v8-flags": { type: "string" },
    "cpu-sink": { type: "string", multiple: true, default: [] },
    "cpu-log": { type: "string" },
    "cpu-no-service-flags": { type: "boolean", default: false },
  },
});
const ROUNDS = Number(args.rounds);

const fixture = await loadPubnetP26();
const events = fixture.events;
console.log(`pubnet-p26: ${events.length} events in ${fixture.byLedger.size} ledgers`);
if (!args["cpu-only"]) await sections1to4();
await section5();

async function sections1to4(): Promise<void> {
  /** Measures the longest gap between 1 ms timers while `work` runs. */
  async function withStallMeter<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; maxStallMs: number }> {
    let last = performance.now();
    let maxStall = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxStall = Math.max(maxStall, now - last);
      last = now;
    }, 1);
    try {
      const result = await work();
      return { result, maxStallMs: maxStall };
    } finally {
      clearInterval(timer);
    }
  }

  // 1. Parquet: worker vs main thread ------------------------------------------------------------
  // Received batches, as Flight delivers them (one per ledger); not part of the timed work.
  const received = new Map<number, RecordBatch[]>();
  for (const [ledger, list] of fixture.byLedger) received.set(ledger, [eventsToRecordBatch(list)]);

  type Mode = { thread: "main" | "worker"; from: "rows" | "batches" };

  async function parquetRun(
    mode: Mode,
    formats: FileFormat[],
  ): Promise<{ eps: number; stall: number; bytes: number }> {
    const dir = await Deno.makeTempDir({ prefix: "sink-bench-pq-" });
    const worker = mode.thread === "worker" ? new WorkerFileEncoder(1) : undefined;
    try {
      const writer = new DatasetWriter({
        dataDir: dir,
        formats,
        encode: worker ? worker.encode : encodeInline,
      });
      await writer.write(events.slice(0, 100)); // warm up (wasm compile, worker start)
      let bytes = 0;
      const { result: ms, maxStallMs } = await withStallMeter(async () => {
        const t = performance.now();
        for (let r = 0; r < ROUNDS; r++) {
          // One commit per ledger, as a live tail would (~650 events each).
          for (const [ledger, ledgerEvents] of fixture.byLedger) {
            const batches = mode.from === "batches"
              ? new Map([[ledger, received.get(ledger)!]])
              : undefined;
            const files = await writer.write(ledgerEvents, batches);
            bytes += files.reduce((n, f) => n + (f.bytes ?? 0), 0);
          }
        }
        return performance.now() - t;
      });
      return { eps: (events.length * ROUNDS) / (ms / 1000), stall: maxStallMs, bytes };
    } finally {
      worker?.close();
      await Deno.remove(dir, { recursive: true });
    }
  }

  const modes: Mode[] = [
    { thread: "main", from: "rows" },
    { thread: "worker", from: "rows" },
    { thread: "main", from: "batches" },
    { thread: "worker", from: "batches" },
  ];
  for (const formats of [["parquet"], ["parquet", "jsonl", "csv"]] as FileFormat[][]) {
    const pq = [];
    for (const mode of modes) pq.push({ mode, ...await parquetRun(mode, formats) });
    const base = pq[0];
    console.log(
      `\n1. ${formats.join("+")} written with fsync + rename, one commit per ledger (~650 events):`,
    );
    for (const r of pq) {
      console.log(
        `   ${r.mode.thread.padEnd(6)} from ${r.mode.from.padEnd(7)}: ${
          r.eps.toFixed(0).padStart(6)
        } events/s (x${(r.eps / base.eps).toFixed(2)}), longest main-thread stall ${
          r.stall.toFixed(1)
        } ms (x${(r.stall / base.stall).toFixed(2)})`,
      );
    }
    console.log(
      `   (${(base.bytes / ROUNDS / 1024).toFixed(0)} KiB written per ${events.length} events)`,
    );
  }

  // 2. WebSocket fan-out --------------------------------------------------------------------------
  {
    const CLIENTS = 100;
    const hub = new WsHub({ maxConnections: CLIENTS + 1, maxBufferedBytes: 64 * 1024 * 1024 });
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      (r) => hub.handle(r),
    );
    const worker = new Worker(new URL("./sink_bench_ws_clients.ts", import.meta.url), {
      type: "module",
    });
    const next = () =>
      new Promise<{ type: string; total?: number }>((r) => (worker.onmessage = (e) => r(e.data)));
    let ready = next();
    worker.postMessage({ url: `ws://127.0.0.1:${server.addr.port}/ws`, clients: CLIENTS });
    await ready;
    const N = events.length;
    ready = next();
    worker.postMessage({ events: N });
    const t = performance.now();
    await hub.publish(events);
    const published = performance.now() - t;
    const received = await ready;
    const ms = performance.now() - t;
    console.log(
      `\n2. WebSocket fan-out of ${N} events to ${CLIENTS} clients (clients on another thread):`,
    );
    console.log(
      `   ${(N / (ms / 1000)).toFixed(0)} events/s per client, ${
        ((N * CLIENTS) / (ms / 1000)).toFixed(0)
      } messages/s in total (${received.total} delivered in ${
        ms.toFixed(0)
      } ms; hub done sending after ${published.toFixed(0)} ms)`,
    );
    worker.terminate();
    hub.closeAll();
    await server.shutdown();
  }

  // 3. REST latency -------------------------------------------------------------------------------
  {
    const dir = await Deno.makeTempDir({ prefix: "sink-bench-api-" });
    const writer = new DatasetWriter({ dataDir: dir, formats: ["parquet"] });
    const files = [];
    // As the sink would commit them: a file every ~3 ledgers.
    const ledgers = [...fixture.byLedger.keys()].sort((a, b) => a - b);
    for (let i = 0; i < ledgers.length; i += 3) {
      files.push(
        ...await writer.write(ledgers.slice(i, i + 3).flatMap((l) => fixture.byLedger.get(l)!)),
      );
    }
    const store = await EventStore.open({ format: "parquet", files });
    const api = createApiHandler({
      store,
      range: () => ({ first_ledger: ledgers[0], last_ledger: ledgers.at(-1)! }),
      tip: () => undefined,
    });
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, api);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const someone = events.find((e) => e.event_type === "transfer" && e.asset === "native")!
      .from_address!;
    const measure = async (
      path: string,
      n: number,
    ): Promise<{ p50: number; p95: number; rows: number }> => {
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < n + 5; i++) {
        const t = performance.now();
        const r = await fetch(base + path);
        const body = await r.json();
        if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
        if (i >= 5) times.push(performance.now() - t);
        rows = body.events.length;
      }
      times.sort((a, b) => a - b);
      return { p50: times[Math.floor(n * 0.5)], p95: times[Math.floor(n * 0.95)], rows };
    };
    const N = 100;
    const baseline = await measure("/api/events?limit=100", N);
    const filtered = await measure(
      `/api/events?event_type=transfer&asset=native&min_amount=10000000&limit=100`,
      N,
    );
    const byAddress = await measure(`/api/events?address=${someone}&limit=100`, N);
    console.log(
      `\n3. REST over ${files.length} Parquet files (${events.length} events), ${N} requests each:`,
    );
    console.log(
      `   unfiltered first page (baseline): p50 ${baseline.p50.toFixed(1)} ms, p95 ${
        baseline.p95.toFixed(1)
      } ms`,
    );
    console.log(
      `   event_type=transfer&asset=native&min_amount=10000000 (${filtered.rows} rows): p50 ${
        filtered.p50.toFixed(1)
      } ms, p95 ${filtered.p95.toFixed(1)} ms (x${
        (filtered.p50 / baseline.p50).toFixed(2)
      } baseline p50)`,
    );
    console.log(
      `   address=G… (${byAddress.rows} rows): p50 ${byAddress.p50.toFixed(1)} ms, p95 ${
        byAddress.p95.toFixed(1)
      } ms (x${(byAddress.p50 / baseline.p50).toFixed(2)} baseline p50)`,
    );
    await server.shutdown();
    store.close();
    await Deno.remove(dir, { recursive: true });
  }

  // 4. End to end ---------------------------------------------------------------------------------
  {
    const dir = await Deno.makeTempDir({ prefix: "sink-bench-e2e-" });
    const stub = await startProcessorStub({ events, prebuild: true });
    const ledgers = [...fixture.byLedger.keys()];
    const t = performance.now();
    const sink = await startSink(
      loopbackSinkConfig({ processorEndpoint: stub.endpoint, dataDir: dir }, {
        startLedger: Math.min(...ledgers),
        endLedger: Math.max(...ledgers),
        outputs: ["parquet", "jsonl"],
        parquetMaxRows: 4000, // a commit every ~6 ledgers, overlapping with the stream
        flushIntervalMs: 2000,
      }),
    );
    const ready = performance.now();
    await sink.done;
    const ms = performance.now() - ready;
    console.log(
      `\n4. End to end (loopback Flight → sink → Parquet+JSONL, PARQUET_MAX_ROWS=4000; stub in this process, batches prebuilt):`,
    );
    console.log(
      `   ${events.length} events in ${ms.toFixed(0)} ms = ${
        (events.length / (ms / 1000)).toFixed(0)
      } events/s (sink start-up of ${(ready - t).toFixed(0)} ms not counted)`,
    );
    await sink.stop();
    await stub.close();
    await Deno.remove(dir, { recursive: true });
  }
}

// 5. Sink process CPU ---------------------------------------------------------------------------
function threadDelta(before: ThreadCpu, after: ThreadCpu): string {
  const d = threadCpuDelta(before, after);
  return `main ${d.main}, workers ${d.workers}, V8 ${d.v8}, other ${d.rest}`;
}

/** The fixture's events served `rounds` times, each round under ledger numbers shifted by 20. */
function shiftedRounds(rounds: number): TtpEvent[] {
  const span = fixture.byLedger.size;
  const out: TtpEvent[] = [];
  for (let r = 0; r < rounds; r++) {
    const shift = r * span;
    const toid = BigInt(shift) << 32n;
    for (const e of events) {
      if (r === 0) out.push(e);
      else {
        const id = (BigInt(e.event_id.slice(0, 19)) + toid).toString().padStart(19, "0");
        out.push({
          ...e,
          ledger_sequence: e.ledger_sequence + shift,
          event_id: id + e.event_id.slice(19),
        });
      }
    }
  }
  return out;
}

async function section5(): Promise<void> {
  const rounds = Number(args["cpu-ledger-rounds"]);
  const served = shiftedRounds(rounds);
  const first = events[0].ledger_sequence;
  const last = first + rounds * fixture.byLedger.size - 1;
  const ledgers = last - first + 1;
  const stub = await startProcessorStub({ events: served, prebuild: true });
  const prof = args["cpu-prof"];
  // As the services run (shared/runtime), plus any given for an experiment.
  const v8Flags = [
    ...(args["cpu-no-service-flags"] ? [] : SERVICE_V8_FLAGS),
    ...(args["cpu-v8-flags"] ? [args["cpu-v8-flags"]] : []),
  ];
  // Alternating between sinks (e.g. a baseline checkout's) keeps the machine's load comparable.
  const mains: string[] = args["cpu-sink"].length > 0
    ? args["cpu-sink"]
    : [new URL("../components/arrow-analytics-sink/main.ts", import.meta.url).pathname];
  const results: { cpuMs: number; seconds: number; main: string }[] = [];
  try {
    for (let run = 0; run < Number(args["cpu-runs"]) * mains.length; run++) {
      const sinkMain = mains[run % mains.length];
      const dir = await Deno.makeTempDir({ prefix: "sink-bench-cpu-" });
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          ...(prof ? [`--cpu-prof-dir=${prof}`, "--cpu-prof-md"] : []),
          ...(v8Flags.length > 0 ? [`--v8-flags=${v8Flags.join(",")}`] : []),
          sinkMain,
        ],
        env: {
          PROCESSOR_ENDPOINT: stub.endpoint,
          START_LEDGER: String(first),
          END_LEDGER: String(last),
          DATA_DIR: dir,
          PARQUET_WORKERS: "1",
          FLUSH_INTERVAL: "2s",
          BIND_HOST: "127.0.0.1",
          HTTP_PORT: "0",
          FLIGHT_PORT: "0",
          HEALTH_PORT: "0",
          LOG_LEVEL: "info",
          NO_COLOR: "1",
          ...Object.fromEntries(args["cpu-env"].map((kv) => kv.split(/=(.*)/s, 2))),
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let log = "";
      const drain = async (stream: ReadableStream<Uint8Array>) => {
        const decoder = new TextDecoder();
        for await (const chunk of stream) log += decoder.decode(chunk, { stream: true });
      };
      const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
      const pid = child.pid;
      try {
        let cpu0: number | undefined;
        let threads0: ThreadCpu = { main: 0, workers: 0, v8: 0, rest: 0 };
        let t0 = 0;
        let end: number | undefined;
        const deadline = Date.now() + 180_000;
        while (end === undefined && Date.now() < deadline) {
          if (cpu0 === undefined && log.includes("Streaming ledgers")) {
            cpu0 = procCpuMs(pid);
            threads0 = threadCpuMs(pid);
            t0 = performance.now();
          }
          let committed = 0;
          try {
            committed = (await readCheckpoint(dir))?.last_ledger ?? 0;
          } catch {
            // not written yet, or being replaced
          }
          if (cpu0 !== undefined && committed === last) end = procCpuMs(pid);
          else await new Promise((r) => setTimeout(r, 5));
        }
        if (end === undefined || cpu0 === undefined) {
          throw new Error(`the sink did not reach ledger ${last}:\n${log.slice(-2000)}`);
        }
        const threads = threadDelta(threads0, threadCpuMs(pid));
        if (args["cpu-log"]) await Deno.writeTextFile(args["cpu-log"], log);
        results.push({
          cpuMs: end - cpu0,
          seconds: (performance.now() - t0) / 1000,
          main: sinkMain,
        });
        const r = results.at(-1)!;
        console.log(
          `   run ${run + 1}${
            mains.length > 1 ? ` (${sinkMain})` : ""
          }: ${r.cpuMs} ms CPU for ${ledgers} ledgers = ${
            (r.cpuMs / ledgers).toFixed(1)
          } ms/ledger, ${(r.cpuMs * 1000 / served.length).toFixed(1)} µs/event (${
            r.seconds.toFixed(2)
          } s wall; ms by thread: ${threads})`,
        );
      } finally {
        child.kill("SIGTERM");
        await child.status;
        await drained.catch(() => {});
        await Deno.remove(dir, { recursive: true });
      }
    }
  } finally {
    await stub.close();
  }
  for (const main of mains) {
    const sorted = results.filter((r) => r.main === main).map((r) => r.cpuMs).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `\n5. Sink process CPU (${main}; outputs parquet,jsonl,websocket,api, PARQUET_WORKERS=1; ${ledgers} ledgers, ${served.length} events; median of ${sorted.length}):`,
    );
    console.log(
      `   ${(median / ledgers).toFixed(1)} ms CPU per ledger, ${
        (median * 1000 / served.length).toFixed(1)
      } µs per event (utime+stime from "Streaming ledgers" to the last commit)`,
    );
  }
}
