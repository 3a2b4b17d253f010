/**
 * One extraction task, as a pure function run inside a Web Worker (see `extract_worker.ts`):
 * a run of consecutive ledgers' `LedgerCloseMeta` XDR in, the filtered `ttp_event` rows out as
 * an Arrow IPC stream of record batches sized by bytes, with per-ledger counts (events by kind
 * before filtering, events kept, verification failures).
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { chunkBySize } from "../../shared/collections/mod.ts";
// The Flight modules themselves, not shared/flight/mod.ts: a worker needs no gRPC client or server.
import { encodeFlightDataFramed } from "../../shared/flight/flight_data_codec.ts";
import { FlightDataEncoder } from "../../shared/flight/ipc.ts";
import {
  eventsToRecordBatch,
  TTP_EVENT_TYPES,
  type TtpEvent,
  ttpEventSchema,
  type TtpEventType,
} from "../../shared/schema/ttp_event.ts";
import {
  extractLedger,
  scanUnifiedLedger,
  type TtpMode,
  TtpVerificationError,
  verifyLedger,
} from "../../shared/ttp/mod.ts";
import { compileFilters, type EventFilters, isEmptyFilters } from "./filters.ts";

/** One ledger of a task. */
export interface TaskLedger {
  /** Ledger sequence (as the source's row says). */
  sequence: number;
  /** The `LedgerCloseMeta` XDR (its own buffer, transferred to the worker). */
  xdr: Uint8Array;
}

/** A run of consecutive ledgers to extract with the same settings. */
export interface ExtractTask {
  /** The ledgers, in sequence order. */
  ledgers: TaskLedger[];
  /** Network passphrase (transaction hashes, SAC addresses). */
  networkPassphrase: string;
  /** TTP extraction mode. */
  mode: TtpMode;
  /** Verify every transaction's events against its balance changes. */
  verify: boolean;
  /** Filters to apply (empty keeps every event). */
  filters: EventFilters;
  /** Target size of one output record batch in bytes. */
  batchBytes: number;
  /**
   * Outputs of at least this many Arrow bytes come back as Flight messages ready to send
   * (`frames`); smaller ones as an IPC stream (`ipc`) the caller may merge with others. 0: always
   * frames. Unset: always IPC.
   */
  framesFromBytes?: number;
}

/** A transaction whose events do not match its balance changes. */
export interface VerificationFailure {
  /** Ledger sequence. */
  ledger: number;
  /** Transaction hash, lowercase hex. */
  txHash: string;
  /** What differed. */
  message: string;
}

/** What a task found in one ledger. */
export interface LedgerReport {
  /** Ledger sequence. */
  sequence: number;
  /** Events extracted, by kind, before filtering. */
  extracted: Record<TtpEventType, number>;
  /** Events that passed the filters. */
  kept: number;
  /** Verification failures (only when verifying). */
  verifyFailures: VerificationFailure[];
  /** Time spent extracting (and verifying) the ledger, in milliseconds. */
  durationMs: number;
}

/** The result of a task. */
export interface ExtractResult {
  /** Arrow IPC stream of `ttp_event` record batches, or `null` (no event kept, or `frames`). */
  ipc: Uint8Array | null;
  /**
   * The kept events as gRPC-framed `FlightData` record batch messages of the `ttp_event` schema
   * (`encodeFlightDataFramed`, each in its own buffer), or `null` (see `framesFromBytes`).
   */
  frames: Uint8Array[] | null;
  /** Record batches in `ipc`, or messages in `frames`. */
  batchCount: number;
  /** One report per ledger, in order. */
  ledgers: LedgerReport[];
}

/** The sequence from a ledger's bytes does not match the row's. */
export class LedgerSequenceError extends Error {
  /** Error name. */
  override name = "LedgerSequenceError";
}

/** An estimate of an event's Arrow size in bytes (string bytes, offsets, fixed columns). */
export function eventBytes(e: TtpEvent): number {
  return 120 + e.event_id.length + e.tx_hash.length + e.event_type.length +
    (e.from_address?.length ?? 0) + (e.to_address?.length ?? 0) + (e.asset?.length ?? 0) +
    (e.asset_code?.length ?? 0) + (e.asset_issuer?.length ?? 0) + e.amount.length +
    e.contract_address.length + (e.to_muxed_type?.length ?? 0) + (e.to_muxed_value?.length ?? 0) +
    e.schema_version.length;
}

/** Splits events, in order, into groups of at most `maxBytes` (estimated; at least one event each). */
export function splitByBytes(events: readonly TtpEvent[], maxBytes: number): TtpEvent[][] {
  return chunkBySize(events, eventBytes, { maxSize: maxBytes });
}

function emptyCounts(): Record<TtpEventType, number> {
  return Object.fromEntries(TTP_EVENT_TYPES.map((t) => [t, 0])) as Record<TtpEventType, number>;
}

function verifyEach(extraction: ReturnType<typeof extractLedger>): VerificationFailure[] {
  const failures: VerificationFailure[] = [];
  extraction.transactions.forEach((tx, i) => {
    try {
      verifyLedger({
        ...extraction,
        transactions: [tx],
        perTransaction: [extraction.perTransaction[i]],
      });
    } catch (error) {
      failures.push({
        ledger: extraction.ledger.sequence,
        txHash: error instanceof TtpVerificationError ? error.txHash : tx.hash,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
  return failures;
}

let flightEncoder: FlightDataEncoder | undefined;

/**
 * Runs a task: extracts each ledger, verifies if asked, filters, and encodes the kept events.
 *
 * @throws the extraction's error (naming ledger and transaction) on bad XDR, and a
 * {@linkcode LedgerSequenceError} when a ledger's XDR is of another sequence than its row says.
 */
export function runExtractTask(task: ExtractTask): ExtractResult {
  const predicate = isEmptyFilters(task.filters) ? undefined : compileFilters(task.filters);
  const kept: TtpEvent[] = [];
  const reports: LedgerReport[] = [];
  const opts = { networkPassphrase: task.networkPassphrase, mode: task.mode };
  for (const ledger of task.ledgers) {
    const t0 = performance.now();
    // Verification needs the general path's intermediate results; otherwise the fast path reads
    // every ledger it can (the same rows) and the general path the rest.
    const full = task.verify ? extractLedger(ledger.xdr, opts) : null;
    const extraction = full ?? scanUnifiedLedger(ledger.xdr, opts) ??
      extractLedger(ledger.xdr, opts);
    if (extraction.ledger.sequence !== ledger.sequence) {
      throw new LedgerSequenceError(
        `Expected LedgerCloseMeta of ledger ${ledger.sequence} (the source row's sequence), got ledger ${extraction.ledger.sequence}`,
      );
    }
    const verifyFailures = full ? verifyEach(full) : [];
    const extracted = emptyCounts();
    let keptHere = 0;
    for (const e of extraction.events) {
      extracted[e.event_type]++;
      if (predicate && !predicate(e)) continue;
      kept.push(e);
      keptHere++;
    }
    reports.push({
      sequence: ledger.sequence,
      extracted,
      kept: keptHere,
      verifyFailures,
      durationMs: performance.now() - t0,
    });
  }
  if (kept.length === 0) return { ipc: null, frames: null, batchCount: 0, ledgers: reports };
  const batches = splitByBytes(kept, task.batchBytes).map(eventsToRecordBatch);
  // Measured in Arrow bytes, as the coalescer measures the batches it would merge.
  const bytes = batches.reduce((n, b) => n + b.data.byteLength, 0);
  if (task.framesFromBytes !== undefined && bytes >= task.framesFromBytes) {
    // The server's defaults (message size target and limit), as the processor's server uses them.
    const encoder = flightEncoder ??= new FlightDataEncoder(ttpEventSchema);
    const frames = batches.flatMap((b) => encoder.encode(b).map((f) => encodeFlightDataFramed(f)));
    return { ipc: null, frames, batchCount: frames.length, ledgers: reports };
  }
  const ipc = arrow.RecordBatchStreamWriter.writeAll(batches).toUint8Array(true);
  return { ipc, frames: null, batchCount: batches.length, ledgers: reports };
}

/** The buffers of a result to transfer back from the worker. */
export function resultTransfer(result: ExtractResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  if (result.ipc) out.push(result.ipc.buffer as ArrayBuffer);
  for (const f of result.frames ?? []) out.push(f.buffer as ArrayBuffer);
  return out;
}

/** Reads the record batches of a task's IPC stream (zero-copy over `ipc`). */
export function batchesOfResult(result: ExtractResult): arrow.RecordBatch[] {
  if (!result.ipc) return [];
  return arrow.tableFromIPC(result.ipc).batches;
}
