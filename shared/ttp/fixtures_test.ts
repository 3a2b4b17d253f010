/**
 * Whole-ledger tests on every real fixture ledger: derived equals unified on v4 meta,
 * verification passes, event counts agree with what stellar-core emitted (counted
 * independently with the SDK's full decode) and with testdata/ledgers.json.
 */
import assert from "node:assert/strict";
import { xdr } from "@stellar/stellar-sdk";
import { readLedgerFacts } from "../ledger/testdata.ts";
import { extractLedger, usesUnified, verifyLedger } from "./mod.ts";
import { fixtureLedgers } from "./testing_fixtures.ts";

const ledgers = fixtureLedgers();
const facts = readLedgerFacts();
const V4_LEDGERS = ledgers.filter((l) =>
  Object.keys(facts.get(l.sequence)!.txMetaVersions).includes("4")
);

Deno.test("fixtures cover protocols 19, 20, 21 and 26 and v4 meta ledgers", () => {
  const protocols = new Set(ledgers.map((l) => facts.get(l.sequence)!.protocol));
  assert.deepEqual([...protocols].sort(), [19, 20, 21, 26]);
  assert.equal(V4_LEDGERS.length, 21); // pubnet-p26 (20) + 51000294
});

Deno.test("derived mode equals unified mode event for event on every v4 ledger", () => {
  for (const l of V4_LEDGERS) {
    const opts = { networkPassphrase: l.passphrase };
    const derived = extractLedger(l.bytes, { ...opts, mode: "derived" }).events;
    const unified = extractLedger(l.bytes, { ...opts, mode: "unified" }).events;
    assert.ok(derived.length > 0);
    assert.deepEqual(derived, unified, `ledger ${l.sequence}`);
  }
});

Deno.test("auto mode is unified on v4 ledgers with fee events and derived elsewhere", () => {
  for (const l of ledgers) {
    const auto = extractLedger(l.bytes, { networkPassphrase: l.passphrase });
    // Every v4 transaction of the fixtures carries fee events; no other meta version does.
    for (const tx of auto.transactions) assert.equal(usesUnified(tx, "auto"), tx.meta.arm === 4);
    const derived = extractLedger(l.bytes, { networkPassphrase: l.passphrase, mode: "derived" });
    assert.deepEqual(auto.events, derived.events, `ledger ${l.sequence}`);
  }
});

Deno.test("verification passes on every fixture ledger in derived, unified and auto modes", () => {
  let checked = 0;
  for (const l of ledgers) {
    for (const mode of ["derived", "auto"] as const) {
      verifyLedger(extractLedger(l.bytes, { networkPassphrase: l.passphrase, mode }));
    }
    if (V4_LEDGERS.includes(l)) {
      verifyLedger(extractLedger(l.bytes, { networkPassphrase: l.passphrase, mode: "unified" }));
    }
    checked++;
  }
  assert.equal(checked, 345);
});

Deno.test("transactions, hashes and close times match the ledger facts", () => {
  for (const l of ledgers) {
    const f = facts.get(l.sequence)!;
    const x = extractLedger(l.bytes, { networkPassphrase: l.passphrase });
    assert.equal(x.transactions.length, f.txCount, `ledger ${l.sequence}`);
    assert.equal(x.transactions.filter((t) => t.successful).length, f.txOk);
    assert.equal(x.ledger.closedAtMs, f.closeTime * 1000);
    assert.equal(x.ledger.protocolVersion, f.protocol);
    // One fee event per transaction; event ids unique and sortable within the ledger order.
    assert.equal(
      x.events.filter((e) => e.event_type === "fee" && !e.amount.startsWith("-")).length,
      f.txCount,
    );
    assert.equal(new Set(x.events.map((e) => e.event_id)).size, x.events.length);
  }
});

const TOKEN_TOPICS = ["transfer", "mint", "burn", "clawback"] as const;
const text = (b: { bytes: Uint8Array }) => new TextDecoder().decode(b.bytes);

/** Counts the events stellar-core emitted, per topic, with the SDK's full decode (the oracle). */
function coreEventCounts(bytes: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {
    fee: 0,
    transfer: 0,
    mint: 0,
    burn: 0,
    clawback: 0,
    legacyAdminFormat: 0,
  };
  // deno-lint-ignore no-explicit-any
  const lcm = xdr.LedgerCloseMeta.fromXDR(bytes as never) as any;
  for (const trm of lcm.value.txProcessing) {
    const meta = trm.txApplyProcessing.value;
    const code = trm.result.result.result.type as string;
    const ok = code === "txSuccess" || code === "txFeeBumpInnerSuccess";
    const topicOf = (
      ev: { body: { v0: { topics: { type: string; sym?: { bytes: Uint8Array } }[] } } },
    ) => {
      const t = ev.body.v0.topics[0];
      return t && t.type === "scvSymbol" ? text(t.sym!) : null;
    };
    for (const te of meta.events) if (topicOf(te.event) === "fee") counts.fee++;
    if (!ok) continue;
    for (const op of meta.operations) {
      for (const ev of op.events) {
        const t = topicOf(ev);
        if (t === null || !(TOKEN_TOPICS as readonly string[]).includes(t)) continue;
        // Legacy SEP-41 mint/clawback with an admin topic (["mint", admin, to]) is not a
        // well-formed v4 token event: the reference drops it rather than misread it.
        const third = ev.body.v0.topics[2];
        if ((t === "mint" || t === "clawback") && third && third.type !== "scvString") {
          counts.legacyAdminFormat++;
          continue;
        }
        counts[t]++;
      }
    }
  }
  return counts;
}

Deno.test("event counts per kind agree with the events stellar-core emitted (SDK decode)", () => {
  let legacy = 0;
  for (const l of V4_LEDGERS) {
    const x = extractLedger(l.bytes, { networkPassphrase: l.passphrase, mode: "derived" });
    const ours: Record<string, number> = { fee: 0, transfer: 0, mint: 0, burn: 0, clawback: 0 };
    for (const e of x.events) ours[e.event_type]++;
    const { legacyAdminFormat, ...core } = coreEventCounts(l.bytes);
    assert.deepEqual(ours, core, `ledger ${l.sequence}`);
    legacy += legacyAdminFormat;
    // testdata/ledgers.json counts every emitted topic[0] (the legacy mints are among its mints).
    const topics = facts.get(l.sequence)!.eventTopics;
    for (const kind of ["fee", "transfer", "burn", "clawback"]) {
      assert.equal(ours[kind], topics[kind] ?? 0, `ledger ${l.sequence} ${kind}`);
    }
    assert.equal(ours.mint + legacyAdminFormat, topics.mint ?? 0, `ledger ${l.sequence} mint`);
  }
  assert.equal(legacy, 3); // 63092982, 63092983, 63092996: custom tokens' admin-format mints
});
