// Once the sink's input is complete through END, the last commit should follow at once, not wait
// for a periodic flush. Ignored: it fails today (reported to the sink's owner). With JSON Lines
// output the final commit of the 20 pubnet-p26 ledgers lands ~25–40 s after "Input complete"
// with FLUSH_INTERVAL=10s while the sink is idle and answers /health in ~2 ms; Parquet alone
// commits within a second. With the default 2 s interval it adds up to ~2 s to every bounded run.
import assert from "node:assert/strict";
import { PUBNET_P26, readCheckpoint } from "./testing/events.ts";
import { TestPipeline, until } from "./testing/harness.ts";

Deno.test({
  name: "sink commits the last ledgers promptly once its input is complete at END",
  ignore: true,
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
