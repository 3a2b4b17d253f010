/**
 * Events of one transaction in derived or unified mode.
 *
 * @module
 */
import { hasFeeEvents, parseFeeEvents } from "./contract_events.ts";
import { TtpDataError, TtpExtractionError } from "./errors.ts";
import { derivedFeeEvents } from "./fees.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { type ExtractionStats, operationEvents } from "./operations.ts";
import { contractEventsOfOperation, transactionLevelEvents } from "./soroban.ts";
import type { TokenEvent, TransactionEvents } from "./token_event.ts";
import type { TransactionMetaBodyXdr } from "./xdr_shapes.ts";

/**
 * Extraction mode: `derived` derives classic events from operations, results and ledger
 * changes; `unified` reads CAP-67 events from `TransactionMetaV4`; `auto` (default) is unified
 * for transactions whose meta is v4 and carries fee events, derived otherwise.
 */
export type TtpMode = "auto" | "unified" | "derived";

/** Whether `tx` is read in unified mode under `mode`; throws for `unified` without meta v4. */
export function usesUnified(tx: LedgerTx, mode: TtpMode): boolean {
  if (mode === "derived") return false;
  const v4 = tx.meta.arm === 4;
  if (mode === "unified") {
    if (!v4) throw new TtpDataError(`unified mode needs transaction meta v4, got v${tx.meta.arm}`);
    return true;
  }
  return v4 && hasFeeEvents(transactionLevelEvents(tx));
}

function unifiedFees(tx: LedgerTx): { fee: TokenEvent; refund: TokenEvent | null } {
  const fees = parseFeeEvents(tx, transactionLevelEvents(tx));
  if (fees.length === 0 || fees.length > 2) {
    throw new TtpDataError(`expected 1 or 2 fee events, found ${fees.length}`);
  }
  return { fee: fees[0], refund: fees[1] ?? null };
}

function metaOperationCount(tx: LedgerTx): number {
  return (tx.meta.value as TransactionMetaBodyXdr).operations.length;
}

/** Fee, refund and operation events of one transaction (failed transactions: fees only). */
export function transactionEvents(
  tx: LedgerTx,
  mode: TtpMode,
  stats: ExtractionStats,
): TransactionEvents {
  const loc = { ledger: tx.ledger.sequence, txHash: tx.hash, txIndex: tx.index };
  let unified: boolean;
  let fees: { fee: TokenEvent; refund: TokenEvent | null };
  try {
    unified = usesUnified(tx, mode);
    fees = unified ? unifiedFees(tx) : derivedFeeEvents(tx);
  } catch (e) {
    throw e instanceof TtpExtractionError ? e : new TtpExtractionError(loc, e);
  }
  const operations: TokenEvent[] = [];
  if (tx.successful) {
    const count = unified ? metaOperationCount(tx) : tx.operations.length;
    for (let i = 0; i < count; i++) {
      try {
        const events = unified
          ? contractEventsOfOperation(tx, i, stats)
          : operationEvents(tx, i, tx.operations[i], tx.operationResults[i], stats);
        if (events) { for (const e of events) operations.push(e); }
      } catch (e) {
        throw new TtpExtractionError({ ...loc, opIndex: i + 1 }, e);
      }
    }
  }
  return { fee: fees.fee, refund: fees.refund, operations };
}
