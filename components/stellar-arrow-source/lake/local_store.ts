/**
 * {@linkcode ObjectStore} over a local folder.
 *
 * @module
 */
import { SourceError, unreadableFile } from "../errors.ts";
import type { DirListing, ListOptions, ObjectStore } from "./store.ts";

function joinPath(root: string, key: string): string {
  if (key === "") return root;
  return root.endsWith("/") ? root + key : `${root}/${key}`;
}

function checkKey(key: string): void {
  if (key.split("/").some((part) => part === "..")) {
    throw new SourceError("invalid_argument", `expected a key inside the lake, got "${key}"`);
  }
}

/** A lake in a local folder. */
export class LocalStore implements ObjectStore {
  /** Absolute folder path. */
  readonly location: string;

  /** Creates a store rooted at `root` (an absolute path). */
  constructor(root: string) {
    this.location = root.replace(/\/+$/, "") || "/";
  }

  /** The path of `key`. */
  describe(key: string): string {
    return joinPath(this.location, key);
  }

  /** Reads a file; null when it does not exist. */
  async get(key: string, signal?: AbortSignal): Promise<Uint8Array | null> {
    checkKey(key);
    const path = this.describe(key);
    try {
      return await Deno.readFile(path, { signal });
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return null;
      throw unreadableFile(path, err);
    }
  }

  /** Lists a folder, sorted by name; a missing folder lists as empty. */
  async listDir(dir: string, options: ListOptions = {}): Promise<DirListing> {
    checkKey(dir);
    const path = this.describe(dir);
    const entries: { name: string; dir: boolean }[] = [];
    try {
      for await (const e of Deno.readDir(path)) {
        entries.push({ name: e.name, dir: e.isDirectory });
      }
    } catch (err) {
      if (err instanceof Deno.errors.NotFound && dir !== "") return { dirs: [], files: [] };
      throw new SourceError("unavailable", `cannot list ${path}: ${(err as Error).message}`, {
        object: path,
        cause: err,
      });
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const kept = options.limit === undefined ? entries : entries.slice(0, options.limit);
    return {
      dirs: kept.filter((e) => e.dir).map((e) => e.name),
      files: kept.filter((e) => !e.dir).map((e) => e.name),
    };
  }
}
