import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { SourceError } from "../errors.ts";
import { copyLake, lakePath, ledgerFacts } from "../testing/fixtures.ts";
import { DataLake } from "./lake.ts";
import { readLakeLedgers } from "./ledgers.ts";

const FACTS = await ledgerFacts();

Deno.test("readLakeLedgers yields the requested ledgers in order, across batches", async () => {
  const lake = await DataLake.open(lakePath("testnet-p19"));
  const got = [];
  for await (const l of readLakeLedgers(lake, { start: 1410100, end: 1410180 })) got.push(l);
  assert.deepEqual(got.map((l) => l.sequence), Array.from({ length: 81 }, (_, i) => 1410100 + i));
  // The header hash sits at offset 4 of LedgerCloseMeta v0 (LedgerHeaderHistoryEntry.hash).
  for (const l of got) {
    assert.equal(
      Array.from(l.bytes.subarray(4, 36), (b) => b.toString(16).padStart(2, "0")).join(""),
      FACTS.get(l.sequence)!.hash,
    );
  }
  assert.ok(createHash("sha256").update(got[0].bytes).digest().length === 32);
});

Deno.test("readLakeLedgers reports a missing batch as not_found", async () => {
  const dir = await copyLake("pubnet-p26");
  try {
    await Deno.remove(`${dir}/FC3E15FF--63040000-63103999/FC3D4700--63092991.xdr.zst`);
    const lake = await DataLake.open(dir);
    const seen: number[] = [];
    await assert.rejects(
      async () => {
        for await (const l of readLakeLedgers(lake, { start: 63092989, end: 63092993 })) {
          seen.push(l.sequence);
        }
      },
      (err: unknown) =>
        err instanceof SourceError && err.kind === "not_found" && err.ledger === 63092991,
    );
    assert.deepEqual(seen, [63092989, 63092990]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
