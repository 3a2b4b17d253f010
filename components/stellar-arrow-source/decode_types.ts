/**
 * Messages between the stream and the decode workers: what a worker gets (a lake batch object or
 * an RPC page) and what it returns (decoded ledgers in order).
 *
 * @module
 */

/** One ledger of an RPC page, as the worker needs it. */
export interface RpcPageLedger {
  /** Sequence RPC says. */
  sequence: number;
  /** Hex hash RPC says (checked against the decoded one). */
  hash: string;
  /** Close time RPC says (unix seconds, string). */
  closeTime: string;
  /** Base64 `LedgerCloseMeta`. */
  metadataXdr: string;
}

/** A unit of work for a decode worker. */
export type DecodeRequest =
  | {
    kind: "lake";
    /** Object location, named in errors and rows. */
    object: string;
    /** First ledger the object's name says it holds. */
    start: number;
    /** Last ledger the object's name says it holds. */
    end: number;
    /** zstd-compressed `LedgerCloseMetaBatch`. */
    bytes: Uint8Array;
  }
  | {
    kind: "rpc";
    /** Endpoint URL, named in errors and rows. */
    object: string;
    /** The page's ledgers, consecutive. */
    ledgers: RpcPageLedger[];
  };

/** One decoded ledger: summary fields and the raw `LedgerCloseMeta`. */
export interface DecodedLedger {
  sequence: number;
  /** 32-byte ledger hash (verified against the hash stored in the meta). */
  hash: Uint8Array;
  /** 32-byte previous ledger hash. */
  previousHash: Uint8Array;
  /** Close time, unix seconds. */
  closeTime: number;
  protocolVersion: number;
  transactionCount: number;
  successfulTransactionCount: number;
  failedTransactionCount: number;
  operationCount: number;
  /** Stroops. */
  totalFees: bigint;
  /** Stroops. */
  feePool: bigint;
  baseFee: number;
  baseReserve: number;
  maxTxSetSize: number;
  /** The raw XDR `LedgerCloseMeta`. */
  xdr: Uint8Array;
  /** Object or endpoint the ledger was read from. */
  object: string;
}

/** What a worker returns for one {@linkcode DecodeRequest}. */
export interface DecodeResult {
  /** Ledgers in sequence order. */
  ledgers: DecodedLedger[];
  /** Bytes read from the store (compressed object size, or base64-decoded XDR size). */
  storedBytes: number;
  /** Milliseconds spent decoding in the worker. */
  decodeMs: number;
}
