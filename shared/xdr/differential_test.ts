/**
 * Differential test: the generated fast path and the reference interpreter must agree on every
 * input, valid or corrupted: same value (or both an XdrError with the same path and offset), same
 * end offset, and skip must end where decode ends; check must accept, reject and end as a full
 * decode does.
 */
import assert from "node:assert/strict";
import { splitLedgerCloseMetaBatch } from "../ledger/mod.ts";
import { readFixtureBatches } from "../ledger/testdata.ts";
import { STELLAR_TYPES, XdrError, XdrTypeSystem } from "./mod.ts";

const fast = new XdrTypeSystem(STELLAR_TYPES);
const slow = new XdrTypeSystem(STELLAR_TYPES, { codegen: false });

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = { ok: true; value: unknown; end: number } | {
  ok: false;
  path: string;
  offset: number;
};

function run(f: () => { value: unknown; end: number }): Outcome {
  try {
    const r = f();
    return { ok: true, value: r.value, end: r.end };
  } catch (e) {
    if (!(e instanceof XdrError)) throw e;
    return { ok: false, path: e.path, offset: e.offset };
  }
}

const LAZY_CHOICES = [
  undefined,
  new Set(["LedgerEntry", "SCVal"]),
  new Set(["TransactionEnvelope", "TransactionResultMeta", "TransactionResultMetaV1"]),
  new Set(["PublicKey", "Asset", "Hash", "ContractEvent", "LedgerKey", "Memo"]),
];

// Small real ledgers (a few KB to a few hundred KB) of each meta version.
const SAMPLES: Uint8Array[] = [];
for (const lake of ["testnet-galexie-test-bucket", "pubnet-mixed", "testnet-p19"]) {
  const b = readFixtureBatches(lake)[0].bytes;
  SAMPLES.push(...splitLedgerCloseMetaBatch(b).ledgers.slice(0, 2));
}

Deno.test("differential: codegen and interpreter agree on valid and corrupted ledgers", () => {
  const rand = rng(42);
  let errors = 0, oks = 0;
  for (let iter = 0; iter < 240; iter++) {
    const base = SAMPLES[iter % SAMPLES.length];
    const bytes = base.slice();
    const mutations = iter < SAMPLES.length ? 0 : 1 + Math.floor(rand() * 3);
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(rand() * bytes.length);
      // Mostly small integers (lengths, discriminants) at word starts; sometimes any byte.
      if (rand() < 0.7) new DataView(bytes.buffer).setInt32(at & ~3, Math.floor(rand() * 40) - 20);
      else bytes[at] = Math.floor(rand() * 256);
    }
    const cut = rand() < 0.15 ? Math.floor(rand() * bytes.length) : bytes.length;
    const input = bytes.subarray(0, cut);
    const lazy = LAZY_CHOICES[iter % LAZY_CHOICES.length];
    const a = run(() => fast.decode("LedgerCloseMeta", input, 0, { lazy }));
    const b = run(() => slow.decode("LedgerCloseMeta", input, 0, { lazy }));
    assert.deepEqual(a, b, `iteration ${iter}`);
    const sa = run(() => ({ value: null, end: fast.skip("LedgerCloseMeta", input) }));
    const sb = run(() => ({ value: null, end: slow.skip("LedgerCloseMeta", input) }));
    assert.deepEqual(sa, sb, `skip, iteration ${iter}`);
    // check accepts exactly what a full decode accepts, fails where it fails, ends where it ends.
    const full = run(() => fast.decode("LedgerCloseMeta", input, 0));
    const fullOutcome = full.ok ? { ok: true, end: full.end } : full;
    for (const sys of [fast, slow]) {
      const c = run(() => ({ value: null, end: sys.check("LedgerCloseMeta", input) }));
      const checked = c.ok ? { ok: true, end: c.end } : c;
      assert.deepEqual(checked, fullOutcome, `check, iteration ${iter}`);
    }
    if (a.ok) {
      // skip never looks inside fixed-size runs, so it may accept what decode rejects, not the
      // other way round; when decode succeeds both end at the same offset.
      assert.ok(sa.ok, `iteration ${iter}: decode ok but skip failed`);
      assert.equal(sa.end, a.end, `iteration ${iter}: skip end`);
      oks++;
    } else {
      errors++;
    }
  }
  // The corpus exercises both outcomes.
  assert.ok(oks >= SAMPLES.length && errors > 50, `ok ${oks}, errors ${errors}`);
});
