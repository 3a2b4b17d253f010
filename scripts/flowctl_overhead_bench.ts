/**
 * Does flowctl slow the data path? Arrow Flight throughput of stellar-arrow-source with
 * `ENABLE_FLOWCTL=true` (registered with a running control plane, heartbeats every
 * `--heartbeat`, 1 s by default, carrying the source's metrics) against the same source with
 * flowctl disabled, measured in one run.
 *
 * Each pair starts two fresh source subprocesses (the `pubnet-p26` sample lake, `--workers`), one
 * with flowctl disabled (A), one enabled (B), warms both up with one DoGet, then times `--reps`
 * rounds of one DoGet of the 20 ledgers (~1 MB each) from each, A B then B A alternately, from this
 * process (16 MiB HTTP/2 client window, as in `source_bench.ts`), so that load drifts on the shared
 * machine hit both alike; then stops both. Fresh processes per pair average out JIT and placement
 * luck. The idle source of a round is idle apart from its timers (B's heartbeats cost ~1.3 ms of
 * CPU each, `flowctl_bench.ts`), so B's heartbeats also land on A's rounds: they are counted on
 * both sides, which is the realistic case of one busy machine. After each pair the enabled source
 * is checked to be registered, healthy at the control plane and heartbeating its
 * `ledgers_processed`; otherwise the figure would say nothing.
 *
 * Before the timed rounds both sources sit idle for `--idle-ms` (4000): the difference of their
 * CPU time is flowctl's own steady cost (heartbeat timer, metrics snapshot, gRPC call), reported
 * as a share of the serving source's CPU. It is a lower bound: measured here, a heartbeat costs the
 * serving source more CPU than the idle one.
 *
 * Reported, per pair and summarised (per-pair ratios enabled/disabled: median, min, max; ratio of
 * the medians): ledgers/s by wall clock, and ledgers per CPU-second of the source process (all
 * threads, from `/proc/<pid>/task/∗/schedstat`, over the timed rounds of both sources, so B's
 * heartbeats while idle count against B). On a busy shared machine both swing by ±10 % from pair
 * to pair (other processes' load, fresh-process luck); wall-clock ratios need many pairs, and the
 * CPU ratio is best read against an A/A run (`--aa`: B disabled too) of the same size, which
 * shows the bench's own spread. Target: >= 0.99.
 *
 *   deno run -A scripts/flowctl_overhead_bench.ts [--pairs 6] [--reps 20] [--workers 1] [--heartbeat 1s]
 *     [--idle-ms 4000] [--aa]
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
const REPS = Number(argOf("reps", "20"));
const WORKERS = argOf("workers", "1");
const HEARTBEAT = argOf("heartbeat", "1s");
const IDLE_MS = Number(argOf("idle-ms", "4000"));
/** Calibration: B with flowctl disabled too (A/A), to see the bench's own noise and bias. */
const AA = args.includes("--aa");
const B = AA ? "B (disabled too)" : "enabled";
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

interface Source {
  flowctl: boolean;
  client: FlightClient;
  health: string;
  proc: Child;
  /** Seconds spent in timed DoGets. */
  seconds: number;
  /** CPU seconds the source process used over the timed rounds (both sources' rounds). */
  cpuSeconds: number;
}

/**
 * CPU time of a process so far, all threads (Flight main thread, decode workers, runtime), in
 * seconds: the sum of `/proc/<pid>/task/<tid>/schedstat`'s first field (ns on CPU).
 */
function processCpuSeconds(pid: number): number {
  let ns = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e9;
}

/** A fresh source subprocess (the sample lake) with flowctl enabled or not, and a client. */
async function startSource(flowctl: boolean, controlPlanePort: number): Promise<Source> {
  const { proc, match: m } = await spawn(
    "components/stellar-arrow-source/main.ts",
    ["--flight-host", "127.0.0.1", "--flight-port", "0", "--health-port", "0"],
    {
      DATALAKE_URL: LAKE,
      WORKERS,
      LOG_LEVEL: "info",
      ENABLE_FLOWCTL: String(flowctl),
      FLOWCTL_ENDPOINT: `127.0.0.1:${controlPlanePort}`,
      FLOWCTL_HEARTBEAT_INTERVAL: HEARTBEAT,
      FLOWCTL_COMPONENT_ID: "overhead-bench-source",
    },
    /Flight on [^ ]+:(\d+), health on :(\d+)/,
  );
  const client = new FlightClient(`127.0.0.1:${m![1]}`, {
    channelOptions: { "grpc-node.flow_control_window": CLIENT_WINDOW },
  });
  const health = `http://127.0.0.1:${m![2]}/health`;
  return { flowctl, client, health, proc, seconds: 0, cpuSeconds: 0 };
}

/** Checks the enabled source is registered and heartbeating, the disabled one says disabled. */
async function checkFlowctl(s: Source, controlPlanePort: number): Promise<number> {
  const fc = (await getJson(s.health)).flowctl as { state: string; heartbeatsSent: number };
  if (!s.flowctl) {
    if (fc.state !== "disabled") throw new Error(`expected disabled, got ${JSON.stringify(fc)}`);
    return 0;
  }
  const list = (await getJson(`http://127.0.0.1:${controlPlanePort}/api/services`))
    .services as { id: string; healthy: boolean; metrics: Record<string, number> }[];
  const me = list.find((x) => x.id === "overhead-bench-source");
  if (fc.state !== "registered" || !(fc.heartbeatsSent >= 1) || !me?.healthy) {
    throw new Error(
      `expected the source registered and heartbeating, got ${JSON.stringify({ fc, me })}`,
    );
  }
  if (typeof me.metrics.ledgers_processed !== "number") {
    throw new Error(`expected ledgers_processed in heartbeats, got ${JSON.stringify(me)}`);
  }
  return fc.heartbeatsSent;
}

/** Ledgers/s (wall clock) and ledgers per CPU-second of each source of a pair. */
interface PairResult {
  off: number;
  on: number;
  offCpu: number;
  onCpu: number;
  /** CPU ms per second of each source while idle (no DoGet; timers and heartbeats only). */
  offIdle: number;
  onIdle: number;
  beats: number;
}

/**
 * One pair: both sources started fresh and warmed up; then `REPS` rounds, each timing one DoGet
 * from each, in A B / B A order alternately, so that both see the same load over time.
 */
async function pair(controlPlanePort: number, startsFirst: "off" | "on"): Promise<PairResult> {
  // Start order alternates between pairs (the second process starts on a busier machine).
  const first = await startSource(startsFirst === "off" ? false : !AA, controlPlanePort);
  const second = await startSource(startsFirst === "off" ? !AA : false, controlPlanePort);
  const [off, on] = startsFirst === "off" ? [first, second] : [second, first];
  try {
    for (const s of [off, on]) await readOnce(s.client); // warm-up: workers, JIT, connection
    const idle0 = [off, on].map((s) => processCpuSeconds(s.proc.child.pid));
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idle = [off, on].map((s, i) =>
      (processCpuSeconds(s.proc.child.pid) - idle0[i]) * 1e6 / IDLE_MS
    );
    const cpu0 = [off, on].map((s) => processCpuSeconds(s.proc.child.pid));
    for (let r = 0; r < REPS; r++) {
      for (const s of r % 2 === 0 ? [off, on] : [on, off]) {
        const t0 = performance.now();
        await readOnce(s.client);
        s.seconds += (performance.now() - t0) / 1000;
      }
    }
    [off, on].forEach((s, i) => s.cpuSeconds = processCpuSeconds(s.proc.child.pid) - cpu0[i]);
    await checkFlowctl(off, controlPlanePort);
    const beats = await checkFlowctl(on, controlPlanePort);
    const rate = (s: Source) => (REPS * LEDGERS) / s.seconds;
    const perCpu = (s: Source) => (REPS * LEDGERS) / s.cpuSeconds;
    return {
      off: rate(off),
      on: rate(on),
      offCpu: perCpu(off),
      onCpu: perCpu(on),
      offIdle: idle[0],
      onIdle: idle[1],
      beats,
    };
  } finally {
    for (const s of [off, on]) {
      s.client.close();
      await s.proc.stop();
    }
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
  `DoGet ${TICKET} (20 ledgers, ~1 MB each), ${REPS} timed per source per pair, source ` +
    `WORKERS=${WORKERS}, flowctl heartbeat ${HEARTBEAT}, ${PAIRS} pairs of fresh sources ` +
    `(flowctl disabled / ${AA ? "disabled too (--aa calibration)" : "enabled"}), DoGets ` +
    `alternating between the two.`,
);
const results: PairResult[] = [];
try {
  for (let p = 0; p < PAIRS; p++) {
    const r = await pair(cpPort, p % 2 === 0 ? "off" : "on");
    results.push(r);
    console.log(
      `  pair ${p + 1}: disabled ${r.off.toFixed(1)}, enabled ${r.on.toFixed(1)} ledgers/s ` +
        `(ratio ${(r.on / r.off).toFixed(3)}); per CPU-second disabled ${r.offCpu.toFixed(1)}, ` +
        `${B} ${r.onCpu.toFixed(1)} (ratio ${(r.onCpu / r.offCpu).toFixed(3)}); idle CPU ` +
        `disabled ${r.offIdle.toFixed(2)}, enabled ${
          r.onIdle.toFixed(2)
        } ms/s; ${r.beats} heartbeats`,
    );
  }
} finally {
  await controlPlane.stop();
}

function summary(label: string, off: number[], on: number[]): void {
  const ratios = on.map((v, i) => v / off[i]).sort((a, b) => a - b);
  console.log(
    `${label}: disabled median ${median(off).toFixed(1)}, ${B} median ${
      median(on).toFixed(1)
    }; ratio ${B}/disabled: median of pairs ${median(ratios).toFixed(3)} (min ${
      ratios[0].toFixed(3)
    }, max ${ratios.at(-1)!.toFixed(3)}), of medians ${
      (median(on) / median(off)).toFixed(3)
    } (target >= 0.99)`,
  );
}
summary("ledgers/s (wall clock)", results.map((r) => r.off), results.map((r) => r.on));
summary("ledgers per CPU-second", results.map((r) => r.offCpu), results.map((r) => r.onCpu));

// flowctl's own steady cost, measured on idle sources (nothing else runs in them but timers): the
// share of a core it takes is the most it can take from a CPU-bound source's throughput.
const extra = results.map((r) => r.onIdle - r.offIdle).sort((a, b) => a - b);
const servingCpuPerSec = median(
  results.map((r) => r.on / r.onCpu), // (ledgers/s) / (ledgers per CPU-s) = CPU-s per s
);
const share = median(extra) / 1000 / servingCpuPerSec;
console.log(
  `idle CPU: disabled median ${median(results.map((r) => r.offIdle)).toFixed(2)} ms/s, ${B} ${
    median(results.map((r) => r.onIdle)).toFixed(2)
  } ms/s; flowctl's extra ${median(extra).toFixed(2)} ms/s (pairs: min ${
    extra[0].toFixed(2)
  }, max ${extra.at(-1)!.toFixed(2)}) = ${(share * 100).toFixed(3)} % of the serving source's ${
    servingCpuPerSec.toFixed(2)
  } CPU-s/s → throughput ratio bound ${(1 - share).toFixed(4)} when CPU-bound (target >= 0.99)`,
);
