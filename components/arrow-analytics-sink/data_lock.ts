/**
 * One sink per data directory: an exclusive advisory lock (flock) on `DATA_DIR/.lock`, held for
 * the sink's lifetime and released by the kernel when the process dies, so a second sink started
 * on the same directory by mistake fails fast instead of interleaving commits.
 *
 * @module
 */

/** File name of the lock inside the data directory (hidden, not part of the dataset). */
export const LOCK_FILE = ".lock";

/** Another process (or sink) holds the data directory. */
export class DataDirLockedError extends Error {
  override name = "DataDirLockedError";
}

/** A held lock. */
export interface DataDirLock {
  /** Releases the lock. */
  release(): void;
}

/**
 * Takes the lock of `dataDir` (which must exist).
 *
 * @throws {DataDirLockedError} when it is still held by someone else after `timeoutMs`.
 */
export async function lockDataDir(dataDir: string, timeoutMs = 1000): Promise<DataDirLock> {
  const path = `${dataDir}/${LOCK_FILE}`;
  const file = await Deno.open(path, { create: true, write: true });
  let timer: number | undefined;
  const acquired = await Promise.race([
    file.lock(true).then(() => true, () => false),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!acquired) {
    // The blocking flock stays pending in Deno's thread pool (it cannot be cancelled); closing
    // the file lets it fail or release whatever it gets.
    file.close();
    throw new DataDirLockedError(
      `${dataDir} is in use by another arrow-analytics-sink (${path} is locked): expected one sink per DATA_DIR`,
    );
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  return {
    release() {
      try {
        file.close(); // closing the descriptor drops the lock
      } catch {
        // already closed
      }
    },
  };
}
