/**
 * The `ttp_event` schema: one row per Token Transfer Protocol (CAP-67) event. Every output of the
 * project (Flight, Parquet, JSON Lines, CSV, WebSocket, REST) uses these column names.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { column, meta, recordBatch, timestampUsData, uint32Data, utf8Data } from "./columns.ts";
import { timestampUsMillisValues, uint32Values, utf8Values } from "./column_readers.ts";

/** Version written in every row's `schema_version` and in the schema metadata. */
export const TTP_EVENT_SCHEMA_VERSION = "1.0.0";

/** The five TTP event kinds. */
export const TTP_EVENT_TYPES = ["transfer", "mint", "burn", "clawback", "fee"] as const;

/** One TTP event kind. */
export type TtpEventType = typeof TTP_EVENT_TYPES[number];

/** Kinds of destination multiplexing information. */
export type MuxedType = "id" | "text" | "hash";

/** One TTP event, as a row of the `ttp_event` schema. */
export interface TtpEvent {
  /** `%019d-%010d`: TOID (ledger << 32 | tx index << 12 | op index, 0 for fees) and index within it. */
  event_id: string;
  /** Ledger sequence. */
  ledger_sequence: number;
  /** Ledger close time, epoch milliseconds (UTC). */
  closed_at: number;
  /** Transaction hash, lowercase hex (outer hash for fee bumps). */
  tx_hash: string;
  /** 1-based transaction index in apply order. */
  transaction_index: number;
  /** 1-based operation index; null for fee events. */
  operation_index: number | null;
  /** Event kind. */
  event_type: TtpEventType;
  /** Sender / burner / clawed-back holder / fee payer (strkey); null for mints. */
  from_address: string | null;
  /** Recipient (strkey); null for burns, clawbacks and fees. */
  to_address: string | null;
  /** `native` or `CODE:ISSUER`; null for tokens that are not Stellar Asset Contracts. */
  asset: string | null;
  /** Asset code (`XLM` for native), null when `asset` is null. */
  asset_code: string | null;
  /** Asset issuer strkey, null for native and non-SAC tokens. */
  asset_issuer: string | null;
  /** Raw integer amount (i128-safe decimal string); negative for fee refunds. */
  amount: string;
  /** Contract (C...) address of the token: the SAC for classic assets, the emitter otherwise. */
  contract_address: string;
  /** Destination multiplexing kind, when present. */
  to_muxed_type: MuxedType | null;
  /** Destination multiplexing value: id as decimal, text as is, hash as lowercase hex. */
  to_muxed_value: string | null;
  /** {@linkcode TTP_EVENT_SCHEMA_VERSION}. */
  schema_version: string;
}

const utf8 = (name: string, nullable: boolean, description: string) =>
  new arrow.Field(name, new arrow.Utf8(), nullable, meta({ description }));

/** The Arrow schema of `ttp_event`, with field descriptions and schema metadata. */
export const ttpEventSchema: arrow.Schema = new arrow.Schema(
  [
    utf8("event_id", false, "Unique sortable id: 19-digit TOID, dash, 10-digit index in TOID"),
    new arrow.Field(
      "ledger_sequence",
      new arrow.Uint32(),
      false,
      meta({ description: "Ledger sequence" }),
    ),
    new arrow.Field(
      "closed_at",
      new arrow.TimestampMicrosecond("UTC"),
      false,
      meta({ description: "Ledger close time (UTC)" }),
    ),
    utf8("tx_hash", false, "Transaction hash, lowercase hex (outer hash for fee bumps)"),
    new arrow.Field(
      "transaction_index",
      new arrow.Uint32(),
      false,
      meta({ description: "1-based transaction index in apply order" }),
    ),
    new arrow.Field(
      "operation_index",
      new arrow.Uint32(),
      true,
      meta({ description: "1-based operation index; null for fee events" }),
    ),
    utf8("event_type", false, "transfer | mint | burn | clawback | fee"),
    utf8("from_address", true, "Sender strkey (G/M/C/L/B); null for mints"),
    utf8("to_address", true, "Recipient strkey; null for burns, clawbacks and fees"),
    utf8("asset", true, "native or CODE:ISSUER; null for non-SAC tokens"),
    utf8("asset_code", true, "Asset code; XLM for native"),
    utf8("asset_issuer", true, "Asset issuer; null for native"),
    utf8("amount", false, "Raw integer amount (i128-safe decimal string), negative for refunds"),
    utf8("contract_address", false, "Token contract address (SAC for classic assets)"),
    utf8("to_muxed_type", true, "id | text | hash"),
    utf8("to_muxed_value", true, "Muxed id (decimal), memo text, or hash (hex)"),
    utf8("schema_version", false, "Schema version of the row"),
  ],
  meta({
    name: "ttp_event",
    version: TTP_EVENT_SCHEMA_VERSION,
    description: "Token Transfer Protocol (CAP-67) events",
    primary_key: "event_id",
  }),
);

/** Builds one RecordBatch of `ttp_event` from events. */
export function eventsToRecordBatch(events: readonly TtpEvent[]): arrow.RecordBatch {
  // One pass with a property read per field (a generic `e[key]` is a slow keyed access).
  const n = events.length;
  const eventId = new Array<string>(n);
  const ledger = new Array<number>(n);
  const closedAt = new Array<number>(n);
  const txHash = new Array<string>(n);
  const txIndex = new Array<number>(n);
  const opIndex = new Array<number | null>(n);
  const eventType = new Array<string>(n);
  const from = new Array<string | null>(n);
  const to = new Array<string | null>(n);
  const asset = new Array<string | null>(n);
  const assetCode = new Array<string | null>(n);
  const assetIssuer = new Array<string | null>(n);
  const amount = new Array<string>(n);
  const contract = new Array<string>(n);
  const muxedType = new Array<string | null>(n);
  const muxedValue = new Array<string | null>(n);
  const version = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const e = events[i];
    eventId[i] = e.event_id;
    ledger[i] = e.ledger_sequence;
    closedAt[i] = e.closed_at;
    txHash[i] = e.tx_hash;
    txIndex[i] = e.transaction_index;
    opIndex[i] = e.operation_index;
    eventType[i] = e.event_type;
    from[i] = e.from_address;
    to[i] = e.to_address;
    asset[i] = e.asset;
    assetCode[i] = e.asset_code;
    assetIssuer[i] = e.asset_issuer;
    amount[i] = e.amount;
    contract[i] = e.contract_address;
    muxedType[i] = e.to_muxed_type;
    muxedValue[i] = e.to_muxed_value;
    version[i] = e.schema_version;
  }
  return recordBatch(ttpEventSchema, [
    utf8Data(eventId),
    uint32Data(ledger),
    timestampUsData(closedAt),
    utf8Data(txHash),
    uint32Data(txIndex),
    uint32Data(opIndex),
    utf8Data(eventType),
    utf8Data(from),
    utf8Data(to),
    utf8Data(asset),
    utf8Data(assetCode),
    utf8Data(assetIssuer),
    utf8Data(amount),
    utf8Data(contract),
    utf8Data(muxedType),
    utf8Data(muxedValue),
    utf8Data(version),
  ]);
}

/**
 * Reads events back from a RecordBatch with the `ttp_event` columns (any column order; extra
 * columns are ignored).
 */
export function recordBatchToEvents(batch: arrow.RecordBatch): TtpEvent[] {
  // Whole columns at once from their buffers (see column_readers.ts), then one object per row.
  const f = ttpEventSchema.fields;
  const s = (i: number) => utf8Values(column(batch, f[i].name));
  const u = (i: number) => uint32Values(column(batch, f[i].name));
  const eventId = s(0);
  const ledger = u(1);
  const closedAt = timestampUsMillisValues(column(batch, f[2].name));
  const txHash = s(3);
  const txIndex = u(4);
  const opIndex = u(5);
  const type = s(6);
  const from = s(7);
  const to = s(8);
  const asset = s(9);
  const code = s(10);
  const issuer = s(11);
  const amount = s(12);
  const contract = s(13);
  const muxedType = s(14);
  const muxedValue = s(15);
  const version = s(16);
  const n = batch.numRows;
  const out: TtpEvent[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      event_id: eventId[i] as string,
      ledger_sequence: ledger[i] as number,
      closed_at: closedAt[i] ?? 0,
      tx_hash: txHash[i] as string,
      transaction_index: txIndex[i] as number,
      operation_index: opIndex[i],
      event_type: type[i] as TtpEventType,
      from_address: from[i],
      to_address: to[i],
      asset: asset[i],
      asset_code: code[i],
      asset_issuer: issuer[i],
      amount: amount[i] as string,
      contract_address: contract[i] as string,
      to_muxed_type: muxedType[i] as MuxedType | null,
      to_muxed_value: muxedValue[i],
      schema_version: version[i] as string,
    };
  }
  return out;
}

/** The JSON form of an event (JSON Lines, WebSocket, REST): `closed_at` as RFC 3339 UTC. */
export type TtpEventJson = Omit<TtpEvent, "closed_at"> & { closed_at: string };

/** `closed_at` (epoch milliseconds) in the JSON form: RFC 3339 UTC, no `.000` for whole seconds. */
export function closedAtText(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** Converts an event to its JSON form (column names unchanged, `closed_at` as RFC 3339 UTC). */
export function eventToJson(event: TtpEvent): TtpEventJson {
  return { ...event, closed_at: closedAtText(event.closed_at) };
}

/** Parses the JSON form back to an event, checking the fields that need conversion. */
export function eventFromJson(json: TtpEventJson): TtpEvent {
  const closedAt = Date.parse(json.closed_at);
  if (Number.isNaN(closedAt)) {
    throw new RangeError(`Expected closed_at as RFC 3339, got ${JSON.stringify(json.closed_at)}`);
  }
  return { ...json, closed_at: closedAt };
}
