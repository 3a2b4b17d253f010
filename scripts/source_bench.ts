/**
 * Benchmark of stellar-arrow-source: ledgers/s from the `pubnet-p26` sample lake (20 real
 * protocol-26 ledgers, ~1 MB of XDR each) through Flight DoGet to a client in another process,
 * with WORKERS=1 and WORKERS=2. The 20-ledger range is requested many times, sequentially and with
 * concurrent streams. Baseline measured in the same run: the decode work alone (zstd + batch
 * split + summary + hash) on one thread in this process.
 *
 * Usage: deno run -A scripts/source_bench.ts [--rounds 15] [--concurrency 2]
 *
 * @module
 */
import zlib from "node:zlib";
import { FlightClient } from "../shared/flight/mod.ts";
import { summarizeLedgerCloseMetaBatch } from "../shared/ledger/mod.ts";
import { SAMPLE_LAKE } from "../components/stellar-arrow-source/config.ts";

const args = Deno.args;
const argOf = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = argOf("rounds", 15);
const CONCURRENCY = argOf("concurrency", 2);
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

async function startServer(workers: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
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

async function measure(port: number, concurrency: number, rounds: number) {
  const clients = Array.from({ length: concurrency }, () => new FlightClient(`127.0.0.1:${port}`));
  await readOnce(clients[0]); // warm-up: workers, JIT, connection
  let rows = 0;
  let bytes = 0;
  const t0 = performance.now();
  await Promise.all(clients.map(async (c) => {
    for (let r = 0; r < rounds; r++) {
      const got = await readOnce(c);
      rows += got.rows;
      bytes += got.bytes;
    }
  }));
  const s = (performance.now() - t0) / 1000;
  for (const c of clients) c.close();
  return { ledgersPerSec: rows / s, mbPerSec: bytes / 1e6 / s, seconds: s, rows };
}

const files = await lakeFiles();
baseline(files, 1); // warm-up
const base = baseline(files, 5);
console.log(
  `baseline (decode only, 1 thread, in-process): ${base.ledgersPerSec.toFixed(1)} ledgers/s, ` +
    `${base.mbPerSec.toFixed(1)} MB/s of XDR`,
);
console.log(
  `DoGet ${TICKET} (20 ledgers, ~1 MB each), client in this process, server in a subprocess:`,
);
for (const workers of [1, 2]) {
  const server = await startServer(workers);
  try {
    for (const concurrency of [1, CONCURRENCY]) {
      const r = await measure(server.port, concurrency, ROUNDS);
      console.log(
        `  WORKERS=${workers} streams=${concurrency}: ${r.ledgersPerSec.toFixed(1)} ledgers/s ` +
          `(${r.mbPerSec.toFixed(1)} MB/s on the wire, ${r.rows} ledgers in ${
            r.seconds.toFixed(2)
          } s; ` +
          `${(r.ledgersPerSec / base.ledgersPerSec).toFixed(2)}× baseline)`,
      );
    }
  } finally {
    await server.stop();
  }
}
