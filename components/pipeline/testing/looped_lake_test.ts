import assert from "node:assert/strict";
import { summarizeLedgerCloseMetaBatch } from "../../../shared/ledger/mod.ts";
import { extractEvents } from "../../../shared/ttp/mod.ts";
import zlib from "node:zlib";
import { PUBNET_P26 } from "./events.ts";
import { lakeObjects } from "./lake.ts";
import { writeLoopedLake } from "./looped_lake.ts";

const PUBNET = "Public Global Stellar Network ; September 2015";

Deno.test("writeLoopedLake: renumbered copies pass the hash check, chain, and keep their events", () => {
  const target = Deno.makeTempDirSync({ prefix: "looped-lake-" });
  try {
    const n = PUBNET_P26.last - PUBNET_P26.first + 1;
    const looped = writeLoopedLake({ lake: PUBNET_P26.lake, target, copies: 2 });
    assert.deepEqual(looped, { first: PUBNET_P26.first, last: PUBNET_P26.first + 2 * n - 1 });
    const objects = lakeObjects(target);
    assert.equal(objects.length, 2 * n);
    let previousHash: Uint8Array | undefined;
    const originals = lakeObjects(PUBNET_P26.lake);
    objects.forEach((o, i) => {
      assert.equal(o.ledger, PUBNET_P26.first + i);
      const raw = new Uint8Array(zlib.zstdDecompressSync(Deno.readFileSync(`${target}/${o.path}`)));
      // summarize verifies sha256(header) against the stored hash.
      const [l] = summarizeLedgerCloseMetaBatch(raw).ledgers;
      assert.equal(l.summary.sequence, PUBNET_P26.first + i);
      if (previousHash) assert.deepEqual(l.summary.previousHash, previousHash);
      previousHash = l.summary.hash;
      if (i === n) {
        // The first ledger of the second copy has the same events as the original, renumbered.
        const original = new Uint8Array(
          zlib.zstdDecompressSync(Deno.readFileSync(`${PUBNET_P26.lake}/${originals[0].path}`)),
        );
        const [o0] = summarizeLedgerCloseMetaBatch(original).ledgers;
        const a = extractEvents(o0.bytes, { networkPassphrase: PUBNET });
        const b = extractEvents(l.bytes, { networkPassphrase: PUBNET });
        assert.equal(b.length, a.length);
        assert.ok(b.every((e) => e.ledger_sequence === PUBNET_P26.first + n));
        assert.deepEqual(
          b.map((e) => [e.event_type, e.amount, e.tx_hash]),
          a.map((e) => [e.event_type, e.amount, e.tx_hash]),
        );
      }
    });
  } finally {
    Deno.removeSync(target, { recursive: true });
  }
});
