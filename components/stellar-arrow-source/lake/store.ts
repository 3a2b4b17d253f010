/**
 * The object-store interface the lake reader needs: get an object, list one "directory" level.
 * Implementations: {@linkcode LocalStore} (filesystem) and {@linkcode HttpStore} (S3 REST API over
 * HTTP(S), anonymous or SigV4-signed).
 *
 * @module
 */

import { SourceError } from "../errors.ts";

/**
 * The store serves objects but does not allow listing them (HTTP 401/403/405/501, or an answer
 * that is not a ListObjectsV2 document), as with public buckets that grant `GetObject` only.
 * The lake's range is then unknown; objects can still be read by name.
 */
export class ListingRefusedError extends SourceError {
  /** `ListingRefusedError`. */
  override name = "ListingRefusedError";
  /** Creates the error for a listing URL. */
  constructor(message: string, object: string) {
    super("unavailable", message, { object });
  }
}

/** One level of a listing, like S3 ListObjectsV2 with `delimiter=/`. */
export interface DirListing {
  /** Child folder names (without trailing slash), sorted ascending. */
  dirs: string[];
  /** Child object names, sorted ascending. */
  files: string[];
}

/** Options for {@linkcode ObjectStore.listDir}. */
export interface ListOptions {
  /**
   * Stop after this many entries (folders and objects together, in ascending name order), like
   * S3's `max-keys` across pages. Default: all.
   */
  limit?: number;
}

/** A read-only object store rooted at the lake root. Keys use `/` separators. */
export interface ObjectStore {
  /** Human-readable location of the lake root (path or URL), for messages. */
  readonly location: string;
  /** Location of one key, for messages. */
  describe(key: string): string;
  /**
   * Reads an object. Resolves null when it does not exist; rejects with a `SourceError` of kind
   * `unavailable` when the store cannot be reached.
   */
  get(key: string, signal?: AbortSignal): Promise<Uint8Array | null>;
  /** Lists the children of `dir` ("" for the root). A missing folder lists as empty. */
  listDir(dir: string, options?: ListOptions): Promise<DirListing>;
}
