/**
 * Coalesces small `ttp_event` record batches of consecutive extraction tasks (e.g. a filtered
 * range where each ledger keeps a few events) into batches near a byte target, so clients get
 * fewer, fuller messages. Batches that are already large pass through unchanged, order is
 * kept, and nothing is held longer than `maxDelayMs` (0: no coalescing, as when following the
 * tip, where each ledger's events go out as soon as they are ready).
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import { eventsToRecordBatch, recordBatchToEvents } from "../../shared/schema/ttp_event.ts";

/** Options of {@linkcode BatchCoalescer}. */
export interface BatchCoalescerOptions {
  /** Size a coalesced batch may reach, in bytes (Arrow buffer bytes). */
  targetBytes: number;
  /** Batches of at least this many bytes are passed through. Default `targetBytes / 16`. */
  smallBytes?: number;
  /** Longest time a batch may wait for company, in milliseconds; 0 disables coalescing. */
  maxDelayMs: number;
  /** Clock, for tests. Default `performance.now`. */
  now?: () => number;
}

/** Collects small batches and releases them merged, in order. */
export class BatchCoalescer {
  readonly #target: number;
  readonly #small: number;
  readonly #maxDelay: number;
  readonly #now: () => number;
  #pending: arrow.RecordBatch[] = [];
  #pendingBytes = 0;
  #since = 0;

  /** Creates an empty coalescer. */
  constructor(options: BatchCoalescerOptions) {
    this.#target = options.targetBytes;
    this.#small = options.smallBytes ?? Math.floor(options.targetBytes / 16);
    this.#maxDelay = options.maxDelayMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Batches of at least this many bytes pass through unchanged. */
  get smallBytes(): number {
    return this.#small;
  }

  /** Bytes waiting. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Adds the batches of one task, in order; returns the batches ready to send, in order. */
  push(batches: readonly arrow.RecordBatch[]): arrow.RecordBatch[] {
    const out: arrow.RecordBatch[] = [];
    for (const batch of batches) {
      if (batch.numRows === 0) continue;
      const bytes = batch.data.byteLength;
      if (this.#maxDelay <= 0 || bytes >= this.#small) {
        out.push(...this.flush(), batch);
        continue;
      }
      if (this.#pendingBytes + bytes > this.#target) out.push(...this.flush());
      if (this.#pending.length === 0) this.#since = this.#now();
      this.#pending.push(batch);
      this.#pendingBytes += bytes;
    }
    if (this.#pending.length > 0 && this.#now() - this.#since >= this.#maxDelay) {
      out.push(...this.flush());
    }
    return out;
  }

  /** Releases everything waiting (as one batch). */
  flush(): arrow.RecordBatch[] {
    if (this.#pending.length === 0) return [];
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    if (pending.length === 1) return pending;
    return [eventsToRecordBatch(pending.flatMap(recordBatchToEvents))];
  }
}
