import assert from "node:assert/strict";
import {
  processorServiceDescription,
  sinkServiceDescription,
  sourceServiceDescription,
  toLegacyServiceInfo,
  toV1RegisterRequest,
} from "./service_info.ts";

const base = { advertiseHost: "node-a", healthPort: 8088, bufferSize: 1000 };

Deno.test("source description follows the plan", () => {
  const d = sourceServiceDescription({
    ...base,
    flightPort: 8816,
    network: "Public Global Stellar Network ; September 2015",
    storageType: "datalake",
    backendType: "file",
  });
  assert.deepEqual(toLegacyServiceInfo(d, ""), {
    service_id: "",
    service_type: "SERVICE_TYPE_SOURCE",
    input_event_types: [],
    output_event_types: ["stellar_ledger_service.StellarLedger"],
    health_endpoint: "http://node-a:8088/health",
    max_inflight: 1000,
    metadata: {
      name: "stellar-arrow-source",
      version: "1.0.0",
      description: "Stellar ledgers (LedgerCloseMeta) as Apache Arrow over Arrow Flight",
      endpoint: "node-a:8816",
      network: "Public Global Stellar Network ; September 2015",
      storage_type: "datalake",
      backend_type: "file",
    },
    component_id: "",
  });
});

Deno.test("processor description follows the plan", () => {
  const d = processorServiceDescription({
    ...base,
    flightPort: 8817,
    network: "Test SDF Network ; September 2015",
    eventTypes: ["transfer", "mint"],
    componentId: "ttp-1",
  });
  const info = toLegacyServiceInfo(d, "ttp-1");
  assert.equal(info.service_type, "SERVICE_TYPE_PROCESSOR");
  assert.deepEqual(info.input_event_types, ["stellar_ledger_service.StellarLedger"]);
  assert.deepEqual(info.output_event_types, ["ttp_event_service.TTPEvent"]);
  assert.deepEqual(info.metadata, {
    name: "ttp-arrow-processor",
    version: "1.0.0",
    description: "Token Transfer Protocol (CAP-67) events extracted from Stellar ledgers",
    endpoint: "node-a:8817",
    network: "Test SDF Network ; September 2015",
    processor_type: "ttp_event_extraction",
    event_types: "transfer,mint",
  });
  assert.equal(info.component_id, "ttp-1");
  assert.equal(info.service_id, "ttp-1");
});

Deno.test("sink description lists endpoints and maps to a v1 CONSUMER", () => {
  const d = sinkServiceDescription({
    ...base,
    healthPort: 8090,
    flightPort: 8818,
    bufferSize: 1e12,
    outputFormats: ["parquet", "jsonl", "websocket", "api"],
    storagePaths: { parquet: "./data/parquet", jsonl: "./data/jsonl" },
    websocket: { port: 8081, path: "ws" },
    api: { port: 8081 },
  });
  assert.deepEqual(d.metadata, {
    output_formats: "parquet,jsonl,websocket,api",
    storage_paths: "parquet=./data/parquet,jsonl=./data/jsonl",
    websocket_enabled: "true",
    api_enabled: "true",
    endpoints: "http://node-a:8090/health,ws://node-a:8081/ws,http://node-a:8081/api",
  });
  assert.equal(d.maxInflight, 2_147_483_647, "clamped to int32");
  const req = toV1RegisterRequest(d, "");
  assert.equal(req.component?.type, "COMPONENT_TYPE_CONSUMER");
  assert.equal(req.component?.endpoint, "node-a:8818");
  assert.equal(req.component?.name, "arrow-analytics-sink");
  assert.deepEqual(req.component?.input_event_types, ["ttp_event_service.TTPEvent"]);
  assert.deepEqual(req.component?.output_event_types, []);
  assert.equal(req.component?.metadata.health_endpoint, "http://node-a:8090/health");
  assert.equal(req.component?.metadata.max_inflight, "2147483647");
});

Deno.test("sink without WebSocket/API says so; IPv6 hosts are bracketed", () => {
  const d = sinkServiceDescription({
    ...base,
    advertiseHost: "::1",
    flightPort: 8818,
    outputFormats: ["parquet"],
    storagePaths: {},
  });
  assert.equal(d.metadata.websocket_enabled, "false");
  assert.equal(d.metadata.api_enabled, "false");
  assert.equal(d.metadata.endpoints, "http://[::1]:8088/health");
  assert.equal(d.endpoint, "[::1]:8818");
});
