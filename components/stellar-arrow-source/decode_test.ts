import assert from "node:assert/strict";
import zlib from "node:zlib";
import { splitLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { decodeUnit } from "./decode.ts";
import type { DecodeRequest } from "./decode_types.ts";
import { SourceError } from "./errors.ts";
import { lakePath, ledgerFacts } from "./testing/fixtures.ts";
import { rpcLedgersOf } from "./testing/rpc_server.ts";

const FACTS = await ledgerFacts();
const P19_OBJECT = "FFEA7C7F--1409920-1410559/FFEA7BFF--1410048-1410111.xdr.zst";
const P19_BYTES = await Deno.readFile(`${lakePath("testnet-p19")}/${P19_OBJECT}`);

function lakeRequest(bytes: Uint8Array, start = 1410048, end = 1410111): DecodeRequest {
  return { kind: "lake", object: `lake/${P19_OBJECT}`, start, end, bytes };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

function dataLoss(re: RegExp, ledger: number) {
  return (err: unknown) => {
    assert.ok(err instanceof SourceError, `expected a SourceError, got ${err}`);
    assert.equal(err.kind, "data_loss");
    assert.equal(err.ledger, ledger);
    assert.match(err.message, re);
    return true;
  };
}

Deno.test("a 64-ledger batch decodes to the facts of ledgers.json, XDR slices intact", () => {
  const result = decodeUnit(lakeRequest(P19_BYTES));
  assert.equal(result.ledgers.length, 64);
  assert.equal(result.storedBytes, P19_BYTES.length);
  for (const l of result.ledgers) {
    const f = FACTS.get(l.sequence)!;
    assert.equal(hex(l.hash), f.hash);
    assert.equal(l.closeTime, f.closeTime);
    assert.equal(l.protocolVersion, f.protocol);
    assert.equal(l.transactionCount, f.txCount);
    assert.equal(l.successfulTransactionCount, f.txOk);
    assert.equal(l.failedTransactionCount, f.txFailed);
    assert.equal(l.operationCount, f.opCountInTxSet);
    assert.equal(l.object, `lake/${P19_OBJECT}`);
  }
  const raw = zlib.zstdDecompressSync(P19_BYTES);
  const total = result.ledgers.reduce((n, l) => n + l.xdr.length, 0);
  assert.equal(total, raw.length - 12 - 0); // batch header: start, end, count
});

Deno.test("corrupt inputs are data_loss naming the ledger and object", () => {
  const raw = zlib.zstdDecompressSync(P19_BYTES);
  // Not zstd.
  assert.throws(
    () => decodeUnit(lakeRequest(new Uint8Array([1, 2, 3, 4]))),
    dataLoss(
      /ledgers 1410048-1410111: lake\/.*FFEA7BFF--1410048-1410111\.xdr\.zst: zstd decompression failed/,
      1410048,
    ),
  );
  // zstd cut short: node:zlib may return the partial output; the XDR walk then stops at the
  // first incomplete meta. Either way: data_loss naming the object, no rows.
  assert.throws(
    () => decodeUnit(lakeRequest(P19_BYTES.subarray(0, P19_BYTES.length - 100))),
    (err: unknown) => {
      assert.ok(err instanceof SourceError && err.kind === "data_loss");
      assert.ok(err.ledger! >= 1410048 && err.ledger! <= 1410111);
      assert.match(err.message, /FFEA7BFF--1410048-1410111\.xdr\.zst: (zstd|LedgerCloseMetaBatch)/);
      return true;
    },
  );
  // Truncated XDR inside valid zstd: the walker names the meta that breaks.
  const truncated = zlib.zstdCompressSync(raw.subarray(0, Math.floor(raw.length * 0.6)));
  assert.throws(
    () => decodeUnit(lakeRequest(truncated)),
    (err: unknown) => {
      assert.ok(err instanceof SourceError && err.kind === "data_loss");
      assert.ok(err.ledger! > 1410048 && err.ledger! <= 1410111, `ledger ${err.ledger}`);
      assert.match(
        err.message,
        new RegExp(`ledger ${err.ledger}: lake/.*1410048-1410111.* corrupt`),
      );
      return true;
    },
  );
  // A header byte changed: the hash no longer matches the stored one.
  const tampered = raw.slice();
  // First meta starts at 12: v(4) + LedgerHeaderHistoryEntry.hash(32) + header.ledgerVersion(4)...
  tampered[12 + 4 + 32 + 4 + 40] ^= 0xff; // inside previousLedgerHash/scpValue
  assert.throws(
    () => decodeUnit(lakeRequest(zlib.zstdCompressSync(tampered))),
    dataLoss(/ledger 1410048: .*corrupt.*hash mismatch/, 1410048),
  );
  // The object's name disagrees with its content.
  assert.throws(
    () => decodeUnit(lakeRequest(P19_BYTES, 1410112, 1410175)),
    dataLoss(/holds ledgers 1410048-1410111 instead/, 1410112),
  );
});

Deno.test("RPC pages: base64 metadata checked against RPC's hash and close time", async () => {
  const ledgers = (await rpcLedgersOf("testnet-galexie-test-bucket")).map((l) => ({
    sequence: l.sequence,
    hash: l.hash,
    closeTime: l.ledgerCloseTime,
    metadataXdr: l.metadataXdr,
  }));
  const ok = decodeUnit({ kind: "rpc", object: "http://rpc", ledgers });
  assert.deepEqual(ok.ledgers.map((l) => hex(l.hash)), ledgers.map((l) => l.hash));
  assert.equal(ok.ledgers[0].object, "http://rpc");
  const swapped = [ledgers[0], { ...ledgers[1], metadataXdr: ledgers[2].metadataXdr }];
  assert.throws(
    () => decodeUnit({ kind: "rpc", object: "http://rpc", ledgers: swapped }),
    dataLoss(/ledger 998: RPC http:\/\/rpc holds ledger 999 in its place/, 998),
  );
  const badHash = [{ ...ledgers[0], hash: "00".repeat(32) }];
  assert.throws(
    () => decodeUnit({ kind: "rpc", object: "http://rpc", ledgers: badHash }),
    dataLoss(/ledger 997: RPC http:\/\/rpc says hash 0000.*hashes to 3f91d725/, 997),
  );
  assert.throws(
    () =>
      decodeUnit({
        kind: "rpc",
        object: "http://rpc",
        ledgers: [{ ...ledgers[0], metadataXdr: "!!" }],
      }),
    dataLoss(/metadataXdr is not base64/, 997),
  );
});

Deno.test("a batch holding part of its name's span decodes (genesis batch); outside it is data_loss", () => {
  const raw = zlib.zstdDecompressSync(P19_BYTES);
  const { ledgers } = splitLedgerCloseMetaBatch(raw);
  // Re-pack ledgers 1410050..1410111 (drop the first two) under the same object name.
  const body = ledgers.slice(2);
  const size = body.reduce((n, l) => n + l.length, 12);
  const partial = new Uint8Array(size);
  const view = new DataView(partial.buffer);
  view.setUint32(0, 1410050);
  view.setUint32(4, 1410111);
  view.setUint32(8, body.length);
  let at = 12;
  for (const l of body) {
    partial.set(l, at);
    at += l.length;
  }
  const result = decodeUnit(lakeRequest(zlib.zstdCompressSync(partial)));
  assert.deepEqual(
    result.ledgers.map((l) => l.sequence),
    Array.from({ length: 62 }, (_, i) => 1410050 + i),
  );
  // Claimed by a name whose span ends before the content does: refused.
  assert.throws(
    () => decodeUnit(lakeRequest(zlib.zstdCompressSync(partial), 1410048, 1410100)),
    dataLoss(/holds ledgers 1410050-1410111 instead/, 1410048),
  );
});

Deno.test("a local object is read by the decoder: first existing candidate, else not_found", () => {
  const path = `${lakePath("testnet-p19")}/${P19_OBJECT}`;
  const missing = path.replace(/\.xdr\.zst$/, ".xdr.zstd");
  const base = { kind: "lake" as const, object: missing, start: 1410048, end: 1410111 };
  const read = decodeUnit({ ...base, files: [missing, path] });
  assert.equal(read.ledgers.length, 64);
  assert.equal(read.storedBytes, P19_BYTES.length);
  assert.ok(read.ledgers.every((l) => l.object === path), "rows name the file read");
  assert.throws(
    () => decodeUnit({ ...base, files: [missing, `${missing}.2`] }),
    (err: unknown) =>
      err instanceof SourceError && err.kind === "not_found" && err.ledger === 1410048 &&
      err.object === missing &&
      /ledger 1410048: batch object .*\.xdr\.zstd not found \(also tried 1 other name\(s\)\)/.test(
        err.message,
      ),
  );
  assert.throws(
    () => decodeUnit({ ...base, files: [lakePath("testnet-p19")] }),
    (err: unknown) =>
      err instanceof SourceError && err.kind === "unavailable" && /cannot read/.test(err.message),
  );
});
