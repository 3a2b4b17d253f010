import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import {
  eventFromJson,
  eventsToRecordBatch,
  eventToJson,
  ledgerRowsToRecordBatch,
  recordBatchToEvents,
  recordBatchToLedgerRows,
  STELLAR_LEDGER_SCHEMA_VERSION,
  type StellarLedgerRow,
  stellarLedgerSchema,
  TTP_EVENT_SCHEMA_VERSION,
  type TtpEvent,
  ttpEventSchema,
} from "./mod.ts";

function roundTripIpc(batch: arrow.RecordBatch): arrow.RecordBatch {
  const bytes = arrow.tableToIPC(new arrow.Table([batch]), "stream");
  const table = arrow.tableFromIPC(bytes);
  assert.equal(table.batches.length, 1);
  return table.batches[0];
}

const events: TtpEvent[] = [
  {
    event_id: "0270988095627628544-0000000000",
    ledger_sequence: 63092982,
    closed_at: Date.UTC(2025, 0, 2, 3, 4, 5),
    tx_hash: "ab".repeat(32),
    transaction_index: 1,
    operation_index: null,
    event_type: "fee",
    from_address: "GA" + "A".repeat(54),
    to_address: null,
    asset: "native",
    asset_code: "XLM",
    asset_issuer: null,
    amount: "-170141183460469231731687303715884105728",
    contract_address: "CA" + "S".repeat(54),
    to_muxed_type: null,
    to_muxed_value: null,
    schema_version: TTP_EVENT_SCHEMA_VERSION,
  },
  {
    event_id: "0270988095627632641-0000000001",
    ledger_sequence: 63092982,
    closed_at: Date.UTC(2025, 0, 2, 3, 4, 5),
    tx_hash: "cd".repeat(32),
    transaction_index: 2,
    operation_index: 1,
    event_type: "transfer",
    from_address: "GB" + "B".repeat(54),
    to_address: "GC" + "C".repeat(54),
    asset: "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
    asset_code: "USDC",
    asset_issuer: "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
    amount: "1000000",
    contract_address: "CC" + "D".repeat(54),
    to_muxed_type: "text",
    to_muxed_value: 'héllo, "memo"',
    schema_version: TTP_EVENT_SCHEMA_VERSION,
  },
];

Deno.test("ttp_event rows survive Arrow IPC with their types", () => {
  const batch = roundTripIpc(eventsToRecordBatch(events));
  assert.deepEqual(recordBatchToEvents(batch), events);
  assert.equal(batch.schema.metadata.get("version"), TTP_EVENT_SCHEMA_VERSION);
  const types = Object.fromEntries(batch.schema.fields.map((f) => [f.name, String(f.type)]));
  assert.equal(types.closed_at, String(new arrow.TimestampMicrosecond("UTC")));
  assert.equal(types.ledger_sequence, "Uint32");
  assert.equal(types.amount, "Utf8");
  assert.equal(batch.schema.fields.length, ttpEventSchema.fields.length);
  assert.equal(batch.getChild("operation_index")?.nullCount, 1);
});

Deno.test("ttp_event JSON form uses RFC 3339 UTC and parses back", () => {
  const json = eventToJson(events[1]);
  assert.equal(json.closed_at, "2025-01-02T03:04:05Z");
  assert.deepEqual(eventFromJson(JSON.parse(JSON.stringify(json))), events[1]);
  assert.throws(
    () => eventFromJson({ ...json, closed_at: "yesterday" }),
    /Expected closed_at as RFC 3339/,
  );
});

Deno.test("stellar_ledger rows survive Arrow IPC, binary columns intact", () => {
  const row = (seq: number, size: number): StellarLedgerRow => ({
    sequence: seq,
    hash: new Uint8Array(32).fill(seq & 0xff),
    previous_hash: new Uint8Array(32).fill(1),
    close_time: 1_700_000_000_000,
    ingestion_time: 1_700_000_100_123,
    protocol_version: 26,
    network_id: new Uint8Array(32).fill(2),
    transaction_count: 5,
    successful_transaction_count: 4,
    failed_transaction_count: 1,
    operation_count: 9,
    total_fees: 9_223_372_036_854_775_807n,
    fee_pool: 123n,
    base_fee: 100,
    base_reserve: 5_000_000,
    max_tx_set_size: 1000,
    ledger_xdr: new Uint8Array(size).map((_, i) => i % 251),
    source_type: "datalake",
    source_url: seq % 2 ? null : `file:///lake/${seq}`,
    schema_version: STELLAR_LEDGER_SCHEMA_VERSION,
  });
  const rows = [row(10, 3000), row(11, 0), row(12, 70_000)];
  const back = recordBatchToLedgerRows(roundTripIpc(ledgerRowsToRecordBatch(rows)));
  assert.deepEqual(back, rows);
  assert.equal(stellarLedgerSchema.fields.length, 20);
  assert.throws(
    () => ledgerRowsToRecordBatch([{ ...rows[0], hash: new Uint8Array(31) }]),
    /Expected 32 bytes at row 0, got 31/,
  );
});

Deno.test("reading a batch without a required column names the column", () => {
  const batch = new arrow.RecordBatch({
    x: arrow.makeData({ type: new arrow.Int32(), length: 0 }),
  });
  assert.throws(
    () => recordBatchToEvents(batch),
    /Expected column "event_id" in batch with columns x/,
  );
});
