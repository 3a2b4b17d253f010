/**
 * What the pipeline must store for a real fixture lake, computed by the extraction module
 * (`shared/ttp` extractEvents), and what it did store, read back from the Parquet files with
 * DuckDB. Both sides are reduced to the same {@linkcode EventDigest} so tests compare them with
 * one `deepEqual`: counts per kind, exact (BigInt) amount sums per asset, and the event ids.
 *
 * @module
 */
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { splitLedgerCloseMetaBatch } from "../../../shared/ledger/mod.ts";
import { extractEvents } from "../../../shared/ttp/mod.ts";
import type { TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { ROOT } from "./harness.ts";

/** The pubnet-p26 fixture lake: 20 real protocol 26 ledgers, one per batch file. */
export const PUBNET_P26 = {
  /** Lake folder. */
  lake: `${ROOT}/testdata/lakes/pubnet-p26`,
  /** First ledger. */
  first: 63092982,
  /** Last ledger. */
  last: 63093001,
  /** Network passphrase of the ledgers. */
  passphrase: "Public Global Stellar Network ; September 2015",
} as const;

/** A comparable summary of a set of events. */
export interface EventDigest {
  /** Number of events. */
  total: number;
  /** Events per kind. */
  byType: Record<string, number>;
  /** Sum of `amount` per asset (`asset`, or the contract address for non-SAC tokens), exact. */
  amountByAsset: Record<string, string>;
  /** Number of events per ledger. */
  byLedger: Record<string, number>;
  /** Every `event_id`, sorted (duplicates kept, so a duplicate shows as a difference). */
  ids: string[];
}

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a < b ? -1 : 1));
}

/** Reduces events to an {@linkcode EventDigest} with BigInt sums. */
export function digestEvents(events: Iterable<TtpEvent>): EventDigest {
  const byType: Record<string, number> = {};
  const sums = new Map<string, bigint>();
  const byLedger: Record<string, number> = {};
  const ids: string[] = [];
  for (const e of events) {
    byType[e.event_type] = (byType[e.event_type] ?? 0) + 1;
    const asset = e.asset ?? e.contract_address;
    sums.set(asset, (sums.get(asset) ?? 0n) + BigInt(e.amount));
    byLedger[e.ledger_sequence] = (byLedger[e.ledger_sequence] ?? 0) + 1;
    ids.push(e.event_id);
  }
  ids.sort();
  const amountByAsset: Record<string, string> = {};
  for (const [asset, sum] of sums) amountByAsset[asset] = sum.toString();
  return {
    total: ids.length,
    byType: sorted(byType),
    amountByAsset: sorted(amountByAsset),
    byLedger: sorted(byLedger),
    ids,
  };
}

/**
 * The events the extraction module yields for the ledgers `first..last` of a lake (every
 * ledger when omitted), read straight from the batch files (not through any service).
 */
export function expectedEvents(
  lake: string,
  range: { first?: number; last?: number } = {},
): TtpEvent[] {
  const config = JSON.parse(Deno.readTextFileSync(`${lake}/.config.json`));
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) walk(`${dir}/${e.name}`);
      else if (/\.xdr\.zstd?$/.test(e.name)) files.push(`${dir}/${e.name}`);
    }
  };
  walk(lake);
  const events: TtpEvent[] = [];
  for (const file of files) {
    const raw = zlib.zstdDecompressSync(Deno.readFileSync(file));
    const batch = splitLedgerCloseMetaBatch(new Uint8Array(raw));
    batch.ledgers.forEach((bytes, i) => {
      const seq = batch.startSequence + i;
      if (seq < (range.first ?? 0) || seq > (range.last ?? Infinity)) return;
      events.push(
        ...extractEvents(bytes, { networkPassphrase: config.networkPassphrase, mode: "auto" }),
      );
    });
  }
  return events;
}

/** The sink's checkpoint (`DATA_DIR/checkpoint.json`), or `undefined` before the first commit. */
export function readCheckpoint(dataDir: string): { last_ledger: number } | undefined {
  try {
    return JSON.parse(Deno.readTextFileSync(`${dataDir}/checkpoint.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Reads every `*.parquet` file under `DATA_DIR/parquet` with DuckDB (no filtering: a file beyond
 * the checkpoint or a duplicate shows up) and digests it. Amount sums are HUGEINT, exact.
 */
export async function storedDigest(dataDir: string): Promise<EventDigest> {
  // DuckDB's native calls do not keep Deno's event loop alive on their own.
  const keepAlive = setInterval(() => {}, 60_000);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const files = `read_parquet('${dataDir}/parquet/**/*.parquet', hive_partitioning = true)`;
    const rows = async (sql: string) =>
      (await connection.runAndReadAll(sql)).getRows() as unknown[][];
    const byType = Object.fromEntries(
      (await rows(`SELECT event_type, count(*)::INTEGER FROM ${files} GROUP BY 1`))
        .map(([k, n]) => [String(k), Number(n)]),
    );
    const amountByAsset = Object.fromEntries(
      (await rows(
        `SELECT coalesce(asset, contract_address), sum(amount::HUGEINT)::VARCHAR FROM ${files} GROUP BY 1`,
      )).map(([k, s]) => [String(k), String(s)]),
    );
    const byLedger = Object.fromEntries(
      (await rows(`SELECT ledger_sequence, count(*)::INTEGER FROM ${files} GROUP BY 1`))
        .map(([k, n]) => [String(k), Number(n)]),
    );
    const ids = (await rows(`SELECT event_id FROM ${files} ORDER BY event_id`))
      .map(([id]) => String(id));
    return {
      total: ids.length,
      byType: sorted(byType),
      amountByAsset: sorted(amountByAsset),
      byLedger: sorted(byLedger),
      ids,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
    clearInterval(keepAlive);
  }
}

/** Asserts that the stored events are the expected ones: each once by id, by kind, sums by asset. */
export function assertStoredExactlyOnce(stored: EventDigest, expected: EventDigest): void {
  assert.deepEqual(stored.ids, expected.ids, "every event exactly once, by event_id");
  assert.deepEqual(stored.byType, expected.byType);
  assert.deepEqual(stored.amountByAsset, expected.amountByAsset);
}
