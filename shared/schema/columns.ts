/**
 * Low-level Arrow column builders shared by the schemas: plain (non-dictionary) UTF-8, binary,
 * fixed-size binary, integer and timestamp columns built straight from JS values, and readers
 * back. Kept separate so each schema module only lists its columns.
 *
 * @module
 */
import * as arrow from "apache-arrow";

const encoder = new TextEncoder();

function validity(length: number, isNull: (i: number) => boolean): Uint8Array | undefined {
  let nulls = 0;
  const bitmap = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) {
    if (isNull(i)) nulls++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return nulls === 0 ? undefined : bitmap;
}

/**
 * A UTF-8 column (nulls allowed when the field is nullable). The values are joined into one
 * string and encoded with a single `TextEncoder` call; when that yields one byte per UTF-16 unit
 * (all ASCII, the common case) the offsets are the string lengths. Otherwise each value is
 * encoded on its own, so a lone surrogate at the end of one value never pairs with the next.
 */
export function utf8Data(values: readonly (string | null | undefined)[]): arrow.Data<arrow.Utf8> {
  const length = values.length;
  const valueOffsets = new Int32Array(length + 1);
  let chars = 0;
  for (let i = 0; i < length; i++) {
    chars += values[i]?.length ?? 0;
    valueOffsets[i + 1] = chars;
  }
  // `join` writes null and undefined as "".
  let data: Uint8Array = encoder.encode(values.join(""));
  if (data.length !== chars) data = encodeEach(values, valueOffsets);
  if (data.length > 0x7fffffff) {
    throw new RangeError(`Column too large for 32-bit offsets: ${data.length} bytes`);
  }
  const nullBitmap = validity(length, (i) => values[i] == null);
  return arrow.makeData({ type: new arrow.Utf8(), length, valueOffsets, data, nullBitmap });
}

/** Encodes each value into one buffer, filling `valueOffsets` (the non-ASCII path). */
function encodeEach(
  values: readonly (string | null | undefined)[],
  valueOffsets: Int32Array,
): Uint8Array {
  let chars = 0;
  for (let i = 0; i < values.length; i++) chars += values[i]?.length ?? 0;
  // At most 3 bytes per UTF-16 unit.
  const data = new Uint8Array(chars * 3);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v) at += encoder.encodeInto(v, data.subarray(at)).written;
    valueOffsets[i + 1] = at;
  }
  return data.subarray(0, at);
}

/**
 * A variable-length binary column. A single value is not copied: the column refers to its bytes
 * (a batch of one ~1 MB ledger then holds its XDR where it was decoded).
 */
export function binaryData(values: readonly Uint8Array[]): arrow.Data<arrow.Binary> {
  const { valueOffsets, data } = values.length === 1
    ? { valueOffsets: Int32Array.of(0, values[0].byteLength), data: values[0] }
    : concatenate(values);
  return arrow.makeData({ type: new arrow.Binary(), length: values.length, valueOffsets, data });
}

function concatenate(
  values: readonly Uint8Array[],
): { valueOffsets: Int32Array; data: Uint8Array } {
  let total = 0;
  for (const v of values) total += v.length;
  if (total > 0x7fffffff) {
    throw new RangeError(`Column too large for 32-bit offsets: ${total} bytes`);
  }
  const valueOffsets = new Int32Array(values.length + 1);
  const data = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    data.set(values[i], at);
    at += values[i].length;
    valueOffsets[i + 1] = at;
  }
  return { valueOffsets, data };
}

/** A fixed-size binary column of `width` bytes per value. */
export function fixedBinaryData(
  width: number,
  values: readonly Uint8Array[],
): arrow.Data<arrow.FixedSizeBinary> {
  const data = new Uint8Array(width * values.length);
  values.forEach((v, i) => {
    if (v.length !== width) {
      throw new RangeError(`Expected ${width} bytes at row ${i}, got ${v.length}`);
    }
    data.set(v, i * width);
  });
  return arrow.makeData({ type: new arrow.FixedSizeBinary(width), length: values.length, data });
}

/** A uint32 column (nulls allowed). */
export function uint32Data(
  values: readonly (number | null | undefined)[],
): arrow.Data<arrow.Uint32> {
  const data = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = values[i] ?? 0;
  return arrow.makeData({
    type: new arrow.Uint32(),
    length: values.length,
    data,
    nullBitmap: validity(values.length, (i) => values[i] == null),
  });
}

/** An int64 column from bigints. */
export function int64Data(values: readonly bigint[]): arrow.Data<arrow.Int64> {
  return arrow.makeData({
    type: new arrow.Int64(),
    length: values.length,
    data: BigInt64Array.from(values),
  });
}

/** A timestamp[us, UTC] column from epoch milliseconds. */
export function timestampUsData(millis: readonly number[]): arrow.Data<arrow.TimestampMicrosecond> {
  const data = new BigInt64Array(millis.length);
  // Written as two 32-bit halves (no BigInt per row) while exact; BigInt beyond 2^53 µs.
  const halves = new Uint32Array(data.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (let i = 0; i < millis.length; i++) {
    const micros = Math.round(millis[i] * 1000);
    if (little && micros >= 0 && micros <= Number.MAX_SAFE_INTEGER) {
      halves[2 * i] = micros % 0x1_0000_0000;
      halves[2 * i + 1] = Math.floor(micros / 0x1_0000_0000);
    } else data[i] = BigInt(micros);
  }
  return arrow.makeData({
    type: new arrow.TimestampMicrosecond("UTC"),
    length: millis.length,
    data,
  });
}

/** Field metadata from a plain record. */
export function meta(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

/**
 * Builds a RecordBatch of `schema` from column data in schema order.
 *
 * @throws {RangeError} when the columns do not match the schema's fields.
 */
export function recordBatch(schema: arrow.Schema, columns: arrow.Data[]): arrow.RecordBatch {
  if (columns.length !== schema.fields.length) {
    throw new RangeError(`Expected ${schema.fields.length} columns, got ${columns.length}`);
  }
  const length = columns[0]?.length ?? 0;
  const data = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length,
    children: columns,
  });
  return new arrow.RecordBatch(schema, data);
}

/** Reads a column of a batch by name, failing clearly when it is absent. */
export function column(batch: arrow.RecordBatch, name: string): arrow.Vector {
  const vector = batch.getChild(name);
  if (!vector) {
    throw new RangeError(
      `Expected column "${name}" in batch with columns ${
        batch.schema.fields.map((f) => f.name).join(", ")
      }`,
    );
  }
  return vector;
}
