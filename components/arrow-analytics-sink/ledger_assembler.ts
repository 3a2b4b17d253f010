/**
 * Turns the processor's event stream (ledger order) into complete ledgers. A ledger is complete
 * when an event of a later ledger arrives, or when the stream ends at a known END; ledgers without
 * events between two complete ones are complete too, so the checkpoint can move over them.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { column } from "../../shared/schema/columns.ts";
import { uint32Values, utf8Values } from "../../shared/schema/column_readers.ts";
import { recordBatchToEvents, type TtpEvent } from "../../shared/schema/ttp_event.ts";

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
  /** Number of events, when known without reading `events` (blocks of {@linkcode pushBatch}). */
  rows?: number;
}

/**
 * A block built from record batches ({@linkcode LedgerAssembler.pushBatch}): its events are read
 * from its batch slices only when first asked for (the file writers need only the slices), or
 * kept as a list once a row had to be dropped.
 */
class BatchBlock implements LedgerBlock {
  readonly ledger: number;
  batches?: arrow.RecordBatch[] = [];
  rows = 0;
  #events: TtpEvent[] | undefined;

  constructor(ledger: number) {
    this.ledger = ledger;
  }

  get events(): TtpEvent[] {
    if (!this.#events) {
      const events: TtpEvent[] = [];
      for (const b of this.batches ?? []) for (const e of recordBatchToEvents(b)) events.push(e);
      this.#events = events;
    }
    return this.#events;
  }

  /** True while the events are only in the slices (not read yet). */
  get lazy(): boolean {
    return this.#events === undefined && this.batches !== undefined;
  }

  /** Switches to a kept list of events (the slices no longer match the rows). */
  dropBatches(): void {
    void this.events;
    this.batches = undefined;
  }
}

/** A violation of the stream's ordering contract. */
export class StreamOrderError extends Error {
  override name = "StreamOrderError";
}

/** Stops a block from keeping batch slices (its events are kept as a list from now on). */
function dropBatches(block: LedgerBlock): void {
  if (block instanceof BatchBlock) block.dropBatches();
  else delete block.batches;
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
    if (!batch && this.#open) dropBatches(this.#open); // rows without their batch
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
        dropBatches(this.#open!); // the slices would hold the repeat
        continue;
      }
      this.#openIds.add(e.event_id);
      this.#open!.events.push(e);
      if (this.#open!.rows !== undefined) this.#open!.rows++;
    }
    closeRun(events.length);
    return done;
  }

  /**
   * Adds the rows of a `ttp_event` record batch, as {@linkcode push} does with the batch and its
   * rows, but reads only the ledger and event id columns: the blocks keep slices of the batch and
   * read their events from them when asked (see {@linkcode LedgerBlock.rows}).
   *
   * @throws {StreamOrderError} as {@linkcode push}.
   */
  pushBatch(batch: arrow.RecordBatch): LedgerBlock[] {
    const n = batch.numRows;
    const done: LedgerBlock[] = [];
    if (n === 0) return done;
    const ledgers = uint32Values(column(batch, "ledger_sequence"));
    const ids = utf8Values(column(batch, "event_id"));
    let rows: TtpEvent[] | undefined; // the batch's events, read only when a row is kept alone
    let open = this.#open;
    let runStart = 0;
    const closeRun = (end: number) => {
      if (open?.batches && end > runStart) open.batches.push(batch.slice(runStart, end));
      runStart = end;
    };
    for (let i = 0; i < n; i++) {
      const seq = ledgers[i] as number;
      if (seq <= this.#completeThrough) {
        this.#open = open;
        throw new StreamOrderError(
          `Expected events of ledger > ${this.#completeThrough} (already complete), got ledger ${seq} (event ${
            ids[i]
          })`,
        );
      }
      if (open && seq < open.ledger) {
        this.#open = open;
        throw new StreamOrderError(
          `Expected ledger order, got ledger ${seq} (event ${ids[i]}) after ledger ${open.ledger}`,
        );
      }
      if (!open || seq > open.ledger) {
        closeRun(i);
        if (open) done.push(open);
        this.#completeThrough = seq - 1;
        open = new BatchBlock(seq);
        this.#openIds.clear();
      }
      const id = ids[i] as string;
      if (this.#openIds.has(id)) {
        this.#duplicates++;
        if (open.batches) {
          closeRun(i);
          dropBatches(open); // the slices would hold the repeat
        }
        continue;
      }
      this.#openIds.add(id);
      if (open.rows !== undefined) open.rows++;
      if (!(open instanceof BatchBlock && open.lazy)) {
        open.events.push((rows ??= recordBatchToEvents(batch))[i]);
      }
    }
    closeRun(n);
    this.#open = open;
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
