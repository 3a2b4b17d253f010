/**
 * The sink's input: a Flight client of the processor. Streams `ttp_events:NEXT:END[?filters]`,
 * assembles complete ledgers and hands them to the pipeline; when the stream breaks it drops the
 * incomplete ledger, waits with backoff and resumes at the first ledger not yet complete, so no
 * event is lost or repeated.
 *
 * @module
 */
import { FlightClient, pathDescriptor } from "../../shared/flight/mod.ts";
import { delay as sleep } from "../../shared/async/mod.ts";
import { backoffDelay } from "../../shared/flowctl/backoff.ts";
import { getLogger } from "../../shared/log/mod.ts";
import type * as arrow from "apache-arrow";
import { recordBatchToEvents, ttpEventSchema } from "../../shared/schema/ttp_event.ts";
import { decodeWatermark } from "../../shared/ttp_stream/mod.ts";
import { LedgerAssembler, type LedgerBlock } from "./ledger_assembler.ts";
import type { EventFilters } from "../../shared/ttp_stream/mod.ts";
import { formatTicket, parseTicket, TTP_EVENTS } from "../../shared/ttp_stream/mod.ts";

const log = getLogger(["sink", "input"]);

/** Filters the processor understands in tickets. */
export const UPSTREAM_FILTERS = ["event_type", "asset", "address", "min_amount"] as const;

const SCHEMA_SHAPE = shape(ttpEventSchema);

function shape(schema: arrow.Schema): string {
  return schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`).join(",");
}

/**
 * True when a batch has exactly the `ttp_event` columns and types, so its Arrow data can be
 * written to Parquet as is (otherwise the writer rebuilds Arrow from the rows).
 */
export function sameSchema(schema: arrow.Schema): boolean {
  if (schema === ttpEventSchema || schema === lastSame) return true;
  if (shape(schema) !== SCHEMA_SHAPE) return false;
  lastSame = schema; // a stream's batches share their schema object
  return true;
}

let lastSame: arrow.Schema | undefined;

/** The ledger range a Flight server offers on `["ttp_events"]`. */
export interface OfferedRange {
  first?: number;
  last?: number;
}

/**
 * Reads the offered range from a FlightInfo: `app_metadata` JSON with `first_ledger` /
 * `last_ledger` (or `start_ledger` / `latest_ledger`), else the first endpoint's ticket
 * `ttp_events:FIRST:LAST`.
 */
export function offeredRange(
  info: { appMetadata?: Uint8Array; endpoints: { ticket: Uint8Array }[] },
): OfferedRange {
  const range: OfferedRange = {};
  if (info.appMetadata && info.appMetadata.length > 0) {
    try {
      const meta = JSON.parse(new TextDecoder().decode(info.appMetadata));
      const first = meta.first_ledger ?? meta.start_ledger;
      const last = meta.last_ledger ?? meta.latest_ledger;
      if (Number.isInteger(first)) range.first = first;
      if (Number.isInteger(last)) range.last = last;
    } catch {
      // not JSON: fall back to the ticket
    }
  }
  const ticket = info.endpoints[0]?.ticket;
  if (ticket && (range.first === undefined || range.last === undefined)) {
    try {
      const parsed = parseTicket(new TextDecoder().decode(ticket));
      range.first ??= parsed.start;
      range.last ??= parsed.end;
    } catch {
      // not a ttp_events ticket
    }
  }
  return range;
}

/** Options of {@linkcode runInput}. */
export interface InputOptions {
  /** Processor Flight endpoint, `host:port`. */
  endpoint: string;
  /** First ledger to read (resume point). */
  start: number;
  /** Last ledger (inclusive); `undefined` follows the tip. */
  end?: number;
  /** Filters passed upstream. */
  filters: EventFilters;
  /** Receives complete ledgers and the complete-through mark; its promise is back-pressure. */
  deliver: (blocks: LedgerBlock[], completeThrough: number) => Promise<void>;
  /** Stops the input. */
  signal: AbortSignal;
  /** Connection state changes (`true` = streaming). */
  onConnected?: (connected: boolean, error?: Error) => void;
  /** Events received. */
  onEvents?: (count: number) => void;
  /** Highest ledger known upstream. */
  onTip?: (ledger: number) => void;
  /** Backoff: first retry delay (ms). Default 250. */
  initialBackoffMs?: number;
  /** Backoff: largest delay (ms). Default 10 000. */
  maxBackoffMs?: number;
}

/** Asks a Flight server which ledgers it offers on `["ttp_events"]`. */
export async function askOfferedRange(
  client: FlightClient,
  signal?: AbortSignal,
): Promise<OfferedRange> {
  const info = await client.getFlightInfo(pathDescriptor(TTP_EVENTS), {
    signal,
    timeoutMs: 10_000,
  });
  return offeredRange(info);
}

/**
 * Streams from the processor until `end` is complete or `signal` aborts; reconnects with backoff.
 *
 * @returns the last complete ledger.
 */
export async function runInput(options: InputOptions): Promise<number> {
  const assembler = new LedgerAssembler(options.start);
  let client = new FlightClient(options.endpoint);
  const { signal } = options;
  let attempt = 0;
  try {
    while (
      !signal.aborted && (options.end === undefined || assembler.completeThrough < options.end)
    ) {
      const ticket = formatTicket(
        { start: assembler.completeThrough + 1, end: options.end, filters: options.filters },
        UPSTREAM_FILTERS,
      );
      let connected = false;
      try {
        const stream = client.doGet(ticket, { signal });
        for await (const batch of stream) {
          if (!connected) {
            connected = true;
            attempt = 0;
            options.onConnected?.(true);
          }
          options.onEvents?.(batch.numRows);
          // A ttp_event batch stays Arrow: blocks keep slices of it and read rows when asked.
          const blocks = batch.numRows === 0
            ? []
            : sameSchema(batch.schema)
            ? assembler.pushBatch(batch)
            : assembler.push(recordBatchToEvents(batch));
          // A watermark: every event through that ledger has been sent, so those ledgers are
          // complete now (a followed tip's last ledger, and ledgers without events).
          const watermark = decodeWatermark(stream.appMetadataOf(batch));
          if (watermark !== undefined) blocks.push(...assembler.completeTo(watermark));
          const top = assembler.openLedger ?? assembler.completeThrough;
          options.onTip?.(top);
          if (blocks.length > 0 || watermark !== undefined) {
            await options.deliver(blocks, assembler.completeThrough);
          }
        }
        if (options.end !== undefined) {
          const blocks = assembler.completeTo(options.end);
          options.onTip?.(options.end);
          await options.deliver(blocks, options.end);
          if (!connected) options.onConnected?.(true);
          log.info("Input complete through ledger {end}", { end: options.end });
          break;
        }
        throw new Error(`the processor ended the stream ${ticket} without an END`);
      } catch (error) {
        if (signal.aborted) break;
        const e = error instanceof Error ? error : new Error(String(error));
        const dropped = assembler.discardOpen();
        options.onConnected?.(false, e);
        const delay = backoffDelay(attempt++, Math.random(), {
          initialMs: options.initialBackoffMs ?? 250,
          maxMs: options.maxBackoffMs ?? 10_000,
        });
        log.warning(
          "Processor stream {endpoint} failed ({error}); incomplete ledger {dropped} dropped, retrying from {next} in {delay} ms",
          {
            endpoint: options.endpoint,
            error: e.message,
            dropped: dropped ?? "none",
            next: assembler.completeThrough + 1,
            delay,
          },
        );
        await sleep(delay, signal).catch(() => {}); // an abort ends the wait
        // A fresh channel: grpc-js would otherwise add its own reconnect backoff to ours.
        client.close();
        client = new FlightClient(options.endpoint);
      }
    }
  } finally {
    client.close();
  }
  return assembler.completeThrough;
}
