/**
 * LedgerCloseMeta handling: zero-copy batch split and the ledger summary (hash check, counts,
 * fees), built on the XDR walker in `shared/xdr`.
 *
 * @module
 */
export {
  type LedgerCloseMetaBatchParts,
  splitLedgerCloseMetaBatch,
  type SummarizedBatch,
  type SummarizedLedger,
  summarizeLedgerCloseMetaBatch,
} from "./batch.ts";
export {
  LedgerHashMismatchError,
  type LedgerSummary,
  summarizeLedger,
  summarizeLedgerAt,
  type SummarizeOptions,
} from "./summary.ts";
