/**
 * Interop: Python grpcio (C-core, not grpc-js) talks to the control plane through the one-port
 * multiplexer, with every message encoded by hand from the flowctl field numbers (see
 * `testdata/python_flowctl_client.py`). Needs Debian's `python3-grpcio`; ignored when missing.
 */
import assert from "node:assert/strict";
import { startControlPlane } from "./server.ts";

const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("./testdata/python_flowctl_client.py", import.meta.url).pathname;

function pythonHasGrpc(): boolean {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import grpc"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
const hasGrpc = pythonHasGrpc();

Deno.test({
  name: `Python grpcio with hand-encoded messages speaks both protocols${
    hasGrpc ? "" : " (SKIPPED: /usr/bin/python3 cannot import grpc)"
  }`,
  ignore: !hasGrpc,
}, async () => {
  const cp = await startControlPlane({ port: 0, address: "127.0.0.1" });
  try {
    const out = await new Deno.Command(PYTHON, { args: [SCRIPT, `127.0.0.1:${cp.port}`] }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(r.register.status, "OK");
    assert.match(r.register.service_id, /^SERVICE_TYPE_SOURCE-\d{19}$/);
    assert.deepEqual(r.register.topics, ["stellar_ledger_service.StellarLedger.v1"]);
    assert.deepEqual(r.register.connection_info, {
      control_plane_endpoint: `127.0.0.1:${cp.port}`,
    });
    assert.equal(r.heartbeat, "OK");
    assert.equal(r.status.status, "OK");
    assert.equal(r.status.service_type, 1);
    assert.equal(r.status.is_healthy, 1);
    assert.ok(r.status.last_heartbeat_seconds > 1.7e9);
    assert.deepEqual(r.status.metrics, { ledgers_processed: 42.5 });
    assert.equal(r.status.component_id, "py-component");
    assert.equal(r.v1_register.status, "OK");
    assert.match(r.v1_register.service_id, /^COMPONENT_TYPE_CONSUMER-\d{19}$/);
    assert.deepEqual(r.v1_register.topics, []);
    assert.equal(r.v1_heartbeat, "OK");
    assert.equal(r.v1_heartbeat_unknown, "NOT_FOUND");
    assert.deepEqual(r.v1_status, {
      status: "OK",
      id: r.v1_register.service_id,
      name: "py-sink",
      type: 3,
      endpoint: "py:8818",
      health: 3,
      metrics: { events_written: "1234" },
      has_registered_at: true,
    });
    assert.equal(r.v1_unregister, "OK");
    // What the registry made of the legacy registration (shared with the v1 view).
    const rec = cp.registry.get(r.register.service_id);
    assert.equal(rec.healthEndpoint, "http://py:8088/health");
    assert.equal(rec.maxInflight, 77);
    assert.deepEqual(rec.metadata, { network: "py-net" });
    assert.equal(cp.registry.has(r.v1_register.service_id), false, "unregistered");
  } finally {
    await cp.close();
  }
});
