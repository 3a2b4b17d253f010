/**
 * Reading raw `LedgerCloseMeta`s from a lake in one process, without workers or a server: for
 * tools such as a TTP command line. Batches are fetched one ahead of the consumer, decompressed
 * and split without copying; each ledger's sequence is checked against the batch.
 *
 * @module
 */
import zlib from "node:zlib";
import { splitLedgerCloseMetaBatch } from "../../../shared/ledger/mod.ts";
import { errorMessage, SourceError } from "../errors.ts";
import type { DataLake, LakeBatch } from "./lake.ts";

/** One ledger read from a lake. */
export interface LakeLedger {
  /** Ledger sequence. */
  sequence: number;
  /** The `LedgerCloseMeta` XDR (a view into the decompressed batch). */
  bytes: Uint8Array;
  /** Object the ledger was read from. */
  object: string;
}

/** Decompresses and splits one batch object; errors are `data_loss` naming the object. */
export function splitLakeBatch(batch: LakeBatch): LakeLedger[] {
  let raw: Uint8Array;
  let parts;
  try {
    raw = zlib.zstdDecompressSync(batch.bytes);
    parts = splitLedgerCloseMetaBatch(raw);
  } catch (err) {
    throw new SourceError(
      "data_loss",
      `ledgers ${batch.range.start}-${batch.range.end}: ${batch.object} is corrupt: ${
        errorMessage(err)
      }`,
      { ledger: batch.range.start, object: batch.object },
    );
  }
  // Part of the name's span is fine (the genesis batch starts at ledger 2); outside it is not.
  if (parts.startSequence < batch.range.start || parts.endSequence > batch.range.end) {
    throw new SourceError(
      "data_loss",
      `ledgers ${batch.range.start}-${batch.range.end}: ${batch.object} holds ledgers ` +
        `${parts.startSequence}-${parts.endSequence} instead`,
      { ledger: batch.range.start, object: batch.object },
    );
  }
  return parts.ledgers.map((bytes, i) => ({
    sequence: parts.startSequence + i,
    bytes,
    object: batch.object,
  }));
}

/**
 * Yields the ledgers `start..end` (inclusive) of a lake in order. A missing batch is a
 * `not_found` `SourceError`, a corrupt one `data_loss`, both naming the ledger and object.
 */
export async function* readLakeLedgers(
  lake: DataLake,
  range: { start: number; end: number },
  signal?: AbortSignal,
): AsyncGenerator<LakeLedger, void, undefined> {
  const lpb = lake.manifest.ledgersPerBatch;
  let expected = range.start;
  let next: Promise<LakeBatch> | undefined = lake.readBatch(range.start, signal);
  for (let s = Math.floor(range.start / lpb) * lpb; s <= range.end; s += lpb) {
    const batch: LakeBatch = await next!;
    next = s + lpb <= range.end ? lake.readBatch(s + lpb, signal) : undefined;
    next?.catch(() => {}); // surfaced when awaited
    for (const ledger of splitLakeBatch(batch)) {
      if (ledger.sequence < range.start || ledger.sequence > range.end) continue;
      if (ledger.sequence !== expected) {
        throw new SourceError(
          "data_loss",
          `ledger ${expected}: expected next, but ${ledger.object} holds ledger ${ledger.sequence}`,
          { ledger: expected, object: ledger.object },
        );
      }
      expected++;
      yield ledger;
    }
  }
  if (expected !== range.end + 1) {
    throw new SourceError("data_loss", `ledger ${expected}: missing from the lake's batches`, {
      ledger: expected,
    });
  }
}
