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
import type { EventFilters } from "../../../shared/ttp_stream/mod.ts";

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

/** Files read by the first query of a page; each further query reads twice as many. */
export const FIRST_CHUNK_FILES = 4;

const SPLIT = "1000000000000000000";

interface Aggregates {
  byType: Map<string, number>;
  byAsset: Map<string, { events: number; volume: bigint }>;
  first: number | null;
  last: number | null;
}

function addEvents(a: Aggregates, events: readonly TtpEvent[]): void {
  for (const e of events) {
    a.byType.set(e.event_type, (a.byType.get(e.event_type) ?? 0) + 1);
    if (a.first === null || e.ledger_sequence < a.first) a.first = e.ledger_sequence;
    if (a.last === null || e.ledger_sequence > a.last) a.last = e.ledger_sequence;
    if (e.event_type === "fee" || e.asset === null) continue;
    const s = a.byAsset.get(e.asset);
    if (s) {
      s.events++;
      s.volume += BigInt(e.amount);
    } else a.byAsset.set(e.asset, { events: 1, volume: BigInt(e.amount) });
  }
}

function summarize(a: Aggregates, top: number): DatasetStats {
  const assets = [...a.byAsset].map(([asset, s]) => ({
    asset,
    events: s.events,
    volume: s.volume,
  }));
  const byCount = [...assets].sort((x, y) => y.events - x.events || x.asset.localeCompare(y.asset));
  const byVolume = [...assets].sort((x, y) =>
    y.volume > x.volume ? 1 : y.volume < x.volume ? -1 : x.asset.localeCompare(y.asset)
  );
  const out = (list: typeof assets): AssetStat[] =>
    list.slice(0, top).map((s) => ({
      asset: s.asset,
      events: s.events,
      volume: s.volume.toString(),
    }));
  const byType = [...a.byType].sort(([x], [y]) => x.localeCompare(y));
  return {
    events_total: byType.reduce((n, [, c]) => n + c, 0),
    events_by_type: Object.fromEntries(byType),
    top_assets_by_count: out(byCount),
    top_assets_by_volume: out(byVolume),
    first_event_ledger: a.first,
    last_event_ledger: a.last,
  };
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
  #aggregates: Promise<Aggregates> | undefined;
  #pendingEvents: TtpEvent[][] = [];
  #aggregating = false;

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

  /** True when {@linkcode addCommit} uses events (aggregates for `/api/stats` are held). */
  get needsEvents(): boolean {
    return this.#aggregates !== undefined;
  }

  /**
   * Makes a commit visible: its files (other formats are ignored) and its events (for the
   * running statistics).
   */
  addCommit(files: readonly DataFile[], events: readonly TtpEvent[] = []): void {
    const mine = files.filter((f) => f.format === this.format);
    if (mine.length > 0) {
      this.#files.push(...mine);
      this.#files.sort((a, b) => a.first - b.first);
    }
    if (events.length === 0 || !this.#aggregates) return;
    if (this.#aggregating) this.#pendingEvents.push([...events]);
    else void this.#aggregates.then((a) => addEvents(a, events));
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

  /**
   * One page of events ordered by `event_id`. Files hold disjoint ledger ranges and `event_id`
   * orders by ledger first, so files are read in ledger order, a growing number at a time, until
   * the page is full: the first pages of a long dataset touch only its first files.
   */
  async query(q: EventQuery): Promise<TtpEvent[]> {
    let from = q.ledgerFrom;
    if (q.after !== undefined) {
      const cursorLedger = ledgerOfEventId(q.after);
      if (from === undefined || cursorLedger > from) from = cursorLedger;
    }
    const paths = this.#filesFor(from, q.ledgerTo);
    const limit = Math.floor(q.limit);
    if (paths.length === 0 || limit <= 0) return [];
    const where = whereClause(q);
    const out: TtpEvent[] = [];
    let chunk = FIRST_CHUNK_FILES;
    for (let at = 0; at < paths.length && out.length < limit; at += chunk, chunk *= 2) {
      const rows = await this.#rows(
        `SELECT ${SELECT_COLUMNS} FROM ${sourceSql(this.format, paths.slice(at, at + chunk))}
         ${where.sql} ORDER BY event_id LIMIT ${limit - out.length}`,
        where.params,
      );
      for (const row of rows) out.push(toEvent(row));
    }
    return out;
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

  /**
   * Statistics over everything stored: one DuckDB pass over the files on first use, then kept up
   * to date from each commit's events.
   */
  async stats(top = 10): Promise<DatasetStats> {
    if (!this.#aggregates) {
      this.#aggregating = true;
      const computing = this.#aggregate();
      this.#aggregates = computing;
      try {
        const a = await computing;
        for (const events of this.#pendingEvents) addEvents(a, events);
      } catch (error) {
        this.#aggregates = undefined;
        throw error;
      } finally {
        this.#pendingEvents = [];
        this.#aggregating = false;
      }
    }
    return summarize(await this.#aggregates, top);
  }

  async #aggregate(): Promise<Aggregates> {
    const a: Aggregates = { byType: new Map(), byAsset: new Map(), first: null, last: null };
    const paths = this.#filesFor(undefined, undefined);
    if (paths.length === 0) return a;
    const src = sourceSql(this.format, paths);
    const byType = await this.#rows(
      `SELECT event_type, count(*)::BIGINT AS n, min(ledger_sequence) AS lo, max(ledger_sequence) AS hi
       FROM ${src} GROUP BY event_type`,
    );
    for (const r of byType) {
      a.byType.set(r.event_type as string, Number(r.n));
      a.first = a.first === null ? Number(r.lo) : Math.min(a.first, Number(r.lo));
      a.last = a.last === null ? Number(r.hi) : Math.max(a.last, Number(r.hi));
    }
    // Sums of i128 amounts can pass the HUGEINT range; summing the parts above and below 10^18
    // separately cannot (for fewer than ~10^18 events), and BigInt puts them back together.
    const assets = await this.#rows(
      `SELECT asset, count(*)::BIGINT AS n,
              sum(CAST(amount AS HUGEINT) // ${SPLIT})::VARCHAR AS hi,
              sum(CAST(amount AS HUGEINT) % ${SPLIT})::VARCHAR AS lo
       FROM ${src} WHERE event_type <> 'fee' AND asset IS NOT NULL GROUP BY asset`,
    );
    for (const r of assets) {
      const volume = BigInt(r.hi as string) * BigInt(SPLIT) + BigInt(r.lo as string);
      a.byAsset.set(r.asset as string, { events: Number(r.n), volume });
    }
    return a;
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
