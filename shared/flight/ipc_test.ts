import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { FlightError, GrpcStatus } from "./errors.ts";
import { flightDataEncodedSize } from "./flight_data_codec.ts";
import {
  encapsulateHeader,
  FlightDataDecoder,
  FlightDataEncoder,
  IPC_EOS,
  type IpcFrame,
  readFlightData,
  schemaFromIpcBytes,
  schemaToIpcBytes,
} from "./ipc.ts";
import { eventTable, ledgerTable } from "./_testing.ts";

function concat(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of pieces) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

function encodeTable(table: arrow.Table, options = {}): IpcFrame[] {
  const enc = new FlightDataEncoder(table.schema, options);
  return [enc.schemaFrame(), ...table.batches.flatMap((b) => enc.encode(b))];
}

/** Re-frames (header, body) pairs as an IPC stream, like the client and the Python test do. */
function reframe(frames: IpcFrame[]): Uint8Array {
  return concat([...frames.flatMap((f) => [encapsulateHeader(f.header), ...f.body]), IPC_EOS]);
}

async function* received(frames: IpcFrame[]) {
  for (const f of frames) yield { header: f.header, bodyBytes: concat([...f.body]) };
}

const tables: { name: string; table: () => arrow.Table }[] = [
  { name: "ints and utf8", table: () => ledgerTable(5, 3, 10) },
  { name: "dictionary-encoded utf8", table: () => eventTable(0, 12) },
  {
    name: "several batches with their own dictionaries",
    table: () => {
      const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32(), 7);
      const part = (values: string[]) =>
        new arrow.Table({ k: arrow.vectorFromArray(values, type) }).batches[0];
      return new arrow.Table([part(["a", "b", "a"]), part(["c", "c"]), part(["b"])]);
    },
  },
  {
    name: "nulls, int64 and timestamps",
    table: () =>
      new arrow.Table({
        n: arrow.vectorFromArray([1n, null, -3n], new arrow.Int64()),
        t: arrow.vectorFromArray(
          [new Date(0), null, new Date(1e12)],
          new arrow.TimestampMillisecond(),
        ),
        s: arrow.vectorFromArray(["a", null, "c"], new arrow.Utf8()),
      }),
  },
];

for (const { name, table } of tables) {
  Deno.test(`IPC frames re-framed equal apache-arrow's own stream bytes: ${name}`, async () => {
    const t = table();
    const frames = encodeTable(t);
    assert.equal(frames[0].kind, "schema");
    assert.equal(frames[0].bodyLength, 0);
    // Headers are the bare flatbuffer: no continuation marker, no length prefix.
    for (const f of frames) {
      assert.notEqual(new DataView(f.header.buffer, f.header.byteOffset).getInt32(0, true), -1);
    }
    assert.deepEqual(reframe(frames), arrow.tableToIPC(t, "stream"));
    const reader = await readFlightData(received(frames));
    const back = new arrow.Table(await Array.fromAsync(reader));
    assert.deepEqual(back.toArray().map((r) => r.toJSON()), t.toArray().map((r) => r.toJSON()));
  });
}

Deno.test("dictionary batches come before the record batches that use them", () => {
  const frames = encodeTable(eventTable(0, 5));
  const kinds = frames.map((f) => f.kind);
  // event_type, asset and from are dictionary-encoded by tableFromArrays (amount too).
  assert.equal(kinds[0], "schema");
  assert.equal(kinds.at(-1), "recordBatch");
  assert.ok(kinds.slice(1, -1).every((k) => k === "dictionary"), kinds.join(","));
});

Deno.test("a schema-only stream decodes to zero batches with the schema", async () => {
  const schema = ledgerTable(0, 1, 1).schema;
  const enc = new FlightDataEncoder(schema);
  const reader = await readFlightData(received([enc.schemaFrame()]));
  assert.equal(String(reader.schema), String(schema));
  assert.equal((await Array.fromAsync(reader)).filter((b) => b.numRows > 0).length, 0);
});

Deno.test("batches are split by bytes, skewed rows included", () => {
  // Rows of 100 KiB, then one of 600 KiB: with a 256 KiB target each message stays below it
  // except the single big row, which goes alone.
  const sizes = [100, 100, 100, 100, 600, 100, 100].map((k) => k * 1024);
  const seq = arrow.vectorFromArray(sizes.map((_, i) => i), new arrow.Uint32());
  const blob = arrow.vectorFromArray(sizes.map((n) => new Uint8Array(n)), new arrow.Binary());
  const t = new arrow.Table({ seq, blob });
  const frames = encodeTable(t, { targetMessageBytes: 256 * 1024 });
  const batches = frames.filter((f) => f.kind === "recordBatch");
  assert.equal(batches.reduce((n, f) => n + f.numRows, 0), sizes.length);
  for (const f of batches) {
    const size = flightDataEncodedSize(f);
    if (f.numRows > 1) assert.ok(size <= 256 * 1024 + 1024, `${f.numRows} rows in ${size} bytes`);
  }
  assert.ok(batches.some((f) => f.numRows === 1 && f.bodyLength > 600 * 1024));
});

Deno.test("a row above the maximum message size is RESOURCE_EXHAUSTED", () => {
  const t = ledgerTable(0, 1, 100_000);
  const enc = new FlightDataEncoder(t.schema, { maxMessageBytes: 50_000 });
  assert.throws(
    () => enc.encode(t.batches[0]),
    (e: unknown) =>
      e instanceof FlightError && e.code === GrpcStatus.RESOURCE_EXHAUSTED &&
      /1 row\(s\) encodes to 100\d+ bytes, above the Flight message limit of 50000 bytes/.test(
        e.message,
      ),
  );
});

Deno.test("encapsulated schema round-trips, with and without the continuation marker", () => {
  const schema = eventTable(0, 1).schema;
  const bytes = schemaToIpcBytes(schema);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  assert.equal(view.getUint32(0, true), 0xffffffff);
  assert.equal(view.getInt32(4, true) % 8, 0, "length includes padding to 8 bytes");
  assert.equal(view.getInt32(4, true), bytes.byteLength - 8);
  assert.equal(String(schemaFromIpcBytes(bytes)), String(schema));
  // Pre-0.15 form: int32 length, then the flatbuffer.
  assert.equal(String(schemaFromIpcBytes(bytes.subarray(4))), String(schema));
});

const badSchemas: { name: string; bytes: Uint8Array; error: RegExp }[] = [
  { name: "too short", bytes: Uint8Array.of(1, 2, 3), error: /got 3 bytes/ },
  {
    name: "length past the end",
    bytes: Uint8Array.of(0xff, 0xff, 0xff, 0xff, 100, 0, 0, 0, 1),
    error: /claims 100 bytes of metadata, 1 available/,
  },
];
for (const { name, bytes, error } of badSchemas) {
  Deno.test(`schemaFromIpcBytes rejects ${name}`, () => {
    assert.throws(() => schemaFromIpcBytes(bytes), error);
  });
}

Deno.test("schemaFromIpcBytes rejects a record batch message", () => {
  const frames = encodeTable(ledgerTable(0, 1, 1));
  assert.throws(() => schemaFromIpcBytes(encapsulateHeader(frames[1].header)), /got RecordBatch/);
});

Deno.test("readFlightData rejects a stream not starting with a schema, and short bodies", async () => {
  const frames = encodeTable(ledgerTable(0, 2, 64));
  await assert.rejects(
    readFlightData(received(frames.slice(1))),
    /first FlightData to carry a Schema, got RecordBatch/,
  );
  const short = [frames[0], { ...frames[1], body: [concat([...frames[1].body]).subarray(8)] }];
  await assert.rejects(
    (async () => Array.fromAsync(await readFlightData(received(short))))(),
    /FlightData body is \d+ bytes, its RecordBatch header says \d+/,
  );
});

Deno.test("bodies at any alignment decode; 1-byte buffers stay views into the body", () => {
  const all = [...tables.map((t) => t.table()), ledgerTable(7, 3, 1000)];
  for (const table of all) {
    const frames = encodeTable(table);
    for (let shift = 0; shift < 8; shift++) {
      const decoder = new FlightDataDecoder();
      const batches: arrow.RecordBatch[] = [];
      for (const f of frames) {
        // The body `shift` bytes into its buffer, as the protobuf framing may leave it.
        const body = concat([...f.body]);
        const holder = new Uint8Array(body.byteLength + shift);
        holder.set(body, shift);
        const batch = decoder.decode({ header: f.header, bodyBytes: holder.subarray(shift) });
        if (!batch) continue;
        batches.push(batch);
        const xdr = batch.getChild("ledger_close_meta_xdr")?.data[0].values;
        if (xdr) assert.equal(xdr.buffer, holder.buffer, `shift ${shift}: binary values copied`);
      }
      const back = new arrow.Table(batches);
      assert.deepEqual(
        back.toArray().map((r) => r.toJSON()),
        table.toArray().map((r) => r.toJSON()),
        `shift ${shift}`,
      );
    }
  }
});

Deno.test("schemaFrameOf: the encoder's Schema message, made once per schema", () => {
  const schema = eventTable(0, 3).schema;
  const frame = FlightDataEncoder.schemaFrameOf(schema);
  assert.equal(FlightDataEncoder.schemaFrameOf(schema), frame);
  assert.deepEqual(frame.header, new FlightDataEncoder(schema).schemaFrame().header);
  assert.equal(frame.kind, "schema");
});
