/**
 * Splitting a `LedgerCloseMetaBatch` into its `LedgerCloseMeta`s without copying.
 *
 * @module
 */
import { stellarXdr, XdrError } from "../xdr/mod.ts";
import { type LedgerSummary, summarizeLedgerAt, type SummarizeOptions } from "./summary.ts";

/** A split batch. */
export interface LedgerCloseMetaBatchParts {
  /** LedgerCloseMetaBatch.startSequence. */
  readonly startSequence: number;
  /** LedgerCloseMetaBatch.endSequence. */
  readonly endSequence: number;
  /** One zero-copy slice (subarray of the input) per LedgerCloseMeta, in order. */
  readonly ledgers: Uint8Array[];
}

/** One ledger of a summarized batch. */
export interface SummarizedLedger {
  /** The LedgerCloseMeta bytes (subarray of the input). */
  readonly bytes: Uint8Array;
  /** Its summary. */
  readonly summary: LedgerSummary;
}

/** A batch split and summarized in one pass. */
export interface SummarizedBatch {
  /** LedgerCloseMetaBatch.startSequence. */
  readonly startSequence: number;
  /** LedgerCloseMetaBatch.endSequence. */
  readonly endSequence: number;
  /** The ledgers, in order. */
  readonly ledgers: SummarizedLedger[];
}

const LCM = stellarXdr.type("LedgerCloseMeta");

function header(bytes: Uint8Array): [start: number, end: number, count: number] {
  if (bytes.length < 12) {
    throw new XdrError({
      path: "LedgerCloseMetaBatch",
      offset: 0,
      expected: "at least 12 bytes (startSequence, endSequence, ledger count)",
      actual: `${bytes.length} bytes`,
    });
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = dv.getUint32(0), end = dv.getUint32(4), count = dv.getUint32(8);
  if (end < start || end - start + 1 !== count) {
    throw new XdrError({
      path: "LedgerCloseMetaBatch.ledgerCloseMetas",
      offset: 8,
      expected: `${end >= start ? end - start + 1 : "a non-negative number of"} ledgers for ` +
        `sequences ${start}..${end}`,
      actual: `${count}`,
    });
  }
  return [start, end, count];
}

function prefixed(e: unknown, i: number): unknown {
  if (!(e instanceof XdrError)) return e;
  return new XdrError({
    path: `LedgerCloseMetaBatch.ledgerCloseMetas[${i}]${
      e.path.startsWith("LedgerCloseMeta") ? e.path.slice("LedgerCloseMeta".length) : `: ${e.path}`
    }`,
    offset: e.offset,
    expected: e.expected,
    actual: e.actual,
  });
}

function trailing(bytes: Uint8Array, p: number): void {
  if (p !== bytes.length) {
    throw new XdrError({
      path: "LedgerCloseMetaBatch",
      offset: p,
      expected: "end of input after the last LedgerCloseMeta",
      actual: `${bytes.length - p} trailing bytes`,
    });
  }
}

/**
 * Splits a `LedgerCloseMetaBatch` into zero-copy `LedgerCloseMeta` slices. Each meta is skipped
 * with the XDR walker (validating its structure). Throws {@link XdrError} naming the offending
 * offset (and `ledgerCloseMetas[i]` path) for malformed input, a count that does not match the
 * sequence range, or trailing bytes.
 */
export function splitLedgerCloseMetaBatch(bytes: Uint8Array): LedgerCloseMetaBatchParts {
  const [startSequence, endSequence, count] = header(bytes);
  const ledgers: Uint8Array[] = [];
  let p = 12;
  for (let i = 0; i < count; i++) {
    let end: number;
    try {
      end = stellarXdr.skip(LCM, bytes, p);
    } catch (e) {
      throw prefixed(e, i);
    }
    ledgers.push(bytes.subarray(p, end));
    p = end;
  }
  trailing(bytes, p);
  return { startSequence, endSequence, ledgers };
}

/**
 * Splits and summarizes a `LedgerCloseMetaBatch` in one pass (each meta is walked once). Also
 * checks that the ledgers carry sequences startSequence, startSequence+1, ... Errors as
 * {@link splitLedgerCloseMetaBatch} and {@link summarizeLedgerAt}.
 */
export function summarizeLedgerCloseMetaBatch(
  bytes: Uint8Array,
  opts: Omit<SummarizeOptions, "checkEnd"> = {},
): SummarizedBatch {
  const [startSequence, endSequence, count] = header(bytes);
  const ledgers: SummarizedLedger[] = [];
  let p = 12;
  for (let i = 0; i < count; i++) {
    let r: ReturnType<typeof summarizeLedgerAt>;
    try {
      r = summarizeLedgerAt(bytes, p, { ...opts, checkEnd: true });
    } catch (e) {
      throw prefixed(e, i);
    }
    if (r.summary.sequence !== startSequence + i) {
      throw new XdrError({
        path: `LedgerCloseMetaBatch.ledgerCloseMetas[${i}]`,
        offset: p,
        expected: `ledger ${startSequence + i}`,
        actual: `ledger ${r.summary.sequence}`,
      });
    }
    ledgers.push({ bytes: bytes.subarray(p, r.end), summary: r.summary });
    p = r.end;
  }
  trailing(bytes, p);
  return { startSequence, endSequence, ledgers };
}
