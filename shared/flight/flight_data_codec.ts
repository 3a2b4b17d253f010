/**
 * Protobuf encoding of `arrow.flight.protocol.FlightData`, written by hand so that the Arrow body
 * is copied once (straight from the Arrow buffers into the gRPC message) and read without copying
 * (the decoded fields are views into the received message).
 *
 * Field numbers: `flight_descriptor` = 1, `data_header` = 2, `app_metadata` = 3,
 * `data_body` = 1000. Unknown fields are skipped when decoding, as protobuf requires.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** One FlightData message as this module sees it. */
export interface FlightDataMessage {
  /** Encoded `FlightDescriptor` (field 1), present only on the first DoPut message. */
  descriptor?: Uint8Array;
  /** The IPC Message flatbuffer (field 2); empty for metadata-only messages. */
  header: Uint8Array;
  /** Application metadata (field 3). */
  appMetadata?: Uint8Array;
  /** The IPC body (field 1000), as one or more consecutive pieces. */
  body: readonly Uint8Array[];
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const FIELD_DESCRIPTOR = 1;
const FIELD_HEADER = 2;
const FIELD_APP_METADATA = 3;
const FIELD_BODY = 1000;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  out[pos++] = value;
  return pos;
}

function tagOf(field: number): number {
  return field * 8 + WIRE_LEN;
}

function lengthOf(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.byteLength;
  return n;
}

function fieldSize(field: number, length: number): number {
  return varintSize(tagOf(field)) + varintSize(length) + length;
}

/** The encoded size of `message` in bytes, without encoding it. */
export function flightDataEncodedSize(message: FlightDataMessage): number {
  let size = 0;
  if (message.descriptor?.byteLength) {
    size += fieldSize(FIELD_DESCRIPTOR, message.descriptor.byteLength);
  }
  if (message.header.byteLength) size += fieldSize(FIELD_HEADER, message.header.byteLength);
  if (message.appMetadata?.byteLength) {
    size += fieldSize(FIELD_APP_METADATA, message.appMetadata.byteLength);
  }
  const bodyLength = lengthOf(message.body);
  if (bodyLength) size += fieldSize(FIELD_BODY, bodyLength);
  return size;
}

function writeField(
  out: Uint8Array,
  pos: number,
  field: number,
  pieces: readonly Uint8Array[],
  length: number,
): number {
  pos = writeVarint(out, pos, tagOf(field));
  pos = writeVarint(out, pos, length);
  for (const p of pieces) {
    out.set(p, pos);
    pos += p.byteLength;
  }
  return pos;
}

function writeFlightData(out: Uint8Array, start: number, message: FlightDataMessage): void {
  let pos = start;
  const d = message.descriptor;
  if (d?.byteLength) pos = writeField(out, pos, FIELD_DESCRIPTOR, [d], d.byteLength);
  const h = message.header;
  if (h.byteLength) pos = writeField(out, pos, FIELD_HEADER, [h], h.byteLength);
  const m = message.appMetadata;
  if (m?.byteLength) pos = writeField(out, pos, FIELD_APP_METADATA, [m], m.byteLength);
  const bodyLength = lengthOf(message.body);
  if (bodyLength) pos = writeField(out, pos, FIELD_BODY, message.body, bodyLength);
  if (pos !== out.byteLength) {
    throw new Error(
      `FlightData encoder wrote ${pos - start} bytes, expected ${out.byteLength - start}`,
    );
  }
}

/**
 * Encodes a FlightData message. Empty fields are left out (proto3 defaults), fields are written in
 * field-number order like Arrow's own encoders.
 */
export function encodeFlightData(message: FlightDataMessage): Buffer {
  const out = Buffer.allocUnsafe(flightDataEncodedSize(message));
  writeFlightData(out, 0, message);
  return out;
}

/** Size of the gRPC message prefix: a compressed flag byte and a 4-byte big-endian length. */
export const GRPC_PREFIX_BYTES = 5;

/**
 * Encodes a FlightData message as gRPC puts it on the wire: the 5-byte length prefix (not
 * compressed) followed by exactly the bytes of {@linkcode encodeFlightData}. The result starts at
 * offset 0 of an `ArrayBuffer` no one else uses (never a pooled one), so a worker can transfer it;
 * a Flight server sends it without copying (see `EncodedFlightData` in `server.ts`). With `into`
 * (a buffer to reuse, for example one of an earlier message already sent) the message is written
 * at its start when it fits, otherwise into a new buffer of `reserve(size)` bytes (default: the
 * exact size).
 *
 * @throws {RangeError} when the message does not fit gRPC's 32-bit length.
 */
export function encodeFlightDataFramed(
  message: FlightDataMessage,
  options: { into?: ArrayBuffer; reserve?: (size: number) => number } = {},
): Uint8Array {
  const size = flightDataEncodedSize(message);
  if (size > 0xffffffff) {
    throw new RangeError(`FlightData of ${size} bytes exceeds gRPC's 4 GiB message limit`);
  }
  const total = GRPC_PREFIX_BYTES + size;
  const buffer = options.into && options.into.byteLength >= total
    ? options.into
    : new ArrayBuffer(Math.max(total, options.reserve?.(total) ?? total));
  const out = new Uint8Array(buffer, 0, total);
  out[0] = 0;
  new DataView(buffer).setUint32(1, size);
  writeFlightData(out, GRPC_PREFIX_BYTES, message);
  return out;
}

/** A decoded FlightData message whose fields are views into the input (body in one piece). */
export interface DecodedFlightData extends FlightDataMessage {
  /** The whole body (field 1000); empty when absent. */
  readonly bodyBytes: Uint8Array;
  /** Size of the encoded message in bytes. */
  readonly encodedBytes: number;
}

const EMPTY: Uint8Array = new Uint8Array(0);

function readVarint(buf: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.byteLength) {
      throw new RangeError(
        `FlightData: varint runs past the end of the ${buf.byteLength}-byte message`,
      );
    }
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new RangeError(`FlightData: varint longer than 10 bytes at offset ${pos - 10}`);
}

/**
 * Decodes a FlightData message. Returned byte fields are views into `buf` (no copy).
 *
 * @throws {RangeError} when the bytes are not a well-formed protobuf message.
 */
export function decodeFlightData(buf: Uint8Array): DecodedFlightData {
  let descriptor: Uint8Array | undefined;
  let header: Uint8Array = EMPTY;
  let appMetadata: Uint8Array | undefined;
  let body: Uint8Array = EMPTY;
  let pos = 0;
  while (pos < buf.byteLength) {
    const [tag, afterTag] = readVarint(buf, pos);
    pos = afterTag;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new RangeError(`FlightData: field number 0 at offset ${pos}`);
    switch (wire) {
      case WIRE_VARINT:
        pos = readVarint(buf, pos)[1];
        break;
      case WIRE_FIXED64:
        pos += 8;
        break;
      case WIRE_FIXED32:
        pos += 4;
        break;
      case WIRE_LEN: {
        const [length, start] = readVarint(buf, pos);
        const end = start + length;
        if (end > buf.byteLength) {
          throw new RangeError(
            `FlightData: field ${field} claims ${length} bytes at offset ${start}, ` +
              `but the message has ${buf.byteLength} bytes`,
          );
        }
        const value = buf.subarray(start, end);
        if (field === FIELD_DESCRIPTOR) descriptor = value;
        else if (field === FIELD_HEADER) header = value;
        else if (field === FIELD_APP_METADATA) appMetadata = value;
        else if (field === FIELD_BODY) body = value;
        pos = end;
        break;
      }
      default:
        throw new RangeError(`FlightData: unsupported wire type ${wire} for field ${field}`);
    }
    if (pos > buf.byteLength) {
      throw new RangeError(`FlightData: field ${field} runs past the end of the message`);
    }
  }
  return {
    descriptor,
    header,
    appMetadata,
    body: body.byteLength ? [body] : [],
    bodyBytes: body,
    encodedBytes: buf.byteLength,
  };
}
