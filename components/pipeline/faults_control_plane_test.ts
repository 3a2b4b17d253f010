// The control plane is optional for the data path: absent at start, started later, killed and
// restarted. Data keeps flowing in every phase; the services register once it is up and register
// again after its restart (it keeps no state here). At the end every event is stored exactly once.
// The lake grows under the test's control (a few real pubnet-p26 ledgers per phase).
import assert from "node:assert/strict";
import {
  assertStoredExactlyOnce,
  digestEvents,
  expectedEvents,
  PUBNET_P26,
  storedDigest,
} from "./testing/events.ts";
import { getJson, TestPipeline, until } from "./testing/harness.ts";
import { growingLake } from "./testing/lake.ts";

// The processor marks each ledger complete, so a following sink stores through the lake's tip.
const STORED_LAST = PUBNET_P26.last;

interface Registered {
  id: string;
  type: string;
  healthy: boolean;
}

Deno.test({
  name: "control plane absent, started, killed, restarted: data flows, services (re-)register",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const expected = digestEvents(expectedEvents(PUBNET_P26.lake, { last: STORED_LAST }));
  const lake = await growingLake(PUBNET_P26.lake, { initial: 3, intervalMs: 0 });
  const dataDir = await Deno.makeTempDir({ prefix: "pipeline-fault-flowctl-" });
  const pipeline = new TestPipeline({
    datalakeUrl: lake.path,
    dataDir,
    startLedger: PUBNET_P26.first,
  });
  const registered = async (what: string) =>
    await until(what, 30_000, async () => {
      const list = ((await getJson(pipeline.services))?.services ?? []) as Registered[];
      return list.length === 3 && list.every((s) => s.healthy) ? list : undefined;
    }, { detail: () => pipeline.tail() });
  // Adds `count` ledgers and waits until the sink stored them.
  const flow = async (count: number) => {
    const tip = lake.add(count);
    return Number((await pipeline.waitStored(tip, 30_000)).last_ledger);
  };
  try {
    // Phase 1: no control plane. Every service starts and the data flows.
    await pipeline.start("source");
    await pipeline.start("processor");
    await pipeline.start("sink");
    assert.equal(await getJson(pipeline.services), undefined, "no control plane yet");
    const phase1 = await flow(3);

    // Phase 2: the control plane comes up; every service registers; the data still flows.
    await pipeline.start("control-plane");
    const first = await registered("three services registered after the control plane started");
    assert.deepEqual(first.map((s) => s.type).sort(), ["processor", "sink", "source"]);
    const phase2 = await flow(3);
    assert.ok(
      phase2 > phase1,
      `expected progress with the control plane up: ${phase1} → ${phase2}`,
    );

    // Phase 3: the control plane crashes; the data keeps flowing.
    await pipeline.kill("control-plane");
    const phase3 = await flow(4);
    assert.ok(
      phase3 > phase2,
      `expected progress without the control plane: ${phase2} → ${phase3}`,
    );
    for (const name of ["source", "processor", "sink"] as const) {
      assert.ok(pipeline.isRunning(name), `${name} kept running`);
    }

    // Phase 4: it restarts empty; the services notice and register again.
    await pipeline.start("control-plane");
    const again = await registered("three services registered again after the restart");
    assert.deepEqual(again.map((s) => s.type).sort(), ["processor", "sink", "source"]);

    lake.add(20);
    await pipeline.waitStored(STORED_LAST, 30_000);
    await pipeline.stop("sink");
    const stored = await storedDigest(dataDir);
    assertStoredExactlyOnce(stored, expected);
  } finally {
    lake.stop();
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(lake.path, { recursive: true });
  }
});
