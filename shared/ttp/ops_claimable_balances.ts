/**
 * Events of claimable balances (create, claim, clawback) and of the clawback operation.
 *
 * @module
 */
import { assetOf, claimableBalanceAddress, muxedAccountRef } from "./addresses.ts";
import { operationChanges, pairChanges } from "./changes.ts";
import { TtpDataError } from "./errors.ts";
import { assetEvent, movementEvent } from "./issuer_rule.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { operationSource, successValue } from "./op_context.ts";
import type { TokenEvent } from "./token_event.ts";
import type {
  AssetXdr,
  ClaimableBalanceEntryXdr,
  ClaimableBalanceIdXdr,
  MuxedAccountXdr,
  OperationResultXdr,
  OperationXdr,
} from "./xdr_shapes.ts";

/**
 * Claimable balance entries created (`LEDGER_ENTRY_CREATED`) or removed (`LEDGER_ENTRY_REMOVED`,
 * the entry from the preceding `STATE`) by operation `opIndex`.
 */
export function claimableBalancesChanged(
  tx: LedgerTx,
  opIndex: number,
  changeType: "LEDGER_ENTRY_CREATED" | "LEDGER_ENTRY_REMOVED",
): ClaimableBalanceEntryXdr[] {
  const out: ClaimableBalanceEntryXdr[] = [];
  for (const c of pairChanges(operationChanges(tx, opIndex), "CLAIMABLE_BALANCE")) {
    if (c.changeType !== changeType) continue;
    const entry = c.pre ?? c.post;
    if (entry) out.push(entry.data.value as ClaimableBalanceEntryXdr);
  }
  return out;
}

function removedBalance(tx: LedgerTx, opIndex: number, opType: string): ClaimableBalanceEntryXdr {
  const removed = claimableBalancesChanged(tx, opIndex, "LEDGER_ENTRY_REMOVED");
  if (removed.length !== 1) {
    throw new TtpDataError(
      `${opType}: expected exactly one removed claimable balance entry in the operation changes, found ${removed.length}`,
    );
  }
  return removed[0];
}

/** CreateClaimableBalance: source → new `B…` balance (issuer as source gives a mint). */
export function createClaimableBalanceEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
  result: OperationResultXdr | undefined,
): TokenEvent[] {
  const id = successValue<ClaimableBalanceIdXdr>(
    result,
    "CREATE_CLAIMABLE_BALANCE",
    "CREATE_CLAIMABLE_BALANCE_SUCCESS",
  );
  const body = op.body.value as { asset: AssetXdr; amount: bigint };
  return [movementEvent(tx, {
    asset: assetOf(body.asset),
    from: operationSource(tx, op).address,
    to: claimableBalanceAddress(id),
    amount: body.amount,
    opIndex,
    mux: false,
  })];
}

/** ClaimClaimableBalance: `B…` → claimer with the removed entry's asset and amount. */
export function claimClaimableBalanceEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
): TokenEvent[] {
  const body = op.body.value as { balanceId: ClaimableBalanceIdXdr };
  const cb = removedBalance(tx, opIndex, "CLAIM_CLAIMABLE_BALANCE");
  const source = operationSource(tx, op);
  return [movementEvent(tx, {
    asset: assetOf(cb.asset),
    from: claimableBalanceAddress(body.balanceId),
    to: source.address,
    amount: cb.amount,
    opIndex,
    mux: { toMuxId: source.muxId },
  })];
}

/** ClawbackClaimableBalance: a clawback from the `B…` balance (no issuer rule). */
export function clawbackClaimableBalanceEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
): TokenEvent[] {
  const body = op.body.value as { balanceId: ClaimableBalanceIdXdr };
  const cb = removedBalance(tx, opIndex, "CLAWBACK_CLAIMABLE_BALANCE");
  return [assetEvent(tx, {
    type: "clawback",
    from: claimableBalanceAddress(body.balanceId),
    to: null,
    asset: assetOf(cb.asset),
    amount: String(cb.amount),
    operationIndex: opIndex + 1,
  })];
}

/** Clawback: a clawback from `op.from` (not the op source) of the op asset and amount. */
export function clawbackEvents(tx: LedgerTx, opIndex: number, op: OperationXdr): TokenEvent[] {
  const body = op.body.value as { asset: AssetXdr; from: MuxedAccountXdr; amount: bigint };
  return [assetEvent(tx, {
    type: "clawback",
    from: muxedAccountRef(body.from).address,
    to: null,
    asset: assetOf(body.asset),
    amount: String(body.amount),
    operationIndex: opIndex + 1,
  })];
}
