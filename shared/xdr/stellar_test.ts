/**
 * Decodes every fixture ledger and compares the result, value by value, against the SDK's own
 * js-xdr schema decode (the oracle); checks lazy spans, skip, and errors on real data.
 */
import assert from "node:assert/strict";
import { xdr as sdkXdr } from "@stellar/stellar-sdk";
import { readFixtureBatches, readLedgerFacts } from "../ledger/testdata.ts";
import {
  decode,
  decodeSpan,
  encode,
  fieldOffset,
  skip,
  stellarXdr,
  unionArm,
  XdrError,
  type XdrShapes,
  XdrSpan,
  type XdrUnion,
  type XdrValue,
} from "./mod.ts";

/** The js-xdr schema surface we walk (see @stellar/js-xdr's AnySchema). */
interface Schema {
  kind: string;
  name?: string;
  entries?: [string, Schema][];
  element?: Schema;
  nameByValue?: Map<number, string>;
  switchOn?: Schema;
  switchKey?: string;
  cases?: { discriminant: number; arm: Schema | { kind: "field"; name: string; schema: Schema } }[];
  defaultArm?: Schema | { kind: "field"; name: string; schema: Schema };
  getSchema?: () => Schema;
}

const sdk = sdkXdr as unknown as Record<
  string,
  { schema: Schema & { decode(b: Uint8Array): unknown } }
>;
const norm = (s: string) => s.replaceAll("_", "").toLowerCase();
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Walks the SDK schema, the SDK wire value and our value together; throws on any difference. */
function compare(s: Schema, wire: unknown, mine: XdrValue, path: string): void {
  const fail = (msg: string): never => {
    throw new assert.AssertionError({ message: `${path}: ${msg}` });
  };
  switch (s.kind) {
    case "lazy":
      return compare(s.getSchema!(), wire, mine, path);
    case "int32":
    case "uint32":
    case "int64":
    case "uint64":
    case "bool":
      if (wire !== mine) fail(`${String(mine)} !== ${String(wire)}`);
      return;
    case "void":
      if (mine !== undefined) fail("void arm has a value");
      return;
    case "opaque":
    case "varOpaque":
      if (!(mine instanceof Uint8Array)) fail("not bytes");
      if (!equalBytes(mine as Uint8Array, wire as Uint8Array)) fail("bytes differ");
      return;
    case "string": {
      const bytes = wire instanceof Uint8Array ? wire : (wire as { bytes: Uint8Array }).bytes;
      if (typeof mine !== "string") fail("not a string");
      const m = mine as string;
      const asUtf8 = new TextEncoder().encode(m);
      if (!equalBytes(asUtf8, bytes) && !equalBytes(latin1(m), bytes)) fail("string differs");
      return;
    }
    case "enum": {
      const name = s.nameByValue!.get(wire as number);
      if (typeof mine !== "string" || name === undefined || norm(mine) !== norm(name)) {
        fail(`enum ${String(mine)} vs ${name}`);
      }
      return;
    }
    case "struct": {
      const o = mine as Record<string, XdrValue>;
      const w = wire as Record<string, unknown>;
      const names = s.entries!.map((e) => e[0]);
      assert.deepEqual(Object.keys(o), names, `${path}: field names`);
      for (const [f, fs] of s.entries!) compare(fs, w[f], o[f], `${path}.${f}`);
      return;
    }
    case "union": {
      const u = mine as XdrUnion;
      const w = wire as Record<string, unknown>;
      const d = w[s.switchKey!] as number;
      const sw = s.switchOn!.kind === "lazy" ? s.switchOn!.getSchema!() : s.switchOn!;
      if (sw.kind === "enum") {
        if (typeof u.arm !== "string" || norm(u.arm) !== norm(sw.nameByValue!.get(d)!)) {
          fail(`arm ${u.arm} vs ${sw.nameByValue!.get(d)}`);
        }
      } else if (u.arm !== d) fail(`arm ${u.arm} vs ${d}`);
      const c = s.cases!.find((c) => c.discriminant === d);
      const arm = c ? c.arm : s.defaultArm!;
      if (arm.kind === "field") {
        const f = arm as { name: string; schema: Schema };
        compare(f.schema, w[f.name], u.value, `${path}.${f.name}`);
      } else if (u.value !== undefined) fail("void arm has a value");
      return;
    }
    case "option":
      if (wire === null || wire === undefined) {
        if (mine !== null) fail("expected null");
        return;
      }
      return compare(s.element!, wire, mine, path);
    case "array":
    case "fixedArray": {
      const a = mine as XdrValue[];
      const w = wire as unknown[];
      if (!Array.isArray(a) || a.length !== w.length) fail(`length ${a?.length} vs ${w.length}`);
      for (let i = 0; i < w.length; i++) compare(s.element!, w[i], a[i], `${path}[${i}]`);
      return;
    }
  }
  fail(`unhandled schema kind ${s.kind}`);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Replaces every span in a lazily decoded value by its decoded value. */
function expand(v: XdrValue): XdrValue {
  if (v instanceof XdrSpan) return decodeSpan(v);
  if (Array.isArray(v)) return v.map(expand);
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
    const out: Record<string, XdrValue> = {};
    for (const [k, x] of Object.entries(v)) out[k] = expand(x as XdrValue);
    return out;
  }
  return v;
}

function countSpans(v: XdrValue, acc: Map<string, number>): Map<string, number> {
  if (v instanceof XdrSpan) acc.set(v.type, (acc.get(v.type) ?? 0) + 1);
  else if (Array.isArray(v)) { for (const x of v) countSpans(x, acc); }
  else if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
    for (const x of Object.values(v)) countSpans(x as XdrValue, acc);
  }
  return acc;
}

const BATCHES = readFixtureBatches();
const FACTS = readLedgerFacts();

interface Lcm {
  ledgerHeader: { header: { ledgerSeq: number } };
  txProcessing: { txApplyProcessing: XdrUnion }[];
}

Deno.test("fixtures: every batch of every lake is present", () => {
  const lakes = new Set(BATCHES.map((b) => b.lake));
  assert.deepEqual([...lakes].sort(), [
    "pubnet-mixed",
    "pubnet-p26",
    "testnet-galexie-test-bucket",
    "testnet-p19",
  ]);
});

for (const lake of ["pubnet-p26", "testnet-p19", "pubnet-mixed", "testnet-galexie-test-bucket"]) {
  Deno.test(`${lake}: decode equals the SDK schema decode, value by value`, () => {
    const schema = sdk.LedgerCloseMetaBatch.schema;
    let ledgers = 0;
    for (const b of BATCHES.filter((b) => b.lake === lake)) {
      assert.equal(skip("LedgerCloseMetaBatch", b.bytes), b.bytes.length, b.file);
      const { value, end } = decode("LedgerCloseMetaBatch", b.bytes);
      assert.equal(end, b.bytes.length);
      compare(schema, schema.decode(b.bytes), value, `${lake}/${b.file}`);
      const batch = value as unknown as {
        startSequence: number;
        ledgerCloseMetas: XdrUnion<number, Lcm>[];
      };
      for (const [i, lcm] of batch.ledgerCloseMetas.entries()) {
        const seq = lcm.value.ledgerHeader.header.ledgerSeq;
        assert.equal(seq, batch.startSequence + i);
        const facts = FACTS.get(seq);
        assert.ok(facts, `no facts for ${seq}`);
        assert.equal(lcm.arm, facts.lcmV);
        assert.equal(lcm.value.txProcessing.length, facts.txCount);
        const versions: Record<string, number> = {};
        for (const tx of lcm.value.txProcessing) {
          const v = String(tx.txApplyProcessing.arm);
          versions[v] = (versions[v] ?? 0) + 1;
        }
        assert.deepEqual(versions, facts.txMetaVersions, `meta versions of ${seq}`);
        ledgers++;
      }
    }
    assert.ok(ledgers > 0);
  });
}

Deno.test("pubnet-p26: key fields agree with SDK fromXDR classes", () => {
  const b = BATCHES.find((b) => b.lake === "pubnet-p26")!;
  // deno-lint-ignore no-explicit-any
  const sdkBatch = (sdkXdr.LedgerCloseMetaBatch as any).fromXDR(b.bytes);
  const mine = decode<{ ledgerCloseMetas: XdrUnion<number, Record<string, unknown>>[] }>(
    "LedgerCloseMetaBatch",
    b.bytes,
  ).value;
  const s = sdkBatch.ledgerCloseMetas[0].value;
  const m = mine.ledgerCloseMetas[0].value as {
    ledgerHeader: { header: { ledgerSeq: number; feePool: bigint } };
    txProcessing: { result: { result: { feeCharged: bigint; result: XdrUnion } } }[];
  };
  assert.equal(m.ledgerHeader.header.ledgerSeq, s.ledgerHeader.header.ledgerSeq);
  assert.equal(m.ledgerHeader.header.feePool, s.ledgerHeader.header.feePool);
  assert.equal(m.txProcessing.length, s.txProcessing.length);
  for (const [i, tx] of m.txProcessing.entries()) {
    const st = s.txProcessing[i].result.result;
    assert.equal(tx.result.result.feeCharged, st.feeCharged);
    assert.equal(norm(tx.result.result.result.arm as string), norm(st.result.type));
  }
});

const LAZY = new Set(["LedgerEntry", "SCVal", "DiagnosticEvent", "LedgerKey", "ContractEvent"]);

Deno.test("lazy: spans decode to exactly what a full decode gives", () => {
  for (const lake of ["pubnet-p26", "pubnet-mixed"]) {
    const b = BATCHES.find((b) => b.lake === lake)!;
    const full = decode("LedgerCloseMetaBatch", b.bytes).value;
    const lazy = decode("LedgerCloseMetaBatch", b.bytes, 0, { lazy: LAZY });
    assert.equal(lazy.end, b.bytes.length);
    const spans = countSpans(lazy.value, new Map());
    assert.ok((spans.get("LedgerEntry") ?? 0) > 0, `${lake}: ${[...spans]}`);
    assert.ok([...spans.keys()].every((k) => LAZY.has(k)));
    assert.deepEqual(expand(lazy.value), full);
  }
});

Deno.test("lazy: SDK aliases resolve to the XDR names", () => {
  assert.equal(stellarXdr.type("ScVal"), stellarXdr.type("SCVal"));
  const b = BATCHES.find((b) => b.lake === "pubnet-p26")!;
  const v = decode("LedgerCloseMetaBatch", b.bytes, 0, { lazy: new Set(["ScVal"]) }).value;
  assert.ok((countSpans(v, new Map()).get("SCVal") ?? 0) > 0);
});

/** Offset of txProcessing[0].txApplyProcessing in a single-ledger v2 batch. */
function firstTxMetaOffset(bytes: Uint8Array): number {
  const lcm = 12; // startSequence, endSequence, array length
  const v2 = unionArm("LedgerCloseMeta", bytes, lcm);
  assert.equal(v2.arm, 2);
  const txp = fieldOffset(v2.type, "txProcessing", bytes, v2.offset) + 4;
  return fieldOffset("TransactionResultMetaV1", "txApplyProcessing", bytes, txp);
}

Deno.test("errors on real data: corrupted nested union arm names path and offset", () => {
  const b = BATCHES.find((b) => b.lake === "pubnet-p26")!;
  const at = firstTxMetaOffset(b.bytes);
  assert.equal(unionArm("TransactionMeta", b.bytes, at).arm, 4);
  const bad = b.bytes.slice();
  new DataView(bad.buffer).setInt32(at, 9);
  for (
    const op of [() => decode("LedgerCloseMetaBatch", bad), () => skip("LedgerCloseMetaBatch", bad)]
  ) {
    assert.throws(op, (e: unknown) => {
      assert.ok(e instanceof XdrError);
      assert.equal(
        e.path,
        "LedgerCloseMetaBatch.ledgerCloseMetas[0].v2.txProcessing[0].txApplyProcessing",
      );
      assert.equal(e.offset, at);
      assert.match(e.message, /known arm of union TransactionMeta.*discriminant 9/);
      return true;
    });
  }
});

Deno.test("errors on real data: truncated input and bad LCM version", () => {
  const b = BATCHES.find((b) => b.lake === "pubnet-p26")!;
  const cut = b.bytes.subarray(0, Math.floor(b.bytes.length / 2));
  assert.throws(() => decode("LedgerCloseMetaBatch", cut), (e: unknown) => {
    assert.ok(e instanceof XdrError);
    assert.match(e.path, /^LedgerCloseMetaBatch\.ledgerCloseMetas\[0\]\.v2\.txProcessing\[\d+\]/);
    assert.ok(e.offset <= cut.length && e.offset > 0);
    assert.match(e.actual, /bytes left/);
    return true;
  });
  const bad = b.bytes.slice();
  new DataView(bad.buffer).setInt32(12, 3);
  assert.throws(() => skip("LedgerCloseMetaBatch", bad), (e: unknown) => {
    assert.ok(e instanceof XdrError);
    assert.equal(e.path, "LedgerCloseMetaBatch.ledgerCloseMetas[0]");
    assert.equal(e.offset, 12);
    return true;
  });
});

Deno.test("type table: covers the root types and every SDK schema", () => {
  for (
    const name of [
      "LedgerCloseMetaBatch",
      "LedgerCloseMeta",
      "LedgerHeaderHistoryEntry",
      "TransactionEnvelope",
      "TransactionMeta",
      "LedgerEntry",
      "LedgerKey",
      "HashIDPreimage",
      "SCVal",
      "ContractEvent",
      "GeneralizedTransactionSet",
    ]
  ) assert.ok(stellarXdr.has(name), name);
  let n = 0;
  for (const [key, v] of Object.entries(sdk)) {
    const s = v?.schema;
    if (!s || s.name !== key || !["struct", "union", "enum"].includes(s.kind)) continue;
    assert.ok(stellarXdr.has(key), `SDK type ${key} missing`);
    n++;
  }
  assert.ok(n > 400, `${n}`);
  const arms = stellarXdr.decode("OperationType", new Uint8Array([0, 0, 0, 1])).value;
  assert.equal(arms, "PAYMENT");
});

Deno.test("errors: nesting beyond the JS stack is an XdrError, not a crash", () => {
  const depth = 200_000;
  const bytes = new Uint8Array(depth * 12 + 4);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < depth; i++) {
    dv.setInt32(i * 12, 16); // SCV_VEC
    dv.setUint32(i * 12 + 4, 1); // present
    dv.setUint32(i * 12 + 8, 1); // one element
  }
  dv.setInt32(depth * 12, 1); // SCV_VOID
  for (const op of [() => decode("SCVal", bytes), () => skip("SCVal", bytes)]) {
    assert.throws(op, (e: unknown) => {
      assert.ok(e instanceof XdrError, String(e));
      assert.match(e.expected, /nesting/);
      return true;
    });
  }
  // Moderate nesting is fine.
  const shallow = bytes.subarray(depth * 12 - 12 * 50);
  assert.equal(skip("SCVal", shallow), shallow.length);
});

Deno.test("XdrShapes: generated types describe what decode returns", () => {
  const b = BATCHES.find((b) => b.lake === "pubnet-p26")!;
  const batch = decode<XdrShapes.LedgerCloseMetaBatch>("LedgerCloseMetaBatch", b.bytes).value;
  const lcm = batch.ledgerCloseMetas[0];
  assert.equal(lcm.arm, 2);
  if (lcm.arm !== 2) return;
  const header: XdrShapes.LedgerHeader = lcm.value.ledgerHeader.header;
  assert.equal(header.ledgerSeq, batch.startSequence);
  assert.equal(typeof header.feePool, "bigint");
  const r = lcm.value.txProcessing[0].result.result.result;
  assert.ok(r.arm === "txSUCCESS" || r.arm === "txFAILED" || r.arm.startsWith("tx"));
  const meta = lcm.value.txProcessing[0].txApplyProcessing;
  assert.equal(meta.arm, 4);
  if (meta.arm === 4) assert.ok(Array.isArray(meta.value.operations));
});

Deno.test("encode: every fixture batch round-trips byte for byte (full and lazy)", () => {
  for (const b of BATCHES) {
    const full = decode("LedgerCloseMetaBatch", b.bytes).value;
    assert.deepEqual(encode("LedgerCloseMetaBatch", full), b.bytes, b.file);
    const lazy = decode("LedgerCloseMetaBatch", b.bytes, 0, { lazy: LAZY }).value;
    assert.deepEqual(encode("LedgerCloseMetaBatch", lazy), b.bytes, b.file);
  }
});

Deno.test("errors on real data: nonzero padding after a symbol names the path", () => {
  const b = BATCHES.find((b) => b.lake === "pubnet-p26")!.bytes;
  // SCV_SYMBOL "fee": discriminant 15, length 3, "fee", one padding byte.
  const needle = [0, 0, 0, 15, 0, 0, 0, 3, 0x66, 0x65, 0x65, 0];
  let at = -1;
  for (let i = 0; i + needle.length <= b.length && at < 0; i += 4) {
    if (needle.every((x, k) => b[i + k] === x)) at = i;
  }
  assert.ok(at > 0, "a fee symbol in the ledger");
  const bad = b.slice();
  bad[at + 11] = 0x20;
  assert.throws(() => decode("LedgerCloseMetaBatch", bad), (e: unknown) => {
    assert.ok(e instanceof XdrError);
    assert.equal(e.offset, at + 11);
    assert.match(e.path, /^LedgerCloseMetaBatch\.ledgerCloseMetas\[0\]\.v2\..*\.sym$/);
    assert.match(e.expected, /zero padding/);
    return true;
  });
});
