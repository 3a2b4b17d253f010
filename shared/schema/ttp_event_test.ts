import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import {
  eventsToRecordBatch,
  recordBatchToEvents,
  type TtpEvent,
  ttpEventSchema,
} from "./ttp_event.ts";

function event(i: number, extra: Partial<TtpEvent> = {}): TtpEvent {
  return {
    event_id: `02709880956276285${String(i).padStart(2, "0")}-0000000000`,
    ledger_sequence: 63092982 + (i >> 2),
    closed_at: Date.UTC(2025, 0, 2, 3, 4, 5) + (i >> 2) * 5000,
    tx_hash: i.toString(16).padStart(64, "0"),
    transaction_index: i + 1,
    operation_index: i % 3 === 0 ? null : i,
    event_type: i % 3 === 0 ? "fee" : "transfer",
    from_address: "GA" + "A".repeat(54),
    to_address: i % 3 === 0 ? null : "GB" + "B".repeat(54),
    asset: "native",
    asset_code: "XLM",
    asset_issuer: null,
    amount: i % 3 === 0 ? "-100" : "170141183460469231731687303715884105727",
    contract_address: "CA" + "S".repeat(54),
    to_muxed_type: i === 5 ? "text" : null,
    to_muxed_value: i === 5 ? 'memo "é" 日本\n' : null,
    schema_version: "1.0.0",
    ...extra,
  };
}

/** The reference reading: apache-arrow's per-cell `get`. */
function viaGet(batch: arrow.RecordBatch): TtpEvent[] {
  const cols = ttpEventSchema.fields.map((f) => batch.getChild(f.name)!);
  return Array.from({ length: batch.numRows }, (_, i) => {
    const row: Record<string, unknown> = {};
    ttpEventSchema.fields.forEach((f, c) => {
      const v = cols[c].get(i);
      row[f.name] = f.name === "closed_at" ? Number(v) : v ?? null;
    });
    return row as unknown as TtpEvent;
  });
}

Deno.test("recordBatchToEvents reads whole, sliced and IPC-read batches as get() does", () => {
  const events = Array.from({ length: 12 }, (_, i) => event(i));
  const batch = eventsToRecordBatch(events);
  assert.deepEqual(recordBatchToEvents(batch), events);
  const read = arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table([batch]), "stream")).batches[0];
  assert.deepEqual(recordBatchToEvents(read), events);
  for (const [from, to] of [[0, 5], [5, 12], [3, 4], [7, 7]]) {
    const slice = read.slice(from, to);
    assert.deepEqual(recordBatchToEvents(slice), events.slice(from, to));
    assert.deepEqual(recordBatchToEvents(slice), viaGet(slice));
  }
  // Keys in schema order (the JSON forms follow it).
  assert.deepEqual(
    Object.keys(recordBatchToEvents(batch)[0]),
    ttpEventSchema.fields.map((f) => f.name),
  );
});
