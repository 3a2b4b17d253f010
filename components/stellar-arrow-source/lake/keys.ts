/**
 * SEP-54 (Galexie) object naming: reversed-hex partition and batch names, boundary arithmetic and
 * name parsing. Pure functions; see SEP-54 and stellar/go `support/datastore/schema.go`.
 *
 * @module
 */

/** Object-name suffixes a batch may carry: Galexie writes `.xdr.zst`, older stores `.xdr.zstd`. */
export const BATCH_SUFFIXES: readonly string[] = [".xdr.zst", ".xdr.zstd"];

/** Layout parameters of a lake, as in `.config.json`. */
export interface LakeLayout {
  /** Ledgers in one batch object (`ledgersPerBatch`, Galexie `ledgers_per_file`). */
  ledgersPerBatch: number;
  /** Batches in one partition folder (`batchesPerPartition`, Galexie `files_per_partition`). */
  batchesPerPartition: number;
}

/** An inclusive range of ledger sequences. */
export interface SequenceRange {
  /** First ledger sequence. */
  start: number;
  /** Last ledger sequence (inclusive). */
  end: number;
}

const MAX_U32 = 0xffffffff;

function checkSequence(seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_U32) {
    throw new RangeError(`expected a ledger sequence (uint32), got ${seq}`);
  }
}

function checkLayout(layout: LakeLayout): void {
  for (const name of ["ledgersPerBatch", "batchesPerPartition"] as const) {
    const v = layout[name];
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`expected ${name} to be a positive integer, got ${v}`);
    }
  }
}

function reversedHex(start: number): string {
  return (MAX_U32 - start).toString(16).toUpperCase().padStart(8, "0");
}

/** The range of ledgers held by the batch containing `seq`. */
export function batchRange(seq: number, layout: LakeLayout): SequenceRange {
  checkSequence(seq);
  checkLayout(layout);
  const n = layout.ledgersPerBatch;
  const start = Math.floor(seq / n) * n;
  return { start, end: Math.min(start + n - 1, MAX_U32) };
}

/** The range of ledgers held by the partition containing `seq`. */
export function partitionRange(seq: number, layout: LakeLayout): SequenceRange {
  checkSequence(seq);
  checkLayout(layout);
  const n = layout.ledgersPerBatch * layout.batchesPerPartition;
  const start = Math.floor(seq / n) * n;
  return { start, end: Math.min(start + n - 1, MAX_U32) };
}

/** Partition folder name for `seq`, e.g. `FD054DFF--49984000-50047999`. */
export function partitionName(seq: number, layout: LakeLayout): string {
  const r = partitionRange(seq, layout);
  return `${reversedHex(r.start)}--${r.start}-${r.end}`;
}

/**
 * Batch object name for `seq` with the given suffix, e.g. `FD050F7F--50000000.xdr.zst`
 * (one ledger per batch) or `FFEA7BFF--1410048-1410111.xdr.zst`.
 */
export function batchName(seq: number, layout: LakeLayout, suffix = ".xdr.zst"): string {
  const r = batchRange(seq, layout);
  const span = layout.ledgersPerBatch === 1 ? `${r.start}` : `${r.start}-${r.end}`;
  return `${reversedHex(r.start)}--${span}${suffix}`;
}

/** Options for {@linkcode batchKey}. */
export interface BatchKeyOptions {
  /** Object suffix, `.xdr.zst` by default. */
  suffix?: string;
  /** Whether batches live in partition folders (false for flat stores). Default: true. */
  partitioned?: boolean;
}

/**
 * Key of the batch holding `seq`, relative to the lake root: `partition/batch` or, for flat
 * stores, `batch`. Worked example: 50000000 with 1 ledger per batch and 64000 batches per partition
 * gives `FD054DFF--49984000-50047999/FD050F7F--50000000.xdr.zst`.
 */
export function batchKey(seq: number, layout: LakeLayout, options: BatchKeyOptions = {}): string {
  const name = batchName(seq, layout, options.suffix ?? ".xdr.zst");
  return options.partitioned === false ? name : `${partitionName(seq, layout)}/${name}`;
}

/** A parsed batch object name. */
export interface ParsedBatchName extends SequenceRange {
  /** The suffix, e.g. `.xdr.zst`. */
  suffix: string;
}

const BATCH_RE = /^([0-9A-F]{8})--(\d+)(?:-(\d+))?(\.xdr\.[A-Za-z0-9]+)$/;
const PARTITION_RE = /^([0-9A-F]{8})--(\d+)-(\d+)$/;

/**
 * Parses a batch object name (last path segment). Returns null when the name is not a batch name
 * or its reversed-hex prefix disagrees with its start sequence.
 */
export function parseBatchName(name: string): ParsedBatchName | null {
  const m = BATCH_RE.exec(name);
  if (!m) return null;
  const start = Number(m[2]);
  const end = m[3] === undefined ? start : Number(m[3]);
  if (start > MAX_U32 || end > MAX_U32 || end < start) return null;
  if (parseInt(m[1], 16) !== MAX_U32 - start) return null;
  return { start, end, suffix: m[4] };
}

/** Parses a partition folder name; null when it is not one or its prefix disagrees with its start. */
export function parsePartitionName(name: string): SequenceRange | null {
  const m = PARTITION_RE.exec(name.replace(/\/$/, ""));
  if (!m) return null;
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (start > MAX_U32 || end > MAX_U32 || end < start) return null;
  if (parseInt(m[1], 16) !== MAX_U32 - start) return null;
  return { start, end };
}
