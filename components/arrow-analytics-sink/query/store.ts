/**
 * Queries over the stored dataset with DuckDB (one in-process instance, a few connections). Only
 * committed files are queried: the store's file list starts from the files that survived
 * recovery and grows by commit, so a file being written (temp name) or renamed but not yet
 * checkpointed is never read. File names carry their ledger range, which prunes files before
 * DuckDB opens them.
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import type { TtpEvent, TtpEventType } from "../../../shared/schema/ttp_event.ts";
import type { DataFile } from "../writers/dataset_writer.ts";
import type { FileFormat } from "../writers/partition.ts";
import type { EventFilters } from "./filters.ts";

/** A page request over stored events, ordered by `event_id`. */
export interface EventQuery {
  /** Filters (AND-ed). */
  filters: EventFilters;
  /** Lowest ledger, inclusive. */
  ledgerFrom?: number;
  /** Highest ledger, inclusive. */
  ledgerTo?: number;
  /** Return events with `event_id` greater than this (the previous page's cursor). */
  after?: string;
  /** Most events to return. */
  limit: number;
}

/** Counts and sums for one asset. */
export interface AssetStat {
  asset: string;
  events: number;
  /** Sum of raw amounts, as a decimal string (i128-safe). */
  volume: string;
}

/** Dataset statistics. */
export interface DatasetStats {
  events_total: number;
  events_by_type: Record<string, number>;
  /** Over non-fee events with a Stellar asset, by event count. */
  top_assets_by_count: AssetStat[];
  /** Over non-fee events with a Stellar asset, by summed raw amount. */
  top_assets_by_volume: AssetStat[];
  /** First and last ledger holding events. */
  first_event_ledger: number | null;
  last_event_ledger: number | null;
}

/** Ledger encoded in an `event_id` (TOID >> 32). */
export function ledgerOfEventId(eventId: string): number {
  return Number(BigInt(eventId.slice(0, 19)) >> 32n);
}

/** `%019d-%010d`. */
export const EVENT_ID_RE = /^\d{19}-\d{10}$/;

const COLUMN_TYPES: Record<string, string> = {
  event_id: "VARCHAR",
  ledger_sequence: "UINTEGER",
  closed_at: "TIMESTAMPTZ",
  tx_hash: "VARCHAR",
  transaction_index: "UINTEGER",
  operation_index: "UINTEGER",
  event_type: "VARCHAR",
  from_address: "VARCHAR",
  to_address: "VARCHAR",
  asset: "VARCHAR",
  asset_code: "VARCHAR",
  asset_issuer: "VARCHAR",
  amount: "VARCHAR",
  contract_address: "VARCHAR",
  to_muxed_type: "VARCHAR",
  to_muxed_value: "VARCHAR",
  schema_version: "VARCHAR",
};

const SELECT_COLUMNS = Object.keys(COLUMN_TYPES).map((c) =>
  c === "closed_at" ? "epoch_ms(closed_at) AS closed_at" : c
).join(", ");

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The DuckDB table expression reading `paths` of a format with the `ttp_event` types. */
export function sourceSql(format: FileFormat, paths: readonly string[]): string {
  const list = `[${paths.map(sqlString).join(", ")}]`;
  const columns = `{${
    Object.entries(COLUMN_TYPES).map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`).join(", ")
  }}`;
  switch (format) {
    case "parquet":
      return `read_parquet(${list})`;
    case "jsonl":
      return `read_json(${list}, format = 'newline_delimited', columns = ${columns})`;
    case "csv":
      return `read_csv(${list}, header = true, quote = '"', escape = '"', allow_quoted_nulls = false, columns = ${columns})`;
  }
}

function toEvent(row: Record<string, unknown>): TtpEvent {
  return {
    event_id: row.event_id as string,
    ledger_sequence: Number(row.ledger_sequence),
    closed_at: Number(row.closed_at),
    tx_hash: row.tx_hash as string,
    transaction_index: Number(row.transaction_index),
    operation_index: row.operation_index === null ? null : Number(row.operation_index),
    event_type: row.event_type as TtpEventType,
    from_address: row.from_address as string | null,
    to_address: row.to_address as string | null,
    asset: row.asset as string | null,
    asset_code: row.asset_code as string | null,
    asset_issuer: row.asset_issuer as string | null,
    amount: row.amount as string,
    contract_address: row.contract_address as string,
    to_muxed_type: row.to_muxed_type as TtpEvent["to_muxed_type"],
    to_muxed_value: row.to_muxed_value as string | null,
    schema_version: row.schema_version as string,
  };
}

/** Builds the WHERE clause and its parameters for a query. */
export function whereClause(q: Omit<EventQuery, "limit">): { sql: string; params: DuckDBValue[] } {
  const conds: string[] = [];
  const params: DuckDBValue[] = [];
  const list = (column: string, values: string[]) => {
    conds.push(`${column} IN (${values.map(() => "?").join(", ")})`);
    params.push(...values);
  };
  const f = q.filters;
  if (f.event_type) list("event_type", f.event_type);
  if (f.asset) list("asset", f.asset);
  if (f.contract_address) list("contract_address", f.contract_address);
  if (f.address) {
    const marks = f.address.map(() => "?").join(", ");
    conds.push(`(from_address IN (${marks}) OR to_address IN (${marks}))`);
    params.push(...f.address, ...f.address);
  }
  if (f.min_amount !== undefined) {
    conds.push("CAST(amount AS HUGEINT) >= CAST(? AS HUGEINT)");
    params.push(f.min_amount.toString());
  }
  if (q.ledgerFrom !== undefined) {
    conds.push("ledger_sequence >= ?");
    params.push(q.ledgerFrom);
  }
  if (q.ledgerTo !== undefined) {
    conds.push("ledger_sequence <= ?");
    params.push(q.ledgerTo);
  }
  if (q.after !== undefined) {
    conds.push("event_id > ?");
    params.push(q.after);
  }
  return { sql: conds.length ? `WHERE ${conds.join(" AND ")}` : "", params };
}

/** Options of {@linkcode EventStore.open}. */
export interface EventStoreOptions {
  /** Format queried (parquet preferred). */
  format: FileFormat;
  /** Committed files at start (after recovery). */
  files: readonly DataFile[];
  /** DuckDB connections used concurrently. Default 2. */
  connections?: number;
}

/** Read access to the committed dataset; see the module doc. */
export class EventStore {
  readonly format: FileFormat;
  #instance: DuckDBInstance;
  #idle: DuckDBConnection[];
  #waiters: ((c: DuckDBConnection) => void)[] = [];
  #files: DataFile[];
  #version = 0;
  #statsCache: { version: number; stats: Promise<DatasetStats> } | undefined;

  private constructor(
    format: FileFormat,
    instance: DuckDBInstance,
    connections: DuckDBConnection[],
    files: DataFile[],
  ) {
    this.format = format;
    this.#instance = instance;
    this.#idle = connections;
    this.#files = files;
  }

  /** Opens an in-memory DuckDB over the given files. */
  static async open(options: EventStoreOptions): Promise<EventStore> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
    const connections: DuckDBConnection[] = [];
    for (let i = 0; i < (options.connections ?? 2); i++) connections.push(await instance.connect());
    const files = options.files.filter((f) => f.format === options.format);
    return new EventStore(options.format, instance, connections, files);
  }

  /** Makes newly committed files visible (files of other formats are ignored). */
  addFiles(files: readonly DataFile[]): void {
    const mine = files.filter((f) => f.format === this.format);
    if (mine.length === 0) return;
    this.#files.push(...mine);
    this.#files.sort((a, b) => a.first - b.first || a.date.localeCompare(b.date));
    this.#version++;
  }

  /** Number of files queried. */
  get fileCount(): number {
    return this.#files.length;
  }

  #filesFor(from: number | undefined, to: number | undefined): string[] {
    return this.#files.filter((f) =>
      (from === undefined || f.last >= from) && (to === undefined || f.first <= to)
    )
      .map((f) => f.path);
  }

  async #withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = this.#idle.pop() ??
      await new Promise<DuckDBConnection>((resolve) => this.#waiters.push(resolve));
    try {
      return await fn(connection);
    } finally {
      const next = this.#waiters.shift();
      if (next) next(connection);
      else this.#idle.push(connection);
    }
  }

  async #rows(sql: string, params: DuckDBValue[] = []): Promise<Record<string, unknown>[]> {
    return await this.#withConnection(async (c) => {
      const reader = await c.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    });
  }

  /** One page of events ordered by `event_id`. */
  async query(q: EventQuery): Promise<TtpEvent[]> {
    let from = q.ledgerFrom;
    if (q.after !== undefined) {
      const cursorLedger = ledgerOfEventId(q.after);
      if (from === undefined || cursorLedger > from) from = cursorLedger;
    }
    const paths = this.#filesFor(from, q.ledgerTo);
    if (paths.length === 0 || q.limit <= 0) return [];
    const where = whereClause(q);
    const rows = await this.#rows(
      `SELECT ${SELECT_COLUMNS} FROM ${sourceSql(this.format, paths)} ${where.sql}
       ORDER BY event_id LIMIT ${Math.floor(q.limit)}`,
      where.params,
    );
    return rows.map(toEvent);
  }

  /** The event with this id, if stored. */
  async get(eventId: string): Promise<TtpEvent | undefined> {
    const ledger = ledgerOfEventId(eventId);
    const paths = this.#filesFor(ledger, ledger);
    if (paths.length === 0) return undefined;
    const rows = await this.#rows(
      `SELECT ${SELECT_COLUMNS} FROM ${sourceSql(this.format, paths)} WHERE event_id = ? LIMIT 1`,
      [eventId],
    );
    return rows.length ? toEvent(rows[0]) : undefined;
  }

  /** Statistics over everything stored; cached until the next commit. */
  stats(top = 10): Promise<DatasetStats> {
    if (this.#statsCache?.version !== this.#version) {
      const stats = this.#computeStats(top);
      stats.catch(() => {
        if (this.#statsCache?.stats === stats) this.#statsCache = undefined;
      });
      this.#statsCache = { version: this.#version, stats };
    }
    return this.#statsCache.stats;
  }

  async #computeStats(top: number): Promise<DatasetStats> {
    const paths = this.#filesFor(undefined, undefined);
    const empty: DatasetStats = {
      events_total: 0,
      events_by_type: {},
      top_assets_by_count: [],
      top_assets_by_volume: [],
      first_event_ledger: null,
      last_event_ledger: null,
    };
    if (paths.length === 0) return empty;
    const src = sourceSql(this.format, paths);
    const byType = await this.#rows(
      `SELECT event_type, count(*)::BIGINT AS n, min(ledger_sequence) AS lo, max(ledger_sequence) AS hi
       FROM ${src} GROUP BY event_type ORDER BY event_type`,
    );
    const assets = await this.#rows(
      `SELECT asset, count(*)::BIGINT AS n, sum(CAST(amount AS HUGEINT))::VARCHAR AS volume
       FROM ${src} WHERE event_type <> 'fee' AND asset IS NOT NULL GROUP BY asset`,
    );
    const stats: AssetStat[] = assets.map((r) => ({
      asset: r.asset as string,
      events: Number(r.n),
      volume: r.volume as string,
    }));
    const byCount = [...stats].sort((a, b) =>
      b.events - a.events || a.asset.localeCompare(b.asset)
    );
    const byVolume = [...stats].sort((a, b) => {
      const d = BigInt(b.volume) - BigInt(a.volume);
      return d > 0n ? 1 : d < 0n ? -1 : a.asset.localeCompare(b.asset);
    });
    return {
      events_total: byType.reduce((n, r) => n + Number(r.n), 0),
      events_by_type: Object.fromEntries(byType.map((r) => [r.event_type, Number(r.n)])),
      top_assets_by_count: byCount.slice(0, top),
      top_assets_by_volume: byVolume.slice(0, top),
      first_event_ledger: Math.min(...byType.map((r) => Number(r.lo))),
      last_event_ledger: Math.max(...byType.map((r) => Number(r.hi))),
    };
  }

  /** Runs SQL over the committed files (tests, tools): `{src}` stands for the table. */
  sql(sql: string, params: DuckDBValue[] = []): Promise<Record<string, unknown>[]> {
    const paths = this.#filesFor(undefined, undefined);
    if (paths.length === 0) return Promise.resolve([]);
    return this.#rows(sql.replaceAll("{src}", sourceSql(this.format, paths)), params);
  }

  /** Closes DuckDB. */
  close(): void {
    for (const c of this.#idle) c.closeSync();
    this.#idle = [];
    this.#instance.closeSync();
  }
}
