import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import {
  eventsToRecordBatch,
  recordBatchToEvents,
  type TtpEvent,
  ttpEventSchema,
} from "../../../shared/schema/ttp_event.ts";
import { makeEvent } from "../testing/events.ts";
import { encodeCsvFromBatches, encodeJsonlFromBatches } from "./arrow_text.ts";
import { encodeCsv } from "./csv.ts";
import { encodeJsonl } from "./jsonl.ts";

const decoder = new TextDecoder();

/** Events whose cells need every escaping and quoting rule of JSON and CSV. */
function awkwardEvents(): TtpEvent[] {
  const values = [
    'quote " inside',
    "back\\slash",
    "comma, here",
    "line\nbreak",
    "cr\rlf\r\n",
    "tab\tand\u0001\u001f control",
    "del \u007f",
    "héllo 日本 😀",
    "",
    "plain",
  ];
  return values.map((value, i) => ({
    ...makeEvent({ ledger: 100 + (i >> 1), tx: i + 1, op: i % 4 === 0 ? null : i, index: i }),
    to_muxed_type: "text" as const,
    to_muxed_value: value,
    asset: i % 3 === 0 ? null : "native",
    closed_at: Date.UTC(2026, 0, 1) + i * 1000 + (i === 3 ? 0.5 : 0),
  }));
}

function ipcRoundTrip(batch: arrow.RecordBatch): arrow.RecordBatch {
  return arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table([batch]), "stream")).batches[0];
}

Deno.test("JSON Lines and CSV from batches equal the row encoders byte for byte", () => {
  const events = [
    ...awkwardEvents(),
    ...Array.from({ length: 20 }, (_, i) => ({
      ...makeEvent({ ledger: 200 + i }),
      transaction_index: 4294967295 - i,
    })),
  ];
  const batch = ipcRoundTrip(eventsToRecordBatch(events));
  const slices = [batch.slice(0, 7), batch.slice(7, 8), batch.slice(8, 8), batch.slice(8)];
  for (const batches of [[batch], slices]) {
    const rows = batches.flatMap((b) => recordBatchToEvents(b));
    assert.equal(decoder.decode(encodeJsonlFromBatches(batches)), encodeJsonl(rows));
    assert.equal(decoder.decode(encodeCsvFromBatches(batches)), encodeCsv(rows));
  }
  assert.equal(decoder.decode(encodeJsonlFromBatches([])), "");
  assert.equal(decoder.decode(encodeCsvFromBatches([])), encodeCsv([]));
});

Deno.test("invalid UTF-8 in a cell comes out as the row encoders write it", () => {
  const batch = eventsToRecordBatch([makeEvent({ ledger: 5 })]);
  const memo = new Uint8Array([0x61, 0xff, 0x22, 0x80]);
  const muxed = arrow.makeData({
    type: new arrow.Utf8(),
    length: 1,
    valueOffsets: new Int32Array([0, memo.length]),
    data: memo,
  });
  const children = ttpEventSchema.fields.map((f) =>
    f.name === "to_muxed_value" ? muxed : batch.getChild(f.name)!.data[0]
  );
  const bad = new arrow.RecordBatch(
    ttpEventSchema,
    arrow.makeData({ type: new arrow.Struct(ttpEventSchema.fields), length: 1, children }),
  );
  const rows = recordBatchToEvents(bad);
  assert.equal(rows[0].to_muxed_value, 'a\ufffd"\ufffd');
  assert.equal(decoder.decode(encodeJsonlFromBatches([bad])), encodeJsonl(rows));
  assert.equal(decoder.decode(encodeCsvFromBatches([bad])), encodeCsv(rows));
});

Deno.test("a batch with other column types is refused with a RangeError naming the column", () => {
  const batch = new arrow.RecordBatch({
    event_id: arrow.vectorFromArray(["x"], new arrow.LargeUtf8()).data[0],
  });
  assert.throws(() => encodeJsonlFromBatches([batch]), RangeError);
  const good = eventsToRecordBatch([makeEvent({ ledger: 5 })]);
  const fields = ttpEventSchema.fields.map((f) =>
    f.name === "ledger_sequence" ? new arrow.Field(f.name, new arrow.Int64(), false) : f
  );
  const children = ttpEventSchema.fields.map((f) =>
    f.name === "ledger_sequence"
      ? arrow.makeData({ type: new arrow.Int64(), length: 1, data: new BigInt64Array([5n]) })
      : good.getChild(f.name)!.data[0]
  );
  const wrongType = new arrow.RecordBatch(
    new arrow.Schema(fields),
    arrow.makeData({ type: new arrow.Struct(fields), length: 1, children }),
  );
  assert.throws(() => encodeCsvFromBatches([wrongType]), /ledger_sequence/);
});
