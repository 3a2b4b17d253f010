/**
 * The normalised view of one applied transaction that every TTP rule reads.
 *
 * @module
 */
import type {
  LedgerEntryChangeXdr,
  MemoXdr,
  MuxedAccountXdr,
  OperationResultXdr,
  OperationXdr,
  TransactionMetaXdr,
} from "./xdr_shapes.ts";

/** Ledger-level facts shared by all transactions of a ledger. */
export interface LedgerInfo {
  /** Ledger sequence. */
  sequence: number;
  /** `ledgerHeader.header.ledgerVersion`. */
  protocolVersion: number;
  /** Close time in epoch milliseconds. */
  closedAtMs: number;
  /** Network passphrase. */
  passphrase: string;
}

/** One transaction joined with its result and meta. */
export interface LedgerTx {
  /** The ledger it was applied in. */
  ledger: LedgerInfo;
  /** 1-based position in apply order. */
  index: number;
  /** Lowercase hex hash (the outer hash for fee-bump transactions). */
  hash: string;
  /** Source account of the (inner) transaction. */
  source: MuxedAccountXdr;
  /** Fee payer: the fee-bump fee source, else the transaction source. */
  feeAccount: MuxedAccountXdr;
  /** Sequence number of the (inner) transaction. */
  seqNum: bigint;
  /** Memo of the (inner) transaction. */
  memo: MemoXdr;
  /** Operations of the (inner) transaction. */
  operations: OperationXdr[];
  /** Whether the (inner) transaction carries Soroban data (ext arm 1). */
  isSoroban: boolean;
  /** Whether the transaction succeeded (inner success for fee bumps). */
  successful: boolean;
  /** `TransactionResult.feeCharged` of the outer result. */
  feeCharged: bigint;
  /** Operation results (empty when the transaction failed before applying operations). */
  operationResults: OperationResultXdr[];
  /** Fee processing changes. */
  feeProcessing: LedgerEntryChangeXdr[];
  /** Transaction meta. */
  meta: TransactionMetaXdr;
  /** Post-apply fee processing changes (LedgerCloseMetaV2), else empty. */
  postTxApplyFeeProcessing: LedgerEntryChangeXdr[];
}
