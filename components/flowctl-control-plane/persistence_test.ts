import assert from "node:assert/strict";
import { loadRegistry, saveRegistry } from "./persistence.ts";
import { Registry } from "./registry.ts";

Deno.test("saveRegistry/loadRegistry round-trip; absent file is empty; bad files are explained", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/r.json`;
    assert.deepEqual(await loadRegistry(path), []);
    const reg = new Registry({ heartbeatTtlMs: 1000 });
    const r = reg.registerLegacy({
      service_id: "",
      service_type: "SERVICE_TYPE_SINK",
      input_event_types: ["ttp_event_service.TTPEvent"],
      output_event_types: [],
      health_endpoint: "http://localhost:8090/health",
      max_inflight: 5,
      metadata: { output_formats: "parquet" },
      component_id: "",
    }, 1000);
    reg.heartbeatLegacy(r.id, { events_written: 12 }, 2000);
    await saveRegistry(path, reg.list());
    assert.deepEqual(await loadRegistry(path), reg.list());
    await Deno.writeTextFile(path, "{not json");
    await assert.rejects(loadRegistry(path), /Expected a JSON registry file at .*unparsable/);
    await Deno.writeTextFile(path, JSON.stringify({ version: 9, services: [] }));
    await assert.rejects(loadRegistry(path), /version 1 .*got version 9/);
    await Deno.writeTextFile(path, JSON.stringify({ version: 1, services: [{ id: 3 }] }));
    await assert.rejects(loadRegistry(path), /services\[0\]/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
