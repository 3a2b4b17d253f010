// The whole pipeline on the real pubnet-p26 lake: four processes on loopback; the stored Parquet
// dataset (read with DuckDB), the REST API and a live WebSocket subscriber all hold exactly the
// events the extraction module yields for those ledgers.
import assert from "node:assert/strict";
import { digestEvents, expectedEvents, PUBNET_P26, storedDigest } from "./testing/events.ts";
import { getJson, TestPipeline, until } from "./testing/harness.ts";
import { subscribe } from "./testing/ws.ts";

Deno.test({
  name: "pipeline on pubnet-p26: Parquet, REST and WebSocket hold exactly the extracted events",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const expected = digestEvents(expectedEvents(PUBNET_P26.lake));
  assert.ok(expected.total > 1000, `expected a real workload, got ${expected.total} events`);
  const dataDir = await Deno.makeTempDir({ prefix: "pipeline-e2e-" });
  const pipeline = new TestPipeline({
    datalakeUrl: PUBNET_P26.lake,
    dataDir,
    startLedger: PUBNET_P26.first,
    endLedger: PUBNET_P26.last,
    workers: 2,
  });
  try {
    await pipeline.start("control-plane");
    await pipeline.start("source");
    // The sink comes up before the processor (it waits for it, degraded), so the WebSocket
    // subscriber is connected before any event flows.
    await pipeline.start("sink");
    const live = await subscribe(pipeline.ws);
    const stats0 = await pipeline.stats();
    assert.equal(stats0?.events_total ?? 0, 0);
    await pipeline.start("processor");

    await pipeline.waitStored(PUBNET_P26.last);
    const stats = await pipeline.stats();
    assert.equal(stats?.events_total, expected.total);
    assert.deepEqual(stats?.events_by_type, expected.byType);

    // Live: every committed event once, counted per kind.
    await until(
      "the subscriber to receive every event",
      20_000,
      () => live.ids.length >= expected.total ? true : undefined,
      {
        detail: () => `received ${live.ids.length} of ${expected.total}`,
      },
    );
    await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
    live.close();
    assert.deepEqual(live.byType, expected.byType);
    assert.deepEqual([...live.ids].sort(), expected.ids);

    // REST: page through every event by cursor.
    const rest: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${pipeline.api}/events?limit=1000${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
      }`;
      const page = await getJson(url);
      assert.ok(page, `GET ${url} failed`);
      for (const e of page.events as { event_id: string }[]) rest.push(e.event_id);
      cursor = page.next_cursor as string | null;
    } while (cursor);
    assert.deepEqual(rest, expected.ids, "REST pages in event_id order hold every event once");

    // Every service registered with the control plane.
    const registered = await until("three registered services", 20_000, async () => {
      const list = ((await getJson(pipeline.services))?.services ?? []) as { type: string }[];
      return list.length === 3 ? list : undefined;
    });
    assert.deepEqual(registered.map((s) => s.type).sort(), ["processor", "sink", "source"]);

    await pipeline.stop("sink");
    const stored = await storedDigest(dataDir);
    assert.deepEqual(stored.byType, expected.byType);
    assert.deepEqual(stored.amountByAsset, expected.amountByAsset);
    assert.deepEqual(stored.byLedger, expected.byLedger);
    assert.deepEqual(stored.ids, expected.ids);
  } finally {
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
