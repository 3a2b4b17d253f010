/**
 * Events of create account, payment, path payments, account merge and inflation.
 *
 * @module
 */
import { NATIVE } from "../stellar/asset.ts";
import { accountIdAddress, assetOf, muxedAccountRef } from "./addresses.ts";
import { assetEvent, movementEvent } from "./issuer_rule.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { claimAtomEvents, type ClaimAtomXdr } from "./ops_offers.ts";
import { operationSource, successValue } from "./op_context.ts";
import type { TokenEvent } from "./token_event.ts";
import type {
  AccountIdXdr,
  AssetXdr,
  MuxedAccountXdr,
  OperationResultXdr,
  OperationXdr,
} from "./xdr_shapes.ts";

/** CreateAccount: XLM transfer of the starting balance, source → destination (memo muxing). */
export function createAccountEvents(tx: LedgerTx, opIndex: number, op: OperationXdr): TokenEvent[] {
  const body = op.body.value as { destination: AccountIdXdr; startingBalance: bigint };
  return [movementEvent(tx, {
    asset: NATIVE,
    from: operationSource(tx, op).address,
    to: accountIdAddress(body.destination),
    amount: body.startingBalance,
    opIndex,
    mux: { toMuxId: null },
  })];
}

/** Payment: source → destination in the op asset; issuer rule and muxing apply. */
export function paymentEvents(tx: LedgerTx, opIndex: number, op: OperationXdr): TokenEvent[] {
  const body = op.body.value as { destination: MuxedAccountXdr; asset: AssetXdr; amount: bigint };
  const to = muxedAccountRef(body.destination);
  return [movementEvent(tx, {
    asset: assetOf(body.asset),
    from: operationSource(tx, op).address,
    to: to.address,
    amount: body.amount,
    opIndex,
    mux: { toMuxId: to.muxId },
  })];
}

interface PathPaymentSuccess {
  offers: ClaimAtomXdr[];
  last: { destination: AccountIdXdr; asset: AssetXdr; amount: bigint };
}

/**
 * Path payments: one pair of events per claim atom, then the final source → destination event
 * in the destination asset (strict send: the result's amount; strict receive: the op's amount).
 */
export function pathPaymentEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
  result: OperationResultXdr | undefined,
  strictSend: boolean,
): TokenEvent[] {
  const opType = strictSend ? "PATH_PAYMENT_STRICT_SEND" : "PATH_PAYMENT_STRICT_RECEIVE";
  const success = successValue<PathPaymentSuccess>(result, opType, `${opType}_SUCCESS`);
  const body = op.body.value as {
    destination: MuxedAccountXdr;
    destAsset: AssetXdr;
    destAmount?: bigint;
  };
  const source = operationSource(tx, op);
  const to = muxedAccountRef(body.destination);
  const events = claimAtomEvents(tx, opIndex, source.address, success.offers);
  events.push(movementEvent(tx, {
    asset: assetOf(body.destAsset),
    from: source.address,
    to: to.address,
    amount: strictSend ? success.last.amount : body.destAmount!,
    opIndex,
    mux: { toMuxId: to.muxId },
  }));
  return events;
}

/** AccountMerge: XLM transfer of the merged balance (none if the result has no balance). */
export function accountMergeEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
  result: OperationResultXdr | undefined,
): TokenEvent[] {
  const balance = successValue<bigint | undefined>(
    result,
    "ACCOUNT_MERGE",
    "ACCOUNT_MERGE_SUCCESS",
  );
  if (balance === undefined || balance === null) return [];
  const to = muxedAccountRef(op.body.value as MuxedAccountXdr);
  return [movementEvent(tx, {
    asset: NATIVE,
    from: operationSource(tx, op).address,
    to: to.address,
    amount: balance,
    opIndex,
    mux: { toMuxId: to.muxId },
  })];
}

/** Inflation: one XLM mint per payout. */
export function inflationEvents(
  tx: LedgerTx,
  opIndex: number,
  result: OperationResultXdr | undefined,
): TokenEvent[] {
  const payouts = successValue<{ destination: AccountIdXdr; amount: bigint }[]>(
    result,
    "INFLATION",
    "INFLATION_SUCCESS",
  );
  return payouts.map((p) =>
    assetEvent(tx, {
      type: "mint",
      from: null,
      to: accountIdAddress(p.destination),
      asset: NATIVE,
      amount: String(p.amount),
      operationIndex: opIndex + 1,
    })
  );
}
