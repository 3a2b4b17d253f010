/**
 * Fee events derived from the transaction result and fee changes (reference `generateFeeEvents`).
 *
 * @module
 */
import { muxedAccountKey, muxedAccountRef } from "./addresses.ts";
import { accountBalanceDelta } from "./balances.ts";
import { TtpDataError } from "./errors.ts";
import { feeEvent } from "./issuer_rule.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { TokenEvent } from "./token_event.ts";
import type { TransactionMetaBodyXdr } from "./xdr_shapes.ts";

/**
 * Fee and refund of a transaction.
 *
 * Classic transactions: one event of `feeCharged`, never a refund. Soroban transactions: the fee
 * originally charged (the fee account's balance drop in `feeProcessing`) and, when positive, the
 * refund as a negative amount (the fee account's balance increase in `txChangesAfter` and
 * `postTxApplyFeeProcessing`).
 */
export function derivedFeeEvents(tx: LedgerTx): { fee: TokenEvent; refund: TokenEvent | null } {
  const payer = muxedAccountRef(tx.feeAccount).address;
  if (!tx.isSoroban) return { fee: feeEvent(tx, payer, tx.feeCharged), refund: null };
  const key = muxedAccountKey(tx.feeAccount);
  const charged = -accountBalanceDelta(tx.feeProcessing, key);
  if (charged < 0n) {
    throw new TtpDataError(`fee processing credits the fee account ${payer} by ${-charged}`);
  }
  const after = tx.meta.arm === 0
    ? []
    : (tx.meta.value as TransactionMetaBodyXdr).txChangesAfter ?? [];
  const refund = accountBalanceDelta(after, key) +
    accountBalanceDelta(tx.postTxApplyFeeProcessing, key);
  return {
    fee: feeEvent(tx, payer, charged),
    refund: refund > 0n ? feeEvent(tx, payer, -refund) : null,
  };
}
