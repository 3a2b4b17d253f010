/**
 * The arrow-analytics-sink service: wires input → pipeline → files/checkpoint → WebSocket, REST,
 * Flight, health and metrics. {@linkcode startSink} is used by `main.ts` and by tests.
 *
 * @module
 */
import { FlightClient, FlightServer } from "../../shared/flight/mod.ts";
import { delay } from "../../shared/async/mod.ts";
import {
  attachFlowctl,
  type Controller,
  flowctlHealthReason,
  loadFlowctlConfig,
  sinkServiceDescription,
} from "../../shared/flowctl/mod.ts";
import {
  type HealthReport,
  type HealthServer,
  startHealthServer,
} from "../../shared/health/mod.ts";
import { getLogger } from "../../shared/log/mod.ts";
import { Registry } from "../../shared/metrics/mod.ts";
import { createApiHandler } from "./api/router.ts";
import { type Checkpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { CommitWatch } from "./commit_watch.ts";
import type { SinkConfig } from "./config.ts";
import { createFlightHandlers } from "./flight_service.ts";
import { askOfferedRange, runInput } from "./input.ts";
import { type DataDirLock, lockDataDir } from "./data_lock.ts";
import { type Commit, SinkPipeline } from "./pipeline.ts";
import { EventStore } from "./query/store.ts";
import { removeTempFiles } from "./writers/atomic_file.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";
import { WorkerFileEncoder } from "./writers/file_encoder.ts";
import { FILE_FORMATS } from "./writers/partition.ts";
import { WsHub } from "./ws/hub.ts";

const log = getLogger(["sink"]);

/** Component name in health and logs. */
export const COMPONENT = "arrow-analytics-sink";
/** Component version. */
export const VERSION = "0.1.0";

/** How often the processor's offered range is asked for, to know the tip (ms). */
export const TIP_REFRESH_MS = 5_000;

/** A running sink. */
export interface RunningSink {
  /** Bound ports (useful when configured as 0). */
  ports: { http?: number; flight?: number; health: number };
  /** Metrics registry. */
  metrics: Registry;
  /** Resolves when the input reached END_LEDGER and everything is committed. */
  done: Promise<void>;
  /** The committed checkpoint, if any. */
  checkpoint(): Checkpoint | undefined;
  /** Current health. */
  health(): HealthReport;
  /** Stops everything; buffered complete ledgers are committed first. */
  stop(): Promise<void>;
}

/**
 * Starts the sink: recovers the dataset, opens the servers, then streams from the processor.
 *
 * @throws when the data directory is in use by another sink or cannot be recovered (e.g. files
 * but no checkpoint), or a port cannot be bound.
 */
export async function startSink(config: SinkConfig): Promise<RunningSink> {
  await Deno.mkdir(config.dataDir, { recursive: true });
  const dirLock = config.fileFormats.length > 0 ? await lockDataDir(config.dataDir) : undefined;
  try {
    return await startLocked(config, dirLock);
  } catch (error) {
    dirLock?.release();
    throw error;
  }
}

async function startLocked(
  config: SinkConfig,
  dirLock: DataDirLock | undefined,
): Promise<RunningSink> {
  const abort = new AbortController();
  const metrics = new Registry({ prefix: "analytics_sink_" });
  const m = {
    eventsConsumed: metrics.counter("events_consumed", "Events received from the processor"),
    eventsWritten: metrics.counter("events_written", "Events committed to every file output"),
    eventsByFormat: metrics.counter("events_written_by_format", "Events written per output", [
      "format",
    ]),
    filesWritten: metrics.counter("files_written", "Data files written", ["format"]),
    bytesWritten: metrics.counter("bytes_written", "Data file bytes written", ["format"]),
    apiRequests: metrics.counter("api_requests", "REST requests", ["route", "status"]),
    latency: metrics.histogram("output_latency_ms", "From ledger arrival to commit, ms"),
    apiLatency: metrics.histogram("api_latency_ms", "REST request duration, ms"),
    success: metrics.counter("success_count", "Successful commits"),
    errors: metrics.counter("error_count", "Errors (stream failures, failed flushes)"),
    wsSlow: metrics.counter(
      "websocket_slow_disconnects",
      "WebSocket clients cut off for falling behind",
    ),
  };

  // --- dataset and checkpoint -------------------------------------------------------------
  const fileFormats = config.fileFormats;
  const workers = fileFormats.length > 0 && config.parquetWorkers > 0
    ? new WorkerFileEncoder(config.parquetWorkers)
    : undefined;
  const writer = fileFormats.length > 0
    ? new DatasetWriter({ dataDir: config.dataDir, formats: fileFormats, encode: workers?.encode })
    : undefined;
  const warming = workers?.warmUp(fileFormats).catch((error) =>
    log.warning("Encoding workers did not warm up: {error}", { error: String(error) })
  );
  let checkpoint = writer ? await readCheckpoint(config.dataDir) : undefined;
  if (writer) {
    if (checkpoint) {
      const missing = fileFormats.filter((f) => !checkpoint!.formats.includes(f));
      if (missing.length > 0 && checkpoint.formats.length > 0) {
        log.warning(
          "Output {missing} was not enabled before: its files start at ledger {next}, not {first}",
          {
            missing: missing.join(","),
            next: checkpoint.last_ledger + 1,
            first: checkpoint.first_ledger,
          },
        );
      }
      const report = await writer.recover(checkpoint.last_ledger);
      if (report.tempFiles.length + report.uncommittedFiles.length > 0) {
        log.warning(
          "Recovered to checkpoint {ledger}: removed {temp} temp files and {files} uncommitted files",
          {
            ledger: checkpoint.last_ledger,
            temp: report.tempFiles.length,
            files: report.uncommittedFiles.length,
          },
        );
      }
    } else {
      await removeTempFiles(config.dataDir);
      for (const format of FILE_FORMATS) {
        const files = await writer.list(format);
        if (files.length > 0) {
          throw new Error(
            `${config.dataDir} holds ${format} data files (e.g. ${
              files[0].path
            }) but no checkpoint.json: expected an empty data directory or one with its checkpoint; restore checkpoint.json or move the files away`,
          );
        }
      }
    }
  }
  const committed = new CommitWatch(checkpoint?.last_ledger ?? 0);

  // --- query side ---------------------------------------------------------------------------
  const queryFormat = fileFormats[0];
  const store = writer && queryFormat
    ? await EventStore.open({ format: queryFormat, files: await writer.list(queryFormat) })
    : undefined;
  let tip: number | undefined;
  const range = () => ({
    first_ledger: checkpoint?.first_ledger ?? 1,
    last_ledger: checkpoint?.last_ledger ?? 0,
  });

  const hub = config.outputs.includes("websocket")
    ? new WsHub({
      maxConnections: config.maxWsConnections,
      maxBufferedBytes: config.wsMaxBufferedBytes,
      onSlowClient: () => m.wsSlow.inc(),
      onSent: (n) => m.eventsByFormat.inc(n, { format: "websocket" }),
    })
    : undefined;
  metrics.gauge("websocket_connections", "Connected WebSocket clients", {
    collect: () => hub?.connections ?? 0,
  });
  const api = config.outputs.includes("api") && store
    ? createApiHandler({
      store,
      range,
      tip: () => tip,
      onRequest: (route, status, ms) => {
        m.apiRequests.inc(1, { route, status: String(status) });
        m.apiLatency.observe(ms);
      },
    })
    : undefined;

  let http: Deno.HttpServer<Deno.NetAddr> | undefined;
  if (hub || api) {
    http = Deno.serve(
      { port: config.httpPort, hostname: config.host, onListen: () => {} },
      (request, info) => {
        const url = new URL(request.url);
        if (url.pathname === "/ws" && hub) return hub.handle(request, info.remoteAddr.hostname);
        if ((url.pathname === "/api" || url.pathname.startsWith("/api/")) && api) {
          return api(request);
        }
        return new Response(
          JSON.stringify({
            error: `Unknown path ${url.pathname}; expected ${
              [hub ? "/ws" : "", api ? "/api/..." : ""].filter(Boolean).join(" or ")
            }`,
          }),
          { status: 404, headers: { "content-type": "application/json" } },
        );
      },
    );
  }

  let flight: FlightServer | undefined;
  let flightPort: number | undefined;
  if (store) {
    flight = new FlightServer(
      createFlightHandlers({
        store,
        committed,
        firstLedger: () => range().first_ledger,
        eventsStored: () => checkpoint?.events_written ?? 0,
      }),
      { name: "sink" },
    );
    flightPort = await flight.listen({ host: config.host, port: config.flightPort });
  }

  // --- health -------------------------------------------------------------------------------
  let upstream: { connected: boolean; error?: string } = {
    connected: false,
    error: "not connected yet",
  };
  let fatal: string | undefined;
  let flowctl: Controller | undefined;
  let pipeline: SinkPipeline | undefined;
  let complete = false;
  metrics.gauge("checkpoint_ledger", "Last committed ledger", { collect: () => committed.ledger });
  metrics.gauge("lag_ledgers", "Ledgers behind the processor's tip", {
    collect: () => tip === undefined ? 0 : Math.max(0, tip - committed.ledger),
  });
  metrics.gauge("upstream_connected", "1 while streaming from the processor", {
    collect: () => upstream.connected || complete ? 1 : 0,
  });
  metrics.gauge("buffered_events", "Events waiting for the next commit", {
    collect: () => pipeline?.bufferedRows ?? 0,
  });
  const health = (): HealthReport => {
    const reasons: string[] = [];
    if (fatal) reasons.push(fatal);
    if (!complete && !upstream.connected) {
      reasons.push(
        `processor ${config.processorEndpoint} unavailable: ${upstream.error ?? "unknown"}`,
      );
    }
    const flushError = pipeline?.lastError;
    if (flushError) reasons.push(`last commit failed: ${flushError.message}`);
    const flowctlReason = flowctl ? flowctlHealthReason(flowctl.status()) : null;
    const status = fatal ? "unhealthy" : reasons.length ? "degraded" : "healthy";
    return {
      status,
      reasons: flowctlReason ? [...reasons, flowctlReason] : reasons,
      details: {
        ...(flowctl ? { flowctl: flowctl.status() } : {}),
        checkpoint_ledger: checkpoint?.last_ledger ?? null,
        first_ledger: checkpoint?.first_ledger ?? null,
        tip_ledger: tip ?? null,
        buffered_events: pipeline?.bufferedRows ?? 0,
        websocket_connections: hub?.connections ?? 0,
        outputs: config.outputs,
        input_complete: complete,
      },
    };
  };
  const healthServer: HealthServer = startHealthServer({
    port: config.healthPort,
    hostname: config.host,
    component: COMPONENT,
    version: VERSION,
    registry: metrics,
    check: health,
  });

  {
    // Always attached (inert when disabled) so that /health and /metrics show the flowctl state.
    const fc = config.flowctl ?? loadFlowctlConfig({});
    flowctl = await attachFlowctl({
      config: fc,
      service: sinkServiceDescription({
        advertiseHost: fc.advertiseHost,
        flightPort: flightPort ?? 0,
        healthPort: healthServer.port,
        bufferSize: config.parquetMaxRows,
        componentId: fc.componentId,
        version: VERSION,
        outputFormats: config.outputs,
        storagePaths: Object.fromEntries(fileFormats.map((f) => [f, `${config.dataDir}/${f}`])),
        websocket: hub && http ? { port: http.addr.port, path: "/ws" } : undefined,
        api: api && http ? { port: http.addr.port, path: "/api" } : undefined,
        extraMetadata: { processor_endpoint: config.processorEndpoint },
      }),
      registry: metrics,
      totals: ["events_written_by_format", "files_written", "bytes_written", "api_requests"],
      health: () => health().status,
    });
  }

  // --- input and pipeline -------------------------------------------------------------------
  const onCommit = (c: Commit) => {
    checkpoint = pipeline!.checkpoint as Checkpoint;
    // Events are read from the Arrow batches only for whoever needs them.
    store?.addCommit(c.files, store.needsEvents ? c.events : []);
    committed.advance(c.toLedger);
    m.eventsWritten.inc(c.eventCount);
    m.success.inc();
    m.latency.observe(c.latencyMs);
    for (const f of c.files) {
      m.filesWritten.inc(1, { format: f.format });
      m.bytesWritten.inc(f.bytes ?? 0, { format: f.format });
      m.eventsByFormat.inc(f.rows ?? 0, { format: f.format });
    }
    if (hub && hub.connections > 0) void hub.publish(c.events);
  };

  async function resolveStart(): Promise<number | undefined> {
    if (checkpoint) return checkpoint.last_ledger + 1;
    if (config.startLedger !== undefined) return config.startLedger;
    for (let attempt = 0; !abort.signal.aborted; attempt++) {
      // A fresh channel per attempt: grpc-js would otherwise add its own reconnect backoff.
      const client = new FlightClient(config.processorEndpoint);
      try {
        const offered = await askOfferedRange(client, abort.signal);
        if (offered.first !== undefined) {
          if (offered.last !== undefined) tip = offered.last;
          return offered.first;
        }
        upstream = {
          connected: false,
          error: 'GetFlightInfo ["ttp_events"] named no first ledger',
        };
      } catch (error) {
        upstream = { connected: false, error: `GetFlightInfo failed: ${(error as Error).message}` };
      } finally {
        client.close();
      }
      m.errors.inc();
      await delay(Math.min(5_000, 250 * 2 ** attempt), abort.signal).catch(() => {}); // an abort ends the wait
    }
    return undefined;
  }

  const done = (async () => {
    const start = await resolveStart();
    if (start === undefined) return;
    if (!checkpoint && writer) {
      checkpoint = {
        last_ledger: start - 1,
        first_ledger: start,
        formats: [...fileFormats],
        events_written: 0,
        updated_at: new Date().toISOString(),
      };
      await writeCheckpoint(config.dataDir, checkpoint);
    }
    const base: Checkpoint = checkpoint ?? {
      last_ledger: start - 1,
      first_ledger: start,
      formats: [],
      events_written: 0,
      updated_at: "",
    };
    committed.advance(base.last_ledger);
    if (config.startLedger !== undefined && checkpoint && config.startLedger !== start) {
      log.info(
        "Resuming at ledger {start} from the checkpoint (START_LEDGER {configured} ignored)",
        {
          start,
          configured: config.startLedger,
        },
      );
    }
    pipeline = new SinkPipeline({
      dataDir: config.dataDir,
      writer,
      checkpoint: base,
      maxRows: config.parquetMaxRows,
      flushIntervalMs: config.flushIntervalMs,
      onCommit,
      onError: () => m.errors.inc(),
    });
    pipeline.start();
    if (config.endLedger !== undefined && start > config.endLedger) {
      complete = true;
      log.info("Nothing to do: the checkpoint is at {ledger}, END_LEDGER is {end}", {
        ledger: base.last_ledger,
        end: config.endLedger,
      });
      return;
    }
    // Stream once the encoders are compiled and warm (started with the sink, so mostly done by
    // now): the first commits then cost what later ones do.
    await warming;
    log.info("Streaming ledgers {start}-{end} from {endpoint}", {
      start,
      end: config.endLedger ?? "tip",
      endpoint: config.processorEndpoint,
    });
    const p = pipeline;
    // The processor's offered range tells how far the network is: refresh it for lag_ledgers.
    const tipTimer = setInterval(async () => {
      const client = new FlightClient(config.processorEndpoint);
      try {
        const offered = await askOfferedRange(client, abort.signal);
        if (offered.last !== undefined && (tip === undefined || offered.last > tip)) {
          tip = offered.last;
        }
      } catch {
        // the input reports upstream trouble
      } finally {
        client.close();
      }
    }, TIP_REFRESH_MS);
    abort.signal.addEventListener("abort", () => clearInterval(tipTimer), { once: true });
    const through = await runInput({
      endpoint: config.processorEndpoint,
      start,
      end: config.endLedger,
      filters: config.filters,
      signal: abort.signal,
      deliver: (blocks, completeThrough) => p.add(blocks, completeThrough),
      onConnected: (connected, error) => {
        upstream = { connected, error: error?.message };
        if (error) m.errors.inc();
      },
      onEvents: (n) => m.eventsConsumed.inc(n),
      onTip: (ledger) => {
        if (tip === undefined || ledger > tip) tip = ledger;
      },
    });
    clearInterval(tipTimer);
    if (config.endLedger !== undefined && through >= config.endLedger) {
      for (;;) {
        try {
          await p.flush();
          break;
        } catch {
          if (abort.signal.aborted) return;
          await delay(config.flushIntervalMs, abort.signal).catch(() => {}); // an abort ends the wait
        }
      }
      complete = true;
      log.info("Committed every ledger through {end}", { end: config.endLedger });
    }
  })().catch((error) => {
    fatal = `input failed: ${error instanceof Error ? error.message : String(error)}`;
    log.error("{fatal}", { fatal });
    throw error;
  });
  done.catch(() => {});

  return {
    ports: { http: http?.addr.port, flight: flightPort, health: healthServer.port },
    metrics,
    done,
    checkpoint: () => checkpoint,
    health,
    async stop() {
      abort.abort(new Error("sink stopping"));
      await done.catch(() => {});
      await pipeline?.close().catch((error) =>
        log.error("Final commit failed: {error}", { error: String(error) })
      );
      await hub?.close();
      await http?.shutdown();
      await flight?.close();
      await flowctl?.stop();
      await healthServer.close();
      workers?.close();
      store?.close();
      dirLock?.release();
    },
  };
}
