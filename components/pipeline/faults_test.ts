// Crash faults on the real pipeline: one service is killed with SIGKILL in the middle of the
// stream and restarted; at the end the stored dataset holds every expected event exactly once.
// The stream is slow on purpose: the sink follows a temp lake that receives one real pubnet-p26
// ledger every LEDGER_INTERVAL_MS, as Galexie would, so the kill lands between commits.
import assert from "node:assert/strict";
import type { ServiceName } from "./plan.ts";
import {
  assertStoredExactlyOnce,
  digestEvents,
  expectedEvents,
  PUBNET_P26,
  storedDigest,
} from "./testing/events.ts";
import { TestPipeline } from "./testing/harness.ts";
import { growingLake } from "./testing/lake.ts";

const LEDGER_INTERVAL_MS = 400;
// The processor marks each ledger complete (a watermark), so a following sink stores through the
// lake's last ledger.
const STORED_LAST = PUBNET_P26.last;
const expected = digestEvents(expectedEvents(PUBNET_P26.lake, { last: STORED_LAST }));

async function killMidStream(victim: ServiceName): Promise<void> {
  const lake = await growingLake(PUBNET_P26.lake, { initial: 2, intervalMs: LEDGER_INTERVAL_MS });
  const dataDir = await Deno.makeTempDir({ prefix: `pipeline-fault-${victim}-` });
  const pipeline = new TestPipeline({
    datalakeUrl: lake.path,
    dataDir,
    startLedger: PUBNET_P26.first,
    flowctl: false,
  });
  try {
    await pipeline.startAll();
    const atKill = await pipeline.waitStored(PUBNET_P26.first + 5);
    const committed = Number(atKill.last_ledger);
    assert.ok(
      committed >= PUBNET_P26.first && committed < STORED_LAST,
      `expected the kill mid-stream, the sink had stored through ${committed}`,
    );
    const status = await pipeline.kill(victim);
    assert.equal(status.signal, "SIGKILL");
    await new Promise((r) => setTimeout(r, 1000)); // the others notice the loss
    await pipeline.start(victim);

    await lake.done;
    await pipeline.waitStored(STORED_LAST, 40_000);
    await pipeline.stop("sink");
    const stored = await storedDigest(dataDir);
    assert.equal(stored.total, expected.total, pipeline.tail());
    assertStoredExactlyOnce(stored, expected);
  } finally {
    lake.stop();
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(lake.path, { recursive: true });
  }
}

for (const victim of ["processor", "source", "sink"] as const) {
  Deno.test({
    name: `${victim} killed (SIGKILL) mid-stream and restarted: every event stored exactly once`,
    sanitizeResources: false,
    sanitizeOps: false,
  }, () => killMidStream(victim));
}
