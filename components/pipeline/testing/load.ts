/**
 * Load run on the real pipeline (pubnet-p26): many Arrow Flight clients on the processor, each
 * streaming the 20-ledger range over and over, plus many WebSocket subscribers on the sink
 * (connected before the sink streams), while the RSS of every process is sampled. Used by
 * `load_test.ts` (short) and `scripts/load_run.ts` (one minute, prints a report).
 *
 * @module
 */
import { FlightClient } from "../../../shared/flight/mod.ts";
import { digestEvents, expectedEvents, PUBNET_P26 } from "./events.ts";
import { TestPipeline, until } from "./harness.ts";
import { RssSampler, type RssSeries } from "./rss.ts";
import { subscribe, type Subscriber } from "./ws.ts";

/** Options of {@linkcode runLoad}. */
export interface LoadOptions {
  /** Concurrent Flight clients on the processor. */
  flightClients: number;
  /** WebSocket subscribers on the sink. */
  wsClients: number;
  /** How long the Flight clients keep starting passes. */
  durationMs: number;
  /** Web Workers per component (default 2). */
  workers?: number;
  /** RSS sample interval (default 500 ms). */
  sampleMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** One Flight client's run. */
export interface FlightClientResult {
  /** Full passes over the range, each with exactly the expected number of events. */
  passes: number;
  /** Passes that returned a different number of events. */
  wrongPasses: number;
  /** Time from the start of the load to the end of each pass (ms). */
  passEndsMs: number[];
  /** Errors (a failed stream ends the client). */
  errors: string[];
}

/** One WebSocket subscriber's run. */
export interface WsClientResult {
  /** Events received. */
  events: number;
  /** Whether the per-kind counts equal the expected ones. */
  complete: boolean;
  /** Close code if the server closed it. */
  closeCode?: number;
}

/** What {@linkcode runLoad} measured. */
export interface LoadReport {
  /** Wall time of the load phase (ms). */
  elapsedMs: number;
  /** Events in one pass / in the sink's dataset. */
  expectedEvents: number;
  /** Per Flight client. */
  flight: FlightClientResult[];
  /** Per WebSocket client. */
  ws: WsClientResult[];
  /** RSS per process (`control-plane`, `source`, `processor`, `sink`). */
  rss: Record<string, RssSeries>;
  /** Events per second delivered to the Flight clients in total. */
  flightEventsPerSecond: number;
  /** Whether the sink stored the whole range. */
  sinkStoredAll: boolean;
}

/** Longest one pass over the range may take (a pass takes about a second under the load). */
const PASS_TIMEOUT_MS = 60_000;

async function flightLoop(
  endpoint: string,
  ticket: string,
  expected: number,
  startedAt: number,
  endAt: number,
): Promise<FlightClientResult> {
  const result: FlightClientResult = { passes: 0, wrongPasses: 0, passEndsMs: [], errors: [] };
  const client = new FlightClient(endpoint);
  try {
    while (Date.now() < endAt) {
      let rows = 0;
      // A stalled pass fails the client (DEADLINE_EXCEEDED) instead of hanging the run.
      for await (const batch of client.doGet(ticket, { timeoutMs: PASS_TIMEOUT_MS })) {
        rows += batch.numRows;
      }
      result.passEndsMs.push(Date.now() - startedAt);
      if (rows === expected) result.passes++;
      else result.wrongPasses++;
    }
  } catch (error) {
    result.errors.push(error instanceof Error ? error.message : String(error));
  } finally {
    client.close();
  }
  return result;
}

/** Runs the load; see the module doc. Cleans up its processes and folders. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {});
  const expected = digestEvents(expectedEvents(PUBNET_P26.lake));
  const dataDir = await Deno.makeTempDir({ prefix: "pipeline-load-" });
  const pipeline = new TestPipeline({
    datalakeUrl: PUBNET_P26.lake,
    dataDir,
    startLedger: PUBNET_P26.first,
    endLedger: PUBNET_P26.last,
    workers: options.workers ?? 2,
    logLevel: "warning",
  });
  const subscribers: Subscriber[] = [];
  try {
    await pipeline.start("control-plane");
    await pipeline.start("source");
    await pipeline.start("sink"); // waits (degraded) for the processor
    for (let i = 0; i < options.wsClients; i++) subscribers.push(await subscribe(pipeline.ws));
    log(`${subscribers.length} WebSocket subscribers connected`);
    await pipeline.start("processor");
    const sampler = new RssSampler({
      "control-plane": pipeline.pid("control-plane"),
      source: pipeline.pid("source"),
      processor: pipeline.pid("processor"),
      sink: pipeline.pid("sink"),
    }, options.sampleMs ?? 500);

    const startedAt = Date.now();
    const endAt = startedAt + options.durationMs;
    const endpoint = `127.0.0.1:${pipeline.ports.processorFlight}`;
    const ticket = `ttp_events:${PUBNET_P26.first}:${PUBNET_P26.last}`;
    const progress = setInterval(() => {
      const done = subscribers.filter((s) => s.ids.length >= expected.total).length;
      log(
        `${
          ((Date.now() - startedAt) / 1000).toFixed(0)
        } s: WebSocket subscribers complete ${done}/${subscribers.length}`,
      );
    }, 10_000);
    const flight = await Promise.all(
      Array.from(
        { length: options.flightClients },
        () => flightLoop(endpoint, ticket, expected.total, startedAt, endAt),
      ),
    );
    const elapsedMs = Date.now() - startedAt;
    clearInterval(progress);
    const rss = sampler.stop();
    // The sink's own stream competes with the load: give it and the live feed time to finish.
    const stats = await pipeline.waitStored(PUBNET_P26.last, 30_000).catch(() => undefined);
    await until(
      "every subscriber to have every event",
      10_000,
      () =>
        subscribers.every((s) => s.ids.length >= expected.total || s.closeCode !== undefined)
          ? true
          : undefined,
    ).catch(() => {});
    const ws = subscribers.map((s): WsClientResult => ({
      events: s.ids.length,
      complete: s.ids.length === expected.total &&
        Object.entries(expected.byType).every(([kind, n]) => s.byType[kind] === n),
      closeCode: s.closeCode,
    }));
    const passes = flight.reduce((a, f) => a + f.passes, 0);
    return {
      elapsedMs,
      expectedEvents: expected.total,
      flight,
      ws,
      rss,
      flightEventsPerSecond: passes * expected.total / (elapsedMs / 1000),
      sinkStoredAll: stats?.last_ledger === PUBNET_P26.last &&
        stats?.events_total === expected.total,
    };
  } finally {
    for (const s of subscribers) s.close();
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Formats a {@linkcode LoadReport} as text lines. */
export function formatLoadReport(report: LoadReport): string {
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
  const passes = report.flight.map((f) => f.passes);
  const lines = [
    `load phase ${
      (report.elapsedMs / 1000).toFixed(1)
    } s; ${report.expectedEvents} events per pass`,
    `Flight clients: ${report.flight.length}; full passes per client min ${
      Math.min(...passes)
    } / max ${Math.max(...passes)} / total ${passes.reduce((a, b) => a + b, 0)}; wrong passes ${
      report.flight.reduce((a, f) => a + f.wrongPasses, 0)
    }; errors ${report.flight.reduce((a, f) => a + f.errors.length, 0)}; ${
      Math.round(report.flightEventsPerSecond)
    } events/s delivered`,
    `WebSocket clients: ${report.ws.length}; with events ${
      report.ws.filter((w) => w.events > 0).length
    }; complete ${report.ws.filter((w) => w.complete).length}; closed by server ${
      report.ws.filter((w) => w.closeCode !== undefined).length
    } (codes: ${
      JSON.stringify(
        report.ws.reduce<Record<string, number>>((acc, w) => {
          if (w.closeCode !== undefined) acc[w.closeCode] = (acc[w.closeCode] ?? 0) + 1;
          return acc;
        }, {}),
      )
    })`,
    `sink stored the whole range: ${report.sinkStoredAll}`,
    "RSS per process: peak; peaks of each sixth of the run (MiB); samples",
    ...Object.entries(report.rss).map(([name, s]) =>
      `  ${name.padEnd(14)} ${mib(s.peak).padStart(9)}; ${
        s.windowPeaks.map((k) => (k / 1024).toFixed(0)).join(" ")
      }; ${s.samples.length}`
    ),
  ];
  const errors = report.flight.flatMap((f) => f.errors);
  if (errors.length > 0) lines.push(`first error: ${errors[0]}`);
  return lines.join("\n");
}
