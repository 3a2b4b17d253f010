/**
 * The sink's checkpoint: `DATA_DIR/checkpoint.json`, `{"last_ledger": N, ...}`, the last ledger
 * whose events are durably in every enabled file output. Written atomically (temp file, fsync,
 * rename, fsync folder), so a crash leaves either the old or the new checkpoint.
 *
 * @module
 */
import { writeFileAtomic } from "./writers/atomic_file.ts";

/** Content of `checkpoint.json`. */
export interface Checkpoint {
  /** Last ledger durably written to every enabled file output. */
  last_ledger: number;
  /** First ledger of the dataset (the first ledger the sink started from). */
  first_ledger: number;
  /** File formats the checkpoint covers. */
  formats: string[];
  /** Events written in total. */
  events_written: number;
  /** Wall time of the update, ISO-8601. */
  updated_at: string;
}

/** File name of the checkpoint inside the data directory. */
export const CHECKPOINT_FILE = "checkpoint.json";

function isUint32(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 &&
    value <= 0xffffffff;
}

/**
 * Validates parsed checkpoint JSON.
 *
 * @throws {TypeError} naming the field that is missing or wrong.
 */
export function parseCheckpoint(value: unknown, origin = CHECKPOINT_FILE): Checkpoint {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${origin}: expected a JSON object, got ${JSON.stringify(value)}`);
  }
  const v = value as Record<string, unknown>;
  if (!isUint32(v.last_ledger)) {
    throw new TypeError(
      `${origin}: expected "last_ledger" to be a ledger number, got ${
        JSON.stringify(v.last_ledger)
      }`,
    );
  }
  const first = v.first_ledger ?? v.last_ledger;
  if (!isUint32(first) || first > v.last_ledger + 1) {
    throw new TypeError(
      `${origin}: expected "first_ledger" to be a ledger number <= last_ledger + 1, got ${
        JSON.stringify(v.first_ledger)
      }`,
    );
  }
  const formats = Array.isArray(v.formats) ? v.formats.map(String) : [];
  const eventsWritten = typeof v.events_written === "number" ? v.events_written : 0;
  return {
    last_ledger: v.last_ledger,
    first_ledger: first,
    formats,
    events_written: eventsWritten,
    updated_at: typeof v.updated_at === "string" ? v.updated_at : "",
  };
}

/**
 * Reads the checkpoint of a data directory; `undefined` when there is none yet.
 *
 * @throws {TypeError} when the file exists but is not a valid checkpoint.
 */
export async function readCheckpoint(dataDir: string): Promise<Checkpoint | undefined> {
  const path = `${dataDir}/${CHECKPOINT_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${path}: expected JSON, got ${(error as Error).message}`);
  }
  return parseCheckpoint(json, path);
}

/** Writes the checkpoint of a data directory atomically and durably. */
export async function writeCheckpoint(dataDir: string, checkpoint: Checkpoint): Promise<void> {
  const bytes = new TextEncoder().encode(JSON.stringify(checkpoint, null, 2) + "\n");
  await writeFileAtomic(dataDir, CHECKPOINT_FILE, bytes);
}
