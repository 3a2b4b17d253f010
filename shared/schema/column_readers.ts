/**
 * Fast readers of whole Arrow columns into JS arrays, straight from the columns' buffers
 * (validity bitmap, value offsets, values) instead of `Vector.get(i)` per cell: a UTF-8 column is
 * decoded with one `TextDecoder` call per chunk and, when it is all ASCII, cut into values by
 * its byte offsets. Results equal `Vector.get(i)` (`null` for null cells); columns of other types
 * than the reader expects are read through `get` as a fallback.
 *
 * @module
 */
import * as arrow from "apache-arrow";

const decoder = new TextDecoder();
const NON_ASCII = /[\u0080-\uffff]/;

/** Whether value `i` of a column whose validity bitmap (if any) starts at bit `offset` is set. */
export function isValid(bitmap: Uint8Array | undefined, offset: number, i: number): boolean {
  if (!bitmap || bitmap.length === 0) return true;
  const bit = offset + i;
  return (bitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** Whether `data` has a validity bitmap with at least one null. */
export function hasNulls(data: arrow.Data): boolean {
  return data.nullBitmap !== undefined && data.nullBitmap.length > 0 && data.nullCount !== 0;
}

/**
 * Epoch milliseconds (fractional) of a timestamp in microseconds, as apache-arrow's `get` gives
 * them (its divideBigInts: whole milliseconds plus the remainder's fraction).
 */
export function microsToMillis(us: bigint): number {
  return Number(us / 1000n) + Number(us % 1000n) / 1000;
}

function viaGet<T>(vector: arrow.Vector, out: (T | null)[]): (T | null)[] {
  for (let i = 0; i < vector.length; i++) out[i] = vector.get(i) ?? null;
  return out;
}

/** The values of a UTF-8 column (`null` for nulls), as `vector.get(i)` would give them. */
export function utf8Values(vector: arrow.Vector): (string | null)[] {
  const out: (string | null)[] = new Array(vector.length);
  if (vector.type.typeId !== arrow.Type.Utf8) return viaGet(vector, out);
  let at = 0;
  for (const data of vector.data) {
    const offsets = data.valueOffsets as Int32Array;
    const values = data.values as Uint8Array;
    const n = data.length;
    const nulls = hasNulls(data);
    const bitmap = data.nullBitmap;
    const base = offsets[0];
    const all = decoder.decode(values.subarray(base, offsets[n]));
    if (!NON_ASCII.test(all)) {
      // ASCII: one UTF-16 unit per byte, so byte offsets are string offsets.
      for (let i = 0; i < n; i++) {
        out[at + i] = nulls && !isValid(bitmap, data.offset, i)
          ? null
          : all.slice(offsets[i] - base, offsets[i + 1] - base);
      }
    } else {
      for (let i = 0; i < n; i++) {
        out[at + i] = nulls && !isValid(bitmap, data.offset, i)
          ? null
          : decoder.decode(values.subarray(offsets[i], offsets[i + 1]));
      }
    }
    at += n;
  }
  return out;
}

/** The values of a uint32 column (`null` for nulls). */
export function uint32Values(vector: arrow.Vector): (number | null)[] {
  const out: (number | null)[] = new Array(vector.length);
  if (
    vector.type.typeId !== arrow.Type.Int || vector.type.bitWidth !== 32 || vector.type.isSigned
  ) {
    return viaGet(vector, out);
  }
  let at = 0;
  for (const data of vector.data) {
    const values = data.values as Uint32Array;
    const n = data.length;
    const nulls = hasNulls(data);
    for (let i = 0; i < n; i++) {
      out[at + i] = nulls && !isValid(data.nullBitmap, data.offset, i) ? null : values[i];
    }
    at += n;
  }
  return out;
}

/**
 * The values of a timestamp[us] column as epoch milliseconds (fractional, `null` for nulls), as
 * `vector.get(i)` gives them.
 */
export function timestampUsMillisValues(vector: arrow.Vector): (number | null)[] {
  const out: (number | null)[] = new Array(vector.length);
  if (
    vector.type.typeId !== arrow.Type.Timestamp || vector.type.unit !== arrow.TimeUnit.MICROSECOND
  ) {
    return viaGet(vector, out);
  }
  let at = 0;
  for (const data of vector.data) {
    const values = data.values as BigInt64Array;
    const n = data.length;
    const nulls = hasNulls(data);
    let lastUs: bigint | undefined;
    let lastMs = 0;
    for (let i = 0; i < n; i++) {
      if (nulls && !isValid(data.nullBitmap, data.offset, i)) {
        out[at + i] = null;
        continue;
      }
      const us = values[i];
      if (us !== lastUs) {
        lastMs = microsToMillis(us);
        lastUs = us;
      }
      out[at + i] = lastMs;
    }
    at += n;
  }
  return out;
}
