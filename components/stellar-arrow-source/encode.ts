/**
 * Ledgers as `stellar_ledger` rows and Flight messages: {@linkcode toRows},
 * {@linkcode splitByBytes}, and {@linkcode encodeLedgers}, which builds the record batches of a
 * decoded unit and encodes them as gRPC-framed FlightData in the decode worker, so that the main
 * thread only writes finished messages. The bytes are those the Flight server would send for the
 * same batches (same `FlightDataEncoder`, same protobuf writer).
 *
 * @module
 */
import { encodeFlightDataFramed } from "../../shared/flight/flight_data_codec.ts";
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

/**
 * Keeps the ledgers of `ledgers` within the request's range and encodes them: rows (ingestion
 * time now), record batches of at most `batchBytes` of XDR, FlightData messages (a batch above the
 * Flight target size is split like the server splits it). Each batch's messages go on its last
 * ledger (`encoded`); every returned ledger's `xdr` is emptied, the bytes being in the messages.
 *
 * @throws {FlightError} `RESOURCE_EXHAUSTED` when one ledger encodes above the Flight limit.
 */
export function encodeLedgers(
  ledgers: readonly DecodedLedger[],
  req: EncodeRequest,
): DecodedLedger[] {
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
    const messages = encoder.encode(ledgerRowsToRecordBatch(part)).map(encodeFlightDataFramed);
    at += part.length;
    kept[at - 1].encoded = { messages, ledgers: part.length, xdrBytes };
  }
  for (const l of kept) l.xdr = EMPTY;
  return kept;
}
