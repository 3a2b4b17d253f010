/**
 * Splits an XDR `LedgerCloseMetaBatch` into the byte ranges of its `LedgerCloseMeta`s.
 *
 * @module
 */
import { skip } from "../xdr/mod.ts";

/** One ledger of a batch: its sequence and its `LedgerCloseMeta` bytes (a subarray, no copy). */
export interface BatchLedger {
  /** Ledger sequence (startSequence + position). */
  sequence: number;
  /** `LedgerCloseMeta` XDR. */
  bytes: Uint8Array;
}

/** The ledgers of a `LedgerCloseMetaBatch` (`startSequence`, `endSequence`, `ledgerCloseMetas<>`). */
export function splitBatch(batch: Uint8Array): BatchLedger[] {
  if (batch.length < 12) {
    throw new Error(`LedgerCloseMetaBatch: expected at least 12 bytes, got ${batch.length}`);
  }
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const start = view.getUint32(0);
  const end = view.getUint32(4);
  const count = view.getUint32(8);
  if (count !== end - start + 1) {
    throw new Error(
      `LedgerCloseMetaBatch ${start}-${end}: expected ${
        end - start + 1
      } ledgers, header says ${count}`,
    );
  }
  const out: BatchLedger[] = [];
  let at = 12;
  for (let i = 0; i < count; i++) {
    const next = skip("LedgerCloseMeta", batch, at);
    out.push({ sequence: start + i, bytes: batch.subarray(at, next) });
    at = next;
  }
  if (at !== batch.length) {
    throw new Error(`LedgerCloseMetaBatch ${start}-${end}: ${batch.length - at} trailing bytes`);
  }
  return out;
}
