/**
 * Ledger summary straight from `LedgerCloseMeta` XDR: reads the header and the few numbers it
 * needs, skips everything else with the XDR walker, and verifies the ledger hash.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { decode, skip, stellarXdr, XdrError, type XdrType } from "../xdr/mod.ts";

/** Summary of one ledger. */
export interface LedgerSummary {
  /** Ledger sequence (header.ledgerSeq). */
  readonly sequence: number;
  /** sha256 of the XDR LedgerHeader (32 bytes), verified against the hash stored in the meta. */
  readonly hash: Uint8Array;
  /** header.previousLedgerHash (32 bytes, a copy: summaries never pin the input buffer). */
  readonly previousHash: Uint8Array;
  /** Close time, unix seconds (header.scpValue.closeTime). */
  readonly closeTime: number;
  /** header.ledgerVersion. */
  readonly protocolVersion: number;
  /** Transactions applied (entries of txProcessing). */
  readonly txCount: number;
  /** Transactions whose result is txSUCCESS or txFEE_BUMP_INNER_SUCCESS. */
  readonly successfulTxCount: number;
  /** txCount - successfulTxCount. */
  readonly failedTxCount: number;
  /** Operations in all envelopes of the tx set, failed transactions included. */
  readonly operationCount: number;
  /** Sum of feeCharged over txProcessing, stroops. */
  readonly totalFees: bigint;
  /** header.feePool, stroops. */
  readonly feePool: bigint;
  /** header.baseFee, stroops. */
  readonly baseFee: number;
  /** header.baseReserve, stroops. */
  readonly baseReserve: number;
  /** header.maxTxSetSize. */
  readonly maxTxSetSize: number;
  /** LedgerCloseMeta version (0, 1 or 2). */
  readonly lcmVersion: number;
}

/** Options of {@link summarizeLedger}. */
export interface SummarizeOptions {
  /**
   * Also skip (and so validate) the fields after txProcessing and require the meta to end
   * exactly at the end of the input (default true).
   */
  readonly checkEnd?: boolean;
}

/** The hash computed from the header differs from the hash the meta stores. */
export class LedgerHashMismatchError extends Error {
  /** Ledger sequence from the header. */
  readonly sequence: number;
  /** Hash stored in LedgerHeaderHistoryEntry.hash (hex). */
  readonly storedHash: string;
  /** sha256 of the header bytes (hex). */
  readonly computedHash: string;

  /** Builds the error. */
  constructor(sequence: number, storedHash: string, computedHash: string) {
    super(
      `ledger ${sequence}: header hash mismatch: the meta stores ${storedHash} but sha256 of the LedgerHeader XDR is ${computedHash}`,
    );
    this.name = "LedgerHashMismatchError";
    this.sequence = sequence;
    this.storedHash = storedHash;
    this.computedHash = computedHash;
  }
}

/** Types used while walking (resolved once). */
const T = {
  ext: stellarXdr.type("ExtensionPoint"),
  lcmExt: stellarXdr.type("LedgerCloseMetaExt"),
  header: stellarXdr.type("LedgerHeader"),
  headerEntryExt: stellarXdr.type("LedgerHeaderHistoryEntryExt"),
  envelope: stellarXdr.type("TransactionEnvelope"),
  muxed: stellarXdr.type("MuxedAccount"),
  preconditions: stellarXdr.type("Preconditions"),
  memo: stellarXdr.type("Memo"),
  resultMeta: stellarXdr.type("TransactionResultMeta"),
  resultMetaV1: stellarXdr.type("TransactionResultMetaV1"),
  txSetComponent: stellarXdr.type("TxSetComponent"),
} as const;

/** The LedgerCloseMetaV0/V1/V2 fields after txProcessing, by version. */
const TRAILING: XdrType[][] = ["LedgerCloseMetaV0", "LedgerCloseMetaV1", "LedgerCloseMetaV2"].map(
  (name) => {
    const fields = stellarXdr.structFields(name);
    const i = fields.findIndex((f) => f.name === "txProcessing");
    return fields.slice(i + 1).map((f) => f.type);
  },
);

interface LedgerHeaderValue {
  ledgerVersion: number;
  previousLedgerHash: Uint8Array;
  scpValue: { closeTime: bigint };
  ledgerSeq: number;
  feePool: bigint;
  baseFee: number;
  baseReserve: number;
  maxTxSetSize: number;
}

/** Bounds-checked big-endian reads that fail with XdrErrors. */
class Reader {
  readonly b: Uint8Array;
  readonly dv: DataView;

  constructor(b: Uint8Array) {
    this.b = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  need(at: number, k: number, what: string): void {
    if (at + k > this.b.length) {
      throw new XdrError({
        path: what,
        offset: at,
        expected: `${k} bytes`,
        actual: `${Math.max(0, this.b.length - at)} bytes left`,
      });
    }
  }

  u32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.dv.getUint32(at);
  }

  i32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.dv.getInt32(at);
  }

  i64(at: number, what: string): bigint {
    this.need(at, 8, what);
    return this.dv.getBigInt64(at);
  }
}

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Counts the operations of one envelope at `at`; returns [ops, end]. */
function envelopeOps(r: Reader, at: number): [number, number] {
  const b = r.b;
  const kind = r.i32(at, "TransactionEnvelope");
  let p = at + 4;
  let ops: number;
  if (kind === 0) {
    // TransactionV0: sourceAccountEd25519, fee, seqNum, timeBounds*, memo, operations.
    p += 32 + 4 + 8;
    const hasTimeBounds = r.u32(p, "TransactionV0.timeBounds");
    p += hasTimeBounds === 1 ? 4 + 16 : 4;
    p = skip(T.memo, b, p);
    ops = r.u32(p, "TransactionV0.operations");
  } else if (kind === 2 || kind === 5) {
    if (kind === 5) {
      // FeeBumpTransaction: feeSource, fee, innerTx (EnvelopeType ENVELOPE_TYPE_TX).
      p = skip(T.muxed, b, p) + 8;
      const inner = r.i32(p, "FeeBumpTransaction.innerTx");
      if (inner !== 2) return [0, skip(T.envelope, b, at)]; // skip() reports the bad arm
      p += 4;
    }
    p = skip(T.muxed, b, p) + 4 + 8;
    p = skip(T.preconditions, b, p);
    p = skip(T.memo, b, p);
    ops = r.u32(p, "Transaction.operations");
  } else {
    return [0, skip(T.envelope, b, at)]; // throws the XdrError for the unknown arm
  }
  return [ops, skip(T.envelope, b, at)];
}

/** Counts operations in an array of envelopes at `at`; returns [ops, end]. */
function envelopeArrayOps(r: Reader, at: number): [number, number] {
  const n = r.u32(at, "TransactionEnvelope<> length");
  let p = at + 4;
  let ops = 0;
  for (let i = 0; i < n; i++) {
    const [k, end] = envelopeOps(r, p);
    ops += k;
    p = end;
  }
  return [ops, p];
}

/** Walks a GeneralizedTransactionSet at `at`; returns [ops, end]. */
function generalizedTxSetOps(r: Reader, at: number): [number, number] {
  const v = r.i32(at, "GeneralizedTransactionSet");
  if (v !== 1) return [0, skip("GeneralizedTransactionSet", r.b, at)];
  let p = at + 4 + 32; // previousLedgerHash
  const phases = r.u32(p, "TransactionSetV1.phases length");
  p += 4;
  let ops = 0;
  for (let i = 0; i < phases; i++) {
    const pv = r.i32(p, "TransactionPhase");
    if (pv === 0) {
      const comps = r.u32(p + 4, "TxSetComponent<> length");
      p += 8;
      for (let c = 0; c < comps; c++) {
        const ct = r.i32(p, "TxSetComponent");
        if (ct !== 0) p = skip(T.txSetComponent, r.b, p); // throws for an unknown arm
        const hasFee = r.u32(p + 4, "TxSetComponent.baseFee");
        const [k, end] = envelopeArrayOps(r, p + 8 + (hasFee === 1 ? 8 : 0));
        ops += k;
        p = end;
      }
    } else if (pv === 1) {
      const hasFee = r.u32(p + 4, "ParallelTxsComponent.baseFee");
      p += 8 + (hasFee === 1 ? 8 : 0);
      const stages = r.u32(p, "executionStages length");
      p += 4;
      for (let s = 0; s < stages; s++) {
        const clusters = r.u32(p, "ParallelTxExecutionStage length");
        p += 4;
        for (let c = 0; c < clusters; c++) {
          const [k, end] = envelopeArrayOps(r, p);
          ops += k;
          p = end;
        }
      }
    } else {
      p = skip("TransactionPhase", r.b, p); // throws for the unknown arm
    }
  }
  return [ops, p];
}

/**
 * Summarizes the LedgerCloseMeta starting at `offset` in `bytes`; returns the summary and the
 * offset just past the meta (when `checkEnd` is false: past txProcessing).
 */
export function summarizeLedgerAt(
  bytes: Uint8Array,
  offset: number,
  opts: SummarizeOptions = {},
): { summary: LedgerSummary; end: number } {
  try {
    return summarize(bytes, offset, opts.checkEnd ?? true);
  } catch (e) {
    if (!(e instanceof XdrError)) throw e;
    // Re-walk with the full type path for a precise error.
    skip("LedgerCloseMeta", bytes, offset);
    throw e;
  }
}

function summarize(
  bytes: Uint8Array,
  offset: number,
  checkEnd: boolean,
): { summary: LedgerSummary; end: number } {
  const r = new Reader(bytes);
  const lcmVersion = r.i32(offset, "LedgerCloseMeta");
  if (lcmVersion < 0 || lcmVersion > 2) skip("LedgerCloseMeta", bytes, offset); // throws
  let p = offset + 4;
  if (lcmVersion >= 1) p = skip(T.lcmExt, bytes, p);
  // LedgerHeaderHistoryEntry: hash, header, ext.
  r.need(p, 32, "LedgerHeaderHistoryEntry.hash");
  const storedHash = bytes.subarray(p, p + 32);
  const headerStart = p + 32;
  const { value: h, end: headerEnd } = decode<LedgerHeaderValue>(T.header, bytes, headerStart);
  const hash = new Uint8Array(
    createHash("sha256").update(bytes.subarray(headerStart, headerEnd)).digest(),
  );
  if (!equal32(hash, storedHash)) {
    throw new LedgerHashMismatchError(h.ledgerSeq, toHex(storedHash), toHex(hash));
  }
  p = skip(T.headerEntryExt, bytes, headerEnd);
  // Tx set.
  let operationCount: number;
  if (lcmVersion === 0) {
    [operationCount, p] = envelopeArrayOps(r, p + 32);
  } else {
    [operationCount, p] = generalizedTxSetOps(r, p);
  }
  // txProcessing.
  const txCount = r.u32(p, "txProcessing length");
  p += 4;
  const elem = lcmVersion === 2 ? T.resultMetaV1 : T.resultMeta;
  let ok = 0;
  let totalFees = 0n;
  for (let i = 0; i < txCount; i++) {
    const resultAt = (lcmVersion === 2 ? skip(T.ext, bytes, p) : p) + 32;
    totalFees += r.i64(resultAt, "TransactionResult.feeCharged");
    const code = r.i32(resultAt + 8, "TransactionResult.result");
    if (code === 0 || code === 1) ok++;
    p = skip(elem, bytes, p);
  }
  if (checkEnd) {
    for (const t of TRAILING[lcmVersion]) p = skip(t, bytes, p);
  }
  const closeTime = h.scpValue.closeTime;
  if (closeTime > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new XdrError({
      path: `LedgerCloseMeta (ledger ${h.ledgerSeq}).ledgerHeader.header.scpValue.closeTime`,
      offset: headerStart,
      expected: "a close time in unix seconds below 2^53",
      actual: `${closeTime}`,
    });
  }
  return {
    summary: {
      sequence: h.ledgerSeq,
      hash,
      previousHash: h.previousLedgerHash.slice(),
      closeTime: Number(closeTime),
      protocolVersion: h.ledgerVersion,
      txCount,
      successfulTxCount: ok,
      failedTxCount: txCount - ok,
      operationCount,
      totalFees,
      feePool: h.feePool,
      baseFee: h.baseFee,
      baseReserve: h.baseReserve,
      maxTxSetSize: h.maxTxSetSize,
      lcmVersion,
    },
    end: p,
  };
}

/**
 * Summarizes one `LedgerCloseMeta` (the whole input). Throws {@link LedgerHashMismatchError} if
 * the header's sha256 differs from the stored hash, {@link XdrError} for malformed or truncated
 * XDR or trailing bytes.
 */
export function summarizeLedger(lcm: Uint8Array, opts: SummarizeOptions = {}): LedgerSummary {
  const { summary, end } = summarizeLedgerAt(lcm, 0, opts);
  if ((opts.checkEnd ?? true) && end !== lcm.length) {
    throw new XdrError({
      path: `LedgerCloseMeta (ledger ${summary.sequence})`,
      offset: end,
      expected: "end of input after the LedgerCloseMeta",
      actual: `${lcm.length - end} trailing bytes`,
    });
  }
  return summary;
}
