/**
 * Token Transfer Protocol (TTP, CAP-67) event extraction from `LedgerCloseMeta` XDR, matching
 * Stellar's reference processor (stellar/go `processors/token_transfer`): transfer, mint, burn,
 * clawback and fee events with their metadata, in reference order, for protocols 19 and later.
 * Pure functions with no I/O (usable in Web Workers).
 *
 * ```ts
 * import { extractEvents } from "./mod.ts";
 * const events = extractEvents(lcmBytes, { networkPassphrase, mode: "auto" });
 * ```
 *
 * @module
 */
export {
  extractEvents,
  extractLedger,
  type ExtractOptions,
  type LedgerExtraction,
} from "./extract.ts";
export { type TtpMode } from "./transaction_events.ts";
export { TtpVerificationError, verifyEvents, verifyLedger, type VerifyOptions } from "./verify.ts";
export { TtpDataError, type TtpErrorLocation, TtpExtractionError } from "./errors.ts";
export { eventId, toid } from "./event_id.ts";
export type { MuxedInfo, TokenEvent, TransactionEvents } from "./token_event.ts";
export type { ExtractionStats } from "./operations.ts";
export type { LedgerInfo, LedgerTx } from "./ledger_tx.ts";
