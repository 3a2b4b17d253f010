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
  arm: A;
  value: V;
}

/** Decoded `MuxedAccount`: `KEY_TYPE_ED25519` → key, `KEY_TYPE_MUXED_ED25519` → `{id, ed25519}`. */
export type MuxedAccountXdr = XdrUnion<string, Uint8Array | { id: bigint; ed25519: Uint8Array }>;

/** Decoded `Memo`. */
export type MemoXdr = XdrUnion<string, string | bigint | Uint8Array | null | undefined>;

/** Decoded `Operation`. */
export interface OperationXdr {
  sourceAccount: MuxedAccountXdr | null;
  body: XdrUnion<string, unknown>;
}

/** Decoded `Transaction` (V1). */
export interface TransactionXdr {
  sourceAccount: MuxedAccountXdr;
  fee: number;
  seqNum: bigint;
  memo: MemoXdr;
  operations: OperationXdr[];
  ext: XdrUnion<number, unknown>;
}

/** Decoded `TransactionV0`. */
export interface TransactionV0Xdr {
  sourceAccountEd25519: Uint8Array;
  fee: number;
  seqNum: bigint;
  memo: MemoXdr;
  operations: OperationXdr[];
  ext: XdrUnion<number, unknown>;
}

/** Decoded `FeeBumpTransaction`. */
export interface FeeBumpTransactionXdr {
  feeSource: MuxedAccountXdr;
  fee: bigint;
  innerTx: XdrUnion<string, { tx: TransactionXdr }>;
}

/** Decoded `LedgerEntry`. */
export interface LedgerEntryXdr {
  lastModifiedLedgerSeq: number;
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
  accountId: AccountIdXdr;
  balance: bigint;
}

/** Decoded `TrustLineEntry` (fields used). */
export interface TrustLineEntryXdr {
  accountId: AccountIdXdr;
  asset: XdrUnion<string, unknown>;
  balance: bigint;
}

/** Decoded `ClaimableBalanceID`. */
export type ClaimableBalanceIdXdr = XdrUnion<string, Uint8Array>;

/** Decoded `ClaimableBalanceEntry` (fields used). */
export interface ClaimableBalanceEntryXdr {
  balanceId: ClaimableBalanceIdXdr;
  asset: AssetXdr;
  amount: bigint;
}

/** Decoded `LiquidityPoolEntry`. */
export interface LiquidityPoolEntryXdr {
  liquidityPoolId: Uint8Array;
  body: XdrUnion<string, {
    params: { assetA: AssetXdr; assetB: AssetXdr; fee: number };
    reserveA: bigint;
    reserveB: bigint;
  }>;
}

/** Decoded `SCVal`. */
export type ScValXdr = XdrUnion<string, unknown>;

/** Decoded `SCAddress`. */
export type ScAddressXdr = XdrUnion<string, unknown>;

/** Decoded `ContractEvent`. */
export interface ContractEventXdr {
  contractId: Uint8Array | null;
  type: string;
  body: XdrUnion<number, { topics: ScValXdr[]; data: ScValXdr }>;
}

/** Decoded `TransactionEvent`. */
export interface TransactionEventXdr {
  stage: string;
  event: ContractEventXdr;
}

/** Decoded `OperationMeta` / `OperationMetaV2`. */
export interface OperationMetaXdr {
  changes: LedgerEntryChangeXdr[];
  events?: ContractEventXdr[];
}

/** Decoded `TransactionMeta` body for versions 1 to 4 (fields optional across versions). */
export interface TransactionMetaBodyXdr {
  txChanges?: LedgerEntryChangeXdr[];
  txChangesBefore?: LedgerEntryChangeXdr[];
  operations: OperationMetaXdr[];
  txChangesAfter?: LedgerEntryChangeXdr[];
  sorobanMeta?: { events?: ContractEventXdr[] } | null;
  events?: TransactionEventXdr[];
}

/** Decoded `TransactionMeta` union (int arms 0 to 4). */
export type TransactionMetaXdr = XdrUnion<number, TransactionMetaBodyXdr | OperationMetaXdr[]>;

/** Decoded `OperationResult`. */
export type OperationResultXdr = XdrUnion<string, XdrUnion<string, XdrUnion<string, unknown>>>;

/** Decoded `TransactionResult`. */
export interface TransactionResultXdr {
  feeCharged: bigint;
  result: XdrUnion<string, unknown>;
}

/** Decoded `TransactionResultMeta` / `TransactionResultMetaV1`. */
export interface TransactionResultMetaXdr {
  result: { transactionHash: Uint8Array; result: TransactionResultXdr };
  feeProcessing: LedgerEntryChangeXdr[];
  txApplyProcessing: TransactionMetaXdr;
  postTxApplyFeeProcessing?: LedgerEntryChangeXdr[];
}
