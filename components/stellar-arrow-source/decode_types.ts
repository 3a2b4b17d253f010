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

/**
 * Asks the decoder to also build the Flight messages of the ledgers (so the main thread only writes
 * them): `stellar_ledger` record batches of at most `batchBytes` of XDR each, encoded as gRPC-framed
 * FlightData exactly as the Flight server would encode those batches.
 */
export interface EncodeRequest {
  /** First ledger to encode (ledgers of the unit before it are left out). */
  start: number;
  /** Last ledger to encode (ledgers of the unit after it are left out). */
  end: number;
  /** sha256 of the network passphrase (32 bytes), the `network_id` column. */
  networkId: Uint8Array;
  /** The `source_type` column. */
  sourceType: "datalake" | "rpc";
  /** XDR byte budget of one record batch (at least one ledger per batch). */
  batchBytes: number;
  /**
   * Buffers of earlier messages the transport is done with, for the decoder to write new messages
   * into (moved to the worker with the request) instead of allocating.
   */
  recycle?: ArrayBuffer[];
}

/** The Flight messages of consecutive ledgers, built by the decoder (see {@linkcode EncodeRequest}). */
export interface EncodedPart {
  /** gRPC-framed FlightData messages (`encodeFlightDataFramed`), in order. */
  messages: Uint8Array[];
  /** Ledgers the messages hold. */
  ledgers: number;
  /** Their XDR bytes. */
  xdrBytes: number;
}

/** A unit of work for a decode worker. */
export type DecodeRequest =
  | {
    kind: "lake";
    /** Also build the Flight messages. */
    encode?: EncodeRequest;
    /** Object location, named in errors and rows. */
    object: string;
    /** First ledger the object's name says it holds. */
    start: number;
    /** Last ledger the object's name says it holds. */
    end: number;
    /** zstd-compressed `LedgerCloseMetaBatch`; absent when `files` says where to read it. */
    bytes?: Uint8Array;
    /**
     * A local lake: the candidate paths of the batch object, in order. The decoder reads the first
     * that exists (off the main thread; `object` then names that path), and fails `not_found`
     * naming the first when none does.
     */
    files?: string[];
  }
  | {
    kind: "rpc";
    /** Also build the Flight messages. */
    encode?: EncodeRequest;
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
  /** The raw XDR `LedgerCloseMeta`; empty when the unit was encoded (it is in `encoded`). */
  xdr: Uint8Array;
  /** Object or endpoint the ledger was read from. */
  object: string;
  /**
   * With an {@linkcode EncodeRequest}: on the last ledger of each record batch, that batch's Flight
   * messages (holding this ledger and the ones before it back to the previous batch).
   */
  encoded?: EncodedPart;
}

/** What a worker returns for one {@linkcode DecodeRequest}. */
export interface DecodeResult {
  /**
   * Ledgers in sequence order; with an {@linkcode EncodeRequest} only those in its range, each
   * batch's messages on its last ledger.
   */
  ledgers: DecodedLedger[];
  /** Bytes read from the store (compressed object size, or base64-decoded XDR size). */
  storedBytes: number;
  /** Milliseconds spent decoding in the worker. */
  decodeMs: number;
}
