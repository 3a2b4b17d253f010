import assert from "node:assert/strict";
import type { TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { makeEvent, makeLedgers } from "../testing/events.ts";
import { DatasetWriter } from "../writers/dataset_writer.ts";
import { EventStore, ledgerOfEventId, whereClause } from "./store.ts";

Deno.test("ledgerOfEventId reads the ledger from the TOID", () => {
  assert.equal(
    ledgerOfEventId(makeEvent({ ledger: 63092982, tx: 7, op: 3, index: 2 }).event_id),
    63092982,
  );
});

Deno.test("whereClause binds every value as a parameter", () => {
  const w = whereClause({
    filters: { event_type: ["fee"], address: ["GA'; DROP"], min_amount: -5n },
    ledgerFrom: 3,
    after: "x",
  });
  assert.ok(!w.sql.includes("DROP"));
  assert.deepEqual(w.params, ["fee", "GA'; DROP", "GA'; DROP", "-5", 3, "x"]);
});

Deno.test("stats are computed once from files, then kept current from commits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-store-" });
  try {
    const writer = new DatasetWriter({
      dataDir: dir,
      formats: ["parquet"],
    });
    const first = makeLedgers(1, 10, 7);
    const store = await EventStore.open({ format: "parquet", files: await writer.write(first) });
    const before = await store.stats();
    assert.equal(before.events_total, 70);
    // A commit arrives; the running stats must equal a fresh store's.
    const second: TtpEvent[] = [
      ...makeLedgers(11, 12, 7),
      makeEvent({
        ledger: 12,
        index: 99,
        asset: "native",
        amount: "170141183460469231731687303715884105727",
      }),
    ];
    const files = await writer.write(second);
    store.addCommit(files, second);
    const after = await store.stats();
    const fresh = await EventStore.open({ format: "parquet", files: await writer.list("parquet") });
    assert.deepEqual(after, await fresh.stats());
    assert.equal(after.events_total, 85);
    assert.equal(after.last_event_ledger, 12);
    const native = after.top_assets_by_volume.find((a) => a.asset === "native")!;
    const expected = [...first, ...second].filter((e) =>
      e.asset === "native" && e.event_type !== "fee"
    )
      .reduce((n, e) => n + BigInt(e.amount), 0n);
    assert.equal(native.volume, expected.toString(), "beyond the i128 range, exact");
    assert.ok(expected > (1n << 127n) - 1n);
    store.close();
    fresh.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
