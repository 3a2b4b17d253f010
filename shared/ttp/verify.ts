/**
 * Verification (reference §1.8): per transaction, the balance deltas the events imply must
 * equal the deltas of the ledger-entry changes (fee changes, transaction changes, post-apply fee
 * changes) for accounts, trustlines, claimable balances and liquidity pools. Contract holders
 * and events without an asset are excluded.
 *
 * @module
 */
import { addChangeDeltas, addEventDeltas, type DeltaMap } from "./balances.ts";
import { transactionChanges } from "./changes.ts";
import { extractLedger, type ExtractOptions, type LedgerExtraction } from "./extract.ts";
import type { TokenEvent } from "./token_event.ts";

/** Options of {@link verifyEvents}. */
export type VerifyOptions = ExtractOptions;

/** One holder/asset whose deltas differ. */
export interface DeltaDifference {
  /** Holder strkey. */
  holder: string;
  /** SEP-11 asset string. */
  asset: string;
  /** Delta implied by the events (0 if absent). */
  events: bigint;
  /** Delta in the ledger-entry changes (0 if absent). */
  changes: bigint;
}

/** A verification failure: names the ledger, the transaction and the differing holders. */
export class TtpVerificationError extends Error {
  /** Ledger sequence. */
  readonly ledger: number;
  /** Transaction hash (hex). */
  readonly txHash: string;
  /** The differences. */
  readonly differences: DeltaDifference[];
  /** Builds the error and its message. */
  constructor(ledger: number, txHash: string, differences: DeltaDifference[]) {
    const lines = differences.map((d) =>
      `${d.holder} ${d.asset}: events ${d.events}, ledger changes ${d.changes}`
    );
    super(
      `TTP verification failed for ledger ${ledger}, tx ${txHash}: balance deltas differ for ${differences.length} holder(s):\n  ${
        lines.join("\n  ")
      }`,
    );
    this.name = "TtpVerificationError";
    this.ledger = ledger;
    this.txHash = txHash;
    this.differences = differences;
  }
}

function diff(fromEvents: DeltaMap, fromChanges: DeltaMap): DeltaDifference[] {
  const out: DeltaDifference[] = [];
  const keys = new Set([...fromEvents.keys(), ...fromChanges.keys()]);
  for (const key of [...keys].sort()) {
    const e = fromEvents.get(key) ?? 0n;
    const c = fromChanges.get(key) ?? 0n;
    if (e === c) continue;
    const bar = key.indexOf("|");
    out.push({ holder: key.slice(0, bar), asset: key.slice(bar + 1), events: e, changes: c });
  }
  return out;
}

/** Verifies an extraction; throws a {@link TtpVerificationError} on the first mismatching transaction. */
export function verifyLedger(extraction: LedgerExtraction): void {
  for (let i = 0; i < extraction.transactions.length; i++) {
    const tx = extraction.transactions[i];
    const te = extraction.perTransaction[i];
    const events: TokenEvent[] = [te.fee, ...te.operations];
    if (te.refund) events.push(te.refund);
    const fromEvents: DeltaMap = new Map();
    addEventDeltas(fromEvents, events);
    const fromChanges: DeltaMap = new Map();
    addChangeDeltas(fromChanges, tx.feeProcessing);
    addChangeDeltas(fromChanges, transactionChanges(tx));
    addChangeDeltas(fromChanges, tx.postTxApplyFeeProcessing);
    const differences = diff(fromEvents, fromChanges);
    if (differences.length > 0) {
      throw new TtpVerificationError(tx.ledger.sequence, tx.hash, differences);
    }
  }
}

/** Extracts the events of `lcm` and verifies them against its ledger-entry changes. */
export function verifyEvents(lcm: Uint8Array, opts: VerifyOptions): void {
  verifyLedger(extractLedger(lcm, opts));
}
