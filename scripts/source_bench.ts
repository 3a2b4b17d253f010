/**
 * Benchmark of stellar-arrow-source: ledgers/s from the `pubnet-p26` sample lake (20 real
 * protocol-26 ledgers, ~1 MB of XDR each) through Flight DoGet to a client in another process,
 * with WORKERS=1 and WORKERS=2. The 20-ledger range is requested many times, sequentially and with
 * concurrent streams. Baseline measured in the same run: the decode work alone (zstd + batch
 * split + summary + hash) on one thread in this process, and the Flight transport alone: a
 * subprocess serving the same 20 ledgers as prebuilt record batches (`--serve-prebuilt`), so the
 * cost of the source's own pipeline shows as the ratio between the two; and raw `node:http2`
 * in-process as a ceiling reference for the transport. Clients use a 16 MiB HTTP/2 receive window
 * (`grpc-node.flow_control_window`); one row per server runs with the FlightClient default
 * (`CLIENT_FLOW_CONTROL_WINDOW`, 4 MiB) for comparison.
 *
 * Usage: deno run -A scripts/source_bench.ts [--rounds 5] [--concurrency 2] [--trials 3] [--quick]
 * [--v8-flags FLAGS | --no-v8-flags]
 *
 * `--quick` runs only the decode baseline, the transport and the source (1 stream each, 16 MiB
 * client window). Every Flight row also reports CPU ms per ledger (Linux `/proc`) of the server's
 * main thread, decode workers, V8 helper threads (concurrent GC) and other threads, and of the
 * client process: these hardly depend on contention, unlike the rates. Every process (servers and
 * the client, which re-runs itself) gets the services' V8 flags (`SERVICE_V8_FLAGS`, as the
 * services run), `--v8-flags X` others, `--no-v8-flags` none (see the source README).
 *
 * @module
 */
import zlib from "node:zlib";
import type * as arrow from "apache-arrow";
import { FlightClient, FlightServer } from "../shared/flight/mod.ts";
import { ledgerRowsToRecordBatch, stellarLedgerSchema } from "../shared/schema/mod.ts";
import { decodeUnit } from "../components/stellar-arrow-source/decode.ts";
import { DataLake } from "../components/stellar-arrow-source/lake/mod.ts";
import { toRows } from "../components/stellar-arrow-source/encode.ts";
import { summarizeLedgerCloseMetaBatch } from "../shared/ledger/mod.ts";
import { SAMPLE_LAKE } from "../components/stellar-arrow-source/config.ts";
import { rerunWithV8Flags, SERVICE_V8_FLAGS } from "../shared/runtime/mod.ts";
import { procCpuMs, threadCpuDelta, threadCpuMs } from "../shared/proc_cpu/mod.ts";

const args = Deno.args;
const argOf = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = argOf("rounds", 5);
const flagAt = args.indexOf("--v8-flags");
/**
 * V8 flags for every process of the run (servers and this client): by default the services' own
 * (shared/runtime), `--v8-flags X` others, `--no-v8-flags` none.
 */
const V8_FLAGS = args.includes("--no-v8-flags")
  ? undefined
  : flagAt >= 0
  ? args[flagAt + 1]
  : SERVICE_V8_FLAGS.join(",");
const v8Args = V8_FLAGS ? [`--v8-flags=${V8_FLAGS}`] : [];
// This process is the client: run it again with the flags when it was started without them.
if (V8_FLAGS && !Deno.args.includes("--serve-prebuilt")) await rerunWithV8Flags(V8_FLAGS);
const CONCURRENCY = argOf("concurrency", 2);
const TRIALS = argOf("trials", 3);
const TICKET = "stellar_ledgers:63092982:63093001";
const LEDGERS = 20;

async function lakeFiles(): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const part of Deno.readDir(SAMPLE_LAKE)) {
    if (!part.isDirectory) continue;
    for await (const f of Deno.readDir(`${SAMPLE_LAKE}/${part.name}`)) {
      out.push(await Deno.readFile(`${SAMPLE_LAKE}/${part.name}/${f.name}`));
    }
  }
  return out;
}

function baseline(
  files: Uint8Array[],
  rounds: number,
): { ledgersPerSec: number; mbPerSec: number } {
  let bytes = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const f of files) {
      const raw = zlib.zstdDecompressSync(f);
      bytes += raw.length;
      summarizeLedgerCloseMetaBatch(raw);
    }
  }
  const s = (performance.now() - t0) / 1000;
  return { ledgersPerSec: (rounds * files.length) / s, mbPerSec: bytes / 1e6 / s };
}

/** `--serve-prebuilt`: a Flight server answering every DoGet with the 20 ledgers, prebuilt. */
async function servePrebuilt(): Promise<void> {
  const lake = await DataLake.open(SAMPLE_LAKE);
  const batches: arrow.RecordBatch[] = [];
  for (let seq = 63092982; seq <= 63093001; seq++) {
    const b = await lake.readBatch(seq);
    const { ledgers } = decodeUnit({
      kind: "lake",
      object: b.object,
      start: b.range.start,
      end: b.range.end,
      bytes: b.bytes,
    });
    const rows = toRows(ledgers, {
      networkId: new Uint8Array(32),
      sourceType: "datalake",
      ingestionTime: Date.now(),
    });
    batches.push(ledgerRowsToRecordBatch(rows));
  }
  const server = new FlightServer({
    doGet: () => ({ schema: stellarLedgerSchema, batches }),
  });
  const port = await server.listen({ host: "127.0.0.1", port: 0 });
  console.error(`Flight on 127.0.0.1:${port}`);
  const stop = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGTERM", () => stop.resolve());
  await stop.promise;
  await server.close();
}

/** Ceiling reference: raw `node:http2`, one stream of 1 MiB writes, in-process (no gRPC). */
async function rawHttp2(totalMb: number): Promise<{ ledgersPerSec: number; mbPerSec: number }> {
  const http2 = await import("node:http2");
  const chunk = new Uint8Array(1 << 20);
  const server = http2.createServer();
  server.on("stream", (stream: import("node:http2").ServerHttp2Stream) => {
    let n = 0;
    const write = () => {
      while (n < totalMb) {
        n++;
        if (!stream.write(chunk)) return void stream.once("drain", write);
      }
      stream.end();
    };
    stream.respond({ ":status": 200 });
    write();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const t0 = performance.now();
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    const req = client.request({ ":path": "/" });
    req.on("data", (d: Uint8Array) => {
      bytes += d.length;
    });
    req.on("end", () => resolve());
    req.on("error", reject);
    req.end();
  });
  const s = (performance.now() - t0) / 1000;
  client.close();
  await new Promise<void>((r) => server.close(() => r()));
  // 1 MiB ≈ one p26 ledger: report it in the same unit.
  return { ledgersPerSec: bytes / (1 << 20) / s, mbPerSec: bytes / 1e6 / s };
}

/** A server subprocess. */
interface Server {
  port: number;
  pid: number;
  stop: () => Promise<void>;
}

/** CPU ms of a server's threads (see {@linkcode threadCpuMs}) and of this process. */
function cpuSnapshot(pid: number) {
  return { ...threadCpuMs(pid), client: procCpuMs("self") };
}

async function startServer(
  workers: number,
  prebuilt = false,
): Promise<Server> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: prebuilt ? ["run", "-A", ...v8Args, import.meta.filename!, "--serve-prebuilt"] : [
      "run",
      "-A",
      ...v8Args,
      new URL("../components/stellar-arrow-source/main.ts", import.meta.url).pathname,
      "--flight-host",
      "127.0.0.1",
      "--flight-port",
      "0",
      "--health-port",
      "0",
      "--workers",
      String(workers),
      "--log-level",
      "info",
    ],
    env: { DENO_TLS_CA_STORE: "system" },
    stdout: "null",
    stderr: "piped",
  });
  const child = cmd.spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited before listening: ${text}`);
    text += value;
    const m = /Flight on [^ ]+:(\d+)/.exec(text);
    if (m) {
      // Keep draining stderr so the child never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })();
      return {
        port: Number(m[1]),
        pid: child.pid,
        stop: async () => {
          child.kill("SIGTERM");
          await child.status;
        },
      };
    }
  }
}

async function readOnce(client: FlightClient): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  const stream = client.doGet(TICKET);
  for await (const batch of stream) rows += batch.numRows;
  if (rows !== LEDGERS) throw new Error(`expected ${LEDGERS} rows, got ${rows}`);
  return { rows, bytes: stream.stats.bytes };
}

/** Client HTTP/2 receive window (grpc-js `grpc-node.flow_control_window`); grpc-js default 64 KiB. */
const CLIENT_WINDOW = 16 * 1024 * 1024;

async function measure(server: Server, concurrency: number, rounds: number, window: number) {
  const port = server.port;
  const channelOptions: Record<string, number> = {};
  if (window > 0) channelOptions["grpc-node.flow_control_window"] = window;
  const clients = Array.from(
    { length: concurrency },
    () => new FlightClient(`127.0.0.1:${port}`, { channelOptions }),
  );
  await readOnce(clients[0]); // warm-up: workers, JIT, connection
  let rows = 0;
  let bytes = 0;
  const cpu0 = cpuSnapshot(server.pid);
  const t0 = performance.now();
  await Promise.all(clients.map(async (c) => {
    for (let r = 0; r < rounds; r++) {
      const got = await readOnce(c);
      rows += got.rows;
      bytes += got.bytes;
    }
  }));
  const s = (performance.now() - t0) / 1000;
  const cpu1 = cpuSnapshot(server.pid);
  for (const c of clients) c.close();
  const d = threadCpuDelta(cpu0, cpu1);
  return {
    ledgersPerSec: rows / s,
    mbPerSec: bytes / 1e6 / s,
    seconds: s,
    rows,
    cpu: {
      main: d.main / rows,
      workers: d.workers / rows,
      v8: d.v8 / rows,
      rest: d.rest / rows,
      client: (cpu1.client - cpu0.client) / rows,
    },
  };
}

if (Deno.args.includes("--serve-prebuilt")) {
  await servePrebuilt();
  Deno.exit(0);
}

const files = await lakeFiles();
baseline(files, 1); // warm-up
console.log(
  `DoGet ${TICKET} (20 ledgers, ~1 MB each) x ${ROUNDS} rounds per stream${
    V8_FLAGS ? `, V8 flags ${V8_FLAGS} everywhere` : ""
  }; client in this ` +
    `process, servers in subprocesses; ${TRIALS} interleaved trials, medians (the machine is ` +
    `shared). CPU: ms per ledger of the server's threads by kind and of this client process.`,
);
interface Config {
  label: string;
  /** -1 decode baseline, -2 raw http2, 0 prebuilt transport, 1 and 2 source workers. */
  workers: number;
  streams: number;
  /** Client HTTP/2 window; undefined: CLIENT_WINDOW; 0: the FlightClient default. */
  window?: number;
}
const ALL: Config[] = [
  { label: "decode baseline (1 thread, in-process, no Flight)", workers: -1, streams: 1 },
  {
    label: "raw node:http2 in-process (1 MiB writes, no gRPC; 1 MiB = 1 ledger)",
    workers: -2,
    streams: 1,
  },
  { label: "Flight transport only (prebuilt batches)", workers: 0, streams: 1, window: 0 },
  { label: "Flight transport only (prebuilt batches)", workers: 0, streams: 1 },
  { label: `Flight transport only (prebuilt batches)`, workers: 0, streams: CONCURRENCY },
  { label: "source WORKERS=1", workers: 1, streams: 1, window: 0 },
  { label: "source WORKERS=1", workers: 1, streams: 1 },
  { label: "source WORKERS=1", workers: 1, streams: CONCURRENCY },
  { label: "source WORKERS=2", workers: 2, streams: 1, window: 0 },
  { label: "source WORKERS=2", workers: 2, streams: 1 },
  { label: "source WORKERS=2", workers: 2, streams: CONCURRENCY },
];
// --quick: the decode baseline, transport only and the source, 1 stream with the 16 MiB client
// window (the figures issue 2 asks for).
const configs = args.includes("--quick")
  ? ALL.filter((c) =>
    c.workers === -1 || (c.workers >= 0 && c.streams === 1 && c.window === undefined)
  )
  : ALL;
const servers = new Map<number, Server>();
for (const w of new Set(configs.map((c) => c.workers).filter((w) => w >= 0))) {
  servers.set(w, await startServer(w, w === 0));
}
interface Sample {
  ledgersPerSec: number;
  mbPerSec: number;
  cpu?: { main: number; workers: number; v8: number; rest: number; client: number };
}
const samples = configs.map(() => [] as Sample[]);
try {
  for (let t = 0; t < TRIALS; t++) {
    for (const [i, c] of configs.entries()) {
      samples[i].push(
        c.workers === -1
          ? baseline(files, ROUNDS)
          : c.workers === -2
          ? await rawHttp2(ROUNDS * LEDGERS)
          : await measure(
            servers.get(c.workers)!,
            c.streams,
            ROUNDS,
            c.window ?? CLIENT_WINDOW,
          ),
      );
    }
  }
} finally {
  for (const s of servers.values()) await s.stop();
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples[0].map((x) => x.ledgersPerSec));
const transportAt = configs.findIndex((c) => c.workers === 0 && c.streams === 1);
const transport = transportAt >= 0 ? median(samples[transportAt].map((x) => x.ledgersPerSec)) : NaN;
for (const [i, c] of configs.entries()) {
  const lps = median(samples[i].map((x) => x.ledgersPerSec));
  const mbps = median(samples[i].map((x) => x.mbPerSec));
  const cpuOf = (k: keyof NonNullable<Sample["cpu"]>) =>
    median(samples[i].map((x) => x.cpu![k])).toFixed(2);
  const cpu = samples[i][0].cpu
    ? `; CPU ms/ledger: server main ${cpuOf("main")}, decode workers ${cpuOf("workers")}, V8 ` +
      `helpers (GC) ${cpuOf("v8")}, other ${cpuOf("rest")}; client ${cpuOf("client")}`
    : "";
  console.log(
    `  ${c.label}${
      c.workers >= 0
        ? ` streams=${c.streams} client-window=${
          c.window === 0 ? "FlightClient default" : `${CLIENT_WINDOW >> 20}MiB`
        }`
        : ""
    }: ${lps.toFixed(1)} ledgers/s ` +
      `(${mbps.toFixed(1)} MB/s; ${(lps / base).toFixed(2)}x decode baseline, ` +
      `${(lps / transport).toFixed(2)}x transport-only 1 stream${cpu}; trials ${
        samples[i].map((x) => x.ledgersPerSec.toFixed(0)).join("/")
      })`,
  );
}
