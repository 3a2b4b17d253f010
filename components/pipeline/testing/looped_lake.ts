/**
 * A longer lake made of a short real one for steady-state benchmarks: the fixture ledgers
 * repeated `copies` times, renumbered to consecutive sequences. Each copy's `LedgerHeader` gets
 * its new `ledgerSeq` and `previousLedgerHash` (the chain stays intact), and the entry's `hash`
 * is recomputed, so the source's hash check passes. Everything else (transactions, their hashes,
 * events, close times) is the real ledger's.
 *
 * @module
 */
import zlib from "node:zlib";
import { splitLedgerCloseMetaBatch } from "../../../shared/ledger/mod.ts";
import { sha256 } from "../../../shared/stellar/hash.ts";
import { fieldOffset, skip, unionArm } from "../../../shared/xdr/mod.ts";
import { batchKey } from "../../stellar-arrow-source/lake/keys.ts";
import { lakeObjects } from "./lake.ts";

/** Options of {@linkcode writeLoopedLake}. */
export interface LoopedLakeOptions {
  /** The real lake (one ledger per batch file, like `pubnet-p26`). */
  lake: string;
  /** Folder to write the looped lake into (created). */
  target: string;
  /** How many times the lake's ledgers are repeated. */
  copies: number;
}

/** What {@linkcode writeLoopedLake} wrote. */
export interface LoopedLake {
  /** First ledger (the real lake's first). */
  first: number;
  /** Last ledger. */
  last: number;
}

const LCM_BODIES = ["LedgerCloseMetaV0", "LedgerCloseMetaV1", "LedgerCloseMetaV2"];

/**
 * Rewrites a `LedgerCloseMeta` in place to ledger `sequence` after a ledger whose hash is
 * `previousHash`; returns its new hash.
 */
export function renumberLedger(
  lcm: Uint8Array,
  sequence: number,
  previousHash: Uint8Array,
): Uint8Array {
  const arm = unionArm("LedgerCloseMeta", lcm, 0);
  const body = LCM_BODIES[arm.discriminant];
  if (!body) throw new RangeError(`Expected LedgerCloseMeta v0..v2, got v${arm.discriminant}`);
  const entry = fieldOffset(body, "ledgerHeader", lcm, 4);
  const header = entry + 32; // LedgerHeaderHistoryEntry: hash, then header
  const view = new DataView(lcm.buffer, lcm.byteOffset, lcm.byteLength);
  view.setUint32(fieldOffset("LedgerHeader", "ledgerSeq", lcm, header), sequence);
  lcm.set(previousHash, fieldOffset("LedgerHeader", "previousLedgerHash", lcm, header));
  const hash = sha256(lcm.subarray(header, skip("LedgerHeader", lcm, header)));
  lcm.set(hash, entry);
  return hash;
}

function batchXdr(sequence: number, lcm: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + lcm.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, sequence);
  view.setUint32(4, sequence);
  view.setUint32(8, 1);
  out.set(lcm, 12);
  return out;
}

/**
 * Writes the looped lake: `copies × (ledgers of lake)` consecutive ledgers from the lake's first
 * one, one per batch file, with the lake's `.config.json` (it must have `ledgersPerBatch` 1).
 */
export function writeLoopedLake(options: LoopedLakeOptions): LoopedLake {
  const { lake, target, copies } = options;
  const config = JSON.parse(Deno.readTextFileSync(`${lake}/.config.json`));
  if (config.ledgersPerBatch !== 1) {
    throw new RangeError(`Expected a lake with ledgersPerBatch 1, got ${config.ledgersPerBatch}`);
  }
  const layout = { ledgersPerBatch: 1, batchesPerPartition: Number(config.batchesPerPartition) };
  const objects = lakeObjects(lake);
  const ledgers = objects.flatMap((o) => {
    const raw = zlib.zstdDecompressSync(Deno.readFileSync(`${lake}/${o.path}`));
    return splitLedgerCloseMetaBatch(new Uint8Array(raw)).ledgers;
  });
  const first = objects[0].ledger;
  Deno.mkdirSync(target, { recursive: true });
  Deno.copyFileSync(`${lake}/.config.json`, `${target}/.config.json`);
  const folders = new Set<string>();
  let previous: Uint8Array = new Uint8Array(32);
  let sequence = first;
  for (let c = 0; c < copies; c++) {
    for (const original of ledgers) {
      const lcm = original.slice();
      previous = renumberLedger(lcm, sequence, previous);
      const path = `${target}/${batchKey(sequence, layout)}`;
      const folder = path.slice(0, path.lastIndexOf("/"));
      if (!folders.has(folder)) {
        Deno.mkdirSync(folder, { recursive: true });
        folders.add(folder);
      }
      Deno.writeFileSync(path, zlib.zstdCompressSync(batchXdr(sequence, lcm)));
      sequence++;
    }
  }
  return { first, last: sequence - 1 };
}
