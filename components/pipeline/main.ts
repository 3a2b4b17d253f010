/**
 * `deno task start`: the whole pipeline on one machine. Starts the flowctl control plane, the
 * source, the processor and the sink, wired together on the documented ports, prints where to
 * look, shows progress, and on Ctrl-C stops everything in order (sink first, so that it flushes
 * and checkpoints).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { ConfigError, parseConfig, type ParseResult } from "../../shared/config/mod.ts";
import { PIPELINE_OPTIONS as spec } from "./config.ts";
import { getLogger, setupLogging } from "../../shared/log/mod.ts";
import { checkPorts, offsetPorts, planPipeline, type ServiceName } from "./plan.ts";
import { formatProgress, parsePrometheus, rates, type Sample, sampleFrom } from "./progress.ts";
import { type RunningService, startService, stopService, waitHealthy } from "./supervisor.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

async function readMetrics(url: string | undefined): Promise<Map<string, number> | undefined> {
  if (!url) return undefined;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok ? parsePrometheus(await res.text()) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  let parsed: ParseResult<typeof spec>;
  try {
    parsed = parseConfig(spec, {
      name: "deno task start --",
      summary: "Runs the control plane, stellar-arrow-source, ttp-arrow-processor and " +
        "arrow-analytics-sink together on this machine.",
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (parsed.help !== undefined) {
    console.log(parsed.help);
    return 0;
  }
  const config = parsed.config;
  setupLogging({ level: config.logLevel });
  const log = getLogger(["pipeline"]);
  const ports = offsetPorts(config.portOffset);
  checkPorts(ports);
  const dataDir = config.dataDir.startsWith("/")
    ? config.dataDir
    : `${Deno.cwd()}/${config.dataDir}`;
  const plan = planPipeline({
    datalakeUrl: config.datalake,
    rpcUrl: config.rpc,
    startLedger: config.startLedger,
    endLedger: config.endLedger,
    dataDir,
    flowctl: config.flowctl,
    workers: config.workers,
    logLevel: config.logLevel,
    heartbeatInterval: "2s",
    ports,
  });

  const startedAt = Date.now();
  const running: RunningService[] = [];
  let stopping = false;
  const stopAll = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info("Stopping ({reason}): sink first so it flushes and checkpoints", { reason });
    for (const service of [...running].reverse()) {
      const status = await stopService(service, 10_000);
      log.info("{name} stopped (exit code {code})", { name: service.plan.name, code: status.code });
    }
  };

  const failure = Promise.withResolvers<string>();
  const onLine = (name: string, line: string) => console.error(`[${name}] ${line}`);
  try {
    for (const service of plan) {
      const started = startService(service, { root: ROOT, onLine });
      running.push(started);
      started.exited.then((status) => {
        if (!stopping) {
          failure.resolve(`${service.name} exited unexpectedly with code ${status.code}`);
        }
      });
      await waitHealthy(started, { timeoutMs: 60_000 });
      log.info("{name} is up ({url})", { name: service.name, url: service.healthUrl });
    }
  } catch (error) {
    log.error("{error}", { error: error instanceof Error ? error.message : String(error) });
    await stopAll("start-up failed");
    return 1;
  }

  const url = (port: number, path: string, scheme = "http") =>
    `${scheme}://localhost:${port}${path}`;
  console.log([
    "",
    "Pipeline running. Where to look:",
    ...(config.flowctl
      ? [
        `  control plane status page  ${url(ports.controlPlane, "/")}`,
        `  registered services        curl ${url(ports.controlPlane, "/api/services")}`,
      ]
      : []),
    `  events (REST)              curl '${url(ports.sinkHttp, "/api/events?limit=5")}'`,
    `  statistics (REST)          curl ${url(ports.sinkHttp, "/api/stats")}`,
    `  live events (WebSocket)    ${url(ports.sinkHttp, "/ws?event_type=transfer", "ws")}`,
    `  health / metrics           ${url(ports.sinkHealth, "/health")}  ${
      url(ports.sinkHealth, "/metrics")
    }`,
    `  data folder                ${dataDir}`,
    `  DuckDB                     duckdb -c "SELECT event_type, count(*) FROM read_parquet('${dataDir}/parquet/**/*.parquet', hive_partitioning = true) GROUP BY 1"`,
    "Ctrl-C stops everything (the sink flushes and checkpoints first).",
    "",
  ].join("\n"));

  const byName = new Map<ServiceName, RunningService>(running.map((s) => [s.plan.name, s]));
  const readSample = async (): Promise<Sample> =>
    sampleFrom(Date.now(), {
      source: await readMetrics(byName.get("source")?.plan.metricsUrl),
      processor: await readMetrics(byName.get("processor")?.plan.metricsUrl),
      sink: await readMetrics(byName.get("sink")?.plan.metricsUrl),
    });
  const first = await readSample();
  let previous = first;
  let lastMoved = first; // the last sample whose counters changed: the end of the work so far
  const timer = setInterval(async () => {
    const now = await readSample();
    if (now.ledgers !== previous.ledgers || now.events !== previous.events) lastMoved = now;
    if (config.progressInterval > 0) console.log(formatProgress(now, rates(previous, now)));
    previous = now;
  }, config.progressInterval > 0 ? config.progressInterval : 1000);

  const signals = Promise.withResolvers<string>();
  const onSignal = (name: string) => () => signals.resolve(name);
  const handlers: [Deno.Signal, () => void][] = [["SIGINT", onSignal("Ctrl-C")], [
    "SIGTERM",
    onSignal("SIGTERM"),
  ]];
  for (const [sig, handler] of handlers) Deno.addSignalListener(sig, handler);

  const reason = await Promise.race([signals.promise, failure.promise]);
  clearInterval(timer);
  const last = await readSample();
  if (last.ledgers !== lastMoved.ledgers || last.events !== lastMoved.events) lastMoved = last;
  await stopAll(reason);
  for (const [sig, handler] of handlers) Deno.removeSignalListener(sig, handler);
  const busy = rates({ ...first, at: startedAt, ledgers: 0, events: 0 }, lastMoved);
  console.log(
    `Summary: ${last.ledgers} ledgers and ${last.events} events; busy for ${
      ((lastMoved.at - startedAt) / 1000).toFixed(1)
    } s from start-up (${busy.ledgersPerSecond.toFixed(1)} ledgers/s, ${
      Math.round(busy.eventsPerSecond)
    } events/s), running ${((last.at - startedAt) / 1000).toFixed(1)} s; last ledger ${
      last.lastLedger ?? "-"
    }; data in ${dataDir}`,
  );
  return reason.includes("unexpectedly") ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
