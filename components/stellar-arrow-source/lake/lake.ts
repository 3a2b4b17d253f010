/**
 * A SEP-54 data lake: its manifest, layout (partition folders or flat), available range and batch
 * objects. Decompression and XDR decoding are not done here (see `../worker.ts` and
 * `shared/ledger`); this module only moves bytes.
 *
 * @module
 */
import { batchNotFound, SourceError } from "../errors.ts";
import {
  BATCH_SUFFIXES,
  batchKey,
  batchRange,
  parseBatchName,
  parsePartitionName,
  type SequenceRange,
} from "./keys.ts";
import { type LakeEnv, parseLakeLocation, type RemoteOptions, storeFor } from "./location.ts";
import {
  DEFAULT_MANIFEST,
  type LakeManifest,
  MANIFEST_NAME,
  parseLakeManifest,
} from "./manifest.ts";
import type { ObjectStore } from "./store.ts";

/** Options for {@linkcode DataLake.open}. */
export interface OpenLakeOptions {
  /** Environment for credentials, region and S3 endpoint; default: none. */
  env?: LakeEnv;
  /** Base for relative paths; default `Deno.cwd()`. */
  cwd?: string;
  /** Retries, timeouts and fetch for remote stores. */
  remote?: RemoteOptions;
  /**
   * Expected network passphrase. A manifest naming another network is an error; a store without
   * a manifest takes this one (and needs it).
   */
  networkPassphrase?: string;
  /** An already opened store (overrides the URL's). */
  store?: ObjectStore;
}

/** One batch object as stored (still compressed). */
export interface LakeBatch {
  /** Location of the object (path or URL), for messages. */
  object: string;
  /** Key relative to the lake root. */
  key: string;
  /** Ledgers the name says the batch holds. */
  range: SequenceRange;
  /** The zstd-compressed `LedgerCloseMetaBatch`. */
  bytes: Uint8Array;
}

/** Folder layout of a lake. */
export type LakeLayoutKind = "partitioned" | "flat";

function byStart<T extends SequenceRange>(a: T, b: T): number {
  return a.start - b.start;
}

/** A SEP-54 data lake reachable through an {@linkcode ObjectStore}. */
export class DataLake {
  /** The store. */
  readonly store: ObjectStore;
  /** The manifest (Galexie defaults when the store has none). */
  readonly manifest: LakeManifest;
  /** The network passphrase of the lake. */
  readonly networkPassphrase: string;
  /** True when the store had a `.config.json`. */
  readonly hasManifest: boolean;
  #layout: LakeLayoutKind | undefined;
  #suffixes: string[] = [...BATCH_SUFFIXES];
  #oldest: { partition: string; start: number } | undefined;

  private constructor(store: ObjectStore, manifest: LakeManifest, hasManifest: boolean) {
    this.store = store;
    this.manifest = manifest;
    this.hasManifest = hasManifest;
    this.networkPassphrase = manifest.networkPassphrase ?? "";
  }

  /**
   * Opens a lake: reads `.config.json` and checks the passphrase. Rejects with `SourceError`
   * (`unavailable` when the store cannot be reached, `invalid_argument` for a bad manifest or a
   * passphrase mismatch).
   */
  static async open(url: string, options: OpenLakeOptions = {}): Promise<DataLake> {
    let store = options.store;
    if (!store) {
      try {
        store = storeFor(parseLakeLocation(url, options.env ?? {}, options.cwd), options.remote);
      } catch (err) {
        throw new SourceError("failed_precondition", (err as Error).message, { cause: err });
      }
    }
    const text = await store.get(MANIFEST_NAME);
    let manifest: LakeManifest;
    if (text === null) {
      if (!options.networkPassphrase) {
        throw new SourceError(
          "failed_precondition",
          `${store.describe(MANIFEST_NAME)} not found: the lake has no manifest, so the network ` +
            `passphrase must be configured (NETWORK_PASSPHRASE)`,
          { object: store.describe(MANIFEST_NAME) },
        );
      }
      manifest = { ...DEFAULT_MANIFEST, networkPassphrase: options.networkPassphrase };
    } else {
      try {
        manifest = parseLakeManifest(new TextDecoder().decode(text), store.describe(MANIFEST_NAME));
      } catch (err) {
        throw new SourceError("failed_precondition", (err as Error).message, {
          object: store.describe(MANIFEST_NAME),
        });
      }
      if (
        options.networkPassphrase !== undefined &&
        manifest.networkPassphrase !== options.networkPassphrase
      ) {
        throw new SourceError(
          "failed_precondition",
          `network passphrase mismatch: configured "${options.networkPassphrase}", but ` +
            `${store.describe(MANIFEST_NAME)} says "${manifest.networkPassphrase}"`,
          { object: store.describe(MANIFEST_NAME) },
        );
      }
    }
    return new DataLake(store, manifest, text !== null);
  }

  /** The layout once discovered by {@linkcode availableRange}; undefined before. */
  get layout(): LakeLayoutKind | undefined {
    return this.#layout;
  }

  /** The range of ledgers held by the batch containing `seq`. */
  batchRange(seq: number): SequenceRange {
    return batchRange(seq, this.manifest);
  }

  async #batchesIn(dir: string, limit?: number) {
    const listing = await this.store.listDir(dir, limit === undefined ? {} : { limit });
    return listing.files.map(parseBatchName).filter((b) => b !== null).sort(byStart);
  }

  #noteSuffix(suffix: string): void {
    this.#suffixes = [suffix, ...this.#suffixes.filter((s) => s !== suffix)];
  }

  /**
   * Discovers the first and last ledger held, from listings: the root (partition folders or flat
   * batch objects), then the newest and oldest partitions. Listing order is newest first
   * (reversed hex), so the tip costs one short listing. Null when the lake holds no batch.
   * Gaps inside the range are not detected here; reading a missing batch reports it.
   */
  async availableRange(): Promise<SequenceRange | null> {
    const root = await this.store.listDir("");
    const partitions = root.dirs
      .map((name) => ({ name, range: parsePartitionName(name) }))
      .filter((p): p is { name: string; range: SequenceRange } => p.range !== null)
      .sort((a, b) => a.range.start - b.range.start);
    if (partitions.length === 0) {
      const batches = root.files.map(parseBatchName).filter((b) => b !== null).sort(byStart);
      if (batches.length === 0) return null;
      this.#layout = "flat";
      this.#noteSuffix(batches[batches.length - 1].suffix);
      return { start: batches[0].start, end: batches[batches.length - 1].end };
    }
    this.#layout = "partitioned";
    let end: number | undefined;
    for (let i = partitions.length - 1; i >= 0 && end === undefined; i--) {
      // Names sort newest first: a short listing usually holds the newest batch.
      let batches = await this.#batchesIn(partitions[i].name, 8);
      if (batches.length === 0) batches = await this.#batchesIn(partitions[i].name);
      if (batches.length > 0) {
        end = batches[batches.length - 1].end;
        this.#noteSuffix(batches[batches.length - 1].suffix);
      }
    }
    if (end === undefined) return null;
    let start: number | undefined;
    for (const p of partitions) {
      if (this.#oldest?.partition === p.name) {
        start = this.#oldest.start;
        break;
      }
      const batches = await this.#batchesIn(p.name);
      if (batches.length > 0) {
        start = batches[0].start;
        this.#oldest = { partition: p.name, start };
        break;
      }
    }
    return start === undefined ? null : { start, end };
  }

  /**
   * The newest ledger held, from two short listings (names sort newest first): the root's first
   * entries, then the newest partition's. Undefined when the lake holds no batch. Falls back to
   * {@linkcode availableRange} when the short listings find nothing (e.g. an empty newest
   * partition).
   */
  async tip(): Promise<number | undefined> {
    const root = await this.store.listDir("", { limit: 8 });
    const partition = root.dirs.find((d) => parsePartitionName(d) !== null);
    if (partition !== undefined) {
      this.#layout = "partitioned";
      const batches = await this.#batchesIn(partition, 8);
      if (batches.length > 0) {
        this.#noteSuffix(batches[batches.length - 1].suffix);
        return batches[batches.length - 1].end;
      }
    } else {
      const batches = root.files.map(parseBatchName).filter((b) => b !== null).sort(byStart);
      if (batches.length > 0) {
        this.#layout = "flat";
        return batches[batches.length - 1].end;
      }
    }
    return (await this.availableRange())?.end;
  }

  /** Candidate keys of the batch holding `seq`, most likely first. */
  candidateKeys(seq: number): string[] {
    const layouts: LakeLayoutKind[] = this.#layout
      ? [this.#layout]
      : this.manifest.batchesPerPartition > 1
      ? ["partitioned", "flat"]
      : ["flat"];
    const keys: string[] = [];
    for (const layout of layouts) {
      for (const suffix of this.#suffixes) {
        keys.push(
          batchKey(seq, this.manifest, {
            suffix,
            partitioned: layout === "partitioned" && this.manifest.batchesPerPartition > 1,
          }),
        );
      }
    }
    return [...new Set(keys)];
  }

  /** Reads the batch holding `seq`; null when no candidate object exists. */
  async tryReadBatch(seq: number, signal?: AbortSignal): Promise<LakeBatch | null> {
    for (const key of this.candidateKeys(seq)) {
      const bytes = await this.store.get(key, signal);
      if (bytes !== null) {
        const parsed = parseBatchName(key.slice(key.lastIndexOf("/") + 1));
        if (parsed) this.#noteSuffix(parsed.suffix);
        return { object: this.store.describe(key), key, range: this.batchRange(seq), bytes };
      }
    }
    return null;
  }

  /**
   * Reads the batch holding `seq`. Rejects with a `not_found` `SourceError` naming the ledger and
   * the object when it is missing.
   */
  async readBatch(seq: number, signal?: AbortSignal): Promise<LakeBatch> {
    const batch = await this.tryReadBatch(seq, signal);
    if (batch) return batch;
    throw batchNotFound(seq, this.candidateKeys(seq).map((k) => this.store.describe(k)));
  }
}
