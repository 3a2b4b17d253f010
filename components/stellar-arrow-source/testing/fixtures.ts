/**
 * Test helpers: fixture lake paths, `testdata/ledgers.json` facts, and temp-dir lake copies.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Absolute path of `testdata/lakes/<name>`. */
export function lakePath(name: string): string {
  return fileURLToPath(new URL(`../../../testdata/lakes/${name}`, import.meta.url));
}

/** The four fixture lakes. */
export const LAKES = ["pubnet-p26", "testnet-p19", "pubnet-mixed", "testnet-galexie-test-bucket"];

/** Facts about one fixture ledger (`testdata/ledgers.json`). */
export interface LedgerFacts {
  seq: number;
  network: string;
  protocol: number;
  hash: string;
  closeTime: number;
  txCount: number;
  txOk: number;
  txFailed: number;
  opCountInTxSet: number;
}

/** All ledger facts by sequence. */
export async function ledgerFacts(): Promise<Map<number, LedgerFacts>> {
  const text = await Deno.readTextFile(new URL("../../../testdata/ledgers.json", import.meta.url));
  const list = (JSON.parse(text) as { ledgers: LedgerFacts[] }).ledgers;
  return new Map(list.map((l) => [l.seq, l]));
}

/** Copies a fixture lake into a new temp dir; returns the copy's path. */
export async function copyLake(name: string): Promise<string> {
  const dest = await Deno.makeTempDir({ prefix: `lake-${name}-` });
  const copy = async (from: string, to: string) => {
    for await (const e of Deno.readDir(from)) {
      if (e.isDirectory) {
        await Deno.mkdir(`${to}/${e.name}`);
        await copy(`${from}/${e.name}`, `${to}/${e.name}`);
      } else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
    }
  };
  await copy(lakePath(name), dest);
  return dest;
}
