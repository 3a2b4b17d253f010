/**
 * What each component tells the control plane about itself: a protocol-neutral
 * {@linkcode ServiceDescription}, builders for the three components (as the integration plan
 * lays them out) and the mappings to the legacy `ServiceInfo` and the v1 `RegisterRequest`.
 *
 * @module
 */
import {
  NETWORK_METADATA_KEY,
  OUTPUT_FORMATS_METADATA_KEY,
  STELLAR_LEDGER_EVENT_TYPE,
  STORAGE_TYPE_METADATA_KEY,
  TTP_EVENT_TYPE,
} from "./events.ts";
import type { ComponentTypeName, RegisterRequest, ServiceInfo, ServiceTypeName } from "./proto.ts";

/** Role of a component in the pipeline. */
export type ComponentRole = "source" | "processor" | "sink";

/** Protocol-neutral registration data. */
export interface ServiceDescription {
  /** Pipeline role; decides the legacy service type and the v1 component type. */
  role: ComponentRole;
  /** Component name, e.g. `stellar-arrow-source`. */
  name: string;
  /** Component version. */
  version: string;
  /** One-line description. */
  description: string;
  /** Event types consumed. */
  inputEventTypes: string[];
  /** Event types produced. */
  outputEventTypes: string[];
  /** Arrow Flight `host:port` clients connect to. */
  endpoint: string;
  /** URL of the component's `/health`. */
  healthEndpoint: string;
  /** Back-pressure credits (the component's buffer size). */
  maxInflight: number;
  /** Free-form metadata (string values). */
  metadata: Record<string, string>;
  /** Pipeline component id (`FLOWCTL_COMPONENT_ID`); empty if none. */
  componentId: string;
}

/** Settings common to every builder. */
export interface CommonServiceOptions {
  /** Host advertised in URLs (`FLOWCTL_ADVERTISE_HOST`). */
  advertiseHost: string;
  /** Arrow Flight port. */
  flightPort: number;
  /** Port of the HTTP server that serves `/health`. */
  healthPort: number;
  /** Buffer size, advertised as `max_inflight`. */
  bufferSize: number;
  /** `FLOWCTL_COMPONENT_ID` (default empty). */
  componentId?: string;
  /** Version (default `1.0.0`). */
  version?: string;
  /** Extra metadata merged over the builder's keys. */
  extraMetadata?: Record<string, string>;
}

/** Options of {@linkcode sourceServiceDescription}. */
export interface SourceServiceOptions extends CommonServiceOptions {
  /** Network passphrase. */
  network: string;
  /** Where ledgers come from (e.g. `datalake`, `rpc`). */
  storageType: string;
  /** Storage backend (e.g. `file`, `gcs`, `s3`). */
  backendType: string;
}

/** Options of {@linkcode processorServiceDescription}. */
export interface ProcessorServiceOptions extends CommonServiceOptions {
  /** Network passphrase. */
  network: string;
  /** TTP event types the processor emits (after filtering). */
  eventTypes: string[];
}

/** Options of {@linkcode sinkServiceDescription}. */
export interface SinkServiceOptions extends CommonServiceOptions {
  /** Enabled output formats, e.g. `["parquet", "jsonl", "websocket", "api"]`. */
  outputFormats: string[];
  /** Output directory per format, e.g. `{ parquet: "./data/parquet" }`. */
  storagePaths: Record<string, string>;
  /** WebSocket listener, when WebSocket output is enabled. */
  websocket?: { port: number; path: string };
  /** REST API listener, when the API is enabled (path default `/api`). */
  api?: { port: number; path?: string };
}

function hostPort(host: string, port: number): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${h}:${port}`;
}

function clampInt32(n: number): number {
  if (!Number.isFinite(n) || n < 0) return 0;
  return Math.min(Math.trunc(n), 2_147_483_647);
}

function common(
  o: CommonServiceOptions,
): Pick<
  ServiceDescription,
  "endpoint" | "healthEndpoint" | "maxInflight" | "componentId" | "version"
> {
  return {
    endpoint: hostPort(o.advertiseHost, o.flightPort),
    healthEndpoint: `http://${hostPort(o.advertiseHost, o.healthPort)}/health`,
    maxInflight: clampInt32(o.bufferSize),
    componentId: o.componentId ?? "",
    version: o.version ?? "1.0.0",
  };
}

/** stellar-arrow-source: SOURCE producing `StellarLedger`. */
export function sourceServiceDescription(o: SourceServiceOptions): ServiceDescription {
  return {
    role: "source",
    name: "stellar-arrow-source",
    description: "Stellar ledgers (LedgerCloseMeta) as Apache Arrow over Arrow Flight",
    inputEventTypes: [],
    outputEventTypes: [STELLAR_LEDGER_EVENT_TYPE],
    metadata: {
      [NETWORK_METADATA_KEY]: o.network,
      [STORAGE_TYPE_METADATA_KEY]: o.storageType,
      backend_type: o.backendType,
      ...o.extraMetadata,
    },
    ...common(o),
  };
}

/** ttp-arrow-processor: PROCESSOR `StellarLedger` → `TTPEvent`. */
export function processorServiceDescription(o: ProcessorServiceOptions): ServiceDescription {
  return {
    role: "processor",
    name: "ttp-arrow-processor",
    description: "Token Transfer Protocol (CAP-67) events extracted from Stellar ledgers",
    inputEventTypes: [STELLAR_LEDGER_EVENT_TYPE],
    outputEventTypes: [TTP_EVENT_TYPE],
    metadata: {
      [NETWORK_METADATA_KEY]: o.network,
      processor_type: "ttp_event_extraction",
      event_types: o.eventTypes.join(","),
      ...o.extraMetadata,
    },
    ...common(o),
  };
}

/** arrow-analytics-sink: SINK consuming `TTPEvent`, producing nothing downstream. */
export function sinkServiceDescription(o: SinkServiceOptions): ServiceDescription {
  const c = common(o);
  const endpoints = [c.healthEndpoint];
  if (o.websocket) {
    const path = o.websocket.path.startsWith("/") ? o.websocket.path : `/${o.websocket.path}`;
    endpoints.push(`ws://${hostPort(o.advertiseHost, o.websocket.port)}${path}`);
  }
  if (o.api) {
    const path = o.api.path ?? "/api";
    endpoints.push(`http://${hostPort(o.advertiseHost, o.api.port)}${path}`);
  }
  const storagePaths = Object.entries(o.storagePaths).map(([format, path]) => `${format}=${path}`);
  return {
    role: "sink",
    name: "arrow-analytics-sink",
    description: "TTP events to Parquet/JSONL/CSV files, WebSocket and REST",
    inputEventTypes: [TTP_EVENT_TYPE],
    outputEventTypes: [],
    metadata: {
      [OUTPUT_FORMATS_METADATA_KEY]: o.outputFormats.join(","),
      storage_paths: storagePaths.join(","),
      websocket_enabled: String(o.websocket !== undefined),
      api_enabled: String(o.api !== undefined),
      endpoints: endpoints.join(","),
      ...o.extraMetadata,
    },
    ...c,
  };
}

/** Legacy service type of a role. */
export function legacyServiceType(role: ComponentRole): ServiceTypeName {
  switch (role) {
    case "source":
      return "SERVICE_TYPE_SOURCE";
    case "processor":
      return "SERVICE_TYPE_PROCESSOR";
    case "sink":
      return "SERVICE_TYPE_SINK";
  }
}

/** v1 component type of a role (a sink is a CONSUMER in v1). */
export function v1ComponentType(role: ComponentRole): ComponentTypeName {
  switch (role) {
    case "source":
      return "COMPONENT_TYPE_SOURCE";
    case "processor":
      return "COMPONENT_TYPE_PROCESSOR";
    case "sink":
      return "COMPONENT_TYPE_CONSUMER";
  }
}

/**
 * Legacy `ServiceInfo`. ServiceInfo has no fields for name, version, description and the Flight
 * endpoint, so they travel as the metadata keys `name`, `version`, `description` and
 * `endpoint` (the keys flowctl's legacy-to-v1 wrapper looks up). `serviceId` is the id to (re-)register under: the component id if
 * configured, else the id the control plane assigned earlier, else empty (the server assigns).
 */
export function toLegacyServiceInfo(d: ServiceDescription, serviceId: string): ServiceInfo {
  return {
    service_id: serviceId,
    service_type: legacyServiceType(d.role),
    input_event_types: [...d.inputEventTypes],
    output_event_types: [...d.outputEventTypes],
    health_endpoint: d.healthEndpoint,
    max_inflight: d.maxInflight,
    // ServiceInfo has no name/version/endpoint fields; flowctl's legacy wrapper reads these keys.
    metadata: {
      name: d.name,
      version: d.version,
      description: d.description,
      endpoint: d.endpoint,
      ...d.metadata,
    },
    component_id: d.componentId,
  };
}

/**
 * v1 `RegisterRequest`. ComponentInfo has no health-endpoint or max-inflight field, so those
 * travel as the metadata keys `health_endpoint` and `max_inflight`.
 */
export function toV1RegisterRequest(d: ServiceDescription, serviceId: string): RegisterRequest {
  return {
    component_id: serviceId,
    component: {
      id: serviceId,
      name: d.name,
      description: d.description,
      version: d.version,
      type: v1ComponentType(d.role),
      input_event_types: [...d.inputEventTypes],
      output_event_types: [...d.outputEventTypes],
      endpoint: d.endpoint,
      metadata: {
        ...d.metadata,
        health_endpoint: d.healthEndpoint,
        max_inflight: String(d.maxInflight),
      },
    },
  };
}
