/**
 * Ledgers as `stellar_ledger` rows and Flight messages: {@linkcode toRows},
 * {@linkcode splitByBytes}, and {@linkcode encodeLedgers}, which builds the record batches of a
 * decoded unit and encodes them as gRPC-framed FlightData in the decode worker, so that the main
 * thread only writes finished messages. The bytes are those the Flight server would send for the
 * same batches (same `FlightDataEncoder`, same protobuf writer).
 *
 * @module
 */
import {
  encodeFlightDataFramed,
  flightDataEncodedSize,
  GRPC_PREFIX_BYTES,
} from "../../shared/flight/flight_data_codec.ts";
import { FlightDataEncoder } from "../../shared/flight/ipc.ts";
import {
  ledgerRowsToRecordBatch,
  STELLAR_LEDGER_SCHEMA_VERSION,
  type StellarLedgerRow,
  stellarLedgerSchema,
} from "../../shared/schema/mod.ts";
import type { DecodedLedger, EncodeRequest } from "./decode_types.ts";

/** Converts decoded ledgers to `stellar_ledger` rows. */
export function toRows(
  ledgers: readonly DecodedLedger[],
  ctx: { networkId: Uint8Array; sourceType: "datalake" | "rpc"; ingestionTime: number },
): StellarLedgerRow[] {
  return ledgers.map((l) => ({
    sequence: l.sequence,
    hash: l.hash,
    previous_hash: l.previousHash,
    close_time: l.closeTime * 1000,
    ingestion_time: ctx.ingestionTime,
    protocol_version: l.protocolVersion,
    network_id: ctx.networkId,
    transaction_count: l.transactionCount,
    successful_transaction_count: l.successfulTransactionCount,
    failed_transaction_count: l.failedTransactionCount,
    operation_count: l.operationCount,
    total_fees: l.totalFees,
    fee_pool: l.feePool,
    base_fee: l.baseFee,
    base_reserve: l.baseReserve,
    max_tx_set_size: l.maxTxSetSize,
    ledger_xdr: l.xdr,
    source_type: ctx.sourceType,
    source_url: l.object,
    schema_version: STELLAR_LEDGER_SCHEMA_VERSION,
  }));
}

/** Splits rows into groups whose `ledger_xdr` bytes stay within `budget` (at least one row each). */
export function splitByBytes<T extends { ledger_xdr: Uint8Array }>(
  rows: readonly T[],
  budget: number,
): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (current.length > 0 && bytes + row.ledger_xdr.length > budget) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += row.ledger_xdr.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const EMPTY = new Uint8Array(0);
let encoder: FlightDataEncoder | undefined;

/** Most message buffers kept for reuse per thread. */
const POOL_LIMIT = 8;
/** New message buffers are rounded up to this, so a later message of similar size fits. */
const POOL_GRAIN = 256 * 1024;
const pool: ArrayBuffer[] = [];

function recycle(buffers: readonly ArrayBuffer[] | undefined): void {
  for (const b of buffers ?? []) {
    if (pool.length >= POOL_LIMIT) break;
    if (b.byteLength > 0 && !pool.includes(b)) pool.push(b);
  }
}

/** The smallest pooled buffer of at least `size` bytes (taken out of the pool), if any. */
function takeBuffer(size: number): ArrayBuffer | undefined {
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    const n = pool[i].byteLength;
    if (n >= size && (best < 0 || n < pool[best].byteLength)) best = i;
  }
  return best < 0 ? undefined : pool.splice(best, 1)[0];
}

const reserve = (size: number) => Math.ceil(size / POOL_GRAIN) * POOL_GRAIN;

function encodeMessage(frame: Parameters<typeof encodeFlightDataFramed>[0]): Uint8Array {
  const size = flightDataEncodedSize(frame) + GRPC_PREFIX_BYTES;
  return encodeFlightDataFramed(frame, { into: takeBuffer(size), reserve });
}

/**
 * Keeps the ledgers of `ledgers` within the request's range and encodes them: rows (ingestion
 * time now), record batches of at most `batchBytes` of XDR, FlightData messages (a batch above the
 * Flight target size is split like the server splits it). Each batch's messages go on its last
 * ledger (`encoded`); every returned ledger's `xdr` is emptied, the bytes being in the messages.
 * Messages are written into the request's `recycle` buffers where they fit (kept in a small
 * per-thread pool), otherwise into new buffers with some headroom for later reuse.
 *
 * @throws {FlightError} `RESOURCE_EXHAUSTED` when one ledger encodes above the Flight limit.
 */
export function encodeLedgers(
  ledgers: readonly DecodedLedger[],
  req: EncodeRequest,
): DecodedLedger[] {
  recycle(req.recycle);
  const kept = ledgers.filter((l) => l.sequence >= req.start && l.sequence <= req.end);
  const rows = toRows(kept, {
    networkId: req.networkId,
    sourceType: req.sourceType,
    ingestionTime: Date.now(),
  });
  encoder ??= new FlightDataEncoder(stellarLedgerSchema);
  let at = 0;
  for (const part of splitByBytes(rows, req.batchBytes)) {
    let xdrBytes = 0;
    for (const r of part) xdrBytes += r.ledger_xdr.byteLength;
    const messages = encoder.encode(ledgerRowsToRecordBatch(part)).map(encodeMessage);
    at += part.length;
    kept[at - 1].encoded = { messages, ledgers: part.length, xdrBytes };
  }
  for (const l of kept) l.xdr = EMPTY;
  return kept;
}
