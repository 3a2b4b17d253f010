/**
 * The file side of the sink: writes a run of complete ledgers to every enabled file format, one
 * file per format and date partition, each atomically (temp name, fsync, rename); lists the
 * committed files; and on start-up removes temp files and files beyond the checkpoint.
 *
 * Files are only ever created for ledgers after the checkpoint, and the checkpoint moves only
 * after all of them are renamed, so a file's first ledger is either <= checkpoint (committed, and
 * then its last ledger is too) or > checkpoint (uncommitted, removed by {@linkcode recover}).
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import type { TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { removeTempFiles, syncDir, writeFileAtomic } from "./atomic_file.ts";
import { encodeInline, type EncodeInput, type FileEncodeFn } from "./file_encoder.ts";
import {
  dataFileName,
  type FileFormat,
  parseDataFileName,
  parsePartitionDir,
  partitionDate,
  partitionDir,
} from "./partition.ts";

/** Options of {@linkcode DatasetWriter}. */
export interface DatasetWriterOptions {
  /** Data directory; each format gets `<dataDir>/<format>/`. */
  dataDir: string;
  /** Enabled file formats. */
  formats: readonly FileFormat[];
  /** Encodes the files of a partition; default {@linkcode encodeInline} (calling thread). */
  encode?: FileEncodeFn;
}

/** A committed data file. */
export interface DataFile {
  /** Absolute or data-dir-relative path. */
  path: string;
  /** Partition date `YYYY-MM-DD`. */
  date: string;
  /** First ledger with events in the file. */
  first: number;
  /** Last ledger with events in the file. */
  last: number;
  /** Format. */
  format: FileFormat;
  /** Rows in the file (known for files written by this process). */
  rows?: number;
  /** Size in bytes (known for files written by this process). */
  bytes?: number;
}

/** What {@linkcode DatasetWriter.recover} removed. */
export interface RecoveryReport {
  /** Temporary files of interrupted writes. */
  tempFiles: string[];
  /** Renamed files whose ledgers were never committed. */
  uncommittedFiles: string[];
}

/** A committed file that straddles the checkpoint: the dataset cannot be trusted. */
export class DatasetCorruptError extends Error {
  override name = "DatasetCorruptError";
}

/** A complete ledger for {@linkcode DatasetWriter.writeBlocks} (the sink's ledger blocks). */
export interface LedgerRows {
  /** Ledger sequence. */
  ledger: number;
  /** Its events (read only when the files cannot be written from `batches`). */
  readonly events: readonly TtpEvent[];
  /** The same rows as `ttp_event` record batch slices, when known. */
  batches?: readonly arrow.RecordBatch[];
  /** Number of rows, when known without reading `events`. */
  rows?: number;
}

async function settle(jobs: Promise<DataFile[]>[]): Promise<DataFile[]> {
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.flatMap((s) => (s as PromiseFulfilledResult<DataFile[]>).value);
}

/** Writes and lists the dataset; see the module doc. */
export class DatasetWriter {
  readonly dataDir: string;
  readonly formats: readonly FileFormat[];
  #encode: FileEncodeFn;

  /** @param options see {@linkcode DatasetWriterOptions} */
  constructor(options: DatasetWriterOptions) {
    this.dataDir = options.dataDir;
    this.formats = [...options.formats];
    this.#encode = options.encode ?? encodeInline;
  }

  /** The folder of a format. */
  formatDir(format: FileFormat): string {
    return `${this.dataDir}/${format}`;
  }

  /**
   * Writes events of complete ledgers (in ledger order) to every format; one file per format and
   * date partition. `batches` may give, per ledger, the same rows as Arrow record batches (all
   * events of a ledger share its close time, so a ledger is never split across partitions).
   * Returns the files once all are renamed (durable, visible to readers).
   */
  async write(
    events: readonly TtpEvent[],
    batches?: ReadonlyMap<number, readonly arrow.RecordBatch[]>,
  ): Promise<DataFile[]> {
    if (events.length === 0 || this.formats.length === 0) return [];
    // Consecutive events mostly share a close time and a ledger: compute a date or note a
    // ledger only when they change.
    const byDate = new Map<string, { events: TtpEvent[]; ledgers: Set<number> }>();
    let lastClosedAt = NaN;
    let lastLedger = NaN;
    let part: { events: TtpEvent[]; ledgers: Set<number> } | undefined;
    for (const e of events) {
      if (e.closed_at !== lastClosedAt || !part) {
        const date = partitionDate(e.closed_at);
        lastClosedAt = e.closed_at;
        part = byDate.get(date);
        if (!part) byDate.set(date, part = { events: [], ledgers: new Set() });
        lastLedger = NaN;
      }
      if (e.ledger_sequence !== lastLedger) {
        part.ledgers.add(e.ledger_sequence);
        lastLedger = e.ledger_sequence;
      }
      part.events.push(e);
    }
    const jobs: Promise<DataFile[]>[] = [];
    for (const [date, { events: list, ledgers }] of byDate) {
      let first = Infinity;
      let last = -Infinity;
      for (const ledger of ledgers) {
        if (ledger < first) first = ledger;
        if (ledger > last) last = ledger;
      }
      let partitionBatches: arrow.RecordBatch[] | undefined = batches ? [] : undefined;
      if (partitionBatches) {
        for (const ledger of ledgers) {
          const slices = batches!.get(ledger);
          if (!slices) {
            partitionBatches = undefined;
            break;
          }
          partitionBatches.push(...slices);
        }
      }
      jobs.push(
        this.#writePartition({
          date,
          first,
          last,
          rows: list.length,
          input: { events: list, batches: partitionBatches },
        }),
      );
    }
    return await settle(jobs);
  }

  /**
   * Writes complete ledgers (in ledger order) as {@linkcode write} does. When every ledger comes
   * with its Arrow batch slices and row count, the files are written from the batches alone and
   * the ledgers' events are not read (a ledger's partition is its first row's close time);
   * otherwise this is {@linkcode write} of their events and whatever slices they have.
   */
  async writeBlocks(ledgers: readonly LedgerRows[]): Promise<DataFile[]> {
    if (this.formats.length === 0) return [];
    if (!ledgers.every((l) => l.batches !== undefined && l.rows !== undefined)) {
      const events: TtpEvent[] = [];
      const batches = new Map<number, readonly arrow.RecordBatch[]>();
      for (const l of ledgers) {
        for (const e of l.events) events.push(e);
        if (l.batches) batches.set(l.ledger, l.batches);
      }
      return await this.write(events, batches);
    }
    const byDate = new Map<string, LedgerRows[]>();
    for (const l of ledgers) {
      if (l.rows === 0 || l.batches!.length === 0) continue;
      // As recordBatchToEvents reads it (a null would be 0).
      const date = partitionDate(Number(l.batches![0].getChild("closed_at")?.get(0)));
      let list = byDate.get(date);
      if (!list) byDate.set(date, list = []);
      list.push(l);
    }
    const jobs: Promise<DataFile[]>[] = [];
    for (const [date, list] of byDate) {
      let rows = 0;
      const batches: arrow.RecordBatch[] = [];
      for (const l of list) {
        rows += l.rows!;
        batches.push(...l.batches!);
      }
      jobs.push(this.#writePartition({
        date,
        first: Math.min(...list.map((l) => l.ledger)),
        last: Math.max(...list.map((l) => l.ledger)),
        rows,
        input: {
          get events() {
            return list.flatMap((l) => l.events); // only for an encoder without batch support
          },
          batches,
        },
      }));
    }
    return await settle(jobs);
  }

  async #writePartition(
    job: { date: string; first: number; last: number; rows: number; input: EncodeInput },
  ): Promise<DataFile[]> {
    const encoded = await this.#encode(job.input, this.formats);
    return await Promise.all(this.formats.map(async (format) => {
      const bytes = encoded[format];
      if (!bytes) throw new Error(`The encoder returned no ${format} file for ${job.date}`);
      const dir = `${this.formatDir(format)}/${partitionDir(job.date)}`;
      const name = dataFileName({ first: job.first, last: job.last, format });
      const path = await writeFileAtomic(dir, name, bytes);
      return {
        path,
        date: job.date,
        first: job.first,
        last: job.last,
        format,
        rows: job.rows,
        bytes: bytes.length,
      };
    }));
  }

  /** Lists the data files of a format (committed or not), sorted by first ledger then date. */
  async list(format: FileFormat): Promise<DataFile[]> {
    const root = this.formatDir(format);
    const files: DataFile[] = [];
    let partitions: Deno.DirEntry[];
    try {
      partitions = await Array.fromAsync(Deno.readDir(root));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    for (const partition of partitions) {
      const date = partition.isDirectory ? parsePartitionDir(partition.name) : undefined;
      if (!date) continue;
      for await (const entry of Deno.readDir(`${root}/${partition.name}`)) {
        const parsed = entry.isFile ? parseDataFileName(entry.name) : undefined;
        if (!parsed || parsed.format !== format) continue;
        files.push({
          path: `${root}/${partition.name}/${entry.name}`,
          date,
          first: parsed.first,
          last: parsed.last,
          format,
        });
      }
    }
    files.sort((a, b) => a.first - b.first || a.date.localeCompare(b.date));
    return files;
  }

  /**
   * Start-up recovery: removes temp files and every file whose first ledger is beyond
   * `checkpoint` (`undefined`: nothing is committed) in all format folders, enabled or not.
   *
   * @throws {DatasetCorruptError} when a file holds ledgers on both sides of the checkpoint.
   */
  async recover(checkpoint: number | undefined): Promise<RecoveryReport> {
    const tempFiles = await removeTempFiles(this.dataDir);
    const uncommittedFiles: string[] = [];
    const committed = checkpoint ?? 0;
    for (const format of ["parquet", "jsonl", "csv"] as const) {
      const dirs = new Set<string>();
      for (const file of await this.list(format)) {
        if (file.first > committed) {
          await Deno.remove(file.path);
          uncommittedFiles.push(file.path);
          dirs.add(file.path.slice(0, file.path.lastIndexOf("/")));
        } else if (file.last > committed) {
          throw new DatasetCorruptError(
            `${file.path} holds ledgers ${file.first}-${file.last}, but the checkpoint is ${committed}: expected every file to end at or before the checkpoint or to start after it`,
          );
        }
      }
      for (const dir of dirs) await syncDir(dir);
    }
    return { tempFiles, uncommittedFiles };
  }
}
