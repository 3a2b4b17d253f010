/**
 * TypeScript views of the decoded XDR shapes the TTP extraction reads, as produced by the
 * XDR walker in `shared/xdr/` (struct → object with the XDR field names, union →
 * `{ arm, value }` with the enum case name or the int discriminant, hyper → bigint,
 * opaque → Uint8Array, optional → value or null).
 *
 * Only the fields TTP touches are declared.
 *
 * @module
 */
import type { AccountIdXdr, AssetXdr } from "../stellar/asset.ts";
import type { XdrSpan } from "../xdr/mod.ts";

export type { AccountIdXdr, AssetXdr };

/** Any decoded XDR union. */
export interface XdrUnion<A extends string | number = string | number, V = unknown> {
  /** XDR field `arm`. */
  arm: A;
  /** XDR field `value`. */
  value: V;
}

/** Decoded `MuxedAccount`: `KEY_TYPE_ED25519` → key, `KEY_TYPE_MUXED_ED25519` → `{id, ed25519}`. */
export type MuxedAccountXdr = XdrUnion<string, Uint8Array | { id: bigint; ed25519: Uint8Array }>;

/** Decoded `Memo`. */
export type MemoXdr = XdrUnion<string, string | bigint | Uint8Array | null | undefined>;

/** Decoded `Operation`. */
export interface OperationXdr {
  /** XDR field `sourceAccount`. */
  sourceAccount: MuxedAccountXdr | null;
  /** XDR field `body`. */
  body: XdrUnion<string, unknown>;
}

/** Decoded `Transaction` (V1). */
export interface TransactionXdr {
  /** XDR field `sourceAccount`. */
  sourceAccount: MuxedAccountXdr;
  /** XDR field `fee`. */
  fee: number;
  /** XDR field `seqNum`. */
  seqNum: bigint;
  /** XDR field `memo`. */
  memo: MemoXdr;
  /** XDR field `operations`. */
  operations: OperationXdr[];
  /** XDR field `ext`. */
  ext: XdrUnion<number, unknown>;
}

/** Decoded `TransactionV0`. */
export interface TransactionV0Xdr {
  /** XDR field `sourceAccountEd25519`. */
  sourceAccountEd25519: Uint8Array;
  /** XDR field `fee`. */
  fee: number;
  /** XDR field `seqNum`. */
  seqNum: bigint;
  /** XDR field `memo`. */
  memo: MemoXdr;
  /** XDR field `operations`. */
  operations: OperationXdr[];
  /** XDR field `ext`. */
  ext: XdrUnion<number, unknown>;
}

/** Decoded `FeeBumpTransaction`. */
export interface FeeBumpTransactionXdr {
  /** XDR field `feeSource`. */
  feeSource: MuxedAccountXdr;
  /** XDR field `fee`. */
  fee: bigint;
  /** XDR field `innerTx`. */
  innerTx: XdrUnion<string, { tx: TransactionXdr }>;
}

/** Decoded `LedgerEntry`. */
export interface LedgerEntryXdr {
  /** XDR field `lastModifiedLedgerSeq`. */
  lastModifiedLedgerSeq: number;
  /** XDR field `data`. */
  data: XdrUnion<string, unknown>;
}

/**
 * A `LedgerEntryChange` left undecoded (a lazy span): most changes are never needed, so they
 * are decoded on demand, filtered by entry type, through `changes.ts`.
 */
export type LedgerEntryChangeXdr = XdrSpan;

/** Decoded `LedgerEntryChange`. */
export type DecodedLedgerEntryChange = XdrUnion<string, LedgerEntryXdr | XdrUnion<string, unknown>>;

/** Decoded `AccountEntry` (fields used). */
export interface AccountEntryXdr {
  /** XDR field `accountId`. */
  accountId: AccountIdXdr;
  /** XDR field `balance`. */
  balance: bigint;
}

/** Decoded `TrustLineEntry` (fields used). */
export interface TrustLineEntryXdr {
  /** XDR field `accountId`. */
  accountId: AccountIdXdr;
  /** XDR field `asset`. */
  asset: XdrUnion<string, unknown>;
  /** XDR field `balance`. */
  balance: bigint;
}

/** Decoded `ClaimableBalanceID`. */
export type ClaimableBalanceIdXdr = XdrUnion<string, Uint8Array>;

/** Decoded `ClaimableBalanceEntry` (fields used). */
export interface ClaimableBalanceEntryXdr {
  /** XDR field `balanceId`. */
  balanceId: ClaimableBalanceIdXdr;
  /** XDR field `asset`. */
  asset: AssetXdr;
  /** XDR field `amount`. */
  amount: bigint;
}

/** Decoded `LiquidityPoolEntry`. */
export interface LiquidityPoolEntryXdr {
  /** XDR field `liquidityPoolId`. */
  liquidityPoolId: Uint8Array;
  /** XDR field `body`. */
  body: XdrUnion<string, {
    /** XDR field `params`. */
    params: { assetA: AssetXdr; assetB: AssetXdr; fee: number };
    /** XDR field `reserveA`. */
    reserveA: bigint;
    /** XDR field `reserveB`. */
    reserveB: bigint;
  }>;
}

/** Decoded `SCVal`. */
export type ScValXdr = XdrUnion<string, unknown>;

/** Decoded `SCAddress`. */
export type ScAddressXdr = XdrUnion<string, unknown>;

/** Decoded `ContractEvent`. */
export interface ContractEventXdr {
  /** XDR field `contractId`. */
  contractId: Uint8Array | null;
  /** XDR field `type`. */
  type: string;
  /** XDR field `body`. */
  body: XdrUnion<number, { topics: ScValXdr[]; data: ScValXdr }>;
}

/** Decoded `TransactionEvent`. */
export interface TransactionEventXdr {
  /** XDR field `stage`. */
  stage: string;
  /** XDR field `event`. */
  event: ContractEventXdr;
}

/** A `ContractEvent` left undecoded in the ledger pass (decoded where TTP reads it). */
export type ContractEventSpan = XdrSpan;

/** `TransactionEvent` as decoded in the ledger pass: its event left as a span. */
export interface TransactionEventSpanXdr {
  /** XDR field `stage`. */
  stage: string;
  /** XDR field `event`. */
  event: ContractEventSpan;
}

/** Decoded `OperationMeta` / `OperationMetaV2`. */
export interface OperationMetaXdr {
  /** XDR field `changes`. */
  changes: LedgerEntryChangeXdr[];
  /** XDR field `events`. */
  events?: ContractEventSpan[];
}

/** Decoded `TransactionMeta` body for versions 1 to 4 (fields optional across versions). */
export interface TransactionMetaBodyXdr {
  /** XDR field `txChanges`. */
  txChanges?: LedgerEntryChangeXdr[];
  /** XDR field `txChangesBefore`. */
  txChangesBefore?: LedgerEntryChangeXdr[];
  /** XDR field `operations`. */
  operations: OperationMetaXdr[];
  /** XDR field `txChangesAfter`. */
  txChangesAfter?: LedgerEntryChangeXdr[];
  /** XDR field `sorobanMeta`. */
  sorobanMeta?: { events?: ContractEventSpan[] } | null;
  /** XDR field `events`. */
  events?: TransactionEventSpanXdr[];
}

/** Decoded `TransactionMeta` union (int arms 0 to 4). */
export type TransactionMetaXdr = XdrUnion<number, TransactionMetaBodyXdr | OperationMetaXdr[]>;

/** Decoded `OperationResult`. */
export type OperationResultXdr = XdrUnion<string, XdrUnion<string, XdrUnion<string, unknown>>>;

/** Decoded `TransactionResult`. */
export interface TransactionResultXdr {
  /** XDR field `feeCharged`. */
  feeCharged: bigint;
  /** XDR field `result`. */
  result: XdrUnion<string, unknown>;
}

/** Decoded `TransactionResultMeta` / `TransactionResultMetaV1`. */
export interface TransactionResultMetaXdr {
  /** XDR field `result`. */
  result: { transactionHash: Uint8Array; result: TransactionResultXdr };
  /** XDR field `feeProcessing`. */
  feeProcessing: LedgerEntryChangeXdr[];
  /** XDR field `txApplyProcessing`. */
  txApplyProcessing: TransactionMetaXdr;
  /** XDR field `postTxApplyFeeProcessing`. */
  postTxApplyFeeProcessing?: LedgerEntryChangeXdr[];
}
