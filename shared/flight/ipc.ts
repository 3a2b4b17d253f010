/**
 * Arrow IPC <-> Flight framing.
 *
 * - {@linkcode FlightDataEncoder} turns a schema and record batches into IPC messages, each a
 *   (flatbuffer header, body) pair as `FlightData` carries them: the schema first, dictionary
 *   batches before the batches that use them, record batches split by bytes so that every message
 *   stays near a target size. Bodies are uncompressed.
 * - {@linkcode FlightDataDecoder} / {@linkcode readFlightData} decode received (header, body) pairs
 *   straight into record batches (one header parse per message, columns are views into the
 *   received body), with apache-arrow's own vector loader.
 * - {@linkcode schemaToIpcBytes} / {@linkcode schemaFromIpcBytes}: the encapsulated IPC form used
 *   by `FlightInfo.schema` and `SchemaResult.schema`.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { _InternalEmptyPlaceholderRecordBatch } from "apache-arrow/recordbatch";
import { VectorLoader } from "apache-arrow/visitor/vectorloader";
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

const schemaFrames = new WeakMap<arrow.Schema, IpcFrame>();

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
   * The Schema message of `schema`, as {@linkcode FlightDataEncoder.schemaFrame} gives it, made
   * once per schema object (a server sends it at the start of every stream).
   */
  static schemaFrameOf(schema: arrow.Schema): IpcFrame {
    let frame = schemaFrames.get(schema);
    if (!frame) {
      frame = new FlightDataEncoder(schema).schemaFrame();
      schemaFrames.set(schema, frame);
    }
    return frame;
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

/** The parts of a decoded RecordBatch message header this module reads. */
interface RecordBatchHeader {
  length: number;
  nodes: unknown[];
  buffers: unknown[];
  compression?: unknown;
  variadicBufferCounts?: number[];
}

/** The parts of a decoded DictionaryBatch message header this module reads. */
interface DictionaryBatchHeader {
  id: number;
  isDelta: boolean;
  data: RecordBatchHeader;
}

/** Where a buffer sits in a message body (apache-arrow's `BufferRegion`). */
type BufferRegion = { offset: number; length: number };

/**
 * apache-arrow's `VectorLoader`, minus the alignment it needs: a received body sits wherever the
 * protobuf framing put it, but typed-array views must start at a multiple of their element size.
 * Buffers of 1-byte elements (binary and utf8 values, fixed-size binary, validity) stay views into
 * the body, whatever their alignment: a 1 MB `ledger_xdr` value is not copied. Offsets and wider
 * values that are misaligned are copied (they are small next to binary payloads).
 */
class BodyLoader extends VectorLoader {
  protected override readOffsets<T extends arrow.DataType>(
    type: T,
    buffer: BufferRegion = this.nextBufferRange(),
  ): Uint8Array {
    const view = VectorLoader.prototype["readData"].call(this, type, buffer) as Uint8Array;
    return view.byteOffset % 8 === 0 ? view : new Uint8Array(view); // (Buffer#slice is a view)
  }

  protected override readData<T extends arrow.DataType>(
    type: T,
    buffer: BufferRegion = this.nextBufferRange(),
  ): Uint8Array {
    const view = super.readData(type, buffer);
    const width = (type as { ArrayType?: { BYTES_PER_ELEMENT?: number } } | null)?.ArrayType
      ?.BYTES_PER_ELEMENT ?? 8;
    return width === 1 || view.byteOffset % width === 0 ? view : new Uint8Array(view);
  }
}

type Loader = new (
  bytes: Uint8Array,
  nodes: unknown[],
  buffers: unknown[],
  dictionaries: Map<number, arrow.Vector>,
  metadataVersion: arrow.MetadataVersion,
  variadicBufferCounts?: number[],
) => { visitMany(types: readonly (arrow.Field | arrow.DataType)[]): arrow.Data[] };

/**
 * Decodes received FlightData (header, body) pairs into record batches one message at a time,
 * synchronously: the IPC header is parsed once and the columns are views into the received body
 * (apache-arrow's own `VectorLoader`, as its stream reader uses it). Schema messages (re)start the
 * stream, dictionary batches (new, replaced or delta) are kept for the batches that follow,
 * metadata-only messages (empty header) carry no batch.
 */
export class FlightDataDecoder {
  #schema: arrow.Schema | undefined;
  #dictionaries = new Map<number, arrow.Vector>();
  #recordBatches = 0;

  /** The schema once the Schema message was decoded. */
  get schema(): arrow.Schema | undefined {
    return this.#schema;
  }

  /** Record batches decoded since the last Schema message. */
  get recordBatches(): number {
    return this.#recordBatches;
  }

  /**
   * Decodes one message: the record batch it carries, or null (schema, dictionary batch,
   * metadata-only message).
   *
   * @throws {FlightError} `INTERNAL` when the first message with a header is not a Schema, a body
   *   is shorter than its header says, or a body is compressed.
   */
  decode(m: ReceivedIpcMessage): arrow.RecordBatch | null {
    if (m.header.byteLength === 0) return null;
    const message = arrow.Message.decode(m.header);
    const type = arrow.MessageHeader[message.headerType];
    if (!this.#schema && !message.isSchema()) {
      throw FlightError.internal(`Expected the first FlightData to carry a Schema, got ${type}`);
    }
    const expected = message.bodyLength;
    if (m.bodyBytes.byteLength < expected) {
      throw FlightError.internal(
        `FlightData body is ${m.bodyBytes.byteLength} bytes, its ${type} header says ${expected}`,
      );
    }
    const body = m.bodyBytes.byteLength === expected
      ? m.bodyBytes
      : m.bodyBytes.subarray(0, expected);
    if (message.isSchema()) {
      this.#schema = message.header();
      this.#dictionaries = new Map();
      this.#recordBatches = 0;
      return null;
    }
    const schema = this.#schema!;
    if (message.isRecordBatch()) {
      const h = message.header() as unknown as RecordBatchHeader;
      const children = this.#load(body, h, schema.fields, type);
      const data = arrow.makeData({
        type: new arrow.Struct(schema.fields),
        length: h.length,
        children,
      });
      this.#recordBatches++;
      return new (arrow.RecordBatch as unknown as new (
        schema: arrow.Schema,
        data: arrow.Data<arrow.Struct>,
        metadata: Map<string, string>,
      ) => arrow.RecordBatch)(schema, data, message.metadata);
    }
    if (message.isDictionaryBatch()) {
      const h = message.header() as unknown as DictionaryBatchHeader;
      const valueType = schema.dictionaries.get(h.id);
      if (!valueType) {
        throw FlightError.internal(`FlightData dictionary batch for id ${h.id}, not in the schema`);
      }
      const vector = new arrow.Vector(this.#load(body, h.data, [valueType], type));
      const current = this.#dictionaries.get(h.id);
      this.#dictionaries.set(
        h.id,
        (current && h.isDelta ? current.concat(vector) : vector).memoize(),
      );
    }
    return null;
  }

  #load(
    body: Uint8Array,
    h: RecordBatchHeader,
    types: readonly (arrow.Field | arrow.DataType)[],
    what: string,
  ): arrow.Data[] {
    if (h.compression != null) {
      throw FlightError.internal(`FlightData ${what} body is compressed, which is not supported`);
    }
    const schema = this.#schema!;
    return new (BodyLoader as unknown as Loader)(
      body,
      h.nodes,
      h.buffers,
      this.#dictionaries,
      schema.metadataVersion,
      h.variadicBufferCounts,
    ).visitMany(types);
  }
}

/** Options of {@linkcode readFlightData}. */
export interface ReadFlightDataOptions {
  /** Called with each record batch and the message it came in (e.g. for its `appMetadata`). */
  onRecordBatch?: (batch: arrow.RecordBatch, message: ReceivedIpcMessage) => void;
}

/**
 * The record batches of received FlightData, decoded as they arrive (see
 * {@linkcode FlightDataDecoder}). Like apache-arrow's stream reader, a stream with a schema and no
 * record batch yields one empty placeholder batch.
 */
export class FlightDataReader implements AsyncIterableIterator<arrow.RecordBatch> {
  /** The stream's schema. */
  readonly schema: arrow.Schema;
  readonly #messages: AsyncIterator<ReceivedIpcMessage>;
  readonly #decoder: FlightDataDecoder;
  readonly #onRecordBatch?: ReadFlightDataOptions["onRecordBatch"];
  #done = false;

  /** @internal Use {@linkcode readFlightData}. */
  constructor(
    messages: AsyncIterator<ReceivedIpcMessage>,
    decoder: FlightDataDecoder,
    options: ReadFlightDataOptions,
  ) {
    this.#messages = messages;
    this.#decoder = decoder;
    this.schema = decoder.schema!;
    this.#onRecordBatch = options.onRecordBatch;
  }

  /** The next record batch. */
  async next(): Promise<IteratorResult<arrow.RecordBatch>> {
    while (!this.#done) {
      const r = await this.#messages.next();
      if (r.done) {
        this.#done = true;
        if (this.#decoder.recordBatches === 0) {
          return { done: false, value: new _InternalEmptyPlaceholderRecordBatch(this.schema) };
        }
        break;
      }
      const batch = this.#decoder.decode(r.value);
      if (batch) {
        this.#onRecordBatch?.(batch, r.value);
        return { done: false, value: batch };
      }
    }
    return { done: true, value: undefined };
  }

  /** Stops reading: closes the message source. */
  async return(): Promise<IteratorResult<arrow.RecordBatch>> {
    if (!this.#done) {
      this.#done = true;
      await this.#messages.return?.();
    }
    return { done: true, value: undefined };
  }

  /** This reader. */
  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Decodes received FlightData as Arrow: resolves once the Schema message has arrived.
 *
 * @throws {FlightError} `INTERNAL` when the stream ends before a Schema or starts with another
 *   message (see {@linkcode FlightDataDecoder.decode} for the other checks, made while reading).
 */
export async function readFlightData(
  messages: AsyncIterable<ReceivedIpcMessage>,
  options: ReadFlightDataOptions = {},
): Promise<FlightDataReader> {
  const it = messages[Symbol.asyncIterator]();
  const decoder = new FlightDataDecoder();
  try {
    while (!decoder.schema) {
      const r = await it.next();
      if (r.done) throw FlightError.internal("Flight stream ended before its Schema message");
      decoder.decode(r.value);
    }
  } catch (err) {
    await it.return?.();
    throw err;
  }
  return new FlightDataReader(it, decoder, options);
}
