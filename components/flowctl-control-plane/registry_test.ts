import assert from "node:assert/strict";
import type { ComponentInfo, ServiceInfo } from "../../shared/flowctl/mod.ts";
import { assignTopics, metricValue, Registry, ServiceNotFoundError } from "./registry.ts";

const legacyInfo = (over: Partial<ServiceInfo> = {}): ServiceInfo => ({
  service_id: "",
  service_type: "SERVICE_TYPE_SOURCE",
  input_event_types: [],
  output_event_types: ["stellar_ledger_service.StellarLedger"],
  health_endpoint: "http://localhost:8088/health",
  max_inflight: 1000,
  metadata: { network: "testnet", endpoint: "localhost:8816", name: "stellar-arrow-source" },
  component_id: "",
  ...over,
});

const v1Info = (over: Partial<ComponentInfo> = {}): ComponentInfo => ({
  id: "",
  name: "arrow-analytics-sink",
  description: "",
  version: "1.0.0",
  type: "COMPONENT_TYPE_CONSUMER",
  input_event_types: ["ttp_event_service.TTPEvent"],
  output_event_types: [],
  endpoint: "localhost:8818",
  metadata: { health_endpoint: "http://localhost:8090/health", max_inflight: "500" },
  ...over,
});

Deno.test("legacy register assigns <SERVICE_TYPE>-<nanos> ids and topics", () => {
  const reg = new Registry({ heartbeatTtlMs: 30_000 });
  const a = reg.registerLegacy(legacyInfo(), 1_700_000_000_000);
  const b = reg.registerLegacy(legacyInfo(), 1_700_000_000_000);
  assert.match(a.id, /^SERVICE_TYPE_SOURCE-1700000000000\d{6}$/);
  assert.notEqual(a.id, b.id, "ids stay unique within one millisecond");
  assert.deepEqual(a.topics, ["stellar_ledger_service.StellarLedger.v1"]);
  assert.equal(a.kind, "source");
  assert.equal(a.endpoint, "localhost:8816");
  assert.equal(a.healthy, true);
  const kept = reg.registerLegacy(legacyInfo({ service_id: "src-1" }), 0);
  assert.equal(kept.id, "src-1");
});

Deno.test("v1 register: component_id, else component.id, else generated; sink is CONSUMER", () => {
  const reg = new Registry({ heartbeatTtlMs: 30_000 });
  assert.equal(reg.registerV1("cid", v1Info({ id: "other" }), 0).id, "cid");
  assert.equal(reg.registerV1("", v1Info({ id: "other" }), 0).id, "other");
  const gen = reg.registerV1("", v1Info(), 5);
  assert.match(gen.id, /^COMPONENT_TYPE_CONSUMER-5\d{6}$/);
  assert.equal(gen.kind, "sink");
  assert.deepEqual(gen.topics, []);
  assert.equal(gen.healthEndpoint, "http://localhost:8090/health");
  assert.equal(gen.maxInflight, 500);
});

Deno.test("heartbeats: legacy replaces metrics, v1 merges; unknown id is not found", () => {
  const reg = new Registry({ heartbeatTtlMs: 30_000 });
  const id = reg.registerLegacy(legacyInfo(), 0).id;
  reg.heartbeatLegacy(id, { a: 1, b: 2 }, 10);
  reg.heartbeatLegacy(id, { a: 3 }, 20);
  assert.deepEqual(reg.get(id).metrics, { a: 3 });
  reg.heartbeatV1(id, "HEALTH_STATUS_UNKNOWN", { c: "4.5", d: "text" }, 30);
  assert.deepEqual(reg.get(id).metrics, { a: 3, c: 4.5, d: "text" });
  assert.equal(reg.get(id).lastHeartbeat, 30);
  assert.equal(reg.get(id).heartbeats, 3);
  assert.throws(() => reg.heartbeatLegacy("nope", {}, 0), ServiceNotFoundError);
  assert.throws(
    () => reg.heartbeatV1("nope", "HEALTH_STATUS_HEALTHY", {}, 0),
    /service nope not found/,
  );
  assert.throws(() => reg.unregister("nope"), ServiceNotFoundError);
});

Deno.test("janitor marks silent services unhealthy after the TTL; a heartbeat heals", () => {
  const reg = new Registry({ heartbeatTtlMs: 1000 });
  const id = reg.registerLegacy(legacyInfo(), 0).id;
  const other = reg.registerV1("", v1Info(), 0).id;
  reg.heartbeatV1(other, "HEALTH_STATUS_HEALTHY", {}, 900);
  assert.deepEqual(reg.expire(1000), [], "exactly the TTL is still healthy");
  assert.deepEqual(reg.expire(1001), [{ id, healthy: false, silentMs: 1001 }]);
  assert.deepEqual(reg.expire(1500), [], "already unhealthy: no second transition");
  assert.equal(reg.get(id).status, "HEALTH_STATUS_UNHEALTHY");
  assert.deepEqual(reg.heartbeatLegacy(id, {}, 2000), { id, healthy: true, silentMs: 2000 });
  assert.equal(reg.get(id).healthy, true);
  assert.deepEqual(reg.expire(2000).map((t) => t.id), [other]);
  // A v1 heartbeat with UNKNOWN status after expiry heals as HEALTHY.
  assert.deepEqual(reg.heartbeatV1(other, "HEALTH_STATUS_UNKNOWN", {}, 2100), {
    id: other,
    healthy: true,
    silentMs: 0,
  });
  assert.equal(reg.get(other).status, "HEALTH_STATUS_HEALTHY");
  // Reporting UNHEALTHY makes it unhealthy at once.
  assert.equal(reg.heartbeatV1(other, "HEALTH_STATUS_UNHEALTHY", {}, 2200)?.healthy, false);
});

Deno.test("discover filters by type, event types (OR) and metadata (AND)", () => {
  const reg = new Registry({ heartbeatTtlMs: 30_000 });
  const src = reg.registerLegacy(legacyInfo(), 0).id;
  const sink = reg.registerV1("", v1Info({ metadata: { net: "x", k: "v" } }), 0).id;
  const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
  assert.deepEqual(ids(reg.discover("COMPONENT_TYPE_UNSPECIFIED", [], {})), [src, sink]);
  assert.deepEqual(ids(reg.discover("COMPONENT_TYPE_CONSUMER", [], {})), [sink]);
  assert.deepEqual(
    ids(reg.discover("COMPONENT_TYPE_UNSPECIFIED", ["ttp_event_service.TTPEvent", "zzz"], {})),
    [sink],
  );
  assert.deepEqual(ids(reg.discover("COMPONENT_TYPE_UNSPECIFIED", [], { net: "x", k: "v" })), [
    sink,
  ]);
  assert.deepEqual(ids(reg.discover("COMPONENT_TYPE_UNSPECIFIED", [], { net: "x", k: "w" })), []);
});

Deno.test("assignTopics and metricValue", () => {
  assert.deepEqual(assignTopics("processor", ["a", "b"]), ["a.v1", "b.v1"]);
  assert.deepEqual(assignTopics("sink", ["a"]), []);
  assert.deepEqual(assignTopics("pipeline", ["a"]), []);
  const cases: [string, number | string][] = [
    ["12", 12],
    ["-1.5", -1.5],
    ["1e3", 1000],
    ["abc", "abc"],
    ["", ""],
    ["1.2.3", "1.2.3"],
  ];
  for (const [t, v] of cases) assert.equal(metricValue(t), v);
});
