/**
 * Temporary copies of a fixture lake for tests: a lake that grows over time (ledgers added one by
 * one, as Galexie would, so a follow-mode pipeline streams slowly enough to be disturbed in the
 * middle), and a copy with one corrupt object.
 *
 * @module
 */

/** One batch file of a lake: its path relative to the lake and its first ledger. */
export interface LakeObject {
  /** Path relative to the lake folder. */
  path: string;
  /** First ledger in the object (from its name). */
  ledger: number;
}

/** Lists a lake's batch objects in ledger order. */
export function lakeObjects(lake: string): LakeObject[] {
  const out: LakeObject[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isDirectory) walk(`${dir}/${e.name}`, `${prefix}${e.name}/`);
      else if (/\.xdr\.zstd?$/.test(e.name)) {
        const m = e.name.match(/--(\d+)(?:-\d+)?\.xdr\.zstd?$/);
        if (!m) throw new Error(`Expected a SEP-54 batch name, got ${e.name}`);
        out.push({ path: prefix + e.name, ledger: Number(m[1]) });
      }
    }
  };
  walk(lake, "");
  return out.sort((a, b) => a.ledger - b.ledger);
}

/** Copies `from` to `to` under a temporary name, then renames it (an object store's atomic PUT). */
function putFile(from: string, to: string): void {
  Deno.copyFileSync(from, `${to}.tmp`);
  Deno.renameSync(`${to}.tmp`, to);
}

/**
 * Copies the lake's `.config.json` (once: a source starting while objects are added must never
 * read it half-written) and the given objects into `target`.
 */
export function copyObjects(lake: string, target: string, objects: readonly LakeObject[]): void {
  try {
    Deno.statSync(`${target}/.config.json`);
  } catch {
    putFile(`${lake}/.config.json`, `${target}/.config.json`);
  }
  for (const o of objects) {
    const dest = `${target}/${o.path}`;
    Deno.mkdirSync(dest.slice(0, dest.lastIndexOf("/")), { recursive: true });
    putFile(`${lake}/${o.path}`, dest);
  }
}

/** A lake copy that receives the remaining ledgers over time. */
export interface GrowingLake {
  /** The copy's folder. */
  path: string;
  /** Ledgers present now (the last one). */
  readonly tip: number;
  /** Resolves when every object has been added (at once in manual mode). */
  done: Promise<void>;
  /** Adds the next `count` objects now (manual mode); returns the new tip. */
  add(count: number): number;
  /** Stops adding objects. */
  stop(): void;
}

/**
 * Copies the first `initial` objects of `lake` into a new temp folder now and then one more every
 * `intervalMs` until all are there; with `intervalMs` 0 the test adds them with `add`.
 */
export async function growingLake(
  lake: string,
  options: { initial: number; intervalMs: number },
): Promise<GrowingLake> {
  const objects = lakeObjects(lake);
  const path = await Deno.makeTempDir({ prefix: "pipeline-lake-" });
  copyObjects(lake, path, objects.slice(0, options.initial));
  let next = options.initial;
  let stopped = false;
  const done = (async () => {
    while (options.intervalMs > 0 && next < objects.length && !stopped) {
      await new Promise((r) => setTimeout(r, options.intervalMs));
      if (stopped) break;
      copyObjects(lake, path, [objects[next++]]);
    }
  })();
  return {
    path,
    get tip() {
      return objects[next - 1].ledger;
    },
    done,
    add(count: number) {
      const more = objects.slice(next, next + count);
      copyObjects(lake, path, more);
      next += more.length;
      return objects[next - 1].ledger;
    },
    stop() {
      stopped = true;
    },
  };
}

/**
 * Copies `lake` into a new temp folder and overwrites 64 bytes in the middle of the object holding
 * `ledger` (its zstd frame then fails to decode). Returns the copy and the corrupt object's path.
 */
export async function corruptLakeCopy(
  lake: string,
  ledger: number,
): Promise<{ path: string; object: string }> {
  const objects = lakeObjects(lake);
  const target = objects.find((o) => o.ledger === ledger);
  if (!target) throw new Error(`Expected an object holding ledger ${ledger} in ${lake}`);
  const path = await Deno.makeTempDir({ prefix: "pipeline-corrupt-lake-" });
  copyObjects(lake, path, objects);
  const file = `${path}/${target.path}`;
  const bytes = Deno.readFileSync(file);
  const mid = Math.floor(bytes.length / 2);
  for (let i = 0; i < 64; i++) bytes[mid + i] ^= 0xa5;
  Deno.writeFileSync(file, bytes);
  return { path, object: target.path };
}
