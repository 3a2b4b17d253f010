import assert from "node:assert/strict";
import net from "node:net";
import { setupLogging } from "../log/mod.ts";
import { loadFlowctlConfig } from "./config.ts";
import { Controller, type ControllerOptions } from "./controller.ts";
import { processorServiceDescription, sourceServiceDescription } from "./service_info.ts";
import { startScriptedControlPlane, waitFor } from "./testing.ts";

const logs: string[] = [];
setupLogging({ level: "debug", write: (line) => logs.push(line) });

const source = sourceServiceDescription({
  advertiseHost: "localhost",
  flightPort: 8816,
  healthPort: 8088,
  bufferSize: 64,
  network: "Test SDF Network ; September 2015",
  storageType: "datalake",
  backendType: "file",
});

function controller(
  endpoint: string,
  env: Record<string, string> = {},
  over: Partial<ControllerOptions> = {},
): Controller {
  let n = 0;
  return new Controller({
    config: loadFlowctlConfig({
      ENABLE_FLOWCTL: "true",
      FLOWCTL_ENDPOINT: endpoint,
      FLOWCTL_HEARTBEAT_INTERVAL: "50ms",
      ...env,
    }),
    service: source,
    metrics: { getMetrics: () => ({ ledgers_processed: ++n, last_sequence: 63092982 + n }) },
    backoff: { initialMs: 20, maxMs: 100 },
    registerTimeoutMs: 2000, // generous: the machine is shared with other test runs
    ...over,
  });
}

/** A loopback port nobody listens on. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

Deno.test("disabled controller does nothing and says so", async () => {
  const c = new Controller({
    config: loadFlowctlConfig({}),
    service: source,
    metrics: { getMetrics: () => ({}) },
  });
  assert.equal(await c.start(), false);
  assert.equal(c.status().state, "disabled");
  assert.equal(c.status().enabled, false);
  await c.stop();
  assert.equal(c.status().state, "disabled");
});

Deno.test("v1: registers, heartbeats carry metrics as strings, unregisters on stop", async () => {
  const cp = await startScriptedControlPlane();
  const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "v1" });
  try {
    assert.equal(await c.start(), true);
    await waitFor(() => c.status().heartbeatsSent >= 3, "3 heartbeats");
    const s = c.status();
    assert.equal(s.state, "registered");
    assert.equal(s.protocol, "v1");
    assert.equal(s.serviceId, "COMPONENT_TYPE_SOURCE-1");
    assert.equal(s.consecutiveFailures, 0);
    assert.ok(s.lastHeartbeatAt !== null);
    const reg = cp.calls.find((x) => x.method === "RegisterComponent");
    assert.ok(reg?.method === "RegisterComponent");
    assert.equal(reg.request.component?.type, "COMPONENT_TYPE_SOURCE");
    assert.equal(reg.request.component?.endpoint, "localhost:8816");
    assert.deepEqual(reg.request.component?.output_event_types, [
      "stellar_ledger_service.StellarLedger",
    ]);
    const beats = cp.calls.flatMap((x) => x.method === "v1.Heartbeat" ? [x.request] : []);
    assert.equal(beats[0].status, "HEALTH_STATUS_HEALTHY");
    const counts = beats.map((b) => Number(b.metrics.ledgers_processed));
    assert.ok(counts.every((v, i) => i === 0 || v > counts[i - 1]), `metrics grow: ${counts}`);
    assert.equal(typeof beats[0].metrics.last_sequence, "string");
  } finally {
    await c.stop();
    await cp.close();
  }
  assert.deepEqual(
    cp.calls.filter((x) => x.method === "UnregisterComponent").map((x) => x.request),
    [{ service_id: "COMPONENT_TYPE_SOURCE-1" }],
  );
  assert.equal(c.status().state, "stopped");
});

Deno.test("legacy: registers with ServiceInfo, heartbeats carry doubles, no unregister", async () => {
  const cp = await startScriptedControlPlane({ protocols: ["legacy"] });
  const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "legacy", FLOWCTL_COMPONENT_ID: "src-7" });
  try {
    assert.equal(await c.start(), true);
    await waitFor(() => c.status().heartbeatsSent >= 2, "2 heartbeats");
    assert.equal(c.status().serviceId, "src-7");
    assert.equal(c.status().protocol, "legacy");
    const reg = cp.calls.find((x) => x.method === "Register");
    assert.ok(reg?.method === "Register");
    assert.equal(reg.request.service_type, "SERVICE_TYPE_SOURCE");
    assert.equal(reg.request.component_id, "src-7");
    assert.equal(reg.request.max_inflight, 64);
    assert.equal(reg.request.health_endpoint, "http://localhost:8088/health");
    const hb = cp.calls.find((x) => x.method === "Heartbeat");
    assert.ok(hb?.method === "Heartbeat");
    assert.equal(typeof hb.request.metrics.ledgers_processed, "number");
    assert.ok(hb.request.timestamp !== null && Number(hb.request.timestamp.seconds) > 1.7e9);
  } finally {
    await c.stop();
    await cp.close();
  }
  assert.equal(cp.calls.some((x) => x.method === "UnregisterComponent"), false);
});

Deno.test("auto falls back from v1 to legacy against a legacy-only server", async () => {
  const cp = await startScriptedControlPlane({ protocols: ["legacy"] });
  const c = controller(cp.endpoint);
  try {
    assert.equal(await c.start(), true);
    assert.equal(c.status().protocol, "legacy");
    assert.equal(c.status().serviceId, "SERVICE_TYPE_SOURCE-1");
    await waitFor(() => c.status().heartbeatsSent >= 1, "a legacy heartbeat");
    assert.ok(logs.some((l) => l.includes("does not speak flowctl.v1")));
  } finally {
    await c.stop();
    await cp.close();
  }
});

Deno.test("v1 mode against a legacy-only server keeps retrying (no silent downgrade)", async () => {
  const cp = await startScriptedControlPlane({ protocols: ["legacy"] });
  const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "v1" });
  try {
    assert.equal(await c.start(), false);
    assert.equal(c.status().state, "retrying");
    assert.match(c.status().lastError ?? "", /UNIMPLEMENTED/);
  } finally {
    await c.stop();
    await cp.close();
  }
});

for (const notFoundAs of ["NOT_FOUND", "UNKNOWN"] as const) {
  Deno.test(`re-registers when a heartbeat is answered "not found" (${notFoundAs}), keeping its id`, async () => {
    const cp = await startScriptedControlPlane({ notFoundAs });
    const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "legacy" });
    try {
      assert.equal(await c.start(), true);
      const id = c.status().serviceId;
      assert.ok(id);
      cp.known.clear(); // the control plane forgot everything (restart without persistence)
      await waitFor(() => c.status().registrations === 2, "re-registration");
      await waitFor(
        () => c.status().consecutiveFailures === 0 && c.status().heartbeatsSent > 1,
        "heartbeats again",
      );
      const regs = cp.calls.flatMap((x) => x.method === "Register" ? [x.request.service_id] : []);
      assert.deepEqual(regs, ["", id], "re-registers under the id it was given");
      assert.equal(c.status().serviceId, id);
    } finally {
      await c.stop();
      await cp.close();
    }
  });
}

Deno.test("control plane down: start is bounded, keeps retrying, logs once, registers when it appears", async () => {
  const port = await freePort();
  const c = controller(`127.0.0.1:${port}`, {}, { registerTimeoutMs: 300 });
  const before = logs.length;
  let cp;
  try {
    const t0 = performance.now();
    assert.equal(await c.start(), false);
    assert.ok(performance.now() - t0 < 2000, "start is bounded by the registration deadline");
    assert.equal(c.status().state, "retrying");
    await waitFor(() => c.status().consecutiveFailures >= 3, "3 failed attempts");
    const failures = logs.slice(before).filter((l) => l.includes("registration at")).length;
    assert.equal(failures, 1, "one log line per state change, not per attempt");
    cp = await startScriptedControlPlane({ port });
    await waitFor(() => c.status().state === "registered", "registration once flowctl is up", 8000);
    await waitFor(() => c.status().heartbeatsSent >= 1, "a heartbeat");
    assert.equal(c.status().consecutiveFailures, 0);
  } finally {
    await c.stop();
    await cp?.close();
  }
});

Deno.test("heartbeat failures are counted and logged once; recovery is logged", async () => {
  const cp = await startScriptedControlPlane();
  const port = cp.port;
  const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "v1" }, { heartbeatTimeoutMs: 100 });
  const before = logs.length;
  let cp2;
  try {
    assert.equal(await c.start(), true);
    await cp.close();
    await waitFor(() => c.status().consecutiveFailures >= 3, "3 failed heartbeats");
    assert.equal(c.status().state, "registered");
    assert.equal(logs.slice(before).filter((l) => l.includes("heartbeat for")).length, 1);
    // Back with the same registry contents (as with persistence): heartbeats just resume.
    cp2 = await startScriptedControlPlane({ port });
    cp2.known.add(c.status().serviceId ?? "");
    await waitFor(() => c.status().consecutiveFailures === 0, "heartbeats recovered", 8000);
    assert.ok(logs.slice(before).some((l) => l.includes("recovered after")));
    assert.equal(c.status().registrations, 1);
  } finally {
    await c.stop();
    await cp2?.close();
  }
});

Deno.test("stop is bounded even if the control plane does not answer", async () => {
  const cp = await startScriptedControlPlane({ unregisterDelayMs: 5000 });
  const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "v1" }, { stopTimeoutMs: 200 });
  try {
    assert.equal(await c.start(), true);
    const t0 = performance.now();
    await c.stop();
    const took = performance.now() - t0;
    assert.ok(took < 1000, `stop took ${took} ms`);
  } finally {
    await cp.close();
  }
});

Deno.test("a failing health callback sends UNKNOWN instead of breaking heartbeats", async () => {
  const cp = await startScriptedControlPlane();
  let n = 0;
  const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "v1" }, {
    health: () => {
      if (++n % 2 === 0) throw new Error("no health");
      return "degraded";
    },
  });
  try {
    assert.equal(await c.start(), true);
    await waitFor(() => c.status().heartbeatsSent >= 2, "2 heartbeats");
    const statuses = cp.calls.flatMap((x) => x.method === "v1.Heartbeat" ? [x.request.status] : []);
    assert.deepEqual(statuses.slice(0, 2), ["HEALTH_STATUS_DEGRADED", "HEALTH_STATUS_UNKNOWN"]);
  } finally {
    await c.stop();
    await cp.close();
  }
});

Deno.test("metrics provider errors and non-finite values do not break heartbeats", async () => {
  const cp = await startScriptedControlPlane();
  let calls = 0;
  const c = new Controller({
    config: loadFlowctlConfig({
      ENABLE_FLOWCTL: "true",
      FLOWCTL_ENDPOINT: cp.endpoint,
      FLOWCTL_HEARTBEAT_INTERVAL: "30ms",
      FLOWCTL_PROTOCOL: "legacy",
    }),
    service: processorServiceDescription({
      advertiseHost: "localhost",
      flightPort: 8817,
      healthPort: 8089,
      bufferSize: 10,
      network: "n",
      eventTypes: ["transfer"],
    }),
    metrics: {
      getMetrics: () => {
        if (++calls === 2) throw new Error("boom");
        return { events_extracted: calls, bad: Number.NaN };
      },
    },
  });
  try {
    await c.start();
    await waitFor(() => c.status().heartbeatsSent >= 3, "3 heartbeats");
    const beats = cp.calls.flatMap((x) => x.method === "Heartbeat" ? [x.request.metrics] : []);
    assert.deepEqual(beats[0], { events_extracted: 1 });
    assert.deepEqual(beats[1], {});
    assert.ok(c.status().metricsCollectMs >= 0);
  } finally {
    await c.stop();
    await cp.close();
  }
});

Deno.test("updateService re-registers under the same id with the new metadata", async () => {
  const cp = await startScriptedControlPlane();
  const c = controller(cp.endpoint, { FLOWCTL_PROTOCOL: "v1" });
  try {
    assert.equal(await c.start(), true);
    const id = c.status().serviceId;
    c.updateService({ metadata: { network: "Public Global Stellar Network ; September 2015" } });
    await waitFor(() => c.status().registrations === 2, "re-registration");
    const regs = cp.calls.flatMap((x) => x.method === "RegisterComponent" ? [x.request] : []);
    assert.equal(regs.length, 2);
    assert.equal(regs[1].component_id, id);
    assert.equal(
      regs[1].component?.metadata.network,
      "Public Global Stellar Network ; September 2015",
    );
    assert.equal(regs[1].component?.metadata.storage_type, "datalake", "merged, not replaced");
    c.updateService({ metadata: { network: "Public Global Stellar Network ; September 2015" } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(c.status().registrations, 2, "no change, no re-registration");
    assert.equal(c.status().serviceId, id);
  } finally {
    await c.stop();
    await cp.close();
  }
});

Deno.test("auto: a control plane replaced by one of the other generation is renegotiated", async () => {
  const first = await startScriptedControlPlane({ protocols: ["legacy", "v1"] });
  const port = first.port;
  const c = controller(first.endpoint);
  let second;
  try {
    assert.equal(await c.start(), true);
    assert.equal(c.status().protocol, "v1");
    await first.close();
    second = await startScriptedControlPlane({ protocols: ["legacy"], port });
    await waitFor(() => c.status().registrations === 2, "re-registration", 8000);
    assert.equal(c.status().protocol, "legacy");
    await waitFor(() => c.status().consecutiveFailures === 0, "legacy heartbeats");
  } finally {
    await c.stop();
    await second?.close();
  }
});

Deno.test("configuration errors reject start; start after stop does nothing", async () => {
  const bad = controller("127.0.0.1:1", { FLOWCTL_TLS_CA: "/nonexistent/ca.pem" });
  await assert.rejects(bad.start(), /FLOWCTL_TLS_CA: cannot read \/nonexistent\/ca.pem/);
  assert.equal(bad.status().state, "stopped");
  await bad.stop();
  const c = controller("127.0.0.1:1");
  await c.stop();
  assert.equal(await c.start(), false);
  assert.equal(c.status().state, "stopped");
});
