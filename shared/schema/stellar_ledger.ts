/**
 * The `stellar_ledger` schema: one row per ledger, with summary fields and the raw
 * LedgerCloseMeta XDR, as served by stellar-arrow-source.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import {
  binaryData,
  column,
  fixedBinaryData,
  int64Data,
  meta,
  recordBatch,
  timestampUsData,
  uint32Data,
  utf8Data,
} from "./columns.ts";

/** Version written in every row's `schema_version` and in the schema metadata. */
export const STELLAR_LEDGER_SCHEMA_VERSION = "1.0.0";

/** Where a ledger row came from. */
export type LedgerSourceType = "datalake" | "rpc";

/** One ledger, as a row of the `stellar_ledger` schema. */
export interface StellarLedgerRow {
  /** Ledger sequence number. */
  sequence: number;
  /** sha256 of the XDR LedgerHeader (32 bytes), checked against the hash the meta stores. */
  hash: Uint8Array;
  /** Hash of the previous ledger (32 bytes). */
  previous_hash: Uint8Array;
  /** Close time, epoch milliseconds. */
  close_time: number;
  /** When the source read the ledger, epoch milliseconds. */
  ingestion_time: number;
  /** Protocol version of the ledger header. */
  protocol_version: number;
  /** sha256 of the network passphrase (32 bytes). */
  network_id: Uint8Array;
  /** Transactions in the ledger. */
  transaction_count: number;
  /** Transactions that succeeded. */
  successful_transaction_count: number;
  /** Transactions that failed. */
  failed_transaction_count: number;
  /** Operations in all transactions of the set, failed ones included. */
  operation_count: number;
  /** Sum of feeCharged over the ledger's transactions, stroops. */
  total_fees: bigint;
  /** Fee pool of the header, stroops. */
  fee_pool: bigint;
  /** Base fee, stroops. */
  base_fee: number;
  /** Base reserve, stroops. */
  base_reserve: number;
  /** Maximum transaction set size. */
  max_tx_set_size: number;
  /** The raw XDR LedgerCloseMeta. */
  ledger_xdr: Uint8Array;
  /** `datalake` or `rpc`. */
  source_type: LedgerSourceType;
  /** The object or endpoint the ledger was read from. */
  source_url: string | null;
  /** {@linkcode STELLAR_LEDGER_SCHEMA_VERSION}. */
  schema_version: string;
}

const u32 = (name: string, description: string) =>
  new arrow.Field(name, new arrow.Uint32(), false, meta({ description }));
const hash32 = (name: string, description: string) =>
  new arrow.Field(
    name,
    new arrow.FixedSizeBinary(32),
    false,
    meta({ description, encoding: "hex" }),
  );
const ts = (name: string, description: string) =>
  new arrow.Field(name, new arrow.TimestampMicrosecond("UTC"), false, meta({ description }));

/** The Arrow schema of `stellar_ledger`. */
export const stellarLedgerSchema: arrow.Schema = new arrow.Schema(
  [
    u32("sequence", "Ledger sequence number"),
    hash32("hash", "Ledger hash: sha256 of the XDR LedgerHeader"),
    hash32("previous_hash", "Previous ledger hash"),
    ts("close_time", "Ledger close time (UTC)"),
    ts("ingestion_time", "When the source read the ledger (UTC)"),
    u32("protocol_version", "Stellar protocol version"),
    hash32("network_id", "sha256 of the network passphrase"),
    u32("transaction_count", "Transactions in the ledger"),
    u32("successful_transaction_count", "Successful transactions"),
    u32("failed_transaction_count", "Failed transactions"),
    u32("operation_count", "Operations in all transactions of the set, failed included"),
    new arrow.Field(
      "total_fees",
      new arrow.Int64(),
      false,
      meta({ description: "Sum of feeCharged (stroops)" }),
    ),
    new arrow.Field(
      "fee_pool",
      new arrow.Int64(),
      false,
      meta({ description: "Fee pool (stroops)" }),
    ),
    u32("base_fee", "Base fee (stroops)"),
    u32("base_reserve", "Base reserve (stroops)"),
    u32("max_tx_set_size", "Maximum transaction set size"),
    new arrow.Field(
      "ledger_xdr",
      new arrow.Binary(),
      false,
      meta({ description: "Raw XDR LedgerCloseMeta" }),
    ),
    new arrow.Field(
      "source_type",
      new arrow.Utf8(),
      false,
      meta({ description: "datalake | rpc" }),
    ),
    new arrow.Field(
      "source_url",
      new arrow.Utf8(),
      true,
      meta({ description: "Object or endpoint read" }),
    ),
    new arrow.Field(
      "schema_version",
      new arrow.Utf8(),
      false,
      meta({ description: "Schema version" }),
    ),
  ],
  meta({
    name: "stellar_ledger",
    version: STELLAR_LEDGER_SCHEMA_VERSION,
    description: "Stellar ledgers with summary fields and raw LedgerCloseMeta",
    primary_key: "sequence",
  }),
);

/**
 * Builds one RecordBatch of `stellar_ledger` from rows. A single row's `ledger_xdr` is not copied:
 * the batch refers to the row's bytes.
 */
export function ledgerRowsToRecordBatch(rows: readonly StellarLedgerRow[]): arrow.RecordBatch {
  const pick = <K extends keyof StellarLedgerRow>(key: K) => rows.map((r) => r[key]);
  return recordBatch(stellarLedgerSchema, [
    uint32Data(pick("sequence")),
    fixedBinaryData(32, pick("hash")),
    fixedBinaryData(32, pick("previous_hash")),
    timestampUsData(pick("close_time")),
    timestampUsData(pick("ingestion_time")),
    uint32Data(pick("protocol_version")),
    fixedBinaryData(32, pick("network_id")),
    uint32Data(pick("transaction_count")),
    uint32Data(pick("successful_transaction_count")),
    uint32Data(pick("failed_transaction_count")),
    uint32Data(pick("operation_count")),
    int64Data(pick("total_fees")),
    int64Data(pick("fee_pool")),
    uint32Data(pick("base_fee")),
    uint32Data(pick("base_reserve")),
    uint32Data(pick("max_tx_set_size")),
    binaryData(pick("ledger_xdr")),
    utf8Data(pick("source_type")),
    utf8Data(pick("source_url")),
    utf8Data(pick("schema_version")),
  ]);
}

/**
 * Reads ledger rows back from a RecordBatch with the `stellar_ledger` columns. Binary values
 * are zero-copy views into the batch's buffers.
 */
export function recordBatchToLedgerRows(batch: arrow.RecordBatch): StellarLedgerRow[] {
  const c = Object.fromEntries(
    stellarLedgerSchema.fields.map((f) => [f.name, column(batch, f.name)]),
  );
  const out: StellarLedgerRow[] = new Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    out[i] = {
      sequence: c.sequence.get(i),
      hash: c.hash.get(i),
      previous_hash: c.previous_hash.get(i),
      close_time: Number(c.close_time.get(i)),
      ingestion_time: Number(c.ingestion_time.get(i)),
      protocol_version: c.protocol_version.get(i),
      network_id: c.network_id.get(i),
      transaction_count: c.transaction_count.get(i),
      successful_transaction_count: c.successful_transaction_count.get(i),
      failed_transaction_count: c.failed_transaction_count.get(i),
      operation_count: c.operation_count.get(i),
      total_fees: BigInt(c.total_fees.get(i)),
      fee_pool: BigInt(c.fee_pool.get(i)),
      base_fee: c.base_fee.get(i),
      base_reserve: c.base_reserve.get(i),
      max_tx_set_size: c.max_tx_set_size.get(i),
      ledger_xdr: c.ledger_xdr.get(i),
      source_type: c.source_type.get(i),
      source_url: c.source_url.get(i) ?? null,
      schema_version: c.schema_version.get(i),
    };
  }
  return out;
}
