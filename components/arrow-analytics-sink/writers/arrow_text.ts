/**
 * JSON Lines and CSV files straight from `ttp_event` record batches: the UTF-8 bytes of each cell
 * are copied from the columns' value buffers into the file, with no JS string or object per row.
 * The output is byte for byte what `jsonl.ts` / `csv.ts` write for the same rows read with
 * `recordBatchToEvents`: a cell that needs escaping or quoting (a quote, backslash or control
 * character, a comma for CSV) or holds non-ASCII bytes is decoded and encoded through those
 * modules' own rules (`JSON.stringify`, {@linkcode csvField}), so even invalid UTF-8 comes out as
 * the string path would write it. Pure; runs in the encoding worker.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { hasNulls, isValid, microsToMillis } from "../../../shared/schema/column_readers.ts";
import { closedAtText, ttpEventSchema } from "../../../shared/schema/ttp_event.ts";
import { CSV_HEADER, csvField } from "./csv.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A growable byte buffer. */
class ByteWriter {
  buf: Uint8Array;
  at = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(capacity, 1024));
  }

  ensure(extra: number): void {
    if (this.at + extra <= this.buf.length) return;
    const grown = new Uint8Array(Math.max(this.buf.length * 2, this.at + extra));
    grown.set(this.buf.subarray(0, this.at));
    this.buf = grown;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < src.length; i++) buf[at++] = src[i];
    this.at = at;
  }

  text(s: string): void {
    // encodeInto needs up to 3 bytes per UTF-16 unit.
    this.ensure(s.length * 3);
    this.at += encoder.encodeInto(s, this.buf.subarray(this.at)).written;
  }

  uint(n: number): void {
    this.ensure(10);
    if (n === 0) {
      this.buf[this.at++] = 0x30;
      return;
    }
    let digits = 0;
    for (let v = n; v > 0; v = Math.floor(v / 10)) digits++;
    let end = this.at + digits;
    this.at = end;
    for (let v = n; v > 0; v = Math.floor(v / 10)) this.buf[--end] = 0x30 + (v % 10);
  }

  /** The bytes written (a view: the spare capacity is not copied away). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.at);
  }
}

const UTF8 = 0;
const UINT32 = 1;
const TIMESTAMP = 2;

/**
 * One column of one batch, ready to be read by row. Every column has every field (empty arrays
 * for the unused ones) so that the row loops see one object shape and one type per field.
 */
interface Col {
  kind: number;
  offsets: Int32Array;
  bytes: Uint8Array;
  u32: Uint32Array;
  i64: BigInt64Array;
  bitmap: Uint8Array | null;
  bitOffset: number;
}

const NAMES = ttpEventSchema.fields.map((f) => f.name);
const KINDS: number[] = ttpEventSchema.fields.map((f) =>
  f.type.typeId === arrow.Type.Utf8
    ? UTF8
    : f.type.typeId === arrow.Type.Timestamp
    ? TIMESTAMP
    : UINT32
);
const NO_I32 = new Int32Array(0);
const NO_U8 = new Uint8Array(0);
const NO_U32 = new Uint32Array(0);
const NO_I64 = new BigInt64Array(0);

function columnsOf(batch: arrow.RecordBatch): Col[] {
  return NAMES.map((name, c) => {
    const vector = batch.getChild(name);
    if (!vector || vector.data.length !== 1) {
      throw new RangeError(
        `Expected column "${name}" as one chunk in the batch, got ${
          vector ? `${vector.data.length} chunks` : "none"
        }`,
      );
    }
    const data = vector.data[0];
    const expected = ttpEventSchema.fields[c].type;
    if (!arrow.util.compareTypes(data.type, expected)) {
      throw new RangeError(`Expected column "${name}" of type ${expected}, got ${data.type}`);
    }
    const bitmap = hasNulls(data) ? data.nullBitmap! : null;
    const kind = KINDS[c];
    return {
      kind,
      offsets: kind === UTF8 ? data.valueOffsets as Int32Array : NO_I32,
      bytes: kind === UTF8 ? data.values as Uint8Array : NO_U8,
      u32: kind === UINT32 ? data.values as Uint32Array : NO_U32,
      i64: kind === TIMESTAMP ? data.values as BigInt64Array : NO_I64,
      bitmap,
      bitOffset: data.offset,
    };
  });
}

function isNull(col: Col, i: number): boolean {
  return col.bitmap !== null && !isValid(col.bitmap, col.bitOffset, i);
}

/** `closed_at` in the JSON form, cached per distinct microsecond value. */
class CloseTimes {
  #us: bigint | undefined;
  #text = "";

  text(us: bigint): string {
    if (us !== this.#us) {
      // As recordBatchToEvents (apache-arrow's reading) then eventToJson.
      this.#text = closedAtText(microsToMillis(us));
      this.#us = us;
    }
    return this.#text;
  }
}

/** True when bytes `[from, to)` are printable ASCII without `"` or `,` (no CSV quoting needed). */
function plainCsv(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b < 0x20 || b > 0x7f || b === 0x22 || b === 0x2c) return false;
  }
  return true;
}

const jsonKeys = NAMES.map((name, c) => encoder.encode(`${c === 0 ? "{" : ","}"${name}":`));
const NULL = encoder.encode("null");

/** True when no byte of `[from, to)` needs JSON escaping or is non-ASCII. */
function plainJson(bytes: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const b = bytes[k];
    if (b < 0x20 || b > 0x7f || b === 0x22 || b === 0x5c) return false;
  }
  return true;
}

/** Cells at least this long are copied with `TypedArray.set`, shorter ones byte by byte. */
const SET_MIN = 24;

/** `closed_at` in the JSON form as bytes (with quotes), for the last microsecond value asked. */
class CloseTimeBytes {
  #times = new CloseTimes();
  #us: bigint | undefined;
  #bytes = NO_U8;

  bytes(us: bigint): Uint8Array {
    if (us !== this.#us) {
      this.#bytes = encoder.encode(`"${this.#times.text(us)}"`);
      this.#us = us;
    }
    return this.#bytes;
  }
}

let keysBytes = 0;
for (const k of jsonKeys) keysBytes += k.length;

/**
 * Writes row `i` as one JSON line. A function of its own (called per row) rather than the body of
 * the batch loop: V8 then optimises it as a whole instead of as on-stack-replaced inner loops,
 * which it leaves again at every row.
 */
function jsonRow(
  w: ByteWriter,
  cols: readonly Col[],
  plainCol: readonly boolean[],
  i: number,
  times: CloseTimeBytes,
): void {
  // Room for the row's fast path: keys, quoted cells, numbers, the close time, `}\n`.
  let room = keysBytes + 64 + 11 * cols.length;
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c];
    if (col.kind === UTF8) room += col.offsets[i + 1] - col.offsets[i];
  }
  w.ensure(room);
  let buf = w.buf;
  let at = w.at;
  for (let c = 0; c < cols.length; c++) {
    const key = jsonKeys[c];
    for (let k = 0; k < key.length; k++) buf[at++] = key[k];
    const col = cols[c];
    if (col.kind === TIMESTAMP) {
      const time = times.bytes(isNull(col, i) ? 0n : col.i64[i]);
      for (let k = 0; k < time.length; k++) buf[at++] = time[k];
      continue;
    }
    if (isNull(col, i)) {
      for (let k = 0; k < NULL.length; k++) buf[at++] = NULL[k];
      continue;
    }
    if (col.kind === UINT32) {
      w.at = at;
      w.uint(col.u32[i]);
      at = w.at;
      continue;
    }
    const values = col.bytes;
    const from = col.offsets[i];
    const to = col.offsets[i + 1];
    if (plainCol[c] || plainJson(values, from, to)) {
      buf[at++] = 0x22;
      if (to - from >= SET_MIN) {
        buf.set(values.subarray(from, to), at);
        at += to - from;
      } else {
        for (let k = from; k < to; k++) buf[at++] = values[k];
      }
      buf[at++] = 0x22;
    } else {
      // Needs escaping or holds non-ASCII: through JSON.stringify, as the row encoder.
      w.at = at;
      w.text(JSON.stringify(decoder.decode(values.subarray(from, to))));
      w.ensure(room);
      buf = w.buf;
      at = w.at;
    }
  }
  buf[at++] = 0x7d; // }
  buf[at++] = 0x0a; // \n
  w.at = at;
}

/** Encodes `ttp_event` batches as JSON Lines (as `encodeJsonl` of their rows would). */
export function encodeJsonlFromBatches(batches: readonly arrow.RecordBatch[]): Uint8Array {
  let estimate = 0;
  for (const b of batches) estimate += b.numRows * 700;
  const w = new ByteWriter(estimate);
  const times = new CloseTimeBytes();
  for (const batch of batches) {
    const cols = columnsOf(batch);
    const n = batch.numRows;
    // One scan per column: when no cell needs escaping, cells are copied without checks.
    const plainCol = cols.map((col) =>
      col.kind === UTF8 && plainJson(col.bytes, col.offsets[0], col.offsets[n])
    );
    for (let i = 0; i < n; i++) jsonRow(w, cols, plainCol, i, times);
  }
  return w.result();
}

const CSV_HEADER_BYTES = encoder.encode(CSV_HEADER);

/** Encodes `ttp_event` batches as a CSV document (as `encodeCsv` of their rows would). */
export function encodeCsvFromBatches(batches: readonly arrow.RecordBatch[]): Uint8Array {
  let estimate = CSV_HEADER_BYTES.length;
  for (const b of batches) estimate += b.numRows * 500;
  const w = new ByteWriter(estimate);
  w.bytes(CSV_HEADER_BYTES);
  const times = new CloseTimes();
  for (const batch of batches) {
    const cols = columnsOf(batch);
    const n = batch.numRows;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < cols.length; c++) {
        if (c > 0) {
          w.ensure(1);
          w.buf[w.at++] = 0x2c; // ,
        }
        const col = cols[c];
        if (col.kind === TIMESTAMP) {
          w.text(times.text(isNull(col, i) ? 0n : col.i64[i]));
        } else if (isNull(col, i)) {
          continue; // empty field
        } else if (col.kind === UINT32) {
          w.uint(col.u32[i]);
        } else {
          const values = col.bytes;
          const from = col.offsets[i];
          const to = col.offsets[i + 1];
          if (from < to && plainCsv(values, from, to)) {
            w.ensure(to - from);
            const buf = w.buf;
            let at = w.at;
            for (let k = from; k < to; k++) buf[at++] = values[k];
            w.at = at;
          } else {
            w.text(csvField(decoder.decode(values.subarray(from, to))));
          }
        }
      }
      w.ensure(2);
      w.buf[w.at++] = 0x0d;
      w.buf[w.at++] = 0x0a;
    }
  }
  return w.result();
}
