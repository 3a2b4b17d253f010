/**
 * Arrow IPC <-> Flight framing.
 *
 * - {@linkcode FlightDataEncoder} turns a schema and record batches into IPC messages, each a
 *   (flatbuffer header, body) pair as `FlightData` carries them: the schema first, dictionary
 *   batches before the batches that use them, record batches split by bytes so that every message
 *   stays near a target size. Bodies are uncompressed.
 * - {@linkcode readFlightData} re-frames received (header, body) pairs as an IPC stream and decodes
 *   it with apache-arrow's own `RecordBatchReader`.
 * - {@linkcode schemaToIpcBytes} / {@linkcode schemaFromIpcBytes}: the encapsulated IPC form used
 *   by `FlightInfo.schema` and `SchemaResult.schema`.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { FlightError } from "./errors.ts";
import type { FlightDataMessage } from "./flight_data_codec.ts";
import { flightDataEncodedSize } from "./flight_data_codec.ts";
import { MAX_MESSAGE_BYTES, TARGET_MESSAGE_BYTES } from "./channel_options.ts";

/** What an IPC message carries. */
export type IpcMessageKind = "schema" | "dictionary" | "recordBatch";

/** One IPC message ready for a FlightData: header flatbuffer plus body pieces. */
export interface IpcFrame extends FlightDataMessage {
  /** Schema, dictionary batch or record batch. */
  kind: IpcMessageKind;
  /** Body length in bytes (sum of `body` pieces, padding included). */
  bodyLength: number;
  /** Rows of a record batch; 0 for other kinds. */
  numRows: number;
}

const CONTINUATION = 0xffffffff;

function toBytes(view: ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array
    ? view
    : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function kindOf(headerType: arrow.MessageHeader): IpcMessageKind {
  switch (headerType) {
    case arrow.MessageHeader.Schema:
      return "schema";
    case arrow.MessageHeader.DictionaryBatch:
      return "dictionary";
    case arrow.MessageHeader.RecordBatch:
      return "recordBatch";
    default:
      throw new Error(`Unexpected IPC message header type ${arrow.MessageHeader[headerType]}`);
  }
}

/**
 * apache-arrow's stream writer with its byte output replaced by a list of captured messages:
 * every message it writes becomes one {@linkcode IpcFrame} (unpadded flatbuffer header, body
 * buffers with their 8-byte padding), exactly the pieces its IPC stream would contain.
 */
class CapturingWriter extends arrow.RecordBatchStreamWriter {
  frames: IpcFrame[] = [];

  protected override _writeMessage<T extends arrow.MessageHeader>(
    message: arrow.Message<T>,
    _alignment?: number,
  ): this {
    this.frames.push({
      kind: kindOf(message.headerType),
      header: arrow.Message.encode(message),
      body: [],
      bodyLength: message.bodyLength,
      numRows: 0,
    });
    return this;
  }

  protected override _write(chunk: unknown): this {
    const frame = this.frames[this.frames.length - 1];
    if (!frame || !ArrayBuffer.isView(chunk)) {
      throw new Error("IPC writer produced bytes outside a message");
    }
    if (chunk.byteLength > 0) (frame.body as Uint8Array[]).push(toBytes(chunk));
    return this;
  }

  /** The body size `batch` would encode to, without writing it. */
  bodyLengthOf(batch: arrow.RecordBatch): number {
    return this._assembleRecordBatch(batch).byteLength;
  }

  take(): IpcFrame[] {
    const out = this.frames;
    this.frames = [];
    for (const f of out) {
      const got = f.body.reduce((n, b) => n + b.byteLength, 0);
      if (got !== f.bodyLength) {
        throw new Error(`IPC ${f.kind} message body is ${got} bytes, header says ${f.bodyLength}`);
      }
    }
    return out;
  }
}

/** Options of {@linkcode FlightDataEncoder}. */
export interface FlightDataEncoderOptions {
  /** Split record batches so each message stays near this many bytes. Default 2 MiB. */
  targetMessageBytes?: number;
  /** Largest message allowed; a single row above it fails. Default {@linkcode MAX_MESSAGE_BYTES}. */
  maxMessageBytes?: number;
}

function describeSchema(schema: arrow.Schema): string {
  return schema.fields.map((f) => `${f.name}: ${f.type}${f.nullable ? "?" : ""}`).join(", ");
}

function sameShape(a: arrow.Schema, b: arrow.Schema): boolean {
  return a.fields.length === b.fields.length &&
    a.fields.every((f, i) =>
      f.name === b.fields[i].name && f.nullable === b.fields[i].nullable &&
      String(f.type) === String(b.fields[i].type)
    );
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${n} bytes`;
}

/**
 * Encodes one Flight stream: {@linkcode FlightDataEncoder.schemaFrame} first, then
 * {@linkcode FlightDataEncoder.encode} for each record batch.
 *
 * Batches must have the declared schema; batches whose schema differs only in dictionary ids (for
 * example built separately with `tableFromArrays`) are re-labelled with the declared schema.
 */
export class FlightDataEncoder {
  /** The stream's schema. */
  readonly schema: arrow.Schema;
  readonly #writer = new CapturingWriter();
  readonly #target: number;
  readonly #max: number;
  readonly #schemaFrame: IpcFrame;

  constructor(schema: arrow.Schema, options: FlightDataEncoderOptions = {}) {
    this.schema = schema;
    this.#max = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.#target = Math.min(options.targetMessageBytes ?? TARGET_MESSAGE_BYTES, this.#max);
    this.#writer.reset(undefined, schema);
    const [frame] = this.#writer.take();
    this.#schemaFrame = frame;
  }

  /** The Schema message (empty body); send it first, even when no batch follows. */
  schemaFrame(): IpcFrame {
    return this.#schemaFrame;
  }

  /**
   * Encodes a record batch as dictionary batches (new or replaced dictionaries only) followed by
   * one or more record batch messages, each near the target size.
   *
   * @throws {FlightError} `INTERNAL` when the batch has another schema; `RESOURCE_EXHAUSTED` when
   *   a single row (or a dictionary) encodes above the maximum message size.
   */
  encode(batch: arrow.RecordBatch): IpcFrame[] {
    const conformed = this.#conform(batch);
    const frames: IpcFrame[] = [];
    for (const piece of this.#split(conformed)) {
      this.#writer.write(piece);
      for (const frame of this.#writer.take()) {
        if (frame.kind === "recordBatch") frame.numRows = piece.numRows;
        const size = flightDataEncodedSize(frame);
        if (size > this.#max) {
          throw FlightError.resourceExhausted(
            `A ${frame.kind} message of ${piece.numRows} row(s) encodes to ${formatBytes(size)}, ` +
              `above the Flight message limit of ${formatBytes(this.#max)}`,
          );
        }
        frames.push(frame);
      }
    }
    return frames;
  }

  #conform(batch: arrow.RecordBatch): arrow.RecordBatch {
    if (batch.schema === this.schema || arrow.util.compareSchemas(this.schema, batch.schema)) {
      return batch;
    }
    if (sameShape(this.schema, batch.schema)) {
      const data = arrow.makeData({
        type: new arrow.Struct(this.schema.fields),
        length: batch.numRows,
        nullCount: 0,
        children: batch.data.children,
      });
      return new arrow.RecordBatch(this.schema, data);
    }
    throw FlightError.internal(
      `Record batch schema differs from the stream's schema: expected {${
        describeSchema(this.schema)
      }}, got {${describeSchema(batch.schema)}}`,
    );
  }

  *#split(batch: arrow.RecordBatch): Generator<arrow.RecordBatch> {
    if (batch.numRows <= 1) {
      yield batch;
      return;
    }
    const bytes = this.#writer.bodyLengthOf(batch);
    if (bytes <= this.#target) {
      yield batch;
      return;
    }
    const parts = Math.min(batch.numRows, Math.ceil(bytes / this.#target));
    const rowsPerPart = Math.ceil(batch.numRows / parts);
    for (let start = 0; start < batch.numRows; start += rowsPerPart) {
      yield* this.#split(batch.slice(start, Math.min(start + rowsPerPart, batch.numRows)));
    }
  }
}

/** Frames an IPC message flatbuffer in encapsulated form: marker, padded length, header, padding. */
export function encapsulateHeader(header: Uint8Array): Uint8Array {
  const padded = (header.byteLength + 7) & ~7;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, padded, true);
  out.set(header, 8);
  return out;
}

/** The 8-byte IPC end-of-stream marker. */
export const IPC_EOS: Uint8Array = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/** A schema in encapsulated IPC form, as `FlightInfo.schema` and `SchemaResult.schema` carry it. */
export function schemaToIpcBytes(schema: arrow.Schema): Uint8Array {
  return encapsulateHeader(arrow.Message.encode(arrow.Message.from(schema)));
}

/**
 * Reads a schema in encapsulated IPC form (with or without the continuation marker).
 *
 * @throws {FlightError} `INTERNAL` when the bytes do not hold a Schema message.
 */
export function schemaFromIpcBytes(bytes: Uint8Array): arrow.Schema {
  if (bytes.byteLength < 8) {
    throw FlightError.internal(
      `Expected an encapsulated IPC Schema message, got ${bytes.byteLength} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  if (view.getUint32(0, true) === CONTINUATION) offset = 4;
  const length = view.getInt32(offset, true);
  offset += 4;
  if (length <= 0 || offset + length > bytes.byteLength) {
    throw FlightError.internal(
      `Encapsulated IPC schema claims ${length} bytes of metadata, ${
        bytes.byteLength - offset
      } available`,
    );
  }
  const message = arrow.Message.decode(bytes.subarray(offset, offset + length));
  if (!message.isSchema()) {
    throw FlightError.internal(
      `Expected an IPC Schema message, got ${arrow.MessageHeader[message.headerType]}`,
    );
  }
  return message.header();
}

/** A received (header, body) pair, as decoded from a FlightData message. */
export interface ReceivedIpcMessage {
  /** IPC Message flatbuffer; empty for metadata-only FlightData. */
  header: Uint8Array;
  /** IPC body. */
  bodyBytes: Uint8Array;
}

/**
 * Re-frames received FlightData (header, body) pairs as an Arrow IPC stream: for each message the
 * continuation marker, the padded header length, the header padded to 8 bytes, then the body; an
 * end-of-stream marker at the end. Metadata-only messages (empty header) are skipped.
 *
 * @throws {FlightError} `INTERNAL` when the first message is not a Schema or a body is shorter
 *   than its header says.
 */
export async function* flightDataToIpcStream(
  messages: AsyncIterable<ReceivedIpcMessage>,
): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const m of messages) {
    if (m.header.byteLength === 0) continue;
    const message = arrow.Message.decode(m.header);
    if (first && !message.isSchema()) {
      throw FlightError.internal(
        `Expected the first FlightData to carry a Schema, got ${
          arrow.MessageHeader[message.headerType]
        }`,
      );
    }
    first = false;
    const expected = message.bodyLength;
    if (m.bodyBytes.byteLength < expected) {
      throw FlightError.internal(
        `FlightData body is ${m.bodyBytes.byteLength} bytes, its ${
          arrow.MessageHeader[message.headerType]
        } header says ${expected}`,
      );
    }
    yield encapsulateHeader(m.header);
    if (expected > 0) yield m.bodyBytes.subarray(0, expected);
    // apache-arrow's async byte reader asks for one more chunk before it hands out the message it
    // just completed; an empty chunk satisfies it, so a batch is delivered as soon as it arrived
    // (otherwise the last batch would wait for the next message, or for the end of the stream).
    yield new Uint8Array(0);
  }
  yield IPC_EOS;
}

/**
 * Decodes received FlightData as Arrow: resolves once the Schema message has arrived.
 *
 * @returns apache-arrow's own stream reader (async iterable of record batches, `schema` set).
 */
export async function readFlightData(
  messages: AsyncIterable<ReceivedIpcMessage>,
): Promise<arrow.AsyncRecordBatchStreamReader> {
  const reader = await arrow.RecordBatchReader.from(flightDataToIpcStream(messages));
  await reader.open();
  if (!reader.schema) throw FlightError.internal("Flight stream ended before its Schema message");
  return reader as arrow.AsyncRecordBatchStreamReader;
}
