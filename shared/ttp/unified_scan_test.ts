/**
 * The fast path against the general path: on every fixture ledger, and on real ledgers altered
 * through the XDR (decoded, changed, encoded again) to reach the rules the fixtures do not.
 * Wherever the general path gives rows, the scan gives the same rows or none (null); wherever
 * it throws, the scan gives none.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Keypair, Networks, StrKey } from "@stellar/stellar-sdk";
import { NATIVE, sacContractId } from "../stellar/mod.ts";
import { decode, encode, type XdrShapes } from "../xdr/mod.ts";
import { extractLedger } from "./mod.ts";
import { fixtureLedgers } from "./testing_fixtures.ts";
import { scanUnifiedLedger } from "./unified_scan.ts";
import type { TtpEvent } from "../schema/ttp_event.ts";

const ledgers = fixtureLedgers();
const P26 = ledgers.filter((l) => l.lake === "pubnet-p26");
const PUBNET = Networks.PUBLIC;

/** The scan's rows, or null; the general path's rows, or its error. */
function both(bytes: Uint8Array, networkPassphrase = PUBNET, mode?: "auto" | "unified") {
  const scanned = scanUnifiedLedger(bytes, { networkPassphrase, mode });
  let general: TtpEvent[] | Error;
  try {
    general = extractLedger(bytes, { networkPassphrase, mode }).events;
  } catch (e) {
    general = e as Error;
  }
  return { scanned, general };
}

/** Asserts that the scan read the ledger and gave the general path's rows. */
function assertSame(bytes: Uint8Array, networkPassphrase = PUBNET): TtpEvent[] {
  const { scanned, general } = both(bytes, networkPassphrase);
  if (general instanceof Error) throw general;
  assert.ok(scanned, "the scan read the ledger");
  assert.deepEqual(scanned.events, general);
  return general;
}

/** Asserts that the general path throws and the scan reads nothing. */
function assertRefused(bytes: Uint8Array, networkPassphrase = PUBNET, mode?: "auto" | "unified") {
  const { scanned, general } = both(bytes, networkPassphrase, mode);
  assert.ok(general instanceof Error, "the general path throws");
  assert.equal(scanned, null);
}

Deno.test("the scan reads every protocol 23+ fixture ledger and gives the general path's rows", () => {
  let scanned = 0;
  for (const l of ledgers) {
    for (const mode of ["auto", "unified", "derived"] as const) {
      const s = scanUnifiedLedger(l.bytes, { networkPassphrase: l.passphrase, mode });
      if (s === null) continue;
      assert.notEqual(mode, "derived");
      const g = extractLedger(l.bytes, { networkPassphrase: l.passphrase, mode });
      assert.deepEqual(s.events, g.events, `ledger ${l.sequence}`);
      assert.deepEqual(s.ledger, g.ledger);
      if (mode === "auto") scanned++;
    }
  }
  // pubnet-p26 (20), the p20 ledger with v4 meta (per-transaction refund order) and an empty
  // testnet ledger; every other fixture has a transaction in derived mode.
  assert.equal(scanned, 22);
  for (const l of P26) assert.ok(scanUnifiedLedger(l.bytes, { networkPassphrase: PUBNET }));
  const p20v4 = ledgers.find((l) => l.sequence === 51000294)!;
  assert.ok(scanUnifiedLedger(p20v4.bytes, { networkPassphrase: p20v4.passphrase }));
});

// --- Altered ledgers ---------------------------------------------------------------------

type ScVal = XdrShapes.SCVal;

/** A contract event of a decoded ledger, writable. */
interface Event {
  type: XdrShapes.ContractEventType;
  contractId: Uint8Array | null;
  body: { arm: 0; value: { topics: ScVal[]; data: ScVal } };
}

/** The parts of a decoded `LedgerCloseMeta` (v2) these tests change. */
interface Ledger {
  value: {
    ledgerHeader: { header: { ledgerVersion: number } };
    txProcessing: {
      result: { transactionHash: Uint8Array };
      txApplyProcessing: {
        value: { operations: { events: Event[] }[]; events: { event: Event }[] };
      };
    }[];
  };
}

const sym = (s: string): ScVal => ({ arm: "SCV_SYMBOL", value: s });
const str = (s: string): ScVal => ({ arm: "SCV_STRING", value: s });
const i128 = (v: bigint): ScVal => ({
  arm: "SCV_I128",
  value: { hi: BigInt.asIntN(64, v >> 64n), lo: BigInt.asUintN(64, v) },
});
const account = (k: Uint8Array): ScVal => ({
  arm: "SCV_ADDRESS",
  value: { arm: "SC_ADDRESS_TYPE_ACCOUNT", value: { arm: "PUBLIC_KEY_TYPE_ED25519", value: k } },
});
const KEY = Keypair.random().rawPublicKey();
const HASH = new Uint8Array(32).fill(7);

/** A pubnet-p26 ledger decoded in full, with its events reachable. */
function decoded(): Ledger {
  return decode<Ledger>("LedgerCloseMeta", P26[0].bytes).value;
}

/**
 * The first SAC `transfer` event (4 topics) that is its operation's first event, in a decoded
 * ledger, with the 1-based transaction and operation indexes.
 */
function sacTransfer(lcm: Ledger): { event: Event; tx: number; op: number } {
  const txs = lcm.value.txProcessing;
  for (let i = 0; i < txs.length; i++) {
    const ops = txs[i].txApplyProcessing.value.operations;
    for (let o = 0; o < ops.length; o++) {
      const e = ops[o].events[0];
      const t = e?.body.value.topics;
      if (t?.length === 4 && t[0].value === "transfer" && t[3].arm === "SCV_STRING") {
        return { event: e, tx: i + 1, op: o + 1 };
      }
    }
  }
  throw new Error("no SAC transfer in the fixture");
}

/** The transaction-level events of the first transaction with a refund. */
function feeEventsWithRefund(lcm: Ledger): { event: Event }[] {
  for (const trm of lcm.value.txProcessing) {
    const events = trm.txApplyProcessing.value.events;
    if (events.length === 2) return events;
  }
  throw new Error("no refund in the fixture");
}

/** Offset of the last byte of the only place where `values` are encoded one after the other. */
function lastWordOf(bytes: Uint8Array, values: ScVal[]): number {
  const parts = values.map((v) => encode("SCVal", v));
  const needle = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    needle.set(p, at);
    at += p.length;
  }
  const found = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf(needle);
  assert.ok(found >= 0, "the values are in the ledger");
  return found + needle.length - 1;
}

function encoded(lcm: Ledger): Uint8Array {
  return encode("LedgerCloseMeta", lcm);
}

/** The rows of operation `op` of transaction `tx`. */
function rowsOf(rows: TtpEvent[], tx: number, op: number): TtpEvent[] {
  return rows.filter((r) => r.transaction_index === tx && r.operation_index === op);
}

const SAC_CASES: [string, (e: Event) => void, (row: TtpEvent | undefined) => void][] = [
  ["map data with a u64 to_muxed_id", (e) => {
    e.body.value.data = {
      arm: "SCV_MAP",
      value: [{ key: sym("amount"), val: i128(5n) }, {
        key: sym("to_muxed_id"),
        val: { arm: "SCV_U64", value: 2n ** 63n + 5n },
      }],
    };
  }, (r) => {
    assert.equal(r?.to_muxed_type, "id");
    assert.equal(r?.to_muxed_value, String(2n ** 63n + 5n));
  }],
  ["map data with a bytes to_muxed_id", (e) => {
    e.body.value.data = {
      arm: "SCV_MAP",
      value: [{ key: sym("to_muxed_id"), val: { arm: "SCV_BYTES", value: HASH } }, {
        key: sym("amount"),
        val: i128(6n),
      }],
    };
  }, (r) => assert.equal(r?.to_muxed_value, "07".repeat(32))],
  ["map data with a text to_muxed_id", (e) => {
    e.body.value.data = {
      arm: "SCV_MAP",
      value: [{ key: sym("amount"), val: i128(7n) }, { key: sym("to_muxed_id"), val: str("mémo") }],
    };
  }, (r) => assert.deepEqual([r?.to_muxed_type, r?.to_muxed_value], ["text", "mémo"])],
  ["map data with a void to_muxed_id and an unknown key", (e) => {
    e.body.value.data = {
      arm: "SCV_MAP",
      value: [{ key: sym("x"), val: { arm: "SCV_BOOL", value: true } }, {
        key: sym("to_muxed_id"),
        val: { arm: "SCV_VOID", value: undefined },
      }, { key: sym("amount"), val: i128(8n) }],
    };
  }, (r) => assert.deepEqual([r?.amount, r?.to_muxed_type], ["8", null])],
  ["map data with a bad to_muxed_id (skipped)", (e) => {
    e.body.value.data = {
      arm: "SCV_MAP",
      value: [{ key: sym("amount"), val: i128(9n) }, {
        key: sym("to_muxed_id"),
        val: { arm: "SCV_I32", value: 1 },
      }],
    };
  }, (r) => assert.equal(r, undefined)],
  ["map data without an amount (skipped)", (e) => {
    e.body.value.data = { arm: "SCV_MAP", value: [{ key: sym("to_muxed_id"), val: str("a") }] };
  }, (r) => assert.equal(r, undefined)],
  ["map data with a non-symbol key (skipped)", (e) => {
    e.body.value.data = { arm: "SCV_MAP", value: [{ key: str("amount"), val: i128(1n) }] };
  }, (r) => assert.equal(r, undefined)],
  ["an absent map (skipped)", (e) => {
    e.body.value.data = { arm: "SCV_MAP", value: null };
  }, (r) => assert.equal(r, undefined)],
  ["a u64 amount (skipped)", (e) => {
    e.body.value.data = { arm: "SCV_U64", value: 1n };
  }, (r) => assert.equal(r, undefined)],
  ["an amount past 2^64", (e) => {
    e.body.value.data = i128(2n ** 100n + 1n);
  }, (r) => assert.equal(r?.amount, String(2n ** 100n + 1n))],
  ["amounts at 2^53", (e) => {
    e.body.value.data = i128(2n ** 53n);
  }, (r) => assert.equal(r?.amount, String(2n ** 53n))],
  ["a negative amount", (e) => {
    e.body.value.data = i128(-(2n ** 53n) + 1n);
  }, (r) => assert.equal(r?.amount, String(-(2n ** 53n) + 1n))],
  ["a very negative amount", (e) => {
    e.body.value.data = i128(-(2n ** 70n));
  }, (r) => assert.equal(r?.amount, String(-(2n ** 70n)))],
  ["a muxed destination address", (e) => {
    e.body.value.topics[2] = {
      arm: "SCV_ADDRESS",
      value: { arm: "SC_ADDRESS_TYPE_MUXED_ACCOUNT", value: { id: 42n, ed25519: KEY } },
    };
  }, (r) => assert.ok(r?.to_address?.startsWith("M"))],
  ["claimable balance and liquidity pool addresses", (e) => {
    e.body.value.topics[1] = {
      arm: "SCV_ADDRESS",
      value: {
        arm: "SC_ADDRESS_TYPE_CLAIMABLE_BALANCE",
        value: { arm: "CLAIMABLE_BALANCE_ID_TYPE_V0", value: HASH },
      },
    };
    e.body.value.topics[2] = {
      arm: "SCV_ADDRESS",
      value: { arm: "SC_ADDRESS_TYPE_LIQUIDITY_POOL", value: HASH },
    };
  }, (r) => {
    assert.equal(r?.from_address, StrKey.encodeClaimableBalance(Buffer.from([0, ...HASH])));
    assert.equal(r?.to_address, StrKey.encodeLiquidityPool(Buffer.from(HASH)));
  }],
  ["a non-address topic (skipped)", (e) => {
    e.body.value.topics[1] = sym("nobody");
  }, (r) => assert.equal(r, undefined)],
  ["an asset string of another contract (no asset)", (e) => {
    e.body.value.topics[3] = str(`ABC:${StrKey.encodeEd25519PublicKey(Buffer.from(KEY))}`);
  }, (r) => assert.deepEqual([r?.event_type, r?.asset], ["transfer", null])],
  ["an empty asset string (no asset)", (e) => {
    e.body.value.topics[3] = str("");
  }, (r) => assert.deepEqual([r?.event_type, r?.asset], ["transfer", null])],
  ["a v4 mint with the legacy admin topic (skipped)", (e) => {
    e.body.value.topics = [sym("mint"), account(KEY), account(KEY), e.body.value.topics[3]];
  }, (r) => assert.equal(r, undefined)],
  ["a SAC mint", (e) => {
    e.body.value.topics = [sym("mint"), account(KEY), e.body.value.topics[3]];
  }, (r) =>
    assert.deepEqual([r?.event_type, r?.from_address, r?.asset !== null], [
      "mint",
      null,
      true,
    ])],
  ["a SAC clawback", (e) => {
    e.body.value.topics = [sym("clawback"), account(KEY), e.body.value.topics[3]];
  }, (r) => assert.deepEqual([r?.event_type, r?.to_address], ["clawback", null])],
  ["a burn of a custom token (two topics)", (e) => {
    e.body.value.topics = [sym("burn"), account(KEY)];
  }, (r) => assert.deepEqual([r?.event_type, r?.asset], ["burn", null])],
  ["a transfer with 20 topics (no asset)", (e) => {
    const t = e.body.value.topics;
    e.body.value.topics = [...t, ...Array.from({ length: 16 }, (_, i) => sym(`t${i}`))];
  }, (r) => assert.deepEqual([r?.event_type, r?.asset], ["transfer", null])],
  ["a transfer with two topics (skipped)", (e) => {
    e.body.value.topics = e.body.value.topics.slice(0, 2);
  }, (r) => assert.equal(r, undefined)],
  ["another symbol (skipped)", (e) => {
    e.body.value.topics[0] = sym("approve");
  }, (r) => assert.equal(r, undefined)],
  ["a system event (skipped)", (e) => {
    e.type = "SYSTEM";
  }, (r) => assert.equal(r, undefined)],
];

Deno.test("altered token events: the scan applies the v4 rules as the general path does", async (t) => {
  for (const [name, alter, check] of SAC_CASES) {
    await t.step(name, () => {
      const lcm = decoded();
      const { event, tx, op } = sacTransfer(lcm);
      const before = rowsOf(assertSame(encoded(lcm)), tx, op).length;
      alter(event);
      const rows = rowsOf(assertSame(encoded(lcm)), tx, op);
      // The altered event is its operation's first: its row, if any, is the operation's first.
      const altered = rows.length === before ? rows[0] : undefined;
      if (rows.length !== before) assert.equal(rows.length, before - 1);
      check(altered);
    });
  }
});

Deno.test("altered fee events and ledgers: what the general path refuses, the scan leaves to it", async (t) => {
  await t.step("a third fee event", () => {
    const lcm = decoded();
    const events = feeEventsWithRefund(lcm);
    events.push(structuredClone(events[1]));
    assertRefused(encoded(lcm));
  });
  await t.step("a fee event from another contract", () => {
    const lcm = decoded();
    feeEventsWithRefund(lcm)[0].event.contractId = HASH;
    assertRefused(encoded(lcm));
  });
  await t.step("a fee event with three topics", () => {
    const lcm = decoded();
    feeEventsWithRefund(lcm)[0].event.body.value.topics.push(sym("x"));
    assertRefused(encoded(lcm));
  });
  await t.step("a diagnostic transaction-level event", () => {
    const lcm = decoded();
    feeEventsWithRefund(lcm)[1].event.type = "DIAGNOSTIC";
    assertRefused(encoded(lcm));
  });
  await t.step("a transaction without fee events: derived in auto mode, refused in unified", () => {
    const lcm = decoded();
    lcm.value.txProcessing[0].txApplyProcessing.value.events = [];
    const bytes = encoded(lcm);
    const { scanned, general } = both(bytes);
    assert.equal(scanned, null);
    assert.ok(Array.isArray(general));
    assertRefused(bytes, PUBNET, "unified");
  });
  await t.step("a bad bool or enum inside an event's value", () => {
    // `skip` jumps over both; the general path decodes the event and rejects them.
    for (
      const value of [{ arm: "SCV_BOOL", value: true }, {
        arm: "SCV_ERROR",
        value: { arm: "SCE_WASM_VM", value: "SCEC_ARITH_DOMAIN" },
      }] as ScVal[]
    ) {
      const lcm = decoded();
      const { event } = sacTransfer(lcm);
      event.body.value.data = {
        arm: "SCV_MAP",
        value: [{ key: sym("amount"), val: i128(1n) }, { key: sym("x"), val: value }],
      };
      const bytes = encoded(lcm);
      assertSame(bytes);
      // The value's last word (the bool, or the error code) made out of range.
      bytes[lastWordOf(bytes, [sym("x"), value])] = 77;
      assertRefused(bytes);
    }
  });
  await t.step("a wrong passphrase", () => {
    assertRefused(P26[0].bytes, Networks.TESTNET);
  });
  await t.step("a trailing byte and a truncated ledger", () => {
    const bytes = P26[0].bytes;
    assertRefused(Uint8Array.from([...bytes, 0, 0, 0, 0]));
    assertRefused(bytes.subarray(0, bytes.length - 4));
  });
  await t.step("results whose hashes match no envelope", () => {
    // Both paths hash one envelope (the first) and look for it among the results.
    const lcm = decoded();
    for (const trm of lcm.value.txProcessing) trm.result.transactionHash = HASH;
    assertRefused(encoded(lcm));
  });
  await t.step("fee rows name the XLM SAC of the ledger's network", () => {
    // The XLM SAC differs per network.
    const pubnet = StrKey.encodeContract(Buffer.from(sacContractId(NATIVE, PUBNET)));
    const rows = assertSame(P26[0].bytes);
    assert.ok(
      rows.filter((r) => r.event_type === "fee").every((r) => r.contract_address === pubnet),
    );
  });
});

Deno.test("before protocol 23 each refund follows its transaction's operation events", () => {
  const lcm = decoded();
  lcm.value.ledgerHeader.header.ledgerVersion = 22;
  const rows = assertSame(encoded(lcm));
  const firstRefund = rows.findIndex((r) => r.amount.startsWith("-"));
  assert.ok(firstRefund > 0);
  // From protocol 23 every refund comes after every operation event: not here.
  assert.ok(rows.slice(firstRefund).some((r) => r.event_type !== "fee"));
});
