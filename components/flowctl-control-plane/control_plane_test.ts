import assert from "node:assert/strict";
import net from "node:net";
import * as grpc from "@grpc/grpc-js";
import {
  Controller,
  loadFlowctlConfig,
  loadFlowctlProtos,
  processorServiceDescription,
  type ServiceDescription,
  sinkServiceDescription,
  sourceServiceDescription,
} from "../../shared/flowctl/mod.ts";
import { waitFor } from "../../shared/flowctl/testing.ts";
import { setupLogging } from "../../shared/log/mod.ts";
import { type ControlPlane, sniffProtocol, startControlPlane } from "./server.ts";

const logs: string[] = [];
setupLogging({ level: "info", write: (l) => logs.push(l) });

const NETWORK = "Test SDF Network ; September 2015";
const services: Record<"source" | "processor" | "sink", ServiceDescription> = {
  source: sourceServiceDescription({
    advertiseHost: "localhost",
    flightPort: 8816,
    healthPort: 8088,
    bufferSize: 100,
    network: NETWORK,
    storageType: "datalake",
    backendType: "file",
  }),
  processor: processorServiceDescription({
    advertiseHost: "localhost",
    flightPort: 8817,
    healthPort: 8089,
    bufferSize: 200,
    network: NETWORK,
    eventTypes: ["transfer", "mint", "burn"],
  }),
  sink: sinkServiceDescription({
    advertiseHost: "localhost",
    flightPort: 8818,
    healthPort: 8090,
    bufferSize: 300,
    outputFormats: ["parquet", "websocket", "api"],
    storagePaths: { parquet: "./data/parquet" },
    websocket: { port: 8081, path: "/ws" },
    api: { port: 8081 },
  }),
};

interface ServiceJson {
  id: string;
  type: string;
  protocol: string;
  healthy: boolean;
  input_event_types: string[];
  output_event_types: string[];
  topics: string[];
  metadata: Record<string, string>;
  metrics: Record<string, number>;
  endpoints: { flight: string | null; health: string | null; other: string[] };
  max_inflight: number;
}

async function listServices(cp: { port: number }): Promise<ServiceJson[]> {
  const res = await fetch(`http://127.0.0.1:${cp.port}/api/services`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/json");
  return (await res.json()).services;
}

function start(
  overrides: { port?: number; dbPath?: string; ttlMs?: number; protocols?: ("legacy" | "v1")[] } =
    {},
) {
  return startControlPlane({
    protocols: overrides.protocols,
    port: overrides.port ?? 0,
    address: "127.0.0.1",
    heartbeatTtlMs: overrides.ttlMs ?? 400,
    janitorIntervalMs: 50,
    dbPath: overrides.dbPath,
  });
}

function controllerFor(
  port: number,
  service: ServiceDescription,
  protocol: "auto" | "legacy" | "v1",
  registerTimeoutMs = 2000,
): { controller: Controller; counter: { n: number } } {
  const counter = { n: 0 };
  const controller = new Controller({
    config: loadFlowctlConfig({
      ENABLE_FLOWCTL: "true",
      FLOWCTL_ENDPOINT: `127.0.0.1:${port}`,
      FLOWCTL_HEARTBEAT_INTERVAL: "50ms",
      FLOWCTL_PROTOCOL: protocol,
    }),
    service,
    metrics: {
      getMetrics: (): Record<string, number> => {
        counter.n += 10;
        return service.role === "source"
          ? { ledgers_processed: counter.n, total_bytes: counter.n * 1000, error_count: 0 }
          : service.role === "processor"
          ? { ledgers_consumed: counter.n, events_extracted: counter.n * 3 }
          : {
            events_consumed: counter.n,
            events_written: counter.n,
            events_written_parquet: counter.n,
          };
      },
    },
    backoff: { initialMs: 20, maxMs: 200 },
    registerTimeoutMs,
  });
  return { controller, counter };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

Deno.test("sniffProtocol tells the HTTP/2 preface from HTTP/1.1", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const cases: [string, "h2" | "http1" | null][] = [
    ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "h2"],
    ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04", "h2"],
    ["PRI", null],
    ["", null],
    ["GET / HTTP/1.1\r\n", "http1"],
    ["POST /api", "http1"],
    ["PUT", "http1"],
    ["P", null],
  ];
  for (const [text, kind] of cases) {
    assert.equal(sniffProtocol(enc(text)), kind, JSON.stringify(text));
  }
});

Deno.test("three components (auto, legacy, v1) register and /api/services shows them with growing metrics", async () => {
  const cp = await start();
  const parts = [
    controllerFor(cp.port, services.source, "auto"),
    controllerFor(cp.port, services.processor, "legacy"),
    controllerFor(cp.port, services.sink, "v1"),
  ];
  try {
    for (const p of parts) assert.equal(await p.controller.start(), true);
    await waitFor(
      () => parts.every((p) => p.controller.status().heartbeatsSent >= 2),
      "heartbeats",
    );
    const first = await listServices(cp);
    assert.equal(first.length, 3);
    const byType = Object.fromEntries(first.map((s) => [s.type, s]));
    assert.deepEqual(Object.keys(byType).sort(), ["processor", "sink", "source"]);
    for (const s of first) assert.equal(s.healthy, true, `${s.id} healthy`);

    const src = byType.source;
    assert.match(src.id, /^COMPONENT_TYPE_SOURCE-\d{19}$/);
    assert.equal(src.protocol, "v1");
    assert.deepEqual(src.output_event_types, ["stellar_ledger_service.StellarLedger"]);
    assert.deepEqual(src.topics, ["stellar_ledger_service.StellarLedger.v1"]);
    assert.equal(src.metadata.network, NETWORK);
    assert.equal(src.metadata.storage_type, "datalake");
    assert.equal(src.endpoints.flight, "localhost:8816");
    assert.equal(src.endpoints.health, "http://localhost:8088/health");
    assert.equal(src.max_inflight, 100);

    const proc = byType.processor;
    assert.match(proc.id, /^SERVICE_TYPE_PROCESSOR-\d{19}$/);
    assert.equal(proc.protocol, "legacy");
    assert.deepEqual(proc.input_event_types, ["stellar_ledger_service.StellarLedger"]);
    assert.deepEqual(proc.output_event_types, ["ttp_event_service.TTPEvent"]);
    assert.equal(proc.metadata.processor_type, "ttp_event_extraction");
    assert.equal(proc.metadata.event_types, "transfer,mint,burn");
    assert.equal(
      proc.endpoints.flight,
      "localhost:8817",
      "legacy carries the endpoint in metadata",
    );

    const sink = byType.sink;
    assert.match(sink.id, /^COMPONENT_TYPE_CONSUMER-\d{19}$/);
    assert.deepEqual(sink.input_event_types, ["ttp_event_service.TTPEvent"]);
    assert.deepEqual(sink.output_event_types, []);
    assert.deepEqual(sink.topics, []);
    assert.equal(sink.metadata.websocket_enabled, "true");
    assert.deepEqual(sink.endpoints.other, ["ws://localhost:8081/ws", "http://localhost:8081/api"]);

    const counts = Object.fromEntries(
      parts.map((p) => [p.controller.status().serviceId, p.counter.n]),
    );
    await waitFor(
      () => parts.every((p) => p.counter.n >= (counts[p.controller.status().serviceId!] ?? 0) + 20),
      "more heartbeats",
    );
    const later = Object.fromEntries((await listServices(cp)).map((s) => [s.type, s]));
    assert.ok(later.source.metrics.ledgers_processed > src.metrics.ledgers_processed);
    assert.ok(later.processor.metrics.events_extracted > proc.metrics.events_extracted);
    assert.ok(later.sink.metrics.events_written > sink.metrics.events_written);
    assert.equal(
      typeof later.sink.metrics.events_written_parquet,
      "number",
      "v1 strings back to numbers",
    );

    // The legacy ListServices and the v1 ListComponents see the same registry.
    const { LegacyClient, V1Client } = loadFlowctlProtos();
    const legacy = new LegacyClient(`127.0.0.1:${cp.port}`, grpc.credentials.createInsecure());
    const v1 = new V1Client(`127.0.0.1:${cp.port}`, grpc.credentials.createInsecure());
    try {
      const list = await new Promise<
        { services: { service_id: string; service_type: string; is_healthy: boolean }[] }
      >(
        (res, rej) =>
          legacy.ListServices({}, new grpc.Metadata(), {}, (e, v) => e ? rej(e) : res(v!)),
      );
      assert.deepEqual(list.services.map((s) => s.service_type).sort(), [
        "SERVICE_TYPE_PROCESSOR",
        "SERVICE_TYPE_SINK",
        "SERVICE_TYPE_SOURCE",
      ]);
      assert.ok(list.services.every((s) => s.is_healthy));
      const found = await new Promise<{ components: { id: string }[] }>((res, rej) =>
        v1.DiscoverComponents(
          { type: "COMPONENT_TYPE_UNSPECIFIED", event_types: ["ttp_event_service.TTPEvent"] },
          new grpc.Metadata(),
          {},
          (e, v) => e ? rej(e) : res(v!),
        )
      );
      assert.deepEqual(found.components.map((c) => c.id).sort(), [proc.id, sink.id].sort());
      const err = await new Promise<grpc.ServiceError>((res) =>
        legacy.GetServiceStatus({ service_id: "nope" }, new grpc.Metadata(), {}, (e) => res(e!))
      );
      assert.equal(err.code, grpc.status.NOT_FOUND);
    } finally {
      legacy.close();
      v1.close();
    }

    // Status page: one row per service with a sparkline.
    const page = await (await fetch(`http://127.0.0.1:${cp.port}/`)).text();
    assert.match(page, /http-equiv="refresh"/);
    for (const s of first) assert.ok(page.includes(s.id));
    assert.equal(page.match(/<polyline/g)?.length, 3);
    const one = await fetch(
      `http://127.0.0.1:${cp.port}/api/services/${encodeURIComponent(src.id)}`,
    );
    assert.equal((await one.json()).id, src.id);
    const prom = await (await fetch(`http://127.0.0.1:${cp.port}/metrics`)).text();
    assert.match(prom, /^flowctl_control_plane_services 3$/m);
    assert.match(prom, /^flowctl_control_plane_healthy_services 3$/m);
    assert.match(prom, /^flowctl_control_plane_registrations_total\{protocol="legacy"\} 1$/m);
    assert.match(prom, /^flowctl_control_plane_heartbeats_total\{protocol="v1"\} \d+$/m);
    const missing = await fetch(`http://127.0.0.1:${cp.port}/api/services/none`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    for (const p of parts) await p.controller.stop();
    await cp.close();
  }
});

Deno.test("stopped components: legacy ones turn unhealthy after the TTL, v1 ones unregister", async () => {
  const cp = await start({ ttlMs: 300 });
  const legacy = controllerFor(cp.port, services.processor, "legacy");
  const v1 = controllerFor(cp.port, services.sink, "v1");
  const alive = controllerFor(cp.port, services.source, "legacy");
  try {
    for (const p of [legacy, v1, alive]) assert.equal(await p.controller.start(), true);
    await waitFor(
      () => [legacy, v1, alive].every((p) => p.controller.status().heartbeatsSent >= 1),
      "heartbeats",
    );
    const legacyId = legacy.controller.status().serviceId;
    await legacy.controller.stop();
    await v1.controller.stop();
    assert.deepEqual((await listServices(cp)).map((s) => s.type).sort(), ["processor", "source"]);
    await waitFor(
      () => cp.registry.list().some((r) => r.id === legacyId && !r.healthy),
      "unhealthy after TTL",
      3000,
    );
    const list = await listServices(cp);
    assert.equal(list.find((s) => s.id === legacyId)?.healthy, false);
    assert.equal(
      list.find((s) => s.type === "source")?.healthy,
      true,
      "the live one stays healthy",
    );
    assert.ok(logs.some((l) => l.includes(`${legacyId}`) && l.includes("is unhealthy")));
  } finally {
    for (const p of [legacy, v1, alive]) await p.controller.stop();
    await cp.close();
  }
});

Deno.test("control plane absent at start: controllers retry and register once it starts", async () => {
  const port = await freePort();
  const parts = [
    controllerFor(port, services.source, "auto", 300),
    controllerFor(port, services.sink, "legacy", 300),
  ];
  let cp: ControlPlane | undefined;
  try {
    for (const p of parts) assert.equal(await p.controller.start(), false);
    assert.ok(parts.every((p) => p.controller.status().state === "retrying"));
    cp = await start({ port });
    await waitFor(
      () => parts.every((p) => p.controller.status().state === "registered"),
      "registration",
      8000,
    );
    // Only the controllers' own ids: an attempt whose answer was lost to its deadline may have
    // left an orphan record (it turns unhealthy after the TTL, as with flowctl).
    const ids = parts.map((p) => p.controller.status().serviceId!);
    await waitFor(
      () => ids.every((id) => cp!.registry.has(id) && cp!.registry.get(id).heartbeats > 0),
      "heartbeats",
      3000,
    );
    const healthy = (await listServices(cp)).filter((s) => s.healthy).map((s) => s.id);
    for (const id of ids) assert.ok(healthy.includes(id), `${id} healthy`);
  } finally {
    for (const p of parts) await p.controller.stop();
    await cp?.close();
  }
});

Deno.test("control plane restarted without persistence: every controller re-registers", async () => {
  let cp = await start();
  const port = cp.port;
  const parts = [
    controllerFor(port, services.source, "auto"),
    controllerFor(port, services.processor, "legacy"),
    controllerFor(port, services.sink, "v1"),
  ];
  try {
    for (const p of parts) assert.equal(await p.controller.start(), true);
    const ids = parts.map((p) => p.controller.status().serviceId);
    await cp.close();
    cp = await start({ port });
    await waitFor(
      () => parts.every((p) => p.controller.status().registrations === 2),
      "re-registration",
      8000,
    );
    const list = await listServices(cp);
    assert.deepEqual(
      list.map((s) => s.id).sort(),
      [...ids].sort(),
      "same ids as before the restart",
    );
    assert.ok(list.every((s) => s.healthy));
  } finally {
    for (const p of parts) await p.controller.stop();
    await cp.close();
  }
});

Deno.test("with --db-path the registry survives a restart and heartbeats resume without re-registering", async () => {
  const dir = await Deno.makeTempDir();
  const dbPath = `${dir}/registry.json`;
  let cp = await start({ dbPath });
  const port = cp.port;
  const p = controllerFor(port, services.processor, "legacy");
  try {
    assert.equal(await p.controller.start(), true);
    await waitFor(() => p.controller.status().heartbeatsSent >= 2, "heartbeats");
    await cp.close();
    const saved = JSON.parse(await Deno.readTextFile(dbPath));
    assert.equal(saved.services.length, 1);
    assert.equal(saved.services[0].id, p.controller.status().serviceId);
    cp = await start({ port, dbPath });
    assert.equal(cp.registry.list().length, 1, "loaded from the file");
    const sent = p.controller.status().heartbeatsSent;
    await waitFor(
      () => p.controller.status().heartbeatsSent > sent + 1,
      "heartbeats after restart",
      8000,
    );
    assert.equal(p.controller.status().registrations, 1, "no re-registration needed");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), [
      "registry.json",
    ], "no temp files left");
  } finally {
    await p.controller.stop();
    await cp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("legacy-only and v1-only control planes: auto adapts, a fixed protocol waits for its server", async () => {
  const legacyOnly = await start({ protocols: ["legacy"] });
  const v1Only = await start({ protocols: ["v1"] });
  const auto1 = controllerFor(legacyOnly.port, services.source, "auto");
  const auto2 = controllerFor(v1Only.port, services.source, "auto");
  const v1OnLegacy = controllerFor(legacyOnly.port, services.sink, "v1");
  const legacyOnV1 = controllerFor(v1Only.port, services.sink, "legacy");
  const all = [auto1, auto2, v1OnLegacy, legacyOnV1];
  try {
    assert.equal(await auto1.controller.start(), true);
    assert.equal(auto1.controller.status().protocol, "legacy");
    assert.match(auto1.controller.status().serviceId ?? "", /^SERVICE_TYPE_SOURCE-/);
    assert.equal(await auto2.controller.start(), true);
    assert.equal(auto2.controller.status().protocol, "v1");
    assert.equal(await v1OnLegacy.controller.start(), false);
    assert.match(v1OnLegacy.controller.status().lastError ?? "", /UNIMPLEMENTED/);
    assert.equal(await legacyOnV1.controller.start(), false);
    assert.equal(legacyOnV1.controller.status().state, "retrying");
    await waitFor(() => auto1.controller.status().heartbeatsSent > 0, "legacy heartbeats");
    assert.deepEqual((await listServices(legacyOnly)).map((s) => [s.type, s.protocol, s.healthy]), [
      ["source", "legacy", true],
    ]);
  } finally {
    for (const p of all) await p.controller.stop();
    await legacyOnly.close();
    await v1Only.close();
  }
});

Deno.test("a connection that never says which protocol it speaks is dropped", async () => {
  const cp = await startControlPlane({ port: 0, address: "127.0.0.1", sniffTimeoutMs: 100 });
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: cp.port });
    await conn.write(new TextEncoder().encode("PR"));
    const t0 = performance.now();
    const n = await conn.read(new Uint8Array(16));
    assert.equal(n, null, "closed by the server");
    assert.ok(performance.now() - t0 < 5000);
    conn.close();
  } finally {
    await cp.close();
  }
});
