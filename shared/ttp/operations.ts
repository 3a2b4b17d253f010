/**
 * Derived events of one operation: dispatch by operation type (reference table §1.5).
 *
 * @module
 */
import { contractEventsOfOperation } from "./soroban.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { offerEvents } from "./ops_offers.ts";
import {
  accountMergeEvents,
  createAccountEvents,
  inflationEvents,
  pathPaymentEvents,
  paymentEvents,
} from "./ops_payments.ts";
import {
  claimClaimableBalanceEvents,
  clawbackClaimableBalanceEvents,
  clawbackEvents,
  createClaimableBalanceEvents,
} from "./ops_claimable_balances.ts";
import {
  liquidityPoolDepositEvents,
  liquidityPoolWithdrawEvents,
  revocationEvents,
} from "./ops_liquidity_pools.ts";
import { operationSource } from "./op_context.ts";
import { reconcileXlm } from "./reconciliation.ts";
import type { TokenEvent } from "./token_event.ts";
import type { OperationResultXdr, OperationXdr } from "./xdr_shapes.ts";

/** Counters an extraction reports besides its events. */
export interface ExtractionStats {
  /** Contract events that were not well-formed token events (skipped). */
  skippedContractEvents: number;
}

/**
 * Events of operation `opIndex` (0-based) of a successful transaction, derived from the
 * operation, its result and its ledger changes; `null` for operation types that move no tokens.
 */
export function operationEvents(
  tx: LedgerTx,
  opIndex: number,
  op: OperationXdr,
  result: OperationResultXdr | undefined,
  stats: ExtractionStats,
): TokenEvent[] | null {
  let events: TokenEvent[];
  switch (op.body.arm) {
    case "CREATE_ACCOUNT":
      events = createAccountEvents(tx, opIndex, op);
      break;
    case "PAYMENT":
      events = paymentEvents(tx, opIndex, op);
      break;
    case "PATH_PAYMENT_STRICT_SEND":
      events = pathPaymentEvents(tx, opIndex, op, result, true);
      break;
    case "PATH_PAYMENT_STRICT_RECEIVE":
      events = pathPaymentEvents(tx, opIndex, op, result, false);
      break;
    case "MANAGE_SELL_OFFER":
    case "MANAGE_BUY_OFFER":
    case "CREATE_PASSIVE_SELL_OFFER":
      events = offerEvents(tx, opIndex, op, result);
      break;
    case "ACCOUNT_MERGE":
      events = accountMergeEvents(tx, opIndex, op, result);
      break;
    case "CREATE_CLAIMABLE_BALANCE":
      events = createClaimableBalanceEvents(tx, opIndex, op, result);
      break;
    case "CLAIM_CLAIMABLE_BALANCE":
      events = claimClaimableBalanceEvents(tx, opIndex, op);
      break;
    case "CLAWBACK":
      events = clawbackEvents(tx, opIndex, op);
      break;
    case "CLAWBACK_CLAIMABLE_BALANCE":
      events = clawbackClaimableBalanceEvents(tx, opIndex, op);
      break;
    case "ALLOW_TRUST":
    case "SET_TRUST_LINE_FLAGS":
      events = revocationEvents(tx, opIndex);
      break;
    case "LIQUIDITY_POOL_DEPOSIT":
      events = liquidityPoolDepositEvents(tx, opIndex, op);
      break;
    case "LIQUIDITY_POOL_WITHDRAW":
      events = liquidityPoolWithdrawEvents(tx, opIndex, op);
      break;
    case "INFLATION":
      events = inflationEvents(tx, opIndex, result);
      break;
    case "INVOKE_HOST_FUNCTION":
      events = contractEventsOfOperation(tx, opIndex, stats);
      break;
    default:
      return null;
  }
  if (tx.ledger.protocolVersion >= 8) return events;
  return reconcileXlm(tx, opIndex, operationSource(tx, op).address, events);
}
