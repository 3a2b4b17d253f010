/**
 * Events of liquidity pool deposits and withdrawals, and of trustline revocations that pull
 * pool shares into claimable balances (CAP-38).
 *
 * @module
 */
import { type Asset, assetString } from "../stellar/asset.ts";
import { claimableBalanceIdFromRevocation } from "../stellar/claimable_balance_id.ts";
import { toHex } from "../stellar/hash.ts";
import { assetOf, claimableBalanceAddress, liquidityPoolAddress } from "./addresses.ts";
import { operationChanges, pairChanges } from "./changes.ts";
import { TtpDataError } from "./errors.ts";
import { assetEvent, movementEvent } from "./issuer_rule.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { claimableBalancesChanged } from "./ops_claimable_balances.ts";
import { operationSource } from "./op_context.ts";
import type { TokenEvent } from "./token_event.ts";
import type { LiquidityPoolEntryXdr, OperationXdr } from "./xdr_shapes.ts";

/** A pool touched by an operation with the absolute change of each reserve. */
export interface PoolDelta {
  /** 32-byte pool id. */
  poolId: Uint8Array;
  /** Asset A. */
  assetA: Asset;
  /** Asset B. */
  assetB: Asset;
  /** |post − pre| of reserve A. */
  amountA: bigint;
  /** |post − pre| of reserve B. */
  amountB: bigint;
}

const abs = (n: bigint) => (n < 0n ? -n : n);

/** Liquidity pools changed by operation `opIndex`, with absolute reserve changes. */
export function poolDeltas(tx: LedgerTx, opIndex: number): PoolDelta[] {
  const out: PoolDelta[] = [];
  for (const c of pairChanges(operationChanges(tx, opIndex), "LIQUIDITY_POOL")) {
    const pre = c.pre ? (c.pre.data.value as LiquidityPoolEntryXdr) : null;
    const post = c.post ? (c.post.data.value as LiquidityPoolEntryXdr) : null;
    const any = (post ?? pre)!;
    const params = any.body.value.params;
    out.push({
      poolId: any.liquidityPoolId,
      assetA: assetOf(params.assetA),
      assetB: assetOf(params.assetB),
      amountA: abs((post?.body.value.reserveA ?? 0n) - (pre?.body.value.reserveA ?? 0n)),
      amountB: abs((post?.body.value.reserveB ?? 0n) - (pre?.body.value.reserveB ?? 0n)),
    });
  }
  return out;
}

function singlePool(tx: LedgerTx, opIndex: number, opType: string): PoolDelta {
  const pools = poolDeltas(tx, opIndex);
  if (pools.length !== 1) {
    throw new TtpDataError(
      `${opType}: expected exactly one liquidity pool change, found ${pools.length}`,
    );
  }
  return pools[0];
}

/** LiquidityPoolDeposit: source → pool, one event per asset; amounts must be positive. */
export function liquidityPoolDepositEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
): TokenEvent[] {
  const p = singlePool(tx, opIndex, "LIQUIDITY_POOL_DEPOSIT");
  const pool = liquidityPoolAddress(p.poolId);
  for (const [asset, amount] of [[p.assetA, p.amountA], [p.assetB, p.amountB]] as const) {
    if (amount <= 0n) {
      throw new TtpDataError(
        `deposited amount ${amount} of ${assetString(asset)} into ${pool} is not positive`,
      );
    }
  }
  const from = operationSource(tx, op).address;
  return [
    movementEvent(tx, { asset: p.assetA, from, to: pool, amount: p.amountA, opIndex, mux: false }),
    movementEvent(tx, { asset: p.assetB, from, to: pool, amount: p.amountB, opIndex, mux: false }),
  ];
}

/** LiquidityPoolWithdraw: pool → source, one event per asset (0 allowed, negative is an error). */
export function liquidityPoolWithdrawEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
): TokenEvent[] {
  const p = singlePool(tx, opIndex, "LIQUIDITY_POOL_WITHDRAW");
  const pool = liquidityPoolAddress(p.poolId);
  const to = operationSource(tx, op);
  const mux = { toMuxId: to.muxId };
  return [
    movementEvent(tx, {
      asset: p.assetA,
      from: pool,
      to: to.address,
      amount: p.amountA,
      opIndex,
      mux,
    }),
    movementEvent(tx, {
      asset: p.assetB,
      from: pool,
      to: to.address,
      amount: p.amountB,
      opIndex,
      mux,
    }),
  ];
}

/**
 * AllowTrust / SetTrustLineFlags: when the revocation pulled pool shares, each touched pool's
 * claimable balances (matched by their CAP-38 ids) get `L… → B…` transfers; a pool with only
 * one balance burns the other asset's reserve change (the trustor was that asset's issuer).
 */
export function revocationEvents(tx: LedgerTx, opIndex: number): TokenEvent[] {
  const pools = poolDeltas(tx, opIndex);
  if (pools.length === 0) return [];
  const created = claimableBalancesChanged(tx, opIndex, "LEDGER_ENTRY_CREATED");
  if (created.length === 0) return [];
  const byId = new Map(created.map((cb) => [toHex(cb.balanceId.value), cb]));
  const sourceKey = tx.source.arm === "KEY_TYPE_ED25519"
    ? tx.source.value as Uint8Array
    : (tx.source.value as { ed25519: Uint8Array }).ed25519;
  const events: TokenEvent[] = [];
  for (const p of pools) {
    const pool = liquidityPoolAddress(p.poolId);
    const matched = [p.assetA, p.assetB]
      .map((asset) =>
        byId.get(toHex(claimableBalanceIdFromRevocation({
          sourceAccount: sourceKey,
          seqNum: tx.seqNum,
          opIndex,
          liquidityPoolId: p.poolId,
          asset,
        })))
      )
      .filter((cb) => cb !== undefined);
    if (matched.length === 0) continue;
    const moves = matched.map((cb) =>
      movementEvent(tx, {
        asset: assetOf(cb.asset),
        from: pool,
        to: claimableBalanceAddress(cb.balanceId),
        amount: cb.amount,
        opIndex,
        mux: false,
      })
    );
    if (matched.length === 1) {
      const inCb = assetString(assetOf(matched[0].asset));
      const [burned, amount] = inCb === assetString(p.assetA)
        ? [p.assetB, p.amountB]
        : [p.assetA, p.amountA];
      moves.push(assetEvent(tx, {
        type: "burn",
        from: pool,
        to: null,
        asset: burned,
        amount: String(amount),
        operationIndex: opIndex + 1,
      }));
    }
    events.push(...moves);
  }
  return events;
}
