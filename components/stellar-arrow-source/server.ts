/**
 * Assembles the running service from a {@linkcode SourceConfig}: the ledger source, the decode
 * worker pool, the Flight server and the health/metrics HTTP server, plus a background store
 * check that keeps `/health` honest. Used by `main.ts` and by tests (ports 0).
 *
 * @module
 */
import { FlightServer } from "../../shared/flight/mod.ts";
import { startHealthServer } from "../../shared/health/mod.ts";
import {
  attachFlowctl,
  type Controller,
  flowctlConfigFrom,
  flowctlHealthReason,
  sourceServiceDescription,
} from "../../shared/flowctl/mod.ts";
import { getLogger } from "../../shared/log/mod.ts";
import { WorkerPool } from "../../shared/worker_pool/mod.ts";
import type { SourceConfig } from "./config.ts";
import type { DecodeRequest, DecodeResult } from "./decode_types.ts";
import { delay } from "../../shared/async/mod.ts";
import { errorMessage, SourceError } from "./errors.ts";
import { createFlightHandlers } from "./flight_service.ts";
import type { DecodeFn } from "./ledger_stream.ts";
import { LakeSource, type LedgerSource, RpcSource } from "./source.ts";
import { createSourceMetrics, type SourceMetrics, SourceStatus } from "./status.ts";

/** Longest wait in `close()` for a store check or stream that is still running. */
const CLOSE_WAIT_MS = 3_000;

const log = getLogger(["source"]);

/** Component name reported in `/health`. */
export const COMPONENT = "stellar-arrow-source";
/** Component version reported in `/health`. */
export const VERSION = "0.1.0";

/** A running source. */
export interface RunningSource {
  /** Bound Flight port. */
  flightPort: number;
  /** Bound health port. */
  healthPort: number;
  /** Shared state. */
  status: SourceStatus;
  /** Metrics. */
  metrics: SourceMetrics;
  /** The source. */
  source: LedgerSource;
  /** Stops everything. */
  close(): Promise<void>;
}

/**
 * Units decoded ahead of each client when READ_AHEAD is unset: 2 per worker, at least 4 (with one
 * worker, 2 left the transport waiting for decodes in the benchmark).
 */
export function defaultReadAhead(workers: number): number {
  return Math.max(4, 2 * workers);
}

/** Options of {@linkcode startSource} besides the config. */
export interface StartOptions {
  /** Environment for lake credentials (AWS_*); default `Deno.env.toObject()`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Interval of the background store check in ms; default max(POLL_INTERVAL, 5 s). */
  checkIntervalMs?: number;
  /** Remote store/RPC retry settings (tests shorten them). */
  retry?: { attempts?: number; backoffMs?: number; timeoutMs?: number };
}

/** Builds the ledger source of a config. */
export function sourceFor(config: SourceConfig, options: StartOptions = {}): LedgerSource {
  const env = { ...(options.env ?? Deno.env.toObject()) };
  if (config.s3EndpointUrl) env.S3_ENDPOINT_URL = config.s3EndpointUrl;
  if (config.sourceType === "rpc") {
    return new RpcSource({
      url: config.rpcUrl!,
      networkPassphrase: config.networkPassphrase,
      pageLimit: config.rpcPageLimit,
      ...options.retry,
    });
  }
  return new LakeSource({
    url: config.datalakeUrl,
    env,
    networkPassphrase: config.networkPassphrase,
    remote: options.retry,
  });
}

function transferables(req: DecodeRequest): Transferable[] {
  // Buffers of messages already sent, for the worker to reuse.
  const out: Transferable[] = [...(req.encode?.recycle ?? [])];
  if (req.kind !== "lake") return out;
  const b = req.bytes;
  // Only move a buffer the request owns entirely (no other views into it).
  if (b && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) {
    out.push(b.buffer as ArrayBuffer);
  }
  return out;
}

/**
 * Starts the service. Rejects on a startup error that retrying cannot fix (a passphrase
 * mismatch, a malformed manifest, a bad URL); a store that is merely unreachable is logged and
 * retried in the background while the service reports `unhealthy`.
 */
export async function startSource(
  config: SourceConfig,
  options: StartOptions = {},
): Promise<RunningSource> {
  const source = sourceFor(config, options);
  const status = new SourceStatus({
    sourceType: source.type,
    sourceUrl: source.url,
    workers: config.workers,
  });
  const metrics = createSourceMetrics();

  const check = async () => {
    try {
      status.networkPassphrase = await source.networkPassphrase();
      status.storeOk(await source.availableRange());
    } catch (err) {
      metrics.errorCount.inc();
      if (err instanceof SourceError && err.kind === "failed_precondition") {
        status.configFailed(err);
        throw err;
      }
      status.storeFailed(err);
      log.warn("store check of {url} failed: {message}", {
        url: source.url,
        message: errorMessage(err),
      });
    }
  };
  // At startup a configuration error (passphrase mismatch, bad manifest) stops the service; later
  // (when the store was down at startup) it makes /health unhealthy and DoGet FAILED_PRECONDITION.
  await check();
  log.info("source {type} {url}: network {passphrase}, available range {range}", {
    type: source.type,
    url: source.url,
    passphrase: status.networkPassphrase ?? "(unknown yet)",
    range: status.availableRange
      ? `${status.availableRange.start}-${status.availableRange.end}`
      : status.rangeUnknown
      ? "(unknown: the store refuses listings; ranges are read by name)"
      : "(none)",
  });

  const pool = new WorkerPool<DecodeRequest, DecodeResult>({
    url: new URL("./worker.ts", import.meta.url),
    size: config.workers,
    name: "source-decode",
  });
  const decode: DecodeFn = (req) => pool.run(req, transferables(req));
  const handlers = createFlightHandlers({
    source,
    decode,
    readAhead: config.readAhead ?? defaultReadAhead(config.workers),
    pollIntervalMs: config.pollInterval,
    status,
    metrics,
  });
  const flight = new FlightServer(handlers, { name: "source" });
  let flightPort: number;
  try {
    flightPort = await flight.listen({ host: config.flightHost, port: config.flightPort });
  } catch (err) {
    pool.close();
    throw err;
  }
  let flowctl: Controller | undefined = undefined; // set once registered; read by /health
  let health: ReturnType<typeof startHealthServer>;
  try {
    health = startHealthServer({
      port: config.healthPort,
      component: COMPONENT,
      version: VERSION,
      registry: metrics.registry,
      check: () => {
        const report = status.health();
        const fc = flowctl?.status();
        const reason = fc ? flowctlHealthReason(fc) : null;
        return {
          ...report,
          reasons: reason ? [...(report.reasons ?? []), reason] : report.reasons,
          details: { ...report.details, flowctl: fc },
        };
      },
    });
  } catch (err) {
    // e.g. HEALTH_PORT in use: release what was started, then report.
    await flight.close();
    pool.close();
    throw err;
  }
  // Registers with the control plane when ENABLE_FLOWCTL is set; bounded, never throws.
  const fcConfig = flowctlConfigFrom(config);
  flowctl = await attachFlowctl({
    config: fcConfig,
    service: sourceServiceDescription({
      advertiseHost: fcConfig.advertiseHost,
      flightPort,
      healthPort: health.port,
      bufferSize: config.readAhead ?? defaultReadAhead(config.workers),
      network: status.networkPassphrase ?? "",
      storageType: source.type,
      backendType: source.type === "rpc"
        ? "rpc"
        : new URL(source.url, "file:///").protocol.replace(":", ""),
      componentId: fcConfig.componentId,
      version: VERSION,
    }),
    registry: metrics.registry,
    health: () => status.health().status,
  });
  const interval = options.checkIntervalMs ?? Math.max(config.pollInterval, 5000);
  let checking: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (checking) return;
    checking = check().catch(() => {/* recorded by check() */}).finally(() => {
      checking = undefined;
    });
  }, interval);
  log.info("Flight on {host}:{port}, health on :{health}, {workers} workers", {
    host: config.flightHost,
    port: flightPort,
    health: health.port,
    workers: config.workers,
  });
  return {
    flightPort,
    healthPort: health.port,
    status,
    metrics,
    source,
    async close() {
      await flowctl?.stop();
      clearInterval(timer);
      await flight.close();
      // Work still in flight (a store check retrying, a cancelled stream finishing a read or a
      // listing of the lake) gets a moment to end, so nothing of it outlives the service; a store
      // that hangs does not hold the shutdown.
      const until = Date.now() + CLOSE_WAIT_MS;
      while ((checking || status.activeStreams > 0) && Date.now() < until) await delay(10);
      await health.close();
      pool.close();
    },
  };
}
