/**
 * Does flowctl slow the data path? Arrow Flight throughput of stellar-arrow-source with
 * `ENABLE_FLOWCTL=true` (registered with a running control plane, heartbeats every
 * `--heartbeat`, 1 s by default, carrying the source's metrics) against the same source with
 * flowctl disabled, measured in one run.
 *
 * Each trial starts a fresh source subprocess (the `pubnet-p26` sample lake, `--workers`), warms it
 * up with one DoGet, then times `--reps` sequential DoGets of the 20 ledgers (~1 MB each) from this
 * process (16 MiB HTTP/2 client window, as in `source_bench.ts`) and stops it. Trials alternate
 * A B B A … (A = disabled, B = enabled) so that load drifts on the shared machine hit both alike.
 * The enabled runs are checked to be registered and heartbeating (the control plane lists the
 * source with growing `ledgers_processed`); otherwise the figure would say nothing.
 *
 * Reported: ledgers/s per trial, the median of each side, the ratio enabled/disabled of the
 * medians, and the spread of the per-pair ratios (min, median, max). Target: ratio >= 0.99.
 *
 *   deno run -A scripts/flowctl_overhead_bench.ts [--pairs 6] [--reps 10] [--workers 1] [--heartbeat 1s]
 *
 * @module
 */
import { FlightClient } from "../shared/flight/mod.ts";

const args = Deno.args;
const argOf = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const PAIRS = Number(argOf("pairs", "6"));
const REPS = Number(argOf("reps", "10"));
const WORKERS = argOf("workers", "1");
const HEARTBEAT = argOf("heartbeat", "1s");
const FIRST = 63092982;
const LAST = 63093001;
const TICKET = `stellar_ledgers:${FIRST}:${LAST}`;
const LEDGERS = LAST - FIRST + 1;
const CLIENT_WINDOW = 16 * 1024 * 1024;
const ROOT = new URL("../", import.meta.url).pathname;
const LAKE = `${ROOT}testdata/lakes/pubnet-p26`;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

interface Child {
  child: Deno.ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `deno run -A <entry> <args>`, waits for `ready` in its output (not at all when null),
 * keeps draining it.
 */
async function spawn(
  entry: string,
  argv: string[],
  env: Record<string, string>,
  ready: RegExp | null,
): Promise<{ proc: Child; match: RegExpExecArray | null }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}${entry}`, ...argv],
    env: { DENO_TLS_CA_STORE: "system", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Logs go to stdout or stderr depending on the logger; watch both.
  let text = "";
  let resolveMatch: (m: RegExpExecArray | null) => void;
  const matched = new Promise<RegExpExecArray | null>((r) => resolveMatch = r);
  if (ready === null) resolveMatch!(null);
  const watch = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      if (text.length < 100_000) {
        text += chunk;
        const m = ready?.exec(text);
        if (m) resolveMatch(m);
      }
    }
  };
  const drained = Promise.all([watch(child.stdout), watch(child.stderr)]);
  const exited = child.status.then(async (s) => {
    await drained;
    throw new Error(`${entry} exited with ${s.code} before ${ready}: ${text.slice(-2000)}`);
  });
  const match = await Promise.race([matched, exited]);
  return {
    match,
    proc: {
      child,
      stop: async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        await child.status;
        await drained;
      },
    },
  };
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return await res.json();
}

async function readOnce(client: FlightClient): Promise<void> {
  let rows = 0;
  for await (const batch of client.doGet(TICKET)) rows += batch.numRows;
  if (rows !== LEDGERS) throw new Error(`expected ${LEDGERS} rows from ${TICKET}, got ${rows}`);
}

interface Trial {
  flowctl: boolean;
  ledgersPerSec: number;
  heartbeats: number;
}

/** One trial: fresh source, warm-up, `REPS` timed DoGets, checks, stop. */
async function trial(flowctl: boolean, controlPlanePort: number): Promise<Trial> {
  const { proc, match: m } = await spawn(
    "components/stellar-arrow-source/main.ts",
    [
      "--flight-host",
      "127.0.0.1",
      "--flight-port",
      "0",
      "--health-port",
      "0",
      "--workers",
      WORKERS,
    ],
    {
      DATALAKE_URL: LAKE,
      LOG_LEVEL: "info",
      ENABLE_FLOWCTL: String(flowctl),
      FLOWCTL_ENDPOINT: `127.0.0.1:${controlPlanePort}`,
      FLOWCTL_HEARTBEAT_INTERVAL: HEARTBEAT,
      FLOWCTL_COMPONENT_ID: "overhead-bench-source",
    },
    /Flight on [^ ]+:(\d+), health on :(\d+)/,
  );
  const match = m!;
  const client = new FlightClient(`127.0.0.1:${match[1]}`, {
    channelOptions: { "grpc-node.flow_control_window": CLIENT_WINDOW },
  });
  try {
    const health = `http://127.0.0.1:${match[2]}/health`;
    await readOnce(client); // warm-up: workers, JIT, connection
    const t0 = performance.now();
    for (let r = 0; r < REPS; r++) await readOnce(client);
    const seconds = (performance.now() - t0) / 1000;
    const fc = (await getJson(health)).flowctl as { state: string; heartbeatsSent: number };
    if (flowctl) {
      if (fc.state !== "registered") {
        throw new Error(`expected the source registered, got ${JSON.stringify(fc)}`);
      }
      const list = (await getJson(`http://127.0.0.1:${controlPlanePort}/api/services`))
        .services as { id: string; metrics: Record<string, number> }[];
      const me = list.find((s) => s.id === "overhead-bench-source");
      if (!me || !(fc.heartbeatsSent > 0)) {
        throw new Error(`expected the source listed and heartbeating, got ${JSON.stringify(fc)}`);
      }
    } else if (fc.state !== "disabled") {
      throw new Error(`expected flowctl disabled, got ${JSON.stringify(fc)}`);
    }
    return { flowctl, ledgersPerSec: (REPS * LEDGERS) / seconds, heartbeats: fc.heartbeatsSent };
  } finally {
    client.close();
    await proc.stop();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const cpPort = freePort();
const { proc: controlPlane } = await spawn(
  "components/flowctl-control-plane/main.ts",
  ["--port", String(cpPort), "--address", "127.0.0.1"],
  { LOG_LEVEL: "warning" },
  null,
);
// Its log level hides the "listening" line; wait for the HTTP API instead.
for (let i = 0;; i++) {
  try {
    await getJson(`http://127.0.0.1:${cpPort}/api/services`);
    break;
  } catch (e) {
    if (i > 100) throw e;
    await new Promise((r) => setTimeout(r, 100));
  }
}

console.log(
  `DoGet ${TICKET} x ${REPS} per trial, source WORKERS=${WORKERS}, flowctl heartbeat ${HEARTBEAT}; ` +
    `${PAIRS} pairs in A B B A order (A = flowctl disabled, B = enabled)`,
);
const trials: Trial[] = [];
const pairRatios: number[] = [];
try {
  for (let p = 0; p < PAIRS; p++) {
    const order = p % 2 === 0 ? [false, true] : [true, false];
    const pair: Trial[] = [];
    for (const enabled of order) {
      const t = await trial(enabled, cpPort);
      pair.push(t);
      trials.push(t);
      console.log(
        `  pair ${p + 1} ${enabled ? "enabled " : "disabled"} ${
          t.ledgersPerSec.toFixed(1)
        } ledgers/s` +
          (enabled ? ` (${t.heartbeats} heartbeats)` : ""),
      );
    }
    const on = pair.find((t) => t.flowctl)!.ledgersPerSec;
    const off = pair.find((t) => !t.flowctl)!.ledgersPerSec;
    pairRatios.push(on / off);
  }
} finally {
  await controlPlane.stop();
}

const off = median(trials.filter((t) => !t.flowctl).map((t) => t.ledgersPerSec));
const on = median(trials.filter((t) => t.flowctl).map((t) => t.ledgersPerSec));
const sorted = [...pairRatios].sort((a, b) => a - b);
console.log(`flowctl disabled: median ${off.toFixed(1)} ledgers/s`);
console.log(`flowctl enabled:  median ${on.toFixed(1)} ledgers/s`);
console.log(
  `ratio enabled/disabled (medians): ${(on / off).toFixed(3)}; per pair: min ${
    sorted[0].toFixed(3)
  }, median ${median(sorted).toFixed(3)}, max ${sorted.at(-1)!.toFixed(3)} (target >= 0.99)`,
);
