/**
 * Test and benchmark helper: reads the real fixture lakes under `testdata/lakes/` (every batch
 * file, recursively, zstd-decompressed) and the per-ledger facts in `testdata/ledgers.json`.
 * Not for production use.
 *
 * @module
 */
import zlib from "node:zlib";

/** Root folder of the fixture lakes. */
export const LAKES_DIR: URL = new URL("../../testdata/lakes/", import.meta.url);

/** One decompressed batch file. */
export interface FixtureBatch {
  /** Lake folder name, e.g. `pubnet-p26`. */
  readonly lake: string;
  /** Path relative to the lake folder. */
  readonly file: string;
  /** The decompressed `LedgerCloseMetaBatch` XDR. */
  readonly bytes: Uint8Array;
}

/** Per-ledger facts from `testdata/ledgers.json`. */
export interface LedgerFacts {
  readonly seq: number;
  readonly network: string;
  readonly protocol: number;
  readonly lcmV: number;
  readonly hash: string;
  readonly closeTime: number;
  readonly txCount: number;
  readonly txOk: number;
  readonly txFailed: number;
  readonly opCountInTxSet: number;
  readonly txMetaVersions: Readonly<Record<string, number>>;
  readonly eventTopics: Readonly<Record<string, number>>;
}

function listFiles(dir: URL, prefix: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) out.push(...listFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else if (e.isFile && /\.xdr\.zstd?$/.test(e.name)) out.push(prefix + e.name);
  }
  return out.sort();
}

/** Names of the fixture lakes. */
export function fixtureLakes(): string[] {
  return [...Deno.readDirSync(LAKES_DIR)].filter((e) => e.isDirectory).map((e) => e.name).sort();
}

/** Reads and decompresses every batch file of one lake (or of all lakes when `lake` is omitted). */
export function readFixtureBatches(lake?: string): FixtureBatch[] {
  const lakes = lake ? [lake] : fixtureLakes();
  const out: FixtureBatch[] = [];
  for (const l of lakes) {
    const dir = new URL(`${l}/`, LAKES_DIR);
    for (const file of listFiles(dir, "")) {
      const raw = zlib.zstdDecompressSync(Deno.readFileSync(new URL(file, dir)));
      out.push({
        lake: l,
        file,
        bytes: new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
      });
    }
  }
  return out;
}

/** Per-ledger facts keyed by ledger sequence. */
export function readLedgerFacts(): Map<number, LedgerFacts> {
  const json = JSON.parse(
    Deno.readTextFileSync(new URL("../../testdata/ledgers.json", import.meta.url)),
  ) as { ledgers: LedgerFacts[] };
  return new Map(json.ledgers.map((l) => [l.seq, l]));
}
