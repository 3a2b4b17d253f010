import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  decodeFlightData,
  encodeFlightData,
  encodeFlightDataFramed,
  flightDataEncodedSize,
  GRPC_PREFIX_BYTES,
} from "./flight_data_codec.ts";
import type { FlightDataMessage } from "./flight_data_codec.ts";
import { flightServiceDefinition } from "./proto.ts";

// protobufjs (through proto-loader) is the reference encoder/decoder: DoExchange still uses it.
const reference = flightServiceDefinition.DoExchange;
const bytes = (...v: number[]) => Uint8Array.from(v);
const descriptorObject = { type: "PATH", path: ["ledgers", "1-2"], cmd: new Uint8Array(0) };
const descriptorBytes = new Uint8Array(
  flightServiceDefinition.GetFlightInfo.requestSerialize(descriptorObject),
);

const cases: { name: string; message: FlightDataMessage }[] = [
  { name: "empty message", message: { header: bytes(), body: [] } },
  { name: "header only (schema)", message: { header: bytes(1, 2, 3), body: [] } },
  {
    name: "header and body in pieces",
    message: { header: bytes(9, 8, 7, 6), body: [bytes(1, 2), bytes(), bytes(3, 4, 5)] },
  },
  {
    name: "app_metadata and descriptor",
    message: {
      descriptor: descriptorBytes,
      header: bytes(5),
      appMetadata: bytes(0xaa, 0xbb),
      body: [bytes(1)],
    },
  },
  {
    name: "lengths needing 2- and 3-byte varints",
    message: { header: new Uint8Array(300).fill(7), body: [new Uint8Array(70_000).fill(3)] },
  },
];

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(pieces.flatMap((p) => [...p]));
}

for (const { name, message } of cases) {
  Deno.test(`FlightData codec: ${name} matches protobufjs`, () => {
    const mine = encodeFlightData(message);
    assert.equal(mine.byteLength, flightDataEncodedSize(message));
    // Empty fields are left out (proto3 default values), as protobufjs does for absent keys.
    const body = concat(message.body);
    const theirs = reference.requestSerialize({
      ...(message.descriptor ? { flight_descriptor: descriptorObject } : {}),
      ...(message.header.byteLength ? { data_header: message.header } : {}),
      ...(message.appMetadata?.byteLength ? { app_metadata: message.appMetadata } : {}),
      ...(body.byteLength ? { data_body: body } : {}),
    });
    assert.deepEqual(new Uint8Array(mine), new Uint8Array(theirs));

    const decoded = decodeFlightData(new Uint8Array(mine));
    assert.deepEqual(decoded.header, message.header);
    assert.deepEqual(decoded.bodyBytes, concat(message.body));
    assert.deepEqual(decoded.appMetadata ?? bytes(), message.appMetadata ?? bytes());
    assert.deepEqual(decoded.descriptor ?? bytes(), message.descriptor ?? bytes());
    assert.equal(decoded.encodedBytes, mine.byteLength);
  });
}

Deno.test("FlightData decoder: fields in any order, unknown fields skipped, views not copies", () => {
  const body = bytes(1, 2, 3, 4);
  const wire = Uint8Array.from([
    0xc2,
    0x3e,
    4,
    ...body, // data_body first (field 1000)
    0x20,
    0x96,
    0x01, // unknown varint field 4 = 150
    0x29,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8, // unknown fixed64 field 5
    0x35,
    1,
    2,
    3,
    4, // unknown fixed32 field 6
    0x3a,
    2,
    9,
    9, // unknown bytes field 7
    0x12,
    2,
    0xab,
    0xcd, // data_header
  ]);
  const d = decodeFlightData(wire);
  assert.deepEqual(d.header, bytes(0xab, 0xcd));
  assert.deepEqual(d.bodyBytes, body);
  assert.equal(d.bodyBytes.buffer, wire.buffer, "body is a view into the message");
  const viaReference = reference.requestDeserialize(Buffer.from(wire)) as {
    data_header: Uint8Array;
    data_body: Uint8Array;
  };
  assert.deepEqual(new Uint8Array(viaReference.data_body), body);
});

const malformed: { name: string; wire: number[]; error: RegExp }[] = [
  { name: "truncated length", wire: [0x12, 5, 1, 2], error: /claims 5 bytes/ },
  { name: "truncated varint", wire: [0x12, 0x80], error: /varint runs past the end/ },
  { name: "field number 0", wire: [0x02, 0], error: /field number 0/ },
  { name: "group wire type", wire: [0x13], error: /unsupported wire type 3/ },
  { name: "truncated fixed64", wire: [0x29, 1, 2], error: /runs past the end/ },
];

for (const { name, wire, error } of malformed) {
  Deno.test(`FlightData decoder rejects ${name}`, () => {
    assert.throws(() => decodeFlightData(Uint8Array.from(wire)), error);
  });
}

Deno.test("FlightData codec: the framed encoding is the gRPC prefix plus encodeFlightData", () => {
  for (const { message } of cases) {
    const framed = encodeFlightDataFramed(message);
    const plain = new Uint8Array(encodeFlightData(message));
    assert.equal(framed.byteLength, GRPC_PREFIX_BYTES + plain.byteLength);
    assert.equal(framed.byteOffset, 0);
    assert.equal(framed.buffer.byteLength, framed.byteLength, "owns an ArrayBuffer of its size");
    assert.equal(framed[0], 0, "not compressed");
    assert.equal(new DataView(framed.buffer).getUint32(1), plain.byteLength);
    assert.deepEqual(framed.subarray(GRPC_PREFIX_BYTES), plain);
    // Into a reused buffer holding old bytes: same bytes at its start.
    const into = new Uint8Array(framed.byteLength + 100).fill(0xee).buffer;
    const again = encodeFlightDataFramed(message, { into });
    assert.equal(again.buffer, into);
    assert.equal(again.byteOffset, 0);
    assert.deepEqual(again, framed);
    // A buffer too small is not used; reserve sizes the new one.
    const small = new ArrayBuffer(framed.byteLength - 1);
    const fresh = encodeFlightDataFramed(message, { into: small, reserve: (n) => n * 2 });
    assert.notEqual(fresh.buffer, small);
    assert.equal(fresh.buffer.byteLength, framed.byteLength * 2);
    assert.deepEqual(fresh, framed);
  }
});
