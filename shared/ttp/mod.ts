/**
 * Token Transfer Protocol (TTP, CAP-67) event extraction from `LedgerCloseMeta` XDR, matching
 * Stellar's reference processor (stellar/go `processors/token_transfer`): transfer, mint, burn,
 * clawback and fee events with their metadata, in reference order, for protocols 19 and later.
 * Pure functions with no I/O (usable in Web Workers): bytes and passphrase in, events out.
 *
 * ```ts
 * import { extractEvents, extractLedger, verifyLedger } from "./mod.ts";
 * const events = extractEvents(lcmBytes, { networkPassphrase, mode: "auto" });
 * // With verification (balance deltas of the events against the ledger-entry changes):
 * const x = extractLedger(lcmBytes, { networkPassphrase });
 * verifyLedger(x); // throws TtpVerificationError naming ledger, tx hash and holders
 * ```
 *
 * Modes: `derived` derives classic events from operations, results and ledger changes;
 * `unified` reads CAP-67 events from `TransactionMetaV4`; `auto` (default) is unified for
 * transactions whose meta is v4 and carries fee events, derived otherwise.
 *
 * One deliberate difference from the Go reference: within each trade (claim atom) the taker's
 * payment comes first, then the seller's, which is the order stellar-core emits; the fixtures
 * confirm that derived and unified output are then identical event for event.
 *
 * Fast path: `extractEvents` reads ledgers whose every transaction is in unified mode (every ledger
 * from protocol 23) with `unified_scan.ts`, straight from the bytes; the rows are the same.
 *
 * Module map: `ledger_reader.ts` (one lazy pass, tx hashes, join), `fees.ts`, `ops_*.ts` (classic
 * operations per kind), `issuer_rule.ts`, `muxed.ts`, `contract_events.ts` (SEP-41/SAC v3/v4,
 * fee events), `transaction_events.ts` (modes), `reconciliation.ts` (pre-protocol-8),
 * `ordering.ts`, `event_id.ts`, `rows.ts`, `balances.ts` and `verify.ts`; `cli.ts` is the
 * command line (`deno task ttp`).
 *
 * @module
 */
export {
  extractEvents,
  extractLedger,
  type ExtractOptions,
  type LedgerExtraction,
} from "./extract.ts";
export { transactionEvents, type TtpMode, usesUnified } from "./transaction_events.ts";
export {
  prepareScan,
  type ScannedLedger,
  type ScanOptions,
  scanUnifiedLedger,
} from "./unified_scan.ts";
export {
  type DeltaDifference,
  TtpVerificationError,
  verifyEvents,
  verifyLedger,
  type VerifyOptions,
} from "./verify.ts";
export { TtpDataError, type TtpErrorLocation, TtpExtractionError } from "./errors.ts";
export { eventId, toid } from "./event_id.ts";
export { envelopeHash, type ReadLedger, readLedger } from "./ledger_reader.ts";
export { type OrderedEvent, orderLedgerEvents } from "./ordering.ts";
export { toRow, toRows } from "./rows.ts";
export { derivedFeeEvents } from "./fees.ts";
export { operationEvents } from "./operations.ts";
export { i128String, parseFeeEvents, parseTokenEvent } from "./contract_events.ts";
export type { MuxedInfo, TokenEvent, TransactionEvents, TtpEventType } from "./token_event.ts";
export type { ExtractionStats } from "./operations.ts";
export type { LedgerInfo, LedgerTx } from "./ledger_tx.ts";
export type * from "./xdr_shapes.ts";
export type { TtpEvent } from "../schema/ttp_event.ts";
export type { AlphaNumXdr, Asset } from "../stellar/asset.ts";
export type { XdrSpan } from "../xdr/mod.ts";
