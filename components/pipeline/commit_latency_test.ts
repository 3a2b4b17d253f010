// Once the sink's input is complete through END, the last commit should follow at once, not wait
// for a periodic flush. It used to land ~25–40 s after "Input complete" with FLUSH_INTERVAL=10s
// and JSON Lines output: the text encoder yielded between slices with `setTimeout(resolve, 0)`,
// and those timers fired only when the flush interval woke the idle event loop (Deno 2.7.14);
// it yields with `setImmediate` now.
import assert from "node:assert/strict";
import { PUBNET_P26, readCheckpoint } from "./testing/events.ts";
import { TestPipeline, until } from "./testing/harness.ts";

Deno.test({
  name: "sink commits the last ledgers promptly once its input is complete at END",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pipeline-commit-latency-" });
  const pipeline = new TestPipeline({
    datalakeUrl: PUBNET_P26.lake,
    dataDir,
    startLedger: PUBNET_P26.first,
    endLedger: PUBNET_P26.last,
    flowctl: false,
    env: { sink: { FLUSH_INTERVAL: "10s", OUTPUT_FORMATS: "jsonl,api" } },
  });
  try {
    await pipeline.startAll();
    await until(
      "the sink's input to complete",
      60_000,
      () => pipeline.lines("sink").some((l) => l.includes("Input complete")) ? true : undefined,
    );
    const inputDone = Date.now();
    await until(
      "the checkpoint to reach END",
      60_000,
      () => readCheckpoint(dataDir)?.last_ledger === PUBNET_P26.last ? true : undefined,
      {
        intervalMs: 20,
      },
    );
    const lagMs = Date.now() - inputDone;
    assert.ok(lagMs < 5_000, `the final commit came ${lagMs} ms after the input completed`);
  } finally {
    await pipeline.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
