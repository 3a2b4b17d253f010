/**
 * The commit loop: buffers complete ledgers, and on a flush writes them to every file format,
 * then moves the checkpoint, then hands the events to live consumers (WebSocket, query layer).
 * A flush happens when the buffer reaches `maxRows` events, every `flushIntervalMs`, and on close;
 * one runs at a time, while the input keeps filling the next buffer.
 * A failed flush keeps its ledgers buffered, removes whatever files it renamed, and is retried.
 *
 * @module
 */
import type { TtpEvent } from "../../shared/schema/ttp_event.ts";
import { getLogger } from "../../shared/log/mod.ts";
import { type Checkpoint, writeCheckpoint } from "./checkpoint.ts";
import type { LedgerBlock } from "./ledger_assembler.ts";
import type { DataFile, DatasetWriter } from "./writers/dataset_writer.ts";

const log = getLogger(["sink", "pipeline"]);

/** One committed run of ledgers. */
export interface Commit {
  /** First ledger of the run. */
  fromLedger: number;
  /** Last ledger of the run (the new checkpoint). */
  toLedger: number;
  /** Its events, in ledger order (read from the Arrow batches on first access when needed). */
  readonly events: TtpEvent[];
  /** Number of events (without reading them). */
  eventCount: number;
  /** Files written. */
  files: DataFile[];
  /** Milliseconds from the arrival of the oldest buffered ledger to the commit. */
  latencyMs: number;
}

/** Options of {@linkcode SinkPipeline}. */
export interface SinkPipelineOptions {
  /** Data directory holding `checkpoint.json`. */
  dataDir: string;
  /** File writer; `undefined` when no file format is enabled (then nothing is checkpointed). */
  writer?: DatasetWriter;
  /** The committed checkpoint at start. */
  checkpoint: Checkpoint;
  /** Flush when this many events are buffered. */
  maxRows: number;
  /** Flush at least this often (ms) while ledgers are buffered. */
  flushIntervalMs: number;
  /** Called after each commit, in order. */
  onCommit?: (commit: Commit) => void;
  /** Called when a flush fails (it will be retried). */
  onError?: (error: Error) => void;
}

/** Buffers ledgers and commits them; see the module doc. */
export class SinkPipeline {
  #options: SinkPipelineOptions;
  #checkpoint: Checkpoint;
  #blocks: LedgerBlock[] = [];
  #rows = 0;
  #completeThrough: number;
  #oldest: number | undefined;
  #flushing: Promise<void> | undefined;
  #timer: number | undefined;
  #lastError: Error | undefined;

  /** @param options see {@linkcode SinkPipelineOptions} */
  constructor(options: SinkPipelineOptions) {
    this.#options = options;
    this.#checkpoint = { ...options.checkpoint };
    this.#completeThrough = options.checkpoint.last_ledger;
  }

  /** The committed checkpoint. */
  get checkpoint(): Readonly<Checkpoint> {
    return this.#checkpoint;
  }

  /** Events buffered and not yet committed. */
  get bufferedRows(): number {
    return this.#rows;
  }

  /** Every ledger through this one has been handed to the pipeline. */
  get completeThrough(): number {
    return this.#completeThrough;
  }

  /** The error of the last failed flush, cleared by a successful one. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Starts the periodic flush. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#completeThrough > this.#checkpoint.last_ledger && !this.#flushing) {
        this.flush().catch(() => {}); // reported through onError, retried next tick
      }
    }, this.#options.flushIntervalMs);
  }

  /**
   * Adds complete ledgers (ascending, after everything added before) and marks every ledger
   * through `completeThrough` complete. A full buffer starts a commit; the call waits only for a
   * commit already running (or, while commits fail, for one to succeed), which is how
   * back-pressure reaches the input.
   *
   * @throws {RangeError} when ledgers go backwards.
   */
  async add(blocks: readonly LedgerBlock[], completeThrough: number): Promise<void> {
    for (const block of blocks) {
      const last = this.#blocks.at(-1)?.ledger ?? this.#checkpoint.last_ledger;
      if (block.ledger <= last || block.ledger > completeThrough) {
        throw new RangeError(
          `Expected ledger ${block.ledger} after ${last} and at most ${completeThrough}`,
        );
      }
      this.#blocks.push(block);
      this.#rows += block.rows ?? block.events.length;
    }
    if (completeThrough > this.#completeThrough) this.#completeThrough = completeThrough;
    if (blocks.length > 0) this.#oldest ??= performance.now();
    const max = this.#options.maxRows;
    if (this.#rows < max) return;
    // One commit runs at a time. The input streams into the next buffer while it runs and waits
    // only when that buffer is full as well (back-pressure).
    await this.idle();
    while (this.#rows >= max) {
      const commit = this.flush();
      if (!this.#lastError) {
        commit.catch(() => {}); // reported through onError; the ledgers stay buffered
        return;
      }
      // Commits are failing (e.g. a full disk): hold the input until one succeeds.
      try {
        await commit;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(this.#options.flushIntervalMs, 1000)));
      }
    }
  }

  /** Resolves when no commit is running. */
  async idle(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
  }

  /** Commits everything buffered; concurrent calls share one flush at a time. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
    if (this.#completeThrough <= this.#checkpoint.last_ledger) return;
    this.#flushing = this.#commit();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  async #commit(): Promise<void> {
    const blocks = this.#blocks;
    const rows = this.#rows;
    const toLedger = this.#completeThrough;
    const fromLedger = this.#checkpoint.last_ledger + 1;
    const oldest = this.#oldest;
    this.#blocks = [];
    this.#rows = 0;
    this.#oldest = undefined;
    // The events list is only built when someone reads it (WebSocket clients, REST aggregates,
    // files of ledgers without Arrow batches): the files are written from the batches.
    let eventList: TtpEvent[] | undefined;
    const allEvents = (): TtpEvent[] => {
      if (!eventList) {
        eventList = [];
        for (const block of blocks) for (const e of block.events) eventList.push(e);
      }
      return eventList;
    };
    let files: DataFile[] = [];
    const writer = this.#options.writer;
    try {
      if (writer) {
        files = await writer.writeBlocks(blocks);
        const next: Checkpoint = {
          ...this.#checkpoint,
          last_ledger: toLedger,
          formats: [...writer.formats],
          events_written: this.#checkpoint.events_written + rows,
          updated_at: new Date().toISOString(),
        };
        await writeCheckpoint(this.#options.dataDir, next);
        this.#checkpoint = next;
      } else {
        this.#checkpoint = {
          ...this.#checkpoint,
          last_ledger: toLedger,
          events_written: this.#checkpoint.events_written + rows,
        };
      }
    } catch (error) {
      // Put the ledgers back in front of anything added meanwhile, and remove renamed files of
      // this attempt so the retry cannot write them twice.
      this.#blocks = blocks.concat(this.#blocks);
      this.#rows += rows;
      this.#oldest = oldest ?? this.#oldest;
      const e = error instanceof Error ? error : new Error(String(error));
      this.#lastError = e;
      log.error("Flush of ledgers {from}-{to} failed, will retry: {error}", {
        from: fromLedger,
        to: toLedger,
        error: e.message,
      });
      this.#options.onError?.(e);
      if (writer) {
        await writer.recover(this.#checkpoint.last_ledger).catch((cleanup) =>
          log.error("Cleanup after the failed flush failed: {error}", { error: String(cleanup) })
        );
      }
      throw e;
    }
    this.#lastError = undefined;
    const latencyMs = oldest === undefined ? 0 : performance.now() - oldest;
    log.debug("Committed ledgers {from}-{to}: {events} events, {files} files", {
      from: fromLedger,
      to: toLedger,
      events: rows,
      files: files.length,
    });
    this.#options.onCommit?.({
      fromLedger,
      toLedger,
      get events() {
        return allEvents();
      },
      eventCount: rows,
      files,
      latencyMs,
    });
  }

  /** Stops the timer and commits what is buffered. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
