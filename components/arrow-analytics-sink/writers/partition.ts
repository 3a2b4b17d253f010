/**
 * Dataset layout: Hive-style date partitions and file names that carry the first and last ledger
 * they hold, so that recovery can tell committed files from files beyond the checkpoint by name.
 *
 * ```
 * DATA_DIR/parquet/date=2026-01-31/part-0063092982-0063093001.parquet
 * DATA_DIR/parquet/date=2026-01-31/.tmp-part-0063092982-0063093001.parquet.partial   (in flight)
 * ```
 *
 * @module
 */

/** The file formats of the dataset, each in its own folder under the data directory. */
export type FileFormat = "parquet" | "jsonl" | "csv";

/** Every file format, in the order files are written. */
export const FILE_FORMATS: readonly FileFormat[] = ["parquet", "jsonl", "csv"];

/** Prefix of temporary files; hidden, and with a suffix no reader's `*.parquet` glob matches. */
export const TEMP_PREFIX = ".tmp-";
/** Suffix of temporary files. */
export const TEMP_SUFFIX = ".partial";

const LEDGER_DIGITS = 10;
const FILE_RE = /^part-(\d{10})-(\d{10})\.(parquet|jsonl|csv)$/;
const PARTITION_RE = /^date=(\d{4}-\d{2}-\d{2})$/;

/**
 * The partition value (`YYYY-MM-DD`, UTC) of an event closed at `closedAtMs` (epoch ms).
 *
 * @throws {RangeError} when the time is not a finite number.
 */
export function partitionDate(closedAtMs: number): string {
  if (!Number.isFinite(closedAtMs)) {
    throw new RangeError(`Expected closed_at as finite epoch milliseconds, got ${closedAtMs}`);
  }
  return new Date(closedAtMs).toISOString().slice(0, 10);
}

/** The folder name of a partition: `date=YYYY-MM-DD`. */
export function partitionDir(date: string): string {
  return `date=${date}`;
}

/** The date of a partition folder name, or `undefined` when the name is not a partition. */
export function parsePartitionDir(name: string): string | undefined {
  return PARTITION_RE.exec(name)?.[1];
}

/** Ledger range and format of a data file. */
export interface DataFileName {
  /** First ledger with events in the file. */
  first: number;
  /** Last ledger with events in the file. */
  last: number;
  /** Format, which is also the file extension. */
  format: FileFormat;
}

/**
 * The name of a data file: `part-FFFFFFFFFF-LLLLLLLLLL.<format>`, ledgers zero-padded to ten
 * digits so that names sort in ledger order.
 *
 * @throws {RangeError} when a ledger is not a uint32 or `first > last`.
 */
export function dataFileName(file: DataFileName): string {
  for (const [name, value] of [["first", file.first], ["last", file.last]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`Expected ${name} ledger to be a uint32, got ${value}`);
    }
  }
  if (file.first > file.last) {
    throw new RangeError(`Expected first ledger <= last ledger, got ${file.first} > ${file.last}`);
  }
  const pad = (n: number) => String(n).padStart(LEDGER_DIGITS, "0");
  return `part-${pad(file.first)}-${pad(file.last)}.${file.format}`;
}

/** Parses a data file name; `undefined` for anything else (temp files, foreign files). */
export function parseDataFileName(name: string): DataFileName | undefined {
  const m = FILE_RE.exec(name);
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2]);
  if (first > last) return undefined;
  return { first, last, format: m[3] as FileFormat };
}

/** The temporary name under which a file is written before it is renamed to `name`. */
export function tempFileName(name: string): string {
  return `${TEMP_PREFIX}${name}${TEMP_SUFFIX}`;
}

/** True for names written by {@linkcode tempFileName}. */
export function isTempFileName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
}
