/**
 * Crash-safe file creation: write under a hidden temporary name, fsync, rename, fsync the folder.
 * A reader listing the folder sees either nothing or the whole file.
 *
 * @module
 */
import { isTempFileName, tempFileName } from "./partition.ts";

/** Flushes a folder's entries (renames, deletions) to disk. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
}

/**
 * Writes `data` to `dir/name` atomically; creates `dir` when missing. An existing file of the same
 * name is replaced (the rename is atomic).
 *
 * @returns the final path.
 */
export async function writeFileAtomic(
  dir: string,
  name: string,
  data: Uint8Array,
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${dir}/${tempFileName(name)}`;
  const path = `${dir}/${name}`;
  const file = await Deno.open(temp, { write: true, create: true, truncate: true });
  try {
    let written = 0;
    while (written < data.length) written += await file.write(data.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(temp, path);
  await syncDir(dir);
  return path;
}

/**
 * Removes every temporary file (as named by `tempFileName`) under `root`, recursively.
 *
 * @returns the removed paths.
 */
export async function removeTempFiles(root: string): Promise<string[]> {
  const removed: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    let changed = false;
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && isTempFileName(entry.name)) {
        await Deno.remove(path);
        removed.push(path);
        changed = true;
      }
    }
    if (changed) await syncDir(dir);
  }
  await walk(root);
  return removed;
}
