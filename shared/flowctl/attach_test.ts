import assert from "node:assert/strict";
import { Registry } from "../metrics/mod.ts";
import { attachFlowctl, withTotals } from "./attach.ts";
import { loadFlowctlConfig } from "./config.ts";
import { sinkServiceDescription } from "./service_info.ts";
import { startScriptedControlPlane, waitFor } from "./testing.ts";

Deno.test("withTotals sums labelled series only when the total is missing", () => {
  const cases: [Record<string, number>, string[], Record<string, number>][] = [
    [{ api_requests_a_200: 2, api_requests_b_404: 3 }, ["api_requests"], {
      api_requests_a_200: 2,
      api_requests_b_404: 3,
      api_requests: 5,
    }],
    [{ events_written: 7, events_written_parquet: 7 }, ["events_written"], {
      events_written: 7,
      events_written_parquet: 7,
    }],
    [{ x: 1 }, ["api_requests"], { x: 1, api_requests: 0 }],
  ];
  for (const [snap, totals, expected] of cases) {
    assert.deepEqual(withTotals({ ...snap }, totals), expected);
  }
});

Deno.test("attachFlowctl sends the registry snapshot and shows status on /metrics", async () => {
  const cp = await startScriptedControlPlane();
  const registry = new Registry({ prefix: "analytics_sink_" });
  const written = registry.counter("events_written", "w");
  const api = registry.counter("api_requests", "r", ["route"]);
  api.inc(2, { route: "events" });
  api.inc(1, { route: "stats" });
  const controller = await attachFlowctl({
    config: loadFlowctlConfig({
      ENABLE_FLOWCTL: "true",
      FLOWCTL_ENDPOINT: cp.endpoint,
      FLOWCTL_HEARTBEAT_INTERVAL: "30ms",
      FLOWCTL_PROTOCOL: "v1",
    }),
    service: sinkServiceDescription({
      advertiseHost: "localhost",
      flightPort: 8818,
      healthPort: 8090,
      bufferSize: 1,
      outputFormats: ["parquet"],
      storagePaths: {},
    }),
    registry,
    totals: ["api_requests"],
  });
  try {
    assert.equal(controller.status().state, "registered");
    written.inc(5);
    await waitFor(
      () =>
        cp.calls.some((c) =>
          c.method === "v1.Heartbeat" && c.request.metrics.events_written === "5"
        ),
      "a heartbeat with the new count",
    );
    const beat = cp.calls.findLast((c) => c.method === "v1.Heartbeat");
    assert.ok(beat?.method === "v1.Heartbeat");
    assert.equal(beat.request.metrics.api_requests, "3");
    assert.match(registry.render(), /analytics_sink_flowctl_registered 1/);
  } finally {
    await controller.stop();
    await cp.close();
  }
});
