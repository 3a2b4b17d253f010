/**
 * Where ledgers come from: a SEP-54 data lake or Stellar RPC, behind one interface. A source
 * plans a range as units (lake batch objects, RPC pages) and fetches each unit's raw bytes;
 * decoding happens in workers (`decode.ts`). Opening is lazy and retried: a store that is down at
 * startup does not stop the service.
 *
 * @module
 */
import { SourceError } from "./errors.ts";
import {
  DataLake,
  type LakeBatch,
  ListingRefusedError,
  LocalStore,
  type OpenLakeOptions,
  type SequenceRange,
} from "./lake/mod.ts";
import { RpcClient, type RpcClientOptions, RpcError } from "./rpc/mod.ts";
import type { DecodeRequest } from "./decode_types.ts";

/** Source kinds, as in the `source_type` column. */
export type SourceType = "datalake" | "rpc";

/** A unit of a range: one lake batch or one RPC page. */
export interface UnitRef {
  /** First ledger the unit covers. */
  start: number;
  /** Last ledger the unit covers (inclusive). */
  end: number;
}

/** Ledgers from a lake or RPC. */
export interface LedgerSource {
  /** `datalake` or `rpc`. */
  readonly type: SourceType;
  /** The lake URL or RPC endpoint, for status and messages. */
  readonly url: string;
  /** Opens the source if needed (reads the manifest) and returns the network passphrase. */
  networkPassphrase(signal?: AbortSignal): Promise<string>;
  /**
   * The ledgers currently held (refreshed on every call): null when none, undefined when the
   * source cannot tell (a lake whose store refuses listings; ranges are then served by name).
   */
  availableRange(signal?: AbortSignal): Promise<SequenceRange | null | undefined>;
  /**
   * The newest ledger held, cheaper than `availableRange` where the source can (follow polls).
   * `next` is the ledger the caller waits for (a store that cannot list probes for it).
   */
  tip?(signal?: AbortSignal, next?: number): Promise<number | undefined>;
  /** Splits `[start, end]` into units, in order (no I/O). */
  plan(start: number, end: number): Generator<UnitRef>;
  /** Fetches one unit's raw bytes, ready for a decode worker. */
  fetch(unit: UnitRef, signal?: AbortSignal): Promise<DecodeRequest>;
}

/** Options of {@linkcode LakeSource}. */
export interface LakeSourceOptions extends OpenLakeOptions {
  /** Lake URL or path. */
  url: string;
}

/** A SEP-54 data lake source. */
export class LakeSource implements LedgerSource {
  /** Always `datalake`. */
  readonly type = "datalake" as const;
  /** Lake URL or path. */
  readonly url: string;
  readonly #opts: LakeSourceOptions;
  #lake: Promise<DataLake> | undefined;
  #opened: DataLake | undefined;
  #listable = true;
  #probed: LakeBatch | undefined;

  /** Creates the source; nothing is read until used. */
  constructor(opts: LakeSourceOptions) {
    this.url = opts.url;
    this.#opts = opts;
  }

  /** The opened lake; a failed open is retried on the next call. */
  lake(): Promise<DataLake> {
    if (!this.#lake) {
      const opening = DataLake.open(this.#opts.url, this.#opts);
      this.#lake = opening;
      opening.then((lake) => {
        this.#opened = lake;
      }, () => {
        if (this.#lake === opening) this.#lake = undefined;
      });
    }
    return this.#lake;
  }

  /** The lake's passphrase (from `.config.json`, or the configured one). */
  async networkPassphrase(): Promise<string> {
    return (await this.lake()).networkPassphrase;
  }

  /** Lists the lake for its range; undefined when the store refuses listings. */
  async availableRange(): Promise<SequenceRange | null | undefined> {
    const lake = await this.lake();
    try {
      const range = await lake.availableRange();
      this.#listable = true;
      return range;
    } catch (err) {
      if (!(err instanceof ListingRefusedError)) throw err;
      this.#listable = false;
      return undefined;
    }
  }

  /**
   * The newest ledger held: two short listings (see `DataLake.tip`), or, when the store refuses
   * listings, a probe for the batch holding `next` (kept for the `fetch` that follows).
   */
  async tip(signal?: AbortSignal, next?: number): Promise<number | undefined> {
    const lake = await this.lake();
    if (this.#listable) {
      try {
        return await lake.tip();
      } catch (err) {
        if (!(err instanceof ListingRefusedError)) throw err;
        this.#listable = false;
      }
    }
    if (next === undefined) return undefined;
    const batch = await lake.tryReadBatch(next, signal);
    if (!batch) return undefined;
    this.#probed = batch;
    return batch.range.end;
  }

  /** One unit per batch object. Needs the lake opened (`availableRange` does it). */
  *plan(start: number, end: number): Generator<UnitRef> {
    if (!this.#opened) throw new Error("LakeSource.plan called before the lake was opened");
    const lpb = this.#opened.manifest.ledgersPerBatch;
    for (let s = Math.floor(start / lpb) * lpb; s <= end; s += lpb) {
      yield { start: s, end: s + lpb - 1 };
    }
  }

  /**
   * Reads one batch object (missing → `not_found` naming the ledger and object). A local lake's
   * object is read by the decoder instead (`files`: its candidate paths), off the main thread.
   */
  async fetch(unit: UnitRef, signal?: AbortSignal): Promise<DecodeRequest> {
    const lake = await this.lake();
    const probed = this.#probed;
    this.#probed = undefined;
    if (lake.store instanceof LocalStore && probed?.range.start !== unit.start) {
      const files = lake.candidateKeys(unit.start).map((k) => lake.store.describe(k));
      const range = lake.batchRange(unit.start);
      return { kind: "lake", object: files[0], start: range.start, end: range.end, files };
    }
    const batch = probed?.range.start === unit.start
      ? probed
      : await lake.readBatch(unit.start, signal);
    return {
      kind: "lake",
      object: batch.object,
      start: batch.range.start,
      end: batch.range.end,
      bytes: batch.bytes,
    };
  }
}

/** Options of {@linkcode RpcSource}. */
export interface RpcSourceOptions extends RpcClientOptions {
  /** Expected network passphrase; default: what `getNetwork` says. A mismatch is an error. */
  networkPassphrase?: string;
  /** Ledgers per getLedgers page, ≤ 200; default 20 (pubnet ledgers are ~1 MB each). */
  pageLimit?: number;
}

/** A Stellar RPC source. */
export class RpcSource implements LedgerSource {
  /** Always `rpc`. */
  readonly type = "rpc" as const;
  /** Endpoint URL. */
  readonly url: string;
  /** The client. */
  readonly client: RpcClient;
  readonly #expected: string | undefined;
  #passphrase: string | undefined;
  readonly #pageLimit: number;

  /** Creates the source; nothing is requested until used. */
  constructor(opts: RpcSourceOptions) {
    this.url = opts.url;
    this.client = new RpcClient(opts);
    this.#expected = opts.networkPassphrase;
    this.#pageLimit = Math.min(Math.max(1, opts.pageLimit ?? 20), 200);
  }

  /** The passphrase from `getNetwork`, checked against the configured one. */
  async networkPassphrase(signal?: AbortSignal): Promise<string> {
    if (this.#passphrase === undefined) {
      const { passphrase } = await this.client.getNetwork(signal);
      if (this.#expected !== undefined && passphrase !== this.#expected) {
        throw new SourceError(
          "failed_precondition",
          `network passphrase mismatch: configured "${this.#expected}", but RPC ${this.url} ` +
            `getNetwork says "${passphrase}"`,
          { object: this.url },
        );
      }
      this.#passphrase = passphrase;
    }
    return this.#passphrase;
  }

  /** `[oldestLedger (getHealth), sequence (getLatestLedger)]`. */
  async availableRange(signal?: AbortSignal): Promise<SequenceRange | null> {
    const [health, latest] = await Promise.all([
      this.client.getHealth(signal),
      this.client.getLatestLedger(signal),
    ]);
    if (latest.sequence < health.oldestLedger) return null;
    return { start: health.oldestLedger, end: latest.sequence };
  }

  /** `getLatestLedger`'s sequence. */
  async tip(signal?: AbortSignal): Promise<number | undefined> {
    return (await this.client.getLatestLedger(signal)).sequence;
  }

  /** Pages of at most `pageLimit` ledgers. */
  *plan(start: number, end: number): Generator<UnitRef> {
    for (let s = start; s <= end; s += this.#pageLimit) {
      yield { start: s, end: Math.min(end, s + this.#pageLimit - 1) };
    }
  }

  /**
   * Fetches one page: `startLedger` for a range's first page, otherwise `cursor` = the previous
   * page's last ledger. The page must hold exactly the unit's ledgers.
   */
  async fetch(unit: UnitRef, signal?: AbortSignal): Promise<DecodeRequest> {
    const limit = unit.end - unit.start + 1;
    let page;
    try {
      page = await this.client.getLedgers(
        unit.start === 0 ? { startLedger: 0, limit } : { cursor: String(unit.start - 1), limit },
        signal,
      );
    } catch (err) {
      if (err instanceof RpcError) {
        throw new SourceError(
          err.code === -32600 ? "not_found" : "internal",
          `ledgers ${unit.start}-${unit.end}: ${err.message}`,
          { ledger: unit.start, object: this.url, cause: err },
        );
      }
      throw err;
    }
    const ledgers = page.ledgers.filter((l) => l.sequence <= unit.end);
    for (let i = 0; i < limit; i++) {
      const got = ledgers[i];
      if (got?.sequence !== unit.start + i) {
        throw new SourceError(
          got === undefined ? "not_found" : "data_loss",
          `ledger ${unit.start + i}: RPC ${this.url} getLedgers (cursor ${unit.start - 1}) ` +
            (got === undefined
              ? `returned no such ledger (latest ${page.latestLedger}, oldest ${page.oldestLedger})`
              : `returned ledger ${got.sequence} in its place`),
          { ledger: unit.start + i, object: this.url },
        );
      }
    }
    return {
      kind: "rpc",
      object: this.url,
      ledgers: ledgers.map((l) => ({
        sequence: l.sequence,
        hash: l.hash,
        closeTime: l.ledgerCloseTime,
        metadataXdr: l.metadataXdr,
      })),
    };
  }
}
