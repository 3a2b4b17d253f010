import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { decodeFlightData, encodeFlightData } from "../../shared/flight/flight_data_codec.ts";
import { FlightDataEncoder, readFlightData } from "../../shared/flight/ipc.ts";
import {
  ledgerRowsToRecordBatch,
  recordBatchToLedgerRows,
  stellarLedgerSchema,
} from "../../shared/schema/mod.ts";
import { decodeUnit } from "./decode.ts";
import type { DecodeRequest, EncodeRequest } from "./decode_types.ts";
import { encodeLedgers, encodeOneRow, splitByBytes, toRows } from "./encode.ts";
import { SourceError } from "./errors.ts";
import { lakePath } from "./testing/fixtures.ts";

const P19_OBJECT = "FFEA7C7F--1409920-1410559/FFEA7BFF--1410048-1410111.xdr.zst";
const P19_BYTES = await Deno.readFile(`${lakePath("testnet-p19")}/${P19_OBJECT}`);
const NETWORK_ID = new Uint8Array(32).fill(7);

function request(
  encode?: Omit<EncodeRequest, "networkId" | "sourceType">,
): Extract<DecodeRequest, { kind: "lake" }> {
  return {
    kind: "lake",
    object: `lake/${P19_OBJECT}`,
    start: 1410048,
    end: 1410111,
    bytes: P19_BYTES.slice(),
    encode: encode && { ...encode, networkId: NETWORK_ID, sourceType: "datalake" },
  };
}

async function rowsOf(messages: Uint8Array[]) {
  const encoder = new FlightDataEncoder(stellarLedgerSchema);
  async function* received() {
    yield decodeFlightData(encodeFlightData(encoder.schemaFrame()));
    for (const m of messages) yield decodeFlightData(m.subarray(5));
  }
  const batches: arrow.RecordBatch[] = [];
  for await (const b of await readFlightData(received())) batches.push(b);
  return batches.flatMap(recordBatchToLedgerRows);
}

Deno.test("encoded units hold exactly the requested ledgers, batches within the byte budget", async () => {
  const plain = decodeUnit(request()).ledgers;
  const { ledgers } = decodeUnit(request({ start: 1410050, end: 1410100, batchBytes: 20_000 }));
  assert.deepEqual(ledgers.map((l) => l.sequence), plain.slice(2, 53).map((l) => l.sequence));
  assert.ok(ledgers.every((l) => l.xdr.byteLength === 0), "XDR lives in the messages");
  const parts = ledgers.filter((l) => l.encoded).map((l) => l.encoded!);
  assert.ok(parts.length > 1, `expected several batches, got ${parts.length}`);
  assert.equal(ledgers.at(-1)!.encoded !== undefined, true, "the last ledger closes a batch");
  assert.equal(parts.reduce((n, p) => n + p.ledgers, 0), ledgers.length);
  for (const p of parts) {
    assert.ok(p.ledgers === 1 || p.xdrBytes <= 20_000, `${p.ledgers} ledgers, ${p.xdrBytes} bytes`);
  }
  const rows = await rowsOf(parts.flatMap((p) => p.messages));
  assert.deepEqual(rows.map((r) => r.sequence), ledgers.map((l) => l.sequence));
  for (const [i, r] of rows.entries()) {
    const l = plain[i + 2];
    assert.deepEqual(r.ledger_xdr, new Uint8Array(l.xdr));
    assert.deepEqual(r.hash, l.hash);
    assert.deepEqual(r.network_id, NETWORK_ID);
    assert.equal(r.total_fees, l.totalFees);
    assert.equal(r.source_url, l.object);
    assert.equal(r.source_type, "datalake");
  }
  const xdrBytes = parts.reduce((n, p) => n + p.xdrBytes, 0);
  assert.equal(xdrBytes, plain.slice(2, 53).reduce((n, l) => n + l.xdr.byteLength, 0));
});

Deno.test("encoded messages are the bytes the Flight server makes of the same batches", () => {
  const plain = decodeUnit(request()).ledgers;
  const ingestionTime = 1_700_000_000_000;
  const realNow = Date.now;
  Date.now = () => ingestionTime;
  let kept;
  try {
    kept = encodeLedgers(plain.map((l) => ({ ...l })), {
      start: 1410048,
      end: 1410111,
      networkId: NETWORK_ID,
      sourceType: "datalake",
      batchBytes: 50_000,
    });
  } finally {
    Date.now = realNow;
  }
  const server = new FlightDataEncoder(stellarLedgerSchema);
  const rows = toRows(plain, { networkId: NETWORK_ID, sourceType: "datalake", ingestionTime });
  const expected = splitByBytes(rows, 50_000).flatMap((part) =>
    server.encode(ledgerRowsToRecordBatch(part)).map((f) => new Uint8Array(encodeFlightData(f)))
  );
  const got = kept.flatMap((l) => l.encoded?.messages ?? []).map((m) => m.subarray(5));
  assert.deepEqual(got, expected);
});

Deno.test("encoding errors: a ledger above the Flight limit; decodeUnit names the ledgers", () => {
  const { ledgers } = decodeUnit(request());
  const huge = { ...ledgers[0], xdr: new Uint8Array(65 * 1024 * 1024) };
  assert.throws(
    () =>
      encodeLedgers([huge], {
        start: huge.sequence,
        end: huge.sequence,
        networkId: NETWORK_ID,
        sourceType: "datalake",
        batchBytes: 1,
      }),
    /above the Flight message limit/,
  );
  // Through decodeUnit the error becomes a SourceError of kind resource_exhausted.
  const err = (() => {
    try {
      decodeUnit({
        ...request(),
        encode: {
          start: 0,
          end: 2 ** 32,
          networkId: new Uint8Array(3),
          sourceType: "datalake",
          batchBytes: 1,
        },
      });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof SourceError, `expected a SourceError, got ${err}`);
  assert.equal(err.kind, "internal"); // a network id of the wrong width is a bug, not the data
  assert.match(err.message, /ledgers 1410048-1410111: lake\/.*encoding Flight messages failed/);
});

Deno.test("encoding reuses recycled buffers that fit, with the same bytes", () => {
  const plain = decodeUnit(request()).ledgers;
  const req = (recycle?: ArrayBuffer[]): EncodeRequest => ({
    start: 1410048,
    end: 1410111,
    networkId: NETWORK_ID,
    sourceType: "datalake",
    batchBytes: 50_000,
    recycle,
  });
  const realNow = Date.now;
  Date.now = () => 1_700_000_000_000;
  try {
    const first = encodeLedgers(plain.map((l) => ({ ...l })), req())
      .flatMap((l) => l.encoded?.messages ?? []);
    const snapshot = first.map((m) => m.slice());
    // Dirty the buffers, then hand them back: the next encoding writes into them.
    const buffers = first.map((m) => new Uint8Array(m.buffer).fill(0xee).buffer as ArrayBuffer);
    const second = encodeLedgers(plain.map((l) => ({ ...l })), req(buffers))
      .flatMap((l) => l.encoded?.messages ?? []);
    assert.deepEqual(second, snapshot);
    const reused = second.filter((m) => buffers.includes(m.buffer as ArrayBuffer)).length;
    assert.ok(reused >= Math.min(second.length, 8) - 1, `${reused} of ${second.length} reused`);
    assert.equal(new Set(second.map((m) => m.buffer)).size, second.length, "one buffer each");
  } finally {
    Date.now = realNow;
  }
});

Deno.test("one-ledger batches are written directly, byte for byte as the Flight encoder would", async () => {
  const lake = lakePath("pubnet-p26");
  const units: DecodeRequest[] = [];
  for await (const part of Deno.readDir(lake)) {
    if (!part.isDirectory) continue;
    for await (const f of Deno.readDir(`${lake}/${part.name}`)) {
      const seq = Number(/--(\d+)\.xdr/.exec(f.name)![1]);
      const bytes = await Deno.readFile(`${lake}/${part.name}/${f.name}`);
      units.push({ kind: "lake", object: f.name, start: seq, end: seq, bytes });
    }
  }
  assert.equal(units.length, 20);
  const server = new FlightDataEncoder(stellarLedgerSchema);
  const base = decodeUnit(units[0]).ledgers[0];
  const odd = [0, 1, 7, 8, 9, 1000].map((n, i) => ({
    ...base,
    sequence: base.sequence + i,
    xdr: new Uint8Array(n).fill(i + 1),
    object: ["", "é/ü ☃ 𝄞", "x".repeat(8), "rpc"][i % 4],
    totalFees: -(2n ** 63n) + BigInt(i),
    feePool: 2n ** 63n - 1n,
    closeTime: 1.5 + i,
  }));
  const ledgers = [...units.map((u) => decodeUnit(u).ledgers[0]), ...odd];
  for (const l of ledgers) {
    const rows = toRows([l], { networkId: NETWORK_ID, sourceType: "rpc", ingestionTime: 17.25 });
    assert.ok(encodeOneRow(rows[0]), "the direct path handles the row");
    const expected = server.encode(ledgerRowsToRecordBatch(rows)).map((f) =>
      new Uint8Array(encodeFlightData(f))
    );
    const realNow = Date.now;
    Date.now = () => 17.25;
    let got;
    try {
      got = encodeLedgers([{ ...l }], {
        start: l.sequence,
        end: l.sequence,
        networkId: NETWORK_ID,
        sourceType: "rpc",
        batchBytes: 2 << 20,
      })[0].encoded!.messages.map((m) => m.subarray(5));
    } finally {
      Date.now = realNow;
    }
    assert.deepEqual(got, expected, `ledger ${l.sequence}, ${l.xdr.byteLength} bytes`);
  }
});

Deno.test("encoding units one after another: earlier messages intact, bad zstd is DATA_LOSS", async () => {
  const first = decodeUnit(request({ start: 0, end: 2 ** 32, batchBytes: 2 << 20 })).ledgers;
  const messages = first.flatMap((l) => l.encoded?.messages ?? []);
  const snapshot = messages.map((m) => m.slice());
  const lake = lakePath("testnet-p19");
  const other = "FFEA7C7F--1409920-1410559/FFEA7B7F--1410176-1410239.xdr.zst";
  const again = decodeUnit({
    kind: "lake",
    object: other,
    start: 1410176,
    end: 1410239,
    bytes: await Deno.readFile(`${lake}/${other}`),
    encode: {
      start: 0,
      end: 2 ** 32,
      networkId: NETWORK_ID,
      sourceType: "datalake",
      batchBytes: 1,
    },
  });
  assert.equal(again.ledgers.length, 64);
  assert.deepEqual(messages, snapshot);
  assert.deepEqual((await rowsOf(messages)).map((r) => r.sequence), first.map((l) => l.sequence));
  const bad = P19_BYTES.slice();
  bad[100] ^= 0xff;
  bad[200] ^= 0xff;
  assert.throws(
    () => decodeUnit({ ...request({ start: 0, end: 2 ** 32, batchBytes: 1 }), bytes: bad }),
    (err: unknown) =>
      err instanceof SourceError && err.kind === "data_loss" && err.ledger === 1410048 &&
      /zstd decompression failed: Zstd decompress error/.test(err.message),
  );
});
