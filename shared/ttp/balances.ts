/**
 * Balance deltas per (holder, asset) from ledger-entry changes and from events, as the
 * reference verification computes them.
 *
 * @module
 */
import { assetString } from "../stellar/asset.ts";
import {
  accountIdAddress,
  assetOf,
  claimableBalanceAddress,
  liquidityPoolAddress,
} from "./addresses.ts";
import { type EntryChange, pairChanges, peekChange } from "./changes.ts";
import type { TokenEvent } from "./token_event.ts";
import type {
  AccountEntryXdr,
  AssetXdr,
  ClaimableBalanceEntryXdr,
  LedgerEntryChangeXdr,
  LedgerEntryXdr,
  LiquidityPoolEntryXdr,
  TrustLineEntryXdr,
} from "./xdr_shapes.ts";

/** Balance deltas keyed by `holder|asset` (asset as SEP-11 string); zero entries are absent. */
export type DeltaMap = Map<string, bigint>;

/** Key of a (holder, asset) pair in a {@link DeltaMap}. */
export function deltaKey(holder: string, asset: string): string {
  return `${holder}|${asset}`;
}

/** Adds `delta` to `key`, dropping contract (`C…`) holders and zero results. */
export function addDelta(map: DeltaMap, holder: string, asset: string, delta: bigint): void {
  if (holder.charCodeAt(0) === 67 /* C */) return;
  const key = deltaKey(holder, asset);
  const v = (map.get(key) ?? 0n) + delta;
  if (v === 0n) map.delete(key);
  else map.set(key, v);
}

function entryValue<T>(e: LedgerEntryXdr | null): T | null {
  return e ? (e.data.value as T) : null;
}

function addPairDelta(map: DeltaMap, c: EntryChange): void {
  switch (c.entryType) {
    case "ACCOUNT": {
      const pre = entryValue<AccountEntryXdr>(c.pre);
      const post = entryValue<AccountEntryXdr>(c.post);
      const holder = accountIdAddress((post ?? pre)!.accountId);
      addDelta(map, holder, "native", (post?.balance ?? 0n) - (pre?.balance ?? 0n));
      return;
    }
    case "TRUSTLINE": {
      const pre = entryValue<TrustLineEntryXdr>(c.pre);
      const post = entryValue<TrustLineEntryXdr>(c.post);
      const any = (post ?? pre)!;
      if (any.asset.arm === "ASSET_TYPE_POOL_SHARE") return;
      const asset = assetString(assetOf(any.asset as AssetXdr));
      addDelta(
        map,
        accountIdAddress(any.accountId),
        asset,
        (post?.balance ?? 0n) - (pre?.balance ?? 0n),
      );
      return;
    }
    case "CLAIMABLE_BALANCE": {
      const pre = entryValue<ClaimableBalanceEntryXdr>(c.pre);
      const post = entryValue<ClaimableBalanceEntryXdr>(c.post);
      const any = (post ?? pre)!;
      addDelta(
        map,
        claimableBalanceAddress(any.balanceId),
        assetString(assetOf(any.asset)),
        (post?.amount ?? 0n) - (pre?.amount ?? 0n),
      );
      return;
    }
    case "LIQUIDITY_POOL": {
      const pre = entryValue<LiquidityPoolEntryXdr>(c.pre);
      const post = entryValue<LiquidityPoolEntryXdr>(c.post);
      const any = (post ?? pre)!;
      const holder = liquidityPoolAddress(any.liquidityPoolId);
      const params = any.body.value.params;
      addDelta(
        map,
        holder,
        assetString(assetOf(params.assetA)),
        (post?.body.value.reserveA ?? 0n) - (pre?.body.value.reserveA ?? 0n),
      );
      addDelta(
        map,
        holder,
        assetString(assetOf(params.assetB)),
        (post?.body.value.reserveB ?? 0n) - (pre?.body.value.reserveB ?? 0n),
      );
      return;
    }
  }
}

const BALANCE_TYPES = new Set(["ACCOUNT", "TRUSTLINE", "CLAIMABLE_BALANCE", "LIQUIDITY_POOL"]);

/** Adds the balance deltas of `changes` (accounts, trustlines, claimable balances, pools). */
export function addChangeDeltas(map: DeltaMap, changes: LedgerEntryChangeXdr[]): void {
  for (const c of pairChanges(changes)) {
    if (BALANCE_TYPES.has(c.entryType)) addPairDelta(map, c);
  }
}

/**
 * XLM balance delta of the account with raw ed25519 key `key` across `changes`, read in place
 * from the change bytes (no decoding): `STATE` then `UPDATED` pairs, creations and removals.
 */
export function accountBalanceDelta(changes: LedgerEntryChangeXdr[], key: Uint8Array): bigint {
  let delta = 0n;
  let pending: bigint | null = null;
  for (const span of changes) {
    const { changeType, entryType } = peekChange(span);
    if (entryType !== "ACCOUNT") continue;
    const b = span.bytes;
    const o = span.offset;
    // Entry: change arm, lastModifiedLedgerSeq, data arm, PublicKey arm, key, balance.
    // Removal: change arm, LedgerKey arm, PublicKey arm, key.
    const removed = changeType === "LEDGER_ENTRY_REMOVED";
    const keyAt = removed ? o + 12 : o + 16;
    let same = true;
    for (let i = 0; i < 32 && same; i++) same = b[keyAt + i] === key[i];
    if (!same) continue;
    if (removed) {
      if (pending !== null) delta -= pending;
      pending = null;
      continue;
    }
    const balance = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigInt64(o + 48);
    if (changeType === "LEDGER_ENTRY_STATE") {
      pending = balance;
    } else {
      delta += balance - (changeType === "LEDGER_ENTRY_UPDATED" ? pending ?? 0n : 0n);
      pending = null;
    }
  }
  return delta;
}

/**
 * Adds the deltas implied by `events`: fee, burn and clawback debit `from`; mint credits `to`;
 * transfer does both. Events without an asset (custom tokens) are skipped.
 */
export function addEventDeltas(map: DeltaMap, events: Iterable<TokenEvent>): void {
  for (const e of events) {
    if (e.asset === null) continue;
    const asset = assetString(e.asset);
    const amount = BigInt(e.amount);
    if (e.type === "mint" || e.type === "transfer") addDelta(map, e.to!, asset, amount);
    if (e.type !== "mint") addDelta(map, e.from!, asset, -amount);
  }
}
