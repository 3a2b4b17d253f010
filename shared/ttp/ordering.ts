/**
 * Ledger-level event order (reference `EventsFromLedger`).
 *
 * @module
 */
import type { TokenEvent, TransactionEvents } from "./token_event.ts";

/** An event with the 0-based position of its transaction in `txs`. */
export interface OrderedEvent {
  /** Index into the transaction list. */
  tx: number;
  /** The event. */
  event: TokenEvent;
}

/**
 * Orders a ledger's events. Before protocol 23: every fee first, then per transaction its
 * operation events followed by its refund. From protocol 23: all fees, all operation events,
 * then all refunds.
 */
export function orderLedgerEvents(
  txs: TransactionEvents[],
  protocolVersion: number,
): OrderedEvent[] {
  const out: OrderedEvent[] = [];
  for (let i = 0; i < txs.length; i++) out.push({ tx: i, event: txs[i].fee });
  for (let i = 0; i < txs.length; i++) {
    for (const event of txs[i].operations) out.push({ tx: i, event });
    if (protocolVersion < 23 && txs[i].refund) out.push({ tx: i, event: txs[i].refund! });
  }
  if (protocolVersion >= 23) {
    for (let i = 0; i < txs.length; i++) {
      if (txs[i].refund) out.push({ tx: i, event: txs[i].refund! });
    }
  }
  return out;
}
