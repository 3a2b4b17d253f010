/**
 * Rule unit tests for the operation kinds and event shapes the fixtures lack: liquidity pool
 * deposit/withdraw, claimable balance clawback, pool-share revocations, inflation, passive
 * offers, pre-protocol-8 reconciliation, contract events in meta v3/v4 shapes and fee events.
 * Ledger-entry changes are real XDR encoded here (the rules decode them lazily).
 */
import assert from "node:assert/strict";
import { Keypair, Networks } from "@stellar/stellar-sdk";
import { type Asset, parseAssetString } from "../stellar/asset.ts";
import { claimableBalanceIdFromRevocation } from "../stellar/claimable_balance_id.ts";
import { sacContractId } from "../stellar/contract_id.ts";
import {
  decodeStrkey,
  encodeClaimableBalanceId,
  encodeLiquidityPoolId,
} from "../stellar/strkey.ts";
import { XdrSpan } from "../xdr/mod.ts";
import { parseFeeEvents, parseTokenEvent } from "./contract_events.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { operationEvents } from "./operations.ts";
import type { TokenEvent } from "./token_event.ts";
import type { ContractEventXdr, OperationResultXdr, OperationXdr, ScValXdr } from "./xdr_shapes.ts";
import { TtpDataError } from "./errors.ts";

const PASS = Networks.TESTNET;
const [SRC, ISSUER, OTHER] = [Keypair.random(), Keypair.random(), Keypair.random()].map((k) =>
  k.publicKey()
);
const raw = (g: string) => decodeStrkey("account", g);
const USD = parseAssetString(`USD:${ISSUER}`)!;
const NATIVE: Asset = { type: "native" };
const POOL = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const POOL_L = encodeLiquidityPoolId(POOL);

// --- a tiny XDR writer for ledger-entry changes --------------------------------------------
class W {
  bytes: number[] = [];
  int(n: number): this {
    this.bytes.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
    return this;
  }
  hyper(n: bigint): this {
    return this.int(Number((n >> 32n) & 0xffffffffn) | 0).int(Number(n & 0xffffffffn) | 0);
  }
  raw(b: Uint8Array): this {
    this.bytes.push(...b);
    return this;
  }
  accountId(g: string): this {
    return this.int(0).raw(raw(g));
  }
  asset(a: Asset): this {
    if (a.type === "native") return this.int(0);
    const code = new Uint8Array(a.code.length <= 4 ? 4 : 12);
    code.set(new TextEncoder().encode(a.code));
    return this.int(code.length === 4 ? 1 : 2).raw(code).accountId(a.issuer);
  }
  span(): XdrSpan {
    const b = Uint8Array.from(this.bytes);
    return new XdrSpan("LedgerEntryChange", 0, b.length, b);
  }
}
const CREATED = 0, UPDATED = 1, REMOVED = 2, STATE = 3;

function poolChange(
  type: number,
  reserveA: bigint,
  reserveB: bigint,
  a: Asset = NATIVE,
  b: Asset = USD,
): XdrSpan {
  return new W().int(type).int(7).int(5).raw(POOL).int(0).asset(a).asset(b).int(30)
    .hyper(reserveA).hyper(reserveB).hyper(1000n).hyper(2n).int(0).span();
}
function cbEntry(type: number, id: Uint8Array, asset: Asset, amount: bigint): XdrSpan {
  return new W().int(type).int(7).int(4).int(0).raw(id).int(0).asset(asset).hyper(amount).int(0)
    .int(0).span();
}
function cbRemoved(id: Uint8Array): XdrSpan {
  return new W().int(REMOVED).int(4).int(0).raw(id).span();
}
function accountChange(type: number, g: string, balance: bigint): XdrSpan {
  return new W().int(type).int(7).int(0).accountId(g).hyper(balance).hyper(1n).int(0).int(0).int(0)
    .int(0)
    .raw(new Uint8Array([1, 0, 0, 0])).int(0).int(0).int(0).span();
}

// --- transactions and operations -------------------------------------------------------------
const muxed = (g: string, id?: bigint) =>
  id === undefined
    ? { arm: "KEY_TYPE_ED25519", value: raw(g) }
    : { arm: "KEY_TYPE_MUXED_ED25519", value: { id, ed25519: raw(g) } };

function tx(changes: XdrSpan[], over: Partial<LedgerTx> = {}): LedgerTx {
  return {
    ledger: { sequence: 100, protocolVersion: 21, closedAtMs: 0, passphrase: PASS },
    index: 1,
    hash: "00".repeat(32),
    source: muxed(SRC),
    feeAccount: muxed(SRC),
    seqNum: 77n,
    memo: { arm: "MEMO_NONE", value: undefined },
    operations: [],
    isSoroban: false,
    successful: true,
    feeCharged: 100n,
    operationResults: [],
    feeProcessing: [],
    meta: { arm: 2, value: { txChangesBefore: [], operations: [{ changes }], txChangesAfter: [] } },
    postTxApplyFeeProcessing: [],
    ...over,
  };
}
const op = (arm: string, value: unknown, source?: ReturnType<typeof muxed>): OperationXdr => ({
  sourceAccount: source ?? null,
  body: { arm, value },
});
const ok = (type: string, code: string, value: unknown): OperationResultXdr => ({
  arm: "opINNER",
  value: { arm: type, value: { arm: code, value } },
});
const stats = () => ({ skippedContractEvents: 0 });
const brief = (events: TokenEvent[] | null) =>
  (events ?? []).map((
    e,
  ) => [
    e.type,
    e.from,
    e.to,
    e.asset ? (e.asset.type === "native" ? "native" : e.asset.code) : null,
    e.amount,
    e.toMuxed?.value ?? null,
  ]);

Deno.test("liquidity pool deposit: source → pool for each asset's reserve increase", () => {
  const t = tx([poolChange(STATE, 100n, 200n), poolChange(UPDATED, 150n, 260n)]);
  assert.deepEqual(
    brief(operationEvents(t, 0, op("LIQUIDITY_POOL_DEPOSIT", {}), undefined, stats())),
    [
      ["transfer", SRC, POOL_L, "native", "50", null],
      ["transfer", SRC, POOL_L, "USD", "60", null],
    ],
  );
  // The issuer depositing its own asset mints it into the pool.
  const byIssuer = operationEvents(
    t,
    0,
    op("LIQUIDITY_POOL_DEPOSIT", {}, muxed(ISSUER)),
    undefined,
    stats(),
  );
  assert.deepEqual(brief(byIssuer).map((e) => e[0]), ["transfer", "mint"]);
  const zero = tx([poolChange(STATE, 100n, 200n), poolChange(UPDATED, 150n, 200n)]);
  assert.throws(
    () => operationEvents(zero, 0, op("LIQUIDITY_POOL_DEPOSIT", {}), undefined, stats()),
    TtpDataError,
  );
  assert.throws(
    () => operationEvents(tx([]), 0, op("LIQUIDITY_POOL_DEPOSIT", {}), undefined, stats()),
    /exactly one liquidity pool/,
  );
});

Deno.test("liquidity pool withdraw: pool → source, zero allowed, muxed source gives its id", () => {
  const t = tx([poolChange(STATE, 150n, 260n), poolChange(UPDATED, 100n, 260n)]);
  assert.deepEqual(
    brief(
      operationEvents(t, 0, op("LIQUIDITY_POOL_WITHDRAW", {}, muxed(SRC, 42n)), undefined, stats()),
    ),
    [
      ["transfer", POOL_L, SRC, "native", "50", "42"],
      ["transfer", POOL_L, SRC, "USD", "0", "42"],
    ],
  );
  // Withdrawing to the issuer burns.
  const issuer = operationEvents(
    t,
    0,
    op("LIQUIDITY_POOL_WITHDRAW", {}, muxed(ISSUER)),
    undefined,
    stats(),
  );
  assert.deepEqual(brief(issuer).map((e) => e[0]), ["transfer", "burn"]);
});

Deno.test("clawback claimable balance: clawback from the B… balance with the removed entry", () => {
  const id = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
  const t = tx([cbEntry(STATE, id, USD, 999n), cbRemoved(id)]);
  const body = { balanceId: { arm: "CLAIMABLE_BALANCE_ID_TYPE_V0", value: id } };
  assert.deepEqual(
    brief(
      operationEvents(
        t,
        0,
        op("CLAWBACK_CLAIMABLE_BALANCE", body, muxed(ISSUER)),
        undefined,
        stats(),
      ),
    ),
    [
      ["clawback", encodeClaimableBalanceId(id), null, "USD", "999", null],
    ],
  );
  assert.throws(
    () => operationEvents(tx([]), 0, op("CLAWBACK_CLAIMABLE_BALANCE", body), undefined, stats()),
    /exactly one removed/,
  );
});

Deno.test("revocation pulling pool shares: L → B transfers, or a transfer and a burn", () => {
  const idFor = (asset: Asset, opIndex: number) =>
    claimableBalanceIdFromRevocation({
      sourceAccount: raw(SRC),
      seqNum: 77n,
      opIndex,
      liquidityPoolId: POOL,
      asset,
    });
  const two = tx([
    poolChange(STATE, 100n, 200n),
    poolChange(UPDATED, 60n, 120n),
    cbEntry(CREATED, idFor(NATIVE, 0), NATIVE, 40n),
    cbEntry(CREATED, idFor(USD, 0), USD, 80n),
  ]);
  assert.deepEqual(
    brief(
      operationEvents(two, 0, op("SET_TRUST_LINE_FLAGS", {}, muxed(ISSUER)), undefined, stats()),
    ),
    [
      ["transfer", POOL_L, encodeClaimableBalanceId(idFor(NATIVE, 0)), "native", "40", null],
      ["transfer", POOL_L, encodeClaimableBalanceId(idFor(USD, 0)), "USD", "80", null],
    ],
  );
  const one = tx([
    poolChange(STATE, 100n, 200n),
    poolChange(UPDATED, 60n, 120n),
    cbEntry(CREATED, idFor(NATIVE, 0), NATIVE, 40n),
  ]);
  assert.deepEqual(brief(operationEvents(one, 0, op("ALLOW_TRUST", {}), undefined, stats())), [
    ["transfer", POOL_L, encodeClaimableBalanceId(idFor(NATIVE, 0)), "native", "40", null],
    ["burn", POOL_L, null, "USD", "80", null],
  ]);
  // Balances with other ids (another op index) are not this pool's: no events.
  const other = tx([
    poolChange(STATE, 100n, 200n),
    poolChange(UPDATED, 60n, 120n),
    cbEntry(CREATED, idFor(NATIVE, 1), NATIVE, 40n),
  ]);
  assert.deepEqual(operationEvents(other, 0, op("ALLOW_TRUST", {}), undefined, stats()), []);
  assert.deepEqual(operationEvents(tx([]), 0, op("ALLOW_TRUST", {}), undefined, stats()), []);
});

Deno.test("inflation: one XLM mint per payout", () => {
  const payouts = [{
    destination: { arm: "PUBLIC_KEY_TYPE_ED25519", value: raw(OTHER) },
    amount: 12n,
  }];
  const r = ok("INFLATION", "INFLATION_SUCCESS", payouts);
  assert.deepEqual(
    brief(
      operationEvents(
        tx([], { ledger: { sequence: 9, protocolVersion: 11, closedAtMs: 0, passphrase: PASS } }),
        0,
        op("INFLATION", undefined),
        r,
        stats(),
      ),
    ),
    [
      ["mint", null, OTHER, "native", "12", null],
    ],
  );
});

Deno.test("passive sell offer: claim atoms as taker-pays-then-seller-delivers pairs", () => {
  const atom = {
    arm: "CLAIM_ATOM_TYPE_ORDER_BOOK",
    value: {
      sellerId: { arm: "PUBLIC_KEY_TYPE_ED25519", value: raw(OTHER) },
      offerId: 1n,
      assetSold: { arm: "ASSET_TYPE_NATIVE" },
      amountSold: 5n,
      assetBought: {
        arm: "ASSET_TYPE_CREDIT_ALPHANUM4",
        value: {
          assetCode: new TextEncoder().encode("USD\0"),
          issuer: { arm: "PUBLIC_KEY_TYPE_ED25519", value: raw(ISSUER) },
        },
      },
      amountBought: 7n,
    },
  };
  const r = ok("CREATE_PASSIVE_SELL_OFFER", "MANAGE_SELL_OFFER_SUCCESS", {
    offersClaimed: [atom],
    offer: { arm: "MANAGE_OFFER_DELETED" },
  });
  assert.deepEqual(
    brief(operationEvents(tx([]), 0, op("CREATE_PASSIVE_SELL_OFFER", {}), r, stats())),
    [
      ["transfer", SRC, OTHER, "USD", "7", null],
      ["transfer", OTHER, SRC, "native", "5", null],
    ],
  );
});

Deno.test("pre-protocol-8 reconciliation: mint first or burn last for the source's XLM difference", () => {
  const payment = op("PAYMENT", {
    destination: muxed(OTHER),
    asset: { arm: "ASSET_TYPE_NATIVE" },
    amount: 10n,
  });
  const p7 = { sequence: 9, protocolVersion: 7, closedAtMs: 0, passphrase: PASS };
  // Changes show the source losing only 7 while the payment says 10: mint 3 first.
  const gain = tx([accountChange(STATE, SRC, 100n), accountChange(UPDATED, SRC, 93n)], {
    ledger: p7,
  });
  assert.deepEqual(
    brief(operationEvents(gain, 0, payment, undefined, stats())).map((e) => [e[0], e[4]]),
    [["mint", "3"], ["transfer", "10"]],
  );
  const loss = tx([accountChange(STATE, SRC, 100n), accountChange(UPDATED, SRC, 85n)], {
    ledger: p7,
  });
  assert.deepEqual(
    brief(operationEvents(loss, 0, payment, undefined, stats())).map((e) => [e[0], e[4]]),
    [["transfer", "10"], ["burn", "5"]],
  );
  // From protocol 8 there is no reconciliation.
  assert.equal(
    operationEvents(
      tx([accountChange(STATE, SRC, 100n), accountChange(UPDATED, SRC, 85n)]),
      0,
      payment,
      undefined,
      stats(),
    )!.length,
    1,
  );
});

// --- contract events ------------------------------------------------------------------------
const sym = (s: string): ScValXdr => ({ arm: "SCV_SYMBOL", value: s });
const str = (s: string): ScValXdr => ({ arm: "SCV_STRING", value: s });
const addr = (g: string): ScValXdr => ({
  arm: "SCV_ADDRESS",
  value: {
    arm: "SC_ADDRESS_TYPE_ACCOUNT",
    value: { arm: "PUBLIC_KEY_TYPE_ED25519", value: raw(g) },
  },
});
const i128 = (lo: bigint, hi = 0n): ScValXdr => ({ arm: "SCV_I128", value: { hi, lo } });
const USD_SAC = sacContractId(USD, PASS);
const CUSTOM = Uint8Array.from({ length: 32 }, () => 9);
const event = (contractId: Uint8Array, topics: ScValXdr[], data: ScValXdr): ContractEventXdr => ({
  contractId,
  type: "CONTRACT",
  body: { arm: 0, value: { topics, data } },
});
const parse = (ev: ContractEventXdr, v: number, over: Partial<LedgerTx> = {}) =>
  parseTokenEvent(tx([], { isSoroban: true, ...over }), 0, ev, v);
const usdString = `USD:${ISSUER}`;

Deno.test("meta v3 SAC events: admin topics, issuer rule turns transfers into mints/burns", () => {
  assert.deepEqual(
    brief([
      parse(
        event(USD_SAC, [sym("transfer"), addr(SRC), addr(OTHER), str(usdString)], i128(5n)),
        3,
      )!,
    ]),
    [["transfer", SRC, OTHER, "USD", "5", null]],
  );
  assert.deepEqual(
    brief([
      parse(
        event(USD_SAC, [sym("transfer"), addr(ISSUER), addr(OTHER), str(usdString)], i128(5n)),
        3,
      )!,
    ]),
    [["mint", null, OTHER, "USD", "5", null]],
  );
  assert.deepEqual(
    brief([
      parse(
        event(USD_SAC, [sym("transfer"), addr(SRC), addr(ISSUER), str(usdString)], i128(5n)),
        3,
      )!,
    ]),
    [["burn", SRC, null, "USD", "5", null]],
  );
  assert.deepEqual(
    brief([
      parse(event(USD_SAC, [sym("mint"), addr(ISSUER), addr(OTHER), str(usdString)], i128(6n)), 3)!,
    ]),
    [["mint", null, OTHER, "USD", "6", null]],
  );
  assert.deepEqual(
    brief([
      parse(
        event(USD_SAC, [sym("clawback"), addr(ISSUER), addr(OTHER), str(usdString)], i128(7n)),
        3,
      )!,
    ]),
    [["clawback", OTHER, null, "USD", "7", null]],
  );
  assert.deepEqual(
    brief([parse(event(USD_SAC, [sym("burn"), addr(OTHER), str(usdString)], i128(8n)), 3)!]),
    [["burn", OTHER, null, "USD", "8", null]],
  );
  // Custom token (not the asset's SAC): no asset; i128 beyond 64 bits prints exactly.
  const big = parse(event(CUSTOM, [sym("transfer"), addr(SRC), addr(OTHER)], i128(0n, 1n)), 3)!;
  assert.equal(big.asset, null);
  assert.equal(big.amount, (2n ** 64n).toString());
  assert.equal(
    parse(event(CUSTOM, [sym("burn"), addr(SRC)], i128(2n ** 64n - 1n, -1n)), 3)!.amount,
    "-1",
  );
  // Not token events: skipped.
  assert.equal(
    parse(
      event(USD_SAC, [sym("transfer"), addr(SRC), addr(OTHER)], { arm: "SCV_U64", value: 1n }),
      3,
    ),
    null,
  );
  assert.equal(parse(event(USD_SAC, [sym("approve"), addr(SRC), addr(OTHER)], i128(1n)), 3), null);
  assert.equal(parse(event(USD_SAC, [str("transfer"), addr(SRC), addr(OTHER)], i128(1n)), 3), null);
  assert.equal(
    parse({ ...event(USD_SAC, [sym("burn"), addr(SRC)], i128(1n)), type: "SYSTEM" }, 3),
    null,
  );
});

Deno.test("meta v4 events: CAP-67 topics, map data with to_muxed_id, legacy admin format dropped", () => {
  const mint = parse(event(USD_SAC, [sym("mint"), addr(OTHER), str(usdString)], i128(3n)), 4)!;
  assert.deepEqual(brief([mint]), [["mint", null, OTHER, "USD", "3", null]]);
  assert.equal(parse(event(CUSTOM, [sym("mint"), addr(ISSUER), addr(OTHER)], i128(3n)), 4), null);
  const map = (muxed: ScValXdr | null): ScValXdr => ({
    arm: "SCV_MAP",
    value: [
      { key: sym("amount"), val: i128(9n) },
      ...(muxed ? [{ key: sym("to_muxed_id"), val: muxed }] : []),
    ],
  });
  const transfer = (data: ScValXdr) =>
    parse(event(USD_SAC, [sym("transfer"), addr(SRC), addr(OTHER), str(usdString)], data), 4);
  assert.deepEqual(transfer(map({ arm: "SCV_U64", value: 77n }))!.toMuxed, {
    type: "id",
    value: "77",
  });
  assert.deepEqual(transfer(map({ arm: "SCV_STRING", value: "memo" }))!.toMuxed, {
    type: "text",
    value: "memo",
  });
  assert.deepEqual(transfer(map({ arm: "SCV_BYTES", value: new Uint8Array([1, 2]) }))!.toMuxed, {
    type: "hash",
    value: "0102",
  });
  assert.equal(transfer(map({ arm: "SCV_VOID", value: undefined }))!.toMuxed, null);
  assert.equal(transfer(map(null))!.amount, "9");
  assert.equal(transfer(map({ arm: "SCV_BOOL", value: true })), null);
  assert.equal(transfer({ arm: "SCV_MAP", value: null }), null);
  // v4 does not rewrite SAC transfers with the issuer rule (core already emits mint/burn).
  assert.equal(
    parse(
      event(USD_SAC, [sym("transfer"), addr(ISSUER), addr(OTHER), str(usdString)], i128(1n)),
      4,
    )!.type,
    "transfer",
  );
  // Extra topics (SEP-41 allows them): still a token event, but not a SAC one.
  const extra = parse(
    event(USD_SAC, [sym("transfer"), addr(SRC), addr(OTHER), str(usdString), str("x")], i128(1n)),
    4,
  )!;
  assert.equal(extra.asset, null);
});

Deno.test("unified fee events: two-topic XLM SAC events, anything else malformed is an error", () => {
  const xlm = sacContractId(NATIVE, PASS);
  const fee = (contract: Uint8Array, topics: ScValXdr[], data: ScValXdr) => ({
    stage: "TRANSACTION_EVENT_STAGE_BEFORE_ALL_TXS",
    event: event(contract, topics, data),
  });
  const t = tx([]);
  assert.deepEqual(
    parseFeeEvents(t, [
      fee(xlm, [sym("fee"), addr(SRC)], i128(100n)),
      fee(xlm, [sym("other")], i128(1n)),
      fee(xlm, [sym("fee"), addr(SRC)], i128(2n ** 64n - 40n, -1n)),
    ]).map((e) => e.amount),
    ["100", "-40"],
  );
  assert.throws(
    () => parseFeeEvents(t, [fee(USD_SAC, [sym("fee"), addr(SRC)], i128(1n))]),
    /XLM SAC/,
  );
  assert.throws(
    () => parseFeeEvents(t, [fee(xlm, [sym("fee"), addr(SRC), addr(SRC)], i128(1n))]),
    /3 topics/,
  );
  assert.throws(
    () => parseFeeEvents(t, [fee(xlm, [sym("fee"), addr(SRC)], { arm: "SCV_U64", value: 1n })]),
    /SCV_I128/,
  );
});
