/**
 * Turns the processor's event stream (ledger order) into complete ledgers. A ledger is complete
 * when an event of a later ledger arrives, or when the stream ends at a known END; ledgers without
 * events between two complete ones are complete too, so the checkpoint can move over them.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { TtpEvent } from "../../shared/schema/ttp_event.ts";

/** The events of one complete ledger. */
export interface LedgerBlock {
  /** Ledger sequence. */
  ledger: number;
  /** Its events, in stream order (never empty). */
  events: TtpEvent[];
  /**
   * The same rows as Arrow record batch slices, when the events came with their batches (see
   * {@linkcode LedgerAssembler.push}) and none was dropped; lets writers skip rebuilding Arrow.
   */
  batches?: arrow.RecordBatch[];
}

/** A violation of the stream's ordering contract. */
export class StreamOrderError extends Error {
  override name = "StreamOrderError";
}

/** Assembles complete ledgers; see the module doc. */
export class LedgerAssembler {
  #open: LedgerBlock | undefined;
  #openIds = new Set<string>();
  #completeThrough: number;
  #duplicates = 0;

  /** @param nextLedger the first ledger the stream will deliver (resume point). */
  constructor(nextLedger: number) {
    if (!Number.isInteger(nextLedger) || nextLedger < 1) {
      throw new RangeError(`Expected the first ledger to be a positive integer, got ${nextLedger}`);
    }
    this.#completeThrough = nextLedger - 1;
  }

  /** Every ledger up to and including this one is complete (and was returned). */
  get completeThrough(): number {
    return this.#completeThrough;
  }

  /** The ledger whose events are being collected, if any. */
  get openLedger(): number | undefined {
    return this.#open?.ledger;
  }

  /** Events dropped because their `event_id` repeated within a ledger. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /**
   * Adds events in stream order; returns the ledgers they completed. When `batch` is given,
   * `events[i]` is its row `i`, and each block keeps slices of it.
   *
   * @throws {StreamOrderError} when an event belongs to a ledger before the open one or to one
   * already complete.
   */
  push(events: readonly TtpEvent[], batch?: arrow.RecordBatch): LedgerBlock[] {
    const done: LedgerBlock[] = [];
    if (batch && batch.numRows !== events.length) {
      throw new RangeError(`Expected ${events.length} rows in the batch, got ${batch.numRows}`);
    }
    if (!batch && this.#open) delete this.#open.batches; // rows without their batch
    let runStart = 0;
    const closeRun = (end: number) => {
      const open = this.#open;
      if (open?.batches && batch && end > runStart) open.batches.push(batch.slice(runStart, end));
      runStart = end;
    };
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      const seq = e.ledger_sequence;
      if (seq <= this.#completeThrough) {
        throw new StreamOrderError(
          `Expected events of ledger > ${this.#completeThrough} (already complete), got ledger ${seq} (event ${e.event_id})`,
        );
      }
      const open = this.#open;
      if (open && seq < open.ledger) {
        throw new StreamOrderError(
          `Expected ledger order, got ledger ${seq} (event ${e.event_id}) after ledger ${open.ledger}`,
        );
      }
      if (!open || seq > open.ledger) {
        closeRun(i);
        if (open) done.push(open);
        this.#completeThrough = seq - 1;
        this.#open = batch ? { ledger: seq, events: [], batches: [] } : { ledger: seq, events: [] };
        this.#openIds.clear();
      }
      if (this.#openIds.has(e.event_id)) {
        this.#duplicates++;
        delete this.#open!.batches; // the slices would hold the repeat
        continue;
      }
      this.#openIds.add(e.event_id);
      this.#open!.events.push(e);
    }
    closeRun(events.length);
    return done;
  }

  /**
   * Marks every ledger through `ledger` complete (the stream ended at END = `ledger`, or upstream
   * said it has processed that far); returns the open ledger if it is now complete.
   *
   * @throws {StreamOrderError} when the open ledger is beyond `ledger`.
   */
  completeTo(ledger: number): LedgerBlock[] {
    const open = this.#open;
    if (open && open.ledger > ledger) {
      throw new StreamOrderError(
        `Expected the stream to end at ledger ${ledger}, but it sent events of ledger ${open.ledger}`,
      );
    }
    if (ledger <= this.#completeThrough) return [];
    this.#completeThrough = ledger;
    this.#open = undefined;
    this.#openIds.clear();
    return open ? [open] : [];
  }

  /** Drops the open (incomplete) ledger, e.g. when the stream broke; returns its number. */
  discardOpen(): number | undefined {
    const ledger = this.#open?.ledger;
    this.#open = undefined;
    this.#openIds.clear();
    return ledger;
  }
}
