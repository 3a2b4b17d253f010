/**
 * flowctl overheads on loopback: registration and heartbeat round trips against the control
 * plane (gRPC behind the HTTP/1.1-HTTP/2 port multiplexer), compared with a baseline plain
 * grpc-js server with trivial handlers measured in the same run; and the CPU cost of collecting
 * and sending metrics, as a share of one core at the default 10 s interval.
 *
 *   deno run -A scripts/flowctl_bench.ts [--n 2000]
 *
 * @module
 */
import process from "node:process";
import { ControlPlaneConnection } from "../shared/flowctl/client.ts";
import { sourceServiceDescription } from "../shared/flowctl/mod.ts";
import { startScriptedControlPlane } from "../shared/flowctl/testing.ts";
import { Registry as MetricsRegistry } from "../shared/metrics/mod.ts";
import { setupLogging } from "../shared/log/mod.ts";
import { startControlPlane } from "../components/flowctl-control-plane/server.ts";

setupLogging({ level: "warning" });
const nArg = Deno.args.indexOf("--n");
const N = nArg >= 0 ? Number(Deno.args[nArg + 1]) : 2000;

const service = sourceServiceDescription({
  advertiseHost: "localhost",
  flightPort: 8816,
  healthPort: 8088,
  bufferSize: 1000,
  network: "Public Global Stellar Network ; September 2015",
  storageType: "datalake",
  backendType: "file",
});

// A realistic metrics provider: the lead's metrics registry with the source's metric set.
const metrics = new MetricsRegistry({ prefix: "stellar_source_" });
const counters = ["ledgers_processed", "total_bytes", "success_count", "error_count"].map((n) =>
  metrics.counter(n, n)
);
const lastSeq = metrics.gauge("last_sequence", "last sequence");
const latency = metrics.gauge("processing_latency_ms", "latency");
const written = metrics.counter("events_written", "per format", ["format"]);
for (const f of ["parquet", "jsonl", "csv"]) written.inc(1, { format: f });
const getMetrics = () => {
  for (const c of counters) c.inc();
  lastSeq.set(63093001);
  latency.set(3.2);
  return metrics.snapshot();
};

function stats(samples: number[]): { median: number; p99: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)],
    p99: s[Math.floor(s.length * 0.99)],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

/**
 * Times `a` and `b` interleaved call by call (a, b, b, a, …) so that load changes on the shared
 * machine hit both alike; returns the samples of each, in ms.
 */
async function timePair(
  n: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[number[], number[]]> {
  for (let i = 0; i < Math.min(200, n); i++) { // warm-up
    await a();
    await b();
  }
  const sa: number[] = [], sb: number[] = [];
  const once = async (fn: () => Promise<unknown>, into: number[]) => {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      await once(a, sa);
      await once(b, sb);
    } else {
      await once(b, sb);
      await once(a, sa);
    }
  }
  return [sa, sb];
}

const cp = await startControlPlane({ port: 0, address: "127.0.0.1", heartbeatTtlMs: 600_000 });
const baseline = await startScriptedControlPlane();
const rows: string[][] = [];
const report = (name: string, ours: number[], base: number[], target: number) => {
  const o = stats(ours), b = stats(base);
  rows.push([
    name,
    o.median.toFixed(3),
    o.p99.toFixed(3),
    b.median.toFixed(3),
    (o.median / b.median).toFixed(2),
    `< ${target}`,
    o.median < target ? "yes" : "NO",
  ]);
};

for (const protocol of ["legacy", "v1"] as const) {
  const ours = new ControlPlaneConnection({ endpoint: `127.0.0.1:${cp.port}` });
  const base = new ControlPlaneConnection({ endpoint: baseline.endpoint });
  const [regOurs, regBase] = await timePair(
    N,
    () => ours.register(protocol, service, "", 5000),
    () => base.register(protocol, service, "", 5000),
  );
  report(`register (${protocol})`, regOurs, regBase, 5);
  const id = (await ours.register(protocol, service, "bench-" + protocol, 5000)).serviceId;
  const baseId = (await base.register(protocol, service, "bench-" + protocol, 5000)).serviceId;
  const [hbOurs, hbBase] = await timePair(
    N,
    () => ours.heartbeat(protocol, id, getMetrics(), "HEALTH_STATUS_HEALTHY", 5000),
    () => base.heartbeat(protocol, baseId, getMetrics(), "HEALTH_STATUS_HEALTHY", 5000),
  );
  report(`heartbeat (${protocol})`, hbOurs, hbBase, 1);
  ours.close();
  base.close();
}

// CPU: collecting metrics alone, and a whole heartbeat (collect + encode + send + the in-process
// server's share, so an upper bound), per heartbeat, as a share of one core at 10 s.
const collectCpu = (() => {
  const n = 100_000;
  const c0 = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += Object.keys(getMetrics()).length;
  const c = process.cpuUsage(c0);
  if (sink === 0) throw new Error("unreachable");
  return (c.user + c.system) / 1000 / n; // ms per collection
})();
const conn = new ControlPlaneConnection({ endpoint: `127.0.0.1:${cp.port}` });
const hbId = (await conn.register("v1", service, "cpu-bench", 5000)).serviceId;
const c0 = process.cpuUsage();
const n = 1000;
for (let i = 0; i < n; i++) {
  await conn.heartbeat("v1", hbId, getMetrics(), "HEALTH_STATUS_HEALTHY", 5000);
}
const c1 = process.cpuUsage(c0);
const heartbeatCpu = (c1.user + c1.system) / 1000 / n;
conn.close();

console.log(
  `flowctl overheads on loopback, n=${N} sequential calls each, interleaved with the baseline (ms)\n`,
);
const header = ["operation", "median", "p99", "baseline median", "ratio", "target", "met"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ");
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log(
  `\nbaseline = plain grpc-js server (no HTTP multiplexer) with trivial handlers, same process, same run`,
);
console.log(
  `metrics collection: ${(collectCpu * 1000).toFixed(2)} µs CPU per heartbeat → ${
    (collectCpu / 10_000 * 100).toExponential(2)
  } % of one core at 10 s (target < 0.1 %)`,
);
console.log(
  `whole heartbeat (collect+encode+send, incl. in-process server): ${
    (heartbeatCpu * 1000).toFixed(1)
  } µs CPU → ${(heartbeatCpu / 10_000 * 100).toExponential(2)} % of one core at 10 s`,
);
await cp.close();
await baseline.close();
