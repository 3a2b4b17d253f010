/**
 * Flight throughput, reported as ratios against an in-process baseline measured in the same run.
 *
 * - baseline: FlightDataEncoder -> FlightData protobuf -> decode -> apache-arrow reader, no network
 * - raw http2: the same bytes over a bare `node:http2` stream in this process (Deno's transport
 *   ceiling: no gRPC, no Arrow)
 * - loopback: DoGet over 127.0.0.1, server and client in this process
 * - process:  DoGet from a server in a separate Deno process (shared/flight/testdata/stress_server.ts)
 *
 * For `stellar_ledger`-like rows (1 MiB binary each) and `ttp_event`-like rows (small utf8,
 * dictionary-encoded).
 *
 * ```sh
 * deno run -A scripts/flight_bench.ts [--mib 256] [--events 200000]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import http2 from "node:http2";
import type * as arrow from "apache-arrow";
import { FlightClient } from "../shared/flight/mod.ts";
import { decodeFlightData, encodeFlightData } from "../shared/flight/flight_data_codec.ts";
import { FlightDataEncoder, readFlightData } from "../shared/flight/ipc.ts";
import { eventTable, ledgerTable, loopback } from "../shared/flight/_testing.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mib: { type: "string", default: "256" },
    events: { type: "string", default: "200000" },
  },
});
const MIB = Number(values.mib);
const EVENTS = Number(values.events);

function* repeat(batch: arrow.RecordBatch, times: number): Generator<arrow.RecordBatch> {
  for (let i = 0; i < times; i++) yield batch;
}

async function baseline(batch: arrow.RecordBatch, times: number): Promise<number> {
  const enc = new FlightDataEncoder(batch.schema);
  async function* messages() {
    yield decodeFlightData(encodeFlightData(enc.schemaFrame()));
    for (const b of repeat(batch, times)) {
      for (const f of enc.encode(b)) yield decodeFlightData(encodeFlightData(f));
    }
  }
  let rows = 0;
  for await (const b of await readFlightData(messages())) rows += b.numRows;
  return rows;
}

async function overFlight(client: FlightClient, ticket: string): Promise<number> {
  let rows = 0;
  for await (const b of client.doGet(ticket)) rows += b.numRows;
  return rows;
}

/** Streams `mib` MiB in 1 MiB chunks over a bare node:http2 stream; resolves with MiB read. */
async function rawHttp2(mib: number): Promise<number> {
  const server = http2.createServer();
  server.on("stream", (stream: http2.ServerHttp2Stream) => {
    stream.respond({ ":status": 200 });
    const chunk = new Uint8Array(1024 * 1024);
    const socket = stream.session!.socket as unknown as { bytesWritten: number };
    const base = socket.bytesWritten;
    let sent = 0;
    const pump = () => {
      // Same bound as the Flight server's send gate: 8 MiB beyond what the socket wrote.
      while (sent < mib && sent * chunk.byteLength - (socket.bytesWritten - base) < 8 << 20) {
        stream.write(chunk);
        sent++;
      }
      if (sent >= mib) stream.end();
      else setTimeout(pump, 1);
    };
    pump();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const bytes = await new Promise<number>((resolve, reject) => {
    const req = client.request({ ":path": "/" });
    let n = 0;
    req.on("data", (d: Uint8Array) => (n += d.byteLength));
    req.on("end", () => resolve(n));
    req.on("error", reject);
  });
  client.close();
  await new Promise((r) => server.close(r));
  return bytes / (1024 * 1024);
}

async function timed(what: () => Promise<number>): Promise<{ rows: number; seconds: number }> {
  const t = performance.now();
  const rows = await what();
  return { rows, seconds: (performance.now() - t) / 1000 };
}

async function startProcessServer(): Promise<{ address: string; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-lock",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      new URL("../shared/flight/testdata/stress_server.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/PORT (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("bench server exited");
    text += value;
  }
  reader.releaseLock();
  child.stdout.cancel().catch(() => {});
  return {
    address: `127.0.0.1:${/PORT (\d+)/.exec(text)![1]}`,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

const ROW = 1024 * 1024;
const ledgerBatch = ledgerTable(1, 4, ROW).batches[0];
const ledgerTimes = Math.max(1, Math.round(MIB / 4));
const events = eventTable(0, 10_000);
const eventBatch = events.batches[0];
const eventTimes = Math.max(1, Math.round(EVENTS / eventBatch.numRows));

const lb = await loopback({
  doGet: (ticket) => {
    const t = new TextDecoder().decode(ticket);
    if (t === "ledgers") {
      return { schema: ledgerBatch.schema, batches: repeat(ledgerBatch, ledgerTimes) };
    }
    return { schema: eventBatch.schema, batches: repeat(eventBatch, eventTimes) };
  },
});
const proc = await startProcessServer();
const procClient = new FlightClient(proc.address);

try {
  const rows: string[] = [];
  const report = (
    name: string,
    unit: string,
    per: number,
    base: number,
    r: { rows: number; seconds: number },
  ) => {
    const rate = (r.rows * per) / r.seconds;
    rows.push(
      `${name.padEnd(22)} ${rate.toFixed(1).padStart(10)} ${unit}  ratio vs baseline ${
        (rate / base).toFixed(2)
      }`,
    );
    return rate;
  };
  await baseline(ledgerBatch, 2); // warm-up
  const b1 = await timed(() => baseline(ledgerBatch, ledgerTimes));
  const base1 = report("ledgers baseline", "MiB/s", 1, 1, b1);
  rows.pop();
  rows.push(`ledgers baseline       ${base1.toFixed(1).padStart(10)} MiB/s`);
  report("raw http2 loopback", "MiB/s", 1, base1, await timed(() => rawHttp2(MIB)));
  report(
    "ledgers loopback",
    "MiB/s",
    1,
    base1,
    await timed(() => overFlight(lb.client, "ledgers")),
  );
  report(
    "ledgers process",
    "MiB/s",
    1,
    base1,
    await timed(() => overFlight(procClient, `bytes:${MIB * ROW}:${ROW}`)),
  );
  const b2 = await timed(() => baseline(eventBatch, eventTimes));
  const base2 = b2.rows / b2.seconds;
  rows.push(`events baseline        ${base2.toFixed(0).padStart(10)} rows/s`);
  report("events loopback", "rows/s", 1, base2, await timed(() => overFlight(lb.client, "events")));
  console.log(
    `Deno ${Deno.version.deno}; ${MIB} MiB of 1 MiB rows, ${
      eventTimes * eventBatch.numRows
    } event rows`,
  );
  console.log(rows.join("\n"));
} finally {
  procClient.close();
  await proc.stop();
  await lb.close();
}
