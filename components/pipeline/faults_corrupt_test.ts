// A corrupt object in the lake (a copy of pubnet-p26 with bytes flipped in one batch file): the
// pipeline says so — the source's /health and the processor's and sink's logs name the ledger and
// the object — and stops before it: nothing of the corrupt ledger or beyond is stored, and what is
// stored is exactly the extracted events of the ledgers before it, through the ledger right
// before it. The source has no option to
// skip a corrupt object, so it never skips.
import assert from "node:assert/strict";
import { digestEvents, expectedEvents, PUBNET_P26, storedDigest } from "./testing/events.ts";
import { getJson, TestPipeline, until } from "./testing/harness.ts";
import { corruptLakeCopy } from "./testing/lake.ts";

const CORRUPT = 63092991;

async function runOnCorruptLake(
  check: (r: { pipeline: TestPipeline; dataDir: string; object: string }) => Promise<void>,
): Promise<void> {
  const lake = await corruptLakeCopy(PUBNET_P26.lake, CORRUPT);
  const dataDir = await Deno.makeTempDir({ prefix: "pipeline-fault-corrupt-" });
  const pipeline = new TestPipeline({
    datalakeUrl: lake.path,
    dataDir,
    startLedger: PUBNET_P26.first,
    endLedger: PUBNET_P26.last,
    flowctl: false,
  });
  try {
    await pipeline.startAll();
    // The sink has retried the failing stream at least once.
    const object = lake.object.slice(lake.object.lastIndexOf("/") + 1);
    await until(
      "the sink to report the corrupt object twice",
      30_000,
      () => pipeline.lines("sink").filter((l) => l.includes(object)).length >= 2 ? true : undefined,
      {
        detail: () => pipeline.tail(),
      },
    );
    await check({ pipeline, dataDir, object });
  } finally {
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(lake.path, { recursive: true });
  }
}

Deno.test({
  name: "corrupt lake object: reported with ledger and object, nothing of it or beyond stored",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  await runOnCorruptLake(async ({ pipeline, dataDir, object }) => {
    const health = await getJson(`http://127.0.0.1:${pipeline.ports.sourceHealth}/health`);
    assert.equal(health?.status, "degraded");
    const reasons = JSON.stringify(health?.reasons);
    assert.match(reasons, new RegExp(`${CORRUPT}.*${object}`), reasons);
    for (const name of ["processor", "sink"] as const) {
      const reported = pipeline.lines(name).find((l) => l.includes(object));
      assert.ok(reported, `${name} logs name the object:\n${pipeline.tail()}`);
      assert.match(reported, new RegExp(`ledgers ${CORRUPT}`));
      assert.match(reported, /DATA_LOSS|zstd/);
    }

    // The processor marks each ledger complete, so the ledger before the corrupt one is stored
    // although the stream breaks right after it.
    const stats = await until(`the sink to store through ${CORRUPT - 1}`, 10_000, async () => {
      const s = await pipeline.stats();
      return s && Number(s.last_ledger) >= CORRUPT - 1 ? s : undefined;
    });
    const last = Number(stats.last_ledger);
    assert.equal(last, CORRUPT - 1, `expected the dataset to end at ${CORRUPT - 1}, not ${last}`);
    await pipeline.stop("sink");
    const stored = await storedDigest(dataDir);
    const expected = digestEvents(expectedEvents(PUBNET_P26.lake, { last }));
    assert.deepEqual(stored.ids, expected.ids, "exactly the events before the corrupt ledger");
    assert.deepEqual(stored.amountByAsset, expected.amountByAsset);
  });
});
