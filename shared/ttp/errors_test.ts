/**
 * Bad input: truncated or corrupt XDR and unknown union arms give an error naming the ledger
 * (and transaction where it can be located), never a partial or wrong list.
 */
import assert from "node:assert/strict";
import { fieldOffset, unionArm } from "../xdr/mod.ts";
import { extractEvents, TtpExtractionError } from "./mod.ts";
import { fixtureLedgers } from "./testing_fixtures.ts";

const [p26] = fixtureLedgers("pubnet-p26").filter((l) => l.sequence === 63093001);
const [p19] = fixtureLedgers("testnet-p19").filter((l) => l.sequence === 1410100);
const opts = (passphrase: string) => ({ networkPassphrase: passphrase });

function expectError(bytes: Uint8Array, passphrase: string, pattern: RegExp): TtpExtractionError {
  let err: unknown;
  try {
    extractEvents(bytes, opts(passphrase));
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof TtpExtractionError, `expected a TtpExtractionError, got ${err}`);
  assert.match(err.message, pattern);
  return err;
}

/** Offsets of the first txProcessing element and of its TransactionMeta. */
function firstTxProcessing(bytes: Uint8Array): { start: number; meta: number } {
  const arm = unionArm("LedgerCloseMeta", bytes, 0);
  const body = ["LedgerCloseMetaV0", "LedgerCloseMetaV1", "LedgerCloseMetaV2"][arm.discriminant];
  const elem = arm.discriminant === 2 ? "TransactionResultMetaV1" : "TransactionResultMeta";
  const start = fieldOffset(body, "txProcessing", bytes, 4) + 4;
  return { start, meta: fieldOffset(elem, "txApplyProcessing", bytes, start) };
}

Deno.test("truncated ledger: error names the ledger, no events", () => {
  for (const cut of [p26.bytes.length - 1, Math.floor(p26.bytes.length / 2), 2000]) {
    expectError(p26.bytes.slice(0, cut), p26.passphrase, /at ledger 63093001.*XDR error/);
  }
  for (const cut of [3, 200]) {
    expectError(p26.bytes.slice(0, cut), p26.passphrase, /unknown ledger \(header unreadable\)/);
  }
  const err = expectError(
    p26.bytes.slice(0, Math.floor(p26.bytes.length / 2)),
    p26.passphrase,
    /ledger 63093001/,
  );
  assert.match(err.message, /XDR error/);
});

Deno.test("trailing garbage after the LedgerCloseMeta is rejected", () => {
  const longer = new Uint8Array(p19.bytes.length + 4);
  longer.set(p19.bytes);
  expectError(longer, p19.passphrase, /ledger 1410100.*trailing bytes/);
});

Deno.test("unknown TransactionMeta arm in one transaction names the ledger and the transaction", () => {
  const bytes = p26.bytes.slice();
  const { start, meta } = firstTxProcessing(bytes);
  new DataView(bytes.buffer).setInt32(meta, 9);
  const err = expectError(
    bytes,
    p26.passphrase,
    /ledger 63093001, transaction #1, tx [0-9a-f]{64}/,
  );
  const recorded = Array.from(
    bytes.subarray(start + 4, start + 36),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  assert.equal(err.location.txHash, recorded);
  assert.match(err.message, /TransactionMeta|arm|discriminant|9/);
});

Deno.test("unknown LedgerCloseMeta arm names the failure", () => {
  const bytes = p19.bytes.slice();
  new DataView(bytes.buffer).setInt32(0, 7);
  expectError(bytes, p19.passphrase, /TTP extraction failed.*XDR error/);
});

Deno.test("wrong network passphrase: no envelope matches, error names ledger and transaction", () => {
  expectError(
    p19.bytes,
    "Public Global Stellar Network ; September 2015",
    /ledger 1410100, transaction #1, tx .*no envelope/,
  );
});

Deno.test("wrong network passphrase in unified mode (no envelope read) still fails", () => {
  // Unified extraction joins results to envelopes lazily; one envelope is hashed up front so
  // that a wrong passphrase (wrong SAC addresses) cannot go unnoticed.
  expectError(p26.bytes, p19.passphrase, /ledger 63093001, transaction #1, tx .*no envelope/);
});
