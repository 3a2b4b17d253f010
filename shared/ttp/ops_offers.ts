/**
 * Events of trades: claim atoms of offers and path payments.
 *
 * @module
 */
import { accountAddress, accountIdAddress, assetOf, liquidityPoolAddress } from "./addresses.ts";
import { TtpDataError } from "./errors.ts";
import { movementEvent } from "./issuer_rule.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { operationSource, successValue } from "./op_context.ts";
import type { TokenEvent } from "./token_event.ts";
import type {
  AccountIdXdr,
  AssetXdr,
  OperationResultXdr,
  OperationXdr,
  XdrUnion,
} from "./xdr_shapes.ts";

/** Decoded `ClaimAtom`. */
export type ClaimAtomXdr = XdrUnion<string, {
  sellerId?: AccountIdXdr;
  sellerEd25519?: Uint8Array;
  liquidityPoolId?: Uint8Array;
  assetSold: AssetXdr;
  amountSold: bigint;
  assetBought: AssetXdr;
  amountBought: bigint;
}>;

function sellerOf(atom: ClaimAtomXdr): string {
  const v = atom.value;
  switch (atom.arm) {
    case "CLAIM_ATOM_TYPE_V0":
      return accountAddress(v.sellerEd25519!);
    case "CLAIM_ATOM_TYPE_ORDER_BOOK":
      return accountIdAddress(v.sellerId!);
    case "CLAIM_ATOM_TYPE_LIQUIDITY_POOL":
      return liquidityPoolAddress(v.liquidityPoolId!);
    default:
      throw new TtpDataError(`unknown ClaimAtom arm ${String(atom.arm)}`);
  }
}

/**
 * Two events per claim atom: taker → seller in the asset the seller bought, then seller → taker
 * in the asset the seller sold (issuer rule applies, never muxed). `taker` is the operation
 * source (`G…`).
 *
 * This is the order stellar-core emits in CAP-67 unified events (checked on every v4 fixture
 * ledger). The Go reference derives the pair in the opposite order (seller → taker first); we
 * follow core so that derived and unified output are identical.
 */
export function claimAtomEvents(
  tx: LedgerTx,
  opIndex: number,
  taker: string,
  atoms: ClaimAtomXdr[],
): TokenEvent[] {
  const events: TokenEvent[] = [];
  for (const atom of atoms) {
    const seller = sellerOf(atom);
    const v = atom.value;
    events.push(
      movementEvent(tx, {
        asset: assetOf(v.assetBought),
        from: taker,
        to: seller,
        amount: v.amountBought,
        opIndex,
        mux: false,
      }),
      movementEvent(tx, {
        asset: assetOf(v.assetSold),
        from: seller,
        to: taker,
        amount: v.amountSold,
        opIndex,
        mux: false,
      }),
    );
  }
  return events;
}

const OFFER_RESULT: Record<string, string> = {
  MANAGE_SELL_OFFER: "MANAGE_SELL_OFFER_SUCCESS",
  CREATE_PASSIVE_SELL_OFFER: "MANAGE_SELL_OFFER_SUCCESS",
  MANAGE_BUY_OFFER: "MANAGE_BUY_OFFER_SUCCESS",
};

/** Manage sell/buy offer and create passive sell offer: the claimed offers' trades. */
export function offerEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
  result: OperationResultXdr | undefined,
): TokenEvent[] {
  const opType = String(op.body.arm);
  const success = successValue<{ offersClaimed: ClaimAtomXdr[] }>(
    result,
    opType,
    OFFER_RESULT[opType],
  );
  if (success.offersClaimed.length === 0) return [];
  return claimAtomEvents(tx, opIndex, operationSource(tx, op).address, success.offersClaimed);
}
