import assert from "node:assert/strict";
import { Registry } from "../metrics/mod.ts";
import { type HealthReport, startHealthServer } from "./mod.ts";

Deno.test("health server reports the real state and metrics over HTTP", async () => {
  const registry = new Registry({ prefix: "demo_" });
  registry.counter("ledgers_processed", "Ledgers").inc(3);
  let report: HealthReport = { status: "healthy", details: { last_sequence: 7 } };
  const server = startHealthServer({
    port: 0,
    hostname: "127.0.0.1",
    component: "demo",
    version: "1.2.3",
    registry,
    check: () => report,
    routes: { "/schema": () => new Response("schema") },
  });
  try {
    const base = `http://127.0.0.1:${server.port}`;
    let res = await fetch(`${base}/health`);
    let body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.status, "healthy");
    assert.equal(body.component, "demo");
    assert.equal(body.last_sequence, 7);

    report = { status: "unhealthy", reasons: ["store unreachable"] };
    res = await fetch(`${base}/health`);
    body = await res.json();
    assert.equal(res.status, 503);
    assert.deepEqual(body.reasons, ["store unreachable"]);

    res = await fetch(`${base}/metrics`);
    assert.match(await res.text(), /demo_ledgers_processed_total 3/);
    res = await fetch(`${base}/schema`);
    assert.equal(await res.text(), "schema");
    res = await fetch(`${base}/nope`);
    assert.equal(res.status, 404);
    assert.match((await res.json()).error, /Unknown path \/nope; expected one of \/health/);
  } finally {
    await server.close();
  }
});
