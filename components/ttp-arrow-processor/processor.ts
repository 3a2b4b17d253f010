/**
 * Assembles a running processor: source client, extraction worker pool, Flight server, health
 * server, and a background probe that keeps the source's state fresh (reconnecting with backoff).
 *
 * @module
 */
import { FlightServer } from "../../shared/flight/mod.ts";
import {
  attachFlowctl,
  type Controller,
  flowctlConfigFrom,
  flowctlHealthReason,
  processorServiceDescription,
} from "../../shared/flowctl/mod.ts";
import {
  type HealthReport,
  type HealthServer,
  startHealthServer,
} from "../../shared/health/mod.ts";
import { getLogger } from "../../shared/log/mod.ts";
import { TTP_EVENT_TYPES } from "../../shared/schema/ttp_event.ts";
import { WorkerPool } from "../../shared/worker_pool/mod.ts";
import { COMPONENT, defaultFilters, type ProcessorConfig, VERSION } from "./config.ts";
import type { ExtractResult, ExtractTask } from "./extract_task.ts";
import { createFlightHandlers } from "./flight_service.ts";
import { ProcessorStats } from "./stats.ts";
import { SourceClient } from "./upstream.ts";

const log = getLogger(["processor"]);

/** A running processor. */
export interface RunningProcessor {
  /** Bound Flight port. */
  readonly flightPort: number;
  /** Bound health port. */
  readonly healthPort: number;
  /** Metrics and status. */
  readonly stats: ProcessorStats;
  /** Stops everything. */
  close(): Promise<void>;
}

/** Options of {@linkcode startProcessor} beyond the configuration. */
export interface StartOptions {
  /** Interval of the background source probe in milliseconds. Default 5000. */
  probeIntervalMs?: number;
}

/** Starts the processor. */
export async function startProcessor(
  config: ProcessorConfig,
  options: StartOptions = {},
): Promise<RunningProcessor> {
  const source = new SourceClient({
    endpoint: config.sourceEndpoint,
    connectTimeoutMs: config.sourceConnectTimeoutMs,
    retryTimeoutMs: config.sourceRetryTimeoutMs,
  });
  const pool = new WorkerPool<ExtractTask, ExtractResult>({
    url: new URL("./extract_worker.ts", import.meta.url),
    size: config.workers,
    name: "ttp-extract",
  });
  const stats = new ProcessorStats({
    component: COMPONENT,
    version: VERSION,
    mode: config.ttpMode,
    verifyEvents: config.verifyEvents,
    workers: config.workers,
    source: () => ({ endpoint: source.endpoint, ...source.stats }),
  });
  if (config.networkPassphrase !== undefined) stats.setPassphrase(config.networkPassphrase);
  const handlers = createFlightHandlers({
    source,
    pool,
    stats,
    networkPassphrase: config.networkPassphrase,
    mode: config.ttpMode,
    verify: config.verifyEvents,
    batchBytes: config.batchBytes,
    readAhead: config.readAhead ?? 2 * config.workers,
    defaultFilters: defaultFilters(config),
  });
  const server = new FlightServer(handlers, { name: COMPONENT });
  let flightPort: number;
  try {
    flightPort = await server.listen({ host: config.flightHost, port: config.flightPort });
  } catch (err) {
    pool.close();
    source.close();
    throw err;
  }

  let flowctl: Controller | undefined = undefined; // read by /health while registering
  const check = (): HealthReport => {
    const s = source.stats;
    const status = stats.status();
    const details = {
      source_endpoint: source.endpoint,
      source_connected: s.connected,
      last_ledger: status.last_ledger,
      active_streams: status.active_streams,
      ledgers_consumed: status.ledgers_consumed,
      events_extracted: status.events_extracted,
      verification_failures: status.verification_failures,
      flowctl: flowctl?.status(),
    };
    const flowctlReason = flowctl ? flowctlHealthReason(flowctl.status()) : null;
    const reasons = flowctlReason ? [flowctlReason] : [];
    if (!s.connected) {
      reasons.unshift(
        `source ${source.endpoint} unreachable: ${s.lastError ?? "not connected yet"}`,
      );
      return { status: "degraded", reasons, details };
    }
    return { status: "healthy", reasons, details };
  };
  let health: HealthServer;
  try {
    health = startHealthServer({
      port: config.healthPort,
      component: COMPONENT,
      version: VERSION,
      registry: stats.registry,
      check,
    });
  } catch (err) {
    await server.close(0);
    pool.close();
    source.close();
    throw err;
  }

  // Background probe: keeps `connected` current and retries an unreachable source with backoff.
  const probeMs = options.probeIntervalMs ?? 5_000;
  let probeDelay = probeMs;
  let timer: number | undefined;
  let closed = false;
  const probe = async () => {
    try {
      const range = await source.availableRange({ timeoutMs: Math.min(probeMs, 5_000) });
      if (probeDelay !== probeMs) {
        log.info("Source {endpoint} reachable again", { endpoint: source.endpoint });
      }
      log.debug("Source range {first}..{last}", { ...range });
      probeDelay = probeMs;
    } catch (err) {
      log.warn("Source {endpoint} unreachable: {message}", {
        endpoint: source.endpoint,
        message: err instanceof Error ? err.message : String(err),
      });
      probeDelay = probeDelay === probeMs ? 250 : Math.min(probeDelay * 2, probeMs);
    }
    if (!closed) timer = setTimeout(probe, probeDelay);
  };
  void probe();

  // Attached even when disabled (inert), so /health shows the state "disabled".
  const fc = flowctlConfigFrom(config);
  let network = config.networkPassphrase;
  if (fc.enabled && network === undefined) {
    const st = await source.sourceStatus({ timeoutMs: 2_000 }).catch(() => null) as
      | { network_passphrase?: string }
      | null;
    network = st?.network_passphrase;
  }
  flowctl = await attachFlowctl({
    config: fc,
    service: processorServiceDescription({
      advertiseHost: fc.advertiseHost,
      flightPort,
      healthPort: health.port,
      bufferSize: config.readAhead ?? 2 * config.workers,
      componentId: fc.componentId,
      version: VERSION,
      network: network ?? "",
      eventTypes: config.eventTypes.length > 0 ? config.eventTypes : [...TTP_EVENT_TYPES],
      extraMetadata: { ttp_mode: config.ttpMode, source_endpoint: config.sourceEndpoint },
    }),
    registry: stats.registry,
    health: () => check().status,
  });

  log.info(
    "{component} ready: flight port {flightPort}, health port {healthPort}, source {source}",
    {
      component: COMPONENT,
      flightPort,
      healthPort: health.port,
      source: source.endpoint,
    },
  );

  return {
    flightPort,
    healthPort: health.port,
    stats,
    async close() {
      closed = true;
      clearTimeout(timer);
      await flowctl?.stop();
      await server.close(1_000);
      pool.close();
      source.close();
      await health.close();
    },
  };
}
