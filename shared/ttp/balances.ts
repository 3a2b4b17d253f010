/**
 * Balance deltas per (holder, asset) from ledger-entry changes and from events, as the
 * reference verification computes them.
 *
 * @module
 */
import { assetFromXdr, assetString } from "../stellar/asset.ts";
import { accountIdAddress, claimableBalanceAddress, liquidityPoolAddress } from "./addresses.ts";
import { type EntryChange, pairChanges } from "./changes.ts";
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
      const asset = assetString(assetFromXdr(any.asset as AssetXdr));
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
        assetString(assetFromXdr(any.asset)),
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
        assetString(assetFromXdr(params.assetA)),
        (post?.body.value.reserveA ?? 0n) - (pre?.body.value.reserveA ?? 0n),
      );
      addDelta(
        map,
        holder,
        assetString(assetFromXdr(params.assetB)),
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

/** XLM balance delta of account `address` across `changes`. */
export function accountBalanceDelta(changes: LedgerEntryChangeXdr[], address: string): bigint {
  let delta = 0n;
  for (const c of pairChanges(changes, "ACCOUNT")) {
    const pre = entryValue<AccountEntryXdr>(c.pre);
    const post = entryValue<AccountEntryXdr>(c.post);
    if (accountIdAddress((post ?? pre)!.accountId) !== address) continue;
    delta += (post?.balance ?? 0n) - (pre?.balance ?? 0n);
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
