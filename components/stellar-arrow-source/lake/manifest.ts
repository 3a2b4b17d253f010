/**
 * The SEP-54 manifest `<ledgers-path>/.config.json`: network passphrase, batch layout and
 * compression. Older stores lack it; {@linkcode DEFAULT_MANIFEST} gives Galexie's defaults then.
 *
 * @module
 */
import type { LakeLayout } from "./keys.ts";

/** The manifest's name inside the lake root. */
export const MANIFEST_NAME = ".config.json";

/** A parsed manifest. */
export interface LakeManifest extends LakeLayout {
  /** Network passphrase; undefined when the store has no manifest. */
  networkPassphrase?: string;
  /** Manifest version (`"1.0"` in Galexie). */
  version?: string;
  /** Compression of batch objects; only `zstd` exists. */
  compression: "zstd";
}

/** Galexie's defaults for stores without a manifest: 1 ledger per batch, 64000 per partition. */
export const DEFAULT_MANIFEST: LakeManifest = {
  ledgersPerBatch: 1,
  batchesPerPartition: 64000,
  compression: "zstd",
};

function positiveInt(obj: Record<string, unknown>, key: string, source: string): number {
  const v = obj[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 0xffffffff) {
    throw new Error(
      `${source}: expected "${key}" to be a positive integer, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/**
 * Parses and validates manifest text; `source` (a path or URL) is named in errors. Throws when a
 * field is missing or has the wrong type, or when compression is not zstd.
 */
export function parseLakeManifest(text: string, source: string): LakeManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: expected JSON, got ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`${source}: expected a JSON object, got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  const obj = raw as Record<string, unknown>;
  const passphrase = obj.networkPassphrase;
  if (typeof passphrase !== "string" || passphrase.length === 0) {
    throw new Error(
      `${source}: expected "networkPassphrase" to be a non-empty string, got ${
        JSON.stringify(passphrase)
      }`,
    );
  }
  const compression = obj.compression ?? "zstd";
  if (compression !== "zstd") {
    throw new Error(
      `${source}: expected "compression" to be "zstd", got ${JSON.stringify(compression)}`,
    );
  }
  const version = obj.version;
  if (version !== undefined && typeof version !== "string") {
    throw new Error(`${source}: expected "version" to be a string, got ${JSON.stringify(version)}`);
  }
  return {
    networkPassphrase: passphrase,
    version,
    compression: "zstd",
    ledgersPerBatch: positiveInt(obj, "ledgersPerBatch", source),
    batchesPerPartition: positiveInt(obj, "batchesPerPartition", source),
  };
}
