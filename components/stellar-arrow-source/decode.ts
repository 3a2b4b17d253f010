/**
 * What a decode worker does with one unit, as pure functions: zstd-decompress a lake batch object,
 * split the `LedgerCloseMetaBatch` into zero-copy `LedgerCloseMeta` slices, summarize each ledger
 * (hash verified against the hash stored in the meta) and check sequences against the object's
 * name; or, for an RPC page, base64-decode each `metadataXdr` and check it against RPC's sequence
 * and hash. Every failure is a `SourceError` naming the ledger and the object; bad data never
 * becomes a row.
 *
 * @module
 */
import zlib from "node:zlib";
import {
  LedgerHashMismatchError,
  type LedgerSummary,
  summarizeLedger,
  summarizeLedgerCloseMetaBatch,
} from "../../shared/ledger/mod.ts";
import type { DecodedLedger, DecodeRequest, DecodeResult } from "./decode_types.ts";
import { encodeLedgers } from "./encode.ts";
import { batchNotFound, errorMessage, SourceError, unreadableFile } from "./errors.ts";
import { FlightError, GrpcStatus } from "../../shared/flight/errors.ts";

/** Strict base64 decoding (`Uint8Array.fromBase64`, built into V8). */
const fromBase64 = (Uint8Array as unknown as { fromBase64(s: string): Uint8Array }).fromBase64;

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

function toDecoded(s: LedgerSummary, xdr: Uint8Array, object: string): DecodedLedger {
  return {
    sequence: s.sequence,
    hash: new Uint8Array(s.hash),
    previousHash: new Uint8Array(s.previousHash),
    closeTime: Number(s.closeTime),
    protocolVersion: s.protocolVersion,
    transactionCount: s.txCount,
    successfulTransactionCount: s.successfulTxCount,
    failedTransactionCount: s.failedTxCount,
    operationCount: s.operationCount,
    totalFees: BigInt(s.totalFees),
    feePool: BigInt(s.feePool),
    baseFee: s.baseFee,
    baseReserve: s.baseReserve,
    maxTxSetSize: s.maxTxSetSize,
    xdr,
    object,
  };
}

function summarize(xdr: Uint8Array, object: string, expected: number): DecodedLedger {
  let s;
  try {
    s = summarizeLedger(xdr);
  } catch (err) {
    throw new SourceError(
      "data_loss",
      `ledger ${expected}: ${object}: LedgerCloseMeta is corrupt: ${errorMessage(err)}`,
      { ledger: expected, object },
    );
  }
  if (s.sequence !== expected) {
    throw new SourceError(
      "data_loss",
      `ledger ${expected}: ${object} holds ledger ${s.sequence} in its place`,
      { ledger: expected, object },
    );
  }
  return toDecoded(s, xdr, object);
}

/**
 * Output chunk size for decompressing `compressed` bytes: about the whole output at once (lake
 * objects compress ~10x), so node:zlib writes one buffer instead of 16 KiB chunks it then
 * concatenates (measured: a third of the decompression cost of a 1 MB ledger). A larger output
 * still decompresses correctly, in several chunks.
 */
function zstdChunkSize(compressed: number): number {
  return Math.min(64 * 1024 * 1024, Math.max(64 * 1024, compressed * 12));
}

/** The parts of a node:zlib stream object that {@linkcode zstdIntoScratch} drives directly. */
interface ZlibInternals {
  _handle?: {
    writeSync(
      flush: number,
      input: Uint8Array,
      inOff: number,
      inLen: number,
      out: Uint8Array,
      outOff: number,
      outLen: number,
    ): void;
    onerror: unknown;
  };
  _writeState?: Uint32Array;
  _finishFlushFlag?: number;
  close(): void;
}

/** Decompression output buffer reused across units whose results keep no view into it. */
let scratch = new Uint8Array(2 * 1024 * 1024);

/**
 * zstd-decompresses `input` into the reused scratch buffer (grown as needed) and returns a view of
 * it, valid until the next call: no 1 MB allocation per ledger, hence far fewer garbage
 * collections in the worker. Drives node:zlib's stream handle the way its own
 * `zstdDecompressSync` does (same calls, same errors); null when that handle is not found.
 */
function zstdIntoScratch(input: Uint8Array): Uint8Array | null {
  const z = zlib.createZstdDecompress() as unknown as ZlibInternals;
  const handle = z._handle;
  const state = z._writeState;
  const flush = z._finishFlushFlag;
  if (!handle || typeof handle.writeSync !== "function" || !state || flush === undefined) {
    z.close();
    return null;
  }
  let failure: Error | undefined;
  handle.onerror = (message: string) => {
    failure = new Error(message);
  };
  let inOff = 0;
  let inLen = input.byteLength;
  let produced = 0;
  try {
    while (true) {
      const outLen = scratch.byteLength - produced;
      handle.writeSync(flush, input, inOff, inLen, scratch, produced, outLen);
      if (failure) throw failure;
      const [availOut, availIn] = state;
      produced += outLen - availOut;
      inOff += inLen - availIn;
      inLen = availIn;
      if (availOut !== 0) break;
      const bigger = new Uint8Array(scratch.byteLength * 2);
      bigger.set(scratch.subarray(0, produced));
      scratch = bigger;
    }
  } finally {
    z.close();
  }
  return scratch.subarray(0, produced);
}

type LakeRequest = Extract<DecodeRequest, { kind: "lake" }>;

/**
 * Reads the first existing file of `files` (a local lake's candidate names of one batch object):
 * `not_found` naming the first when none exists, `unavailable` when one cannot be read.
 */
function readCandidates(req: LakeRequest, files: string[]): { bytes: Uint8Array; object: string } {
  for (const path of files) {
    try {
      return { bytes: Deno.readFileSync(path), object: path };
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) continue;
      throw unreadableFile(path, err, req.start);
    }
  }
  throw batchNotFound(req.start, files);
}

/** Decodes one lake batch object (read from `req.files` when `req.bytes` is absent). */
export function decodeLakeBatch(req: LakeRequest): DecodeResult {
  const t0 = performance.now();
  if (!req.bytes) {
    if (!req.files?.length) {
      throw new SourceError("internal", `ledgers ${req.start}-${req.end}: no bytes or files`, {
        ledger: req.start,
        object: req.object,
      });
    }
    const read = readCandidates(req, req.files);
    req = { ...req, bytes: read.bytes, object: read.object };
  }
  const bytes = req.bytes!;
  const where = `ledgers ${req.start}-${req.end}`;
  let raw: Uint8Array;
  try {
    // Encoded units copy their XDR into the messages: the output buffer can be reused.
    raw = (req.encode ? zstdIntoScratch(bytes) : null) ??
      zlib.zstdDecompressSync(bytes, { chunkSize: zstdChunkSize(bytes.byteLength) });
  } catch (err) {
    throw new SourceError(
      "data_loss",
      `${where}: ${req.object}: zstd decompression failed: ${errorMessage(err)}`,
      { ledger: req.start, object: req.object },
    );
  }
  let batch;
  try {
    batch = summarizeLedgerCloseMetaBatch(raw);
  } catch (err) {
    // A hash mismatch names its ledger; the walker names the failing meta `ledgerCloseMetas[i]`.
    const i = /ledgerCloseMetas\[(\d+)\]/.exec(errorMessage(err))?.[1];
    const ledger = err instanceof LedgerHashMismatchError
      ? err.sequence
      : i === undefined
      ? req.start
      : req.start + Number(i);
    const at = i === undefined && !(err instanceof LedgerHashMismatchError)
      ? where
      : `ledger ${ledger}`;
    throw new SourceError(
      "data_loss",
      `${at}: ${req.object}: LedgerCloseMetaBatch is corrupt: ${errorMessage(err)}`,
      { ledger, object: req.object },
    );
  }
  // A batch may hold less than its name's span (the genesis batch of a 64-ledger lake starts at
  // ledger 2), never ledgers outside it; the stream reports any ledger a request then misses.
  if (batch.startSequence < req.start || batch.endSequence > req.end) {
    throw new SourceError(
      "data_loss",
      `${where}: ${req.object} holds ledgers ${batch.startSequence}-${batch.endSequence} instead`,
      { ledger: req.start, object: req.object },
    );
  }
  const ledgers = batch.ledgers.map((l) => toDecoded(l.summary, l.bytes, req.object));
  return { ledgers, storedBytes: bytes.length, decodeMs: performance.now() - t0 };
}

/** Decodes one RPC page. */
export function decodeRpcPage(req: Extract<DecodeRequest, { kind: "rpc" }>): DecodeResult {
  const t0 = performance.now();
  let stored = 0;
  const ledgers = req.ledgers.map((l) => {
    let xdr: Uint8Array;
    try {
      xdr = fromBase64(l.metadataXdr);
    } catch (err) {
      throw new SourceError(
        "data_loss",
        `ledger ${l.sequence}: RPC ${req.object}: metadataXdr is not base64: ${errorMessage(err)}`,
        { ledger: l.sequence, object: req.object },
      );
    }
    stored += xdr.length;
    const d = summarize(xdr, `RPC ${req.object}`, l.sequence);
    if (hex(d.hash) !== l.hash.toLowerCase()) {
      throw new SourceError(
        "data_loss",
        `ledger ${l.sequence}: RPC ${req.object} says hash ${l.hash}, its metadataXdr hashes to ${
          hex(d.hash)
        }`,
        { ledger: l.sequence, object: req.object },
      );
    }
    if (String(d.closeTime) !== l.closeTime) {
      throw new SourceError(
        "data_loss",
        `ledger ${l.sequence}: RPC ${req.object} says ledgerCloseTime ${l.closeTime}, its ` +
          `metadataXdr says ${d.closeTime}`,
        { ledger: l.sequence, object: req.object },
      );
    }
    d.object = req.object;
    return d;
  });
  return { ledgers, storedBytes: stored, decodeMs: performance.now() - t0 };
}

/**
 * Decodes one unit, and with `req.encode` builds its Flight messages (see `encode.ts`). Throws a
 * `SourceError` naming the ledger and object: `data_loss` for bad data, `resource_exhausted` for a
 * ledger above the Flight message limit.
 */
export function decodeUnit(req: DecodeRequest): DecodeResult {
  const result = req.kind === "lake" ? decodeLakeBatch(req) : decodeRpcPage(req);
  if (!req.encode) return result;
  try {
    result.ledgers = encodeLedgers(result.ledgers, req.encode);
  } catch (err) {
    const first = result.ledgers[0];
    throw new SourceError(
      err instanceof FlightError && err.code === GrpcStatus.RESOURCE_EXHAUSTED
        ? "resource_exhausted"
        : "internal",
      `ledgers ${first?.sequence}-${result.ledgers.at(-1)?.sequence}: ${first?.object}: ` +
        `encoding Flight messages failed: ${errorMessage(err)}`,
      { ledger: first?.sequence, object: first?.object },
    );
  }
  return result;
}
