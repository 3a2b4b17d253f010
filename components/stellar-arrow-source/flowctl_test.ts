// flowctl wiring: the source registers with a (scripted, loopback) control plane and sends its
// metrics (ledgers_processed, last_sequence, ...) with heartbeats.
import assert from "node:assert/strict";
import { startScriptedControlPlane, waitFor } from "../../shared/flowctl/testing.ts";
import { lakePath } from "./testing/fixtures.ts";
import { readRows, startHarness } from "./testing/harness.ts";

Deno.test("registers with flowctl and reports ledgers_processed in heartbeats", async () => {
  const cp = await startScriptedControlPlane({ protocols: ["legacy"] });
  const h = await startHarness([
    "--datalake-url",
    lakePath("pubnet-p26"),
    "--workers",
    "1",
    "--enable-flowctl",
    "--flowctl-endpoint",
    cp.endpoint,
    "--flowctl-heartbeat-interval",
    "100ms",
  ]);
  try {
    await waitFor(() => cp.calls.some((c) => c.method === "Register"), "Register");
    assert.equal((await readRows(h.client, "stellar_ledgers:63092990:63092992")).length, 3);
    await waitFor(
      () =>
        cp.calls.some((c) =>
          c.method === "Heartbeat" && c.request.metrics.ledgers_processed === 3 &&
          c.request.metrics.last_sequence === 63092992
        ),
      "a heartbeat with ledgers_processed 3 and last_sequence 63092992",
    );
    const hb = cp.calls.findLast((c) => c.method === "Heartbeat");
    assert.ok(hb && hb.method === "Heartbeat");
    for (const name of ["total_bytes", "processing_latency_ms", "success_count", "error_count"]) {
      assert.ok(name in hb.request.metrics, `heartbeat lacks ${name}`);
    }
    const health = await (await fetch(`http://127.0.0.1:${h.source.healthPort}/health`)).json();
    assert.ok(health.flowctl, "health shows the flowctl status");
  } finally {
    await h.close();
    await cp.close();
  }
});
