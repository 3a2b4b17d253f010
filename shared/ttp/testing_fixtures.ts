/**
 * Test helper: every fixture ledger of `testdata/lakes/` as `LedgerCloseMeta` bytes with its
 * lake and network passphrase. Not for production use.
 *
 * @module
 */
import { fixtureLakes, LAKES_DIR, readFixtureBatches } from "../ledger/testdata.ts";
import { splitLedgerCloseMetaBatch } from "../ledger/batch.ts";

/** One fixture ledger. */
export interface FixtureLedger {
  /** Lake folder name. */
  lake: string;
  /** Ledger sequence. */
  sequence: number;
  /** Network passphrase from the lake's `.config.json`. */
  passphrase: string;
  /** `LedgerCloseMeta` XDR. */
  bytes: Uint8Array;
}

/** All fixture ledgers (optionally of one lake), in file order. */
export function fixtureLedgers(lake?: string): FixtureLedger[] {
  const out: FixtureLedger[] = [];
  for (const name of lake ? [lake] : fixtureLakes()) {
    const config = JSON.parse(Deno.readTextFileSync(new URL(`${name}/.config.json`, LAKES_DIR)));
    for (const batch of readFixtureBatches(name)) {
      const parts = splitLedgerCloseMetaBatch(batch.bytes);
      parts.ledgers.forEach((bytes, i) => {
        out.push({
          lake: name,
          sequence: parts.startSequence + i,
          passphrase: config.networkPassphrase,
          bytes,
        });
      });
    }
  }
  return out.sort((a, b) => a.sequence - b.sequence);
}
