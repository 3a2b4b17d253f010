/**
 * Ledger-level TTP extraction: bytes and passphrase in, ordered `ttp_event` rows out.
 *
 * @module
 */
import type { TtpEvent } from "../schema/ttp_event.ts";
import { readLedger, releaseTransaction } from "./ledger_reader.ts";
import type { LedgerInfo, LedgerTx } from "./ledger_tx.ts";
import type { ExtractionStats } from "./operations.ts";
import { orderLedgerEvents } from "./ordering.ts";
import { toRows } from "./rows.ts";
import type { TransactionEvents } from "./token_event.ts";
import { transactionEvents, type TtpMode } from "./transaction_events.ts";
import { scanUnifiedLedger } from "./unified_scan.ts";

/** Options of {@link extractEvents}. */
export interface ExtractOptions {
  /** Network passphrase (for transaction hashes and SAC addresses). */
  networkPassphrase: string;
  /** Extraction mode; default `auto`. */
  mode?: TtpMode;
}

/** Everything one ledger's extraction produces. */
export interface LedgerExtraction {
  /** Ledger-level facts. */
  ledger: LedgerInfo;
  /** Transactions in apply order. */
  transactions: LedgerTx[];
  /** Per-transaction events (same order as `transactions`). */
  perTransaction: TransactionEvents[];
  /** Ordered rows. */
  events: TtpEvent[];
  /** Counters (skipped contract events). */
  stats: ExtractionStats;
}

/**
 * Extracts a ledger's TTP events with all intermediate results (used by verification and the
 * processor). Throws a `TtpExtractionError` naming the ledger/transaction on bad input; never
 * returns a partial list.
 */
export function extractLedger(lcm: Uint8Array, opts: ExtractOptions): LedgerExtraction {
  const { info, transactions } = readLedger(lcm, opts.networkPassphrase);
  const stats: ExtractionStats = { skippedContractEvents: 0 };
  const mode = opts.mode ?? "auto";
  const perTransaction = transactions.map((tx) => {
    const events = transactionEvents(tx, mode, stats);
    releaseTransaction(tx); // keeps the live set small; verification decodes again if it runs
    return events;
  });
  const ordered = orderLedgerEvents(perTransaction, info.protocolVersion);
  return {
    ledger: info,
    transactions,
    perTransaction,
    events: toRows(transactions, ordered),
    stats,
  };
}

/**
 * The ordered TTP events (`ttp_event` rows) of one `LedgerCloseMeta` (XDR bytes), as Stellar's
 * reference token transfer processor orders them. Ledgers read entirely in unified mode take the
 * fast path ({@linkcode scanUnifiedLedger}); the rows are the same as `extractLedger`'s.
 */
export function extractEvents(lcm: Uint8Array, opts: ExtractOptions): TtpEvent[] {
  return (scanUnifiedLedger(lcm, opts) ?? extractLedger(lcm, opts)).events;
}
