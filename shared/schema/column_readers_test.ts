import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { timestampUsMillisValues, uint32Values, utf8Values } from "./column_readers.ts";
import { timestampUsData, uint32Data, utf8Data } from "./columns.ts";

/** What apache-arrow's per-cell `get` gives, the readers' reference. */
function viaGet(vector: arrow.Vector): unknown[] {
  return Array.from({ length: vector.length }, (_, i) => vector.get(i) ?? null);
}

function ipcRoundTrip(data: arrow.Data, name = "c"): arrow.Vector {
  const batch = new arrow.RecordBatch({ [name]: data });
  return arrow.tableFromIPC(arrow.tableToIPC(new arrow.Table([batch]), "stream")).getChild(name)!;
}

const strings: (string | null)[] = [
  "GABC",
  null,
  "",
  "native",
  'quote " and \\ backslash',
  null,
  "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
  "x".repeat(40),
  "tab\there",
  "z",
];
const unicode: (string | null)[] = ["héllo", null, "日本", "😀 emoji", "", "plain"];

Deno.test("utf8Values equals get() on ASCII, non-ASCII, nulls, slices and IPC-read columns", () => {
  for (const values of [strings, unicode, [null, null], [], ["only"]]) {
    const data = utf8Data(values);
    const vector = arrow.makeVector(data);
    assert.deepEqual(utf8Values(vector), viaGet(vector));
    assert.deepEqual(utf8Values(vector), values);
    const read = ipcRoundTrip(data);
    assert.deepEqual(utf8Values(read), values);
    for (const [from, to] of [[1, 4], [3, values.length], [0, 0]]) {
      const sliced = vector.slice(from, to);
      assert.deepEqual(utf8Values(sliced), values.slice(from, to), `slice ${from}-${to}`);
    }
  }
  // Several chunks in one vector.
  const chunked = arrow.makeVector(utf8Data(strings)).concat(arrow.makeVector(utf8Data(unicode)));
  assert.deepEqual(utf8Values(chunked), [...strings, ...unicode]);
});

Deno.test("utf8Values decodes invalid UTF-8 as get() does (replacement characters)", () => {
  const bytes = new Uint8Array([0x61, 0x80, 0x62, 0xff, 0x63]);
  const data = arrow.makeData({
    type: new arrow.Utf8(),
    length: 2,
    valueOffsets: new Int32Array([0, 2, 5]),
    data: bytes,
  });
  const vector = arrow.makeVector(data);
  assert.deepEqual(utf8Values(vector), viaGet(vector));
  assert.deepEqual(utf8Values(vector), ["a\ufffd", "b\ufffdc"]);
});

Deno.test("uint32Values and timestampUsMillisValues equal get(), nulls and slices included", () => {
  const numbers = [0, 1, null, 4294967295, 7, null, 63092982];
  const u = arrow.makeVector(uint32Data(numbers));
  assert.deepEqual(uint32Values(u), numbers);
  assert.deepEqual(uint32Values(u.slice(2, 6)), numbers.slice(2, 6));
  assert.deepEqual(uint32Values(ipcRoundTrip(uint32Data(numbers))), numbers);

  const millis = [Date.UTC(2025, 0, 2, 3, 4, 5), 0, 1_700_000_000_123.456, -1500.25];
  const t = arrow.makeVector(timestampUsData(millis));
  assert.deepEqual(timestampUsMillisValues(t), viaGet(t));
  assert.deepEqual(timestampUsMillisValues(t), millis);
  assert.deepEqual(timestampUsMillisValues(t.slice(1, 3)), millis.slice(1, 3));
});

Deno.test("the readers fall back to get() for other column types", () => {
  const large = arrow.vectorFromArray(["a", null, "ß"], new arrow.LargeUtf8());
  assert.deepEqual(utf8Values(large), ["a", null, "ß"]);
  const i64 = arrow.vectorFromArray([1, 2], new arrow.Int32());
  assert.deepEqual(uint32Values(i64), [1, 2]);
  const ms = arrow.vectorFromArray([5, 6], new arrow.TimestampMillisecond());
  assert.deepEqual(timestampUsMillisValues(ms), [5, 6]);
});
