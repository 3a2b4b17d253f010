import assert from "node:assert/strict";
import { Registry } from "../metrics/mod.ts";
import type { FlowctlStatus } from "./controller.ts";
import { flowctlHealthReason, registerFlowctlMetrics, renderFlowctlMetrics } from "./status.ts";

const base: FlowctlStatus = {
  enabled: true,
  state: "registered",
  endpoint: "localhost:8080",
  serviceId: "SERVICE_TYPE_SOURCE-1",
  protocol: "v1",
  lastHeartbeatAt: "2026-01-01T00:00:00.000Z",
  consecutiveFailures: 0,
  lastError: null,
  registrations: 1,
  heartbeatsSent: 5,
  heartbeatsFailed: 0,
  metricsCollectMs: 0.1,
};

Deno.test("renderFlowctlMetrics shows state, age and counts", () => {
  const text = renderFlowctlMetrics(base, "src_", Date.parse("2026-01-01T00:00:02.500Z"));
  assert.match(
    text,
    /src_flowctl_info\{state="registered",protocol="v1",service_id="SERVICE_TYPE_SOURCE-1",endpoint="localhost:8080"\} 1/,
  );
  assert.match(text, /^src_flowctl_registered 1$/m);
  assert.match(text, /^src_flowctl_last_heartbeat_age_seconds 2.5$/m);
  assert.match(text, /^src_flowctl_heartbeats_sent 5$/m);
  const none = renderFlowctlMetrics({ ...base, state: "retrying", lastHeartbeatAt: null }, "", 0);
  assert.match(none, /^flowctl_registered 0$/m);
  assert.match(none, /^flowctl_last_heartbeat_age_seconds -1$/m);
});

Deno.test("registerFlowctlMetrics appends the full status when enabled, the state when disabled", () => {
  const registry = new Registry({ prefix: "x_" });
  let status = base;
  registerFlowctlMetrics(registry, { status: () => status });
  assert.match(registry.render(), /x_flowctl_registered 1/);
  assert.deepEqual(registry.snapshot(), {});
  status = { ...base, enabled: false, state: "disabled", serviceId: null, protocol: null };
  const text = registry.render();
  assert.match(
    text,
    /x_flowctl_info\{state="disabled",protocol="",service_id="",endpoint="[^"]*"\} 1/,
  );
  assert.doesNotMatch(text, /x_flowctl_registered|x_flowctl_heartbeats/);
});

Deno.test("flowctlHealthReason", () => {
  const cases: [Partial<FlowctlStatus>, string | null][] = [
    [{}, null],
    [{ enabled: false, state: "disabled" }, null],
    [
      { state: "retrying", lastError: "UNAVAILABLE: x" },
      "flowctl: retrying at localhost:8080 (UNAVAILABLE: x)",
    ],
    [
      { consecutiveFailures: 2, lastError: "DEADLINE_EXCEEDED: y" },
      "flowctl: 2 heartbeat(s) failed (DEADLINE_EXCEEDED: y)",
    ],
    [{ state: "stopped" }, null],
  ];
  for (const [over, reason] of cases) {
    assert.equal(flowctlHealthReason({ ...base, ...over }), reason);
  }
});
