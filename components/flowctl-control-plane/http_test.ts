import assert from "node:assert/strict";
import { MetricHistory } from "./history.ts";
import { handleHttp, type HttpContext } from "./http.ts";
import { Registry } from "./registry.ts";

function context(): HttpContext {
  const registry = new Registry({ heartbeatTtlMs: 30_000 });
  const history = new MetricHistory();
  const r = registry.registerLegacy({
    service_id: "",
    service_type: "SERVICE_TYPE_PROCESSOR",
    input_event_types: ["stellar_ledger_service.StellarLedger"],
    output_event_types: ["ttp_event_service.TTPEvent"],
    health_endpoint: "http://localhost:8089/health",
    max_inflight: 10,
    metadata: { name: "<script>alert(1)</script>", endpoint: "localhost:8817" },
    component_id: "",
  }, 1000);
  for (let i = 1; i <= 3; i++) {
    registry.heartbeatLegacy(
      r.id,
      { events_extracted: i * 100, last_ledger_sequence: 63093001 },
      1000 + i * 1000,
    );
    history.add(r.id, 1000 + i * 1000, registry.get(r.id).metrics);
  }
  return { registry, history, now: () => 4500, refreshSeconds: 5 };
}

Deno.test("status page escapes client-supplied text and shows metrics and a sparkline", () => {
  const a = handleHttp(context(), "GET", "/");
  assert.equal(a.status, 200);
  assert.match(a.contentType, /^text\/html/);
  assert.ok(!a.body.includes("<script>"), "no raw script tag");
  assert.ok(a.body.includes("&lt;script&gt;"));
  assert.match(a.body, /last_ledger_sequence<\/span> 63093001/);
  assert.match(a.body, /events_extracted<\/span> 300/);
  assert.match(a.body, /<polyline/);
  assert.match(a.body, /events_extracted\/s 100/);
  assert.match(a.body, /0\.5 s ago/);
});

Deno.test("HTTP routes", () => {
  const ctx = context();
  const list = JSON.parse(handleHttp(ctx, "GET", "/api/services?x=1").body);
  assert.equal(list.services.length, 1);
  assert.equal(list.services[0].healthy, true);
  assert.equal(list.services[0].seconds_since_heartbeat, 0.5);
  assert.deepEqual(list.services[0].throughput, { counter: "events_extracted", per_second: 100 });
  assert.equal(handleHttp(ctx, "POST", "/api/services").status, 405);
  assert.equal(handleHttp(ctx, "GET", "/nope").status, 404);
  assert.equal(JSON.parse(handleHttp(ctx, "GET", "/health").body).services, 1);
  assert.equal(handleHttp(ctx, "GET", "/api/services/missing").status, 404);
});
