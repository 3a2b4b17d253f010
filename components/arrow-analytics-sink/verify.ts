/**
 * Checks a sink data directory the way a careful reader would: the checkpoint, leftover temp
 * files, files beyond the checkpoint (a crash between rename and checkpoint; the sink removes them
 * on its next start), files straddling it, and per format the committed events: count, distinct
 * `event_id`s, ledgers outside the committed range. Used by `scripts/sink_verify.ts`.
 *
 * @module
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { type Checkpoint, readCheckpoint } from "./checkpoint.ts";
import { sourceSql } from "./query/store.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";
import { FILE_FORMATS, type FileFormat, isTempFileName } from "./writers/partition.ts";

/** Findings for one format. */
export interface FormatReport {
  format: FileFormat;
  /** Committed files (first ledger <= checkpoint). */
  files: number;
  /** Events in committed files. */
  events: number;
  /** Distinct event ids in committed files. */
  distinctIds: number;
  /** Events whose ledger is outside [first_ledger, last_ledger] of the checkpoint. */
  outOfRange: number;
}

/** What {@linkcode verifyDataset} found. */
export interface DatasetReport {
  checkpoint?: Checkpoint;
  tempFiles: string[];
  /** Files whose first ledger is beyond the checkpoint. */
  uncommittedFiles: string[];
  /** Files holding ledgers on both sides of the checkpoint (never written by the sink). */
  straddlingFiles: string[];
  formats: FormatReport[];
  /** Problems, one line each; empty when the dataset is consistent. */
  problems: string[];
}

async function tempFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    try {
      for await (const e of Deno.readDir(dir)) {
        if (e.isDirectory) await walk(`${dir}/${e.name}`);
        else if (isTempFileName(e.name)) out.push(`${dir}/${e.name}`);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  };
  await walk(root);
  return out;
}

/** Verifies a data directory (read-only). */
export async function verifyDataset(dataDir: string): Promise<DatasetReport> {
  const report: DatasetReport = {
    checkpoint: await readCheckpoint(dataDir),
    tempFiles: await tempFiles(dataDir),
    uncommittedFiles: [],
    straddlingFiles: [],
    formats: [],
    problems: [],
  };
  const through = report.checkpoint?.last_ledger ?? 0;
  const first = report.checkpoint?.first_ledger ?? 1;
  const lister = new DatasetWriter({ dataDir, formats: [] });
  // DuckDB's native calls do not keep Deno's event loop alive on their own: with nothing else
  // pending (a CLI, the end of a test) the process would stop mid-query.
  const keepAlive = setInterval(() => {}, 60_000);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const format of FILE_FORMATS) {
      const committed: string[] = [];
      for (const file of await lister.list(format)) {
        if (file.first > through) report.uncommittedFiles.push(file.path);
        else if (file.last > through) report.straddlingFiles.push(file.path);
        else committed.push(file.path);
      }
      if (committed.length === 0) continue;
      const rows = (await connection.runAndReadAll(
        `SELECT count(*)::BIGINT AS n, count(DISTINCT event_id)::BIGINT AS ids,
                count(*) FILTER (WHERE ledger_sequence < ${first} OR ledger_sequence > ${through})::BIGINT AS out
         FROM ${sourceSql(format, committed)}`,
      )).getRowObjectsJS()[0];
      const r: FormatReport = {
        format,
        files: committed.length,
        events: Number(rows.n),
        distinctIds: Number(rows.ids),
        outOfRange: Number(rows.out),
      };
      report.formats.push(r);
      if (r.events !== r.distinctIds) {
        report.problems.push(`${format}: ${r.events - r.distinctIds} events stored more than once`);
      }
      if (r.outOfRange > 0) {
        report.problems.push(
          `${format}: ${r.outOfRange} events outside the checkpoint's ledgers ${first}-${through}`,
        );
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    clearInterval(keepAlive);
  }
  if (!report.checkpoint && report.formats.length + report.uncommittedFiles.length > 0) {
    report.problems.push("data files but no checkpoint.json");
  }
  for (const path of report.straddlingFiles) {
    report.problems.push(`${path} holds ledgers on both sides of the checkpoint ${through}`);
  }
  const counts = new Set(report.formats.map((f) => f.events));
  if (counts.size > 1) {
    report.problems.push(
      `formats disagree on the number of committed events: ${
        report.formats.map((f) => `${f.format} ${f.events}`).join(", ")
      }`,
    );
  }
  return report;
}
