/**
 * The control plane's service registry: one record per service, shared by both protocol
 * generations, with flowctl's rules for ids, topics, heartbeats and the TTL janitor. Pure state
 * (the clock is passed in); no I/O.
 *
 * @module
 */
import type {
  ComponentInfo,
  ComponentTypeName,
  HealthStatusName,
  ServiceInfo,
  ServiceTypeName,
} from "../../shared/flowctl/mod.ts";

/** Service kind, independent of the protocol generation (a v1 CONSUMER is a sink). */
export type ServiceKind = "source" | "processor" | "sink" | "pipeline" | "unspecified";

/** Everything the control plane keeps about one service. */
export interface ServiceRecord {
  /** Service id (assigned or client-supplied). */
  id: string;
  /** Kind. */
  kind: ServiceKind;
  /** Protocol generation the service registered with. */
  protocol: "legacy" | "v1";
  /** Pipeline component id, if any. */
  componentId: string;
  /** Name, version, description (v1 fields, or legacy metadata keys). */
  name: string;
  /** Version. */
  version: string;
  /** Description. */
  description: string;
  /** Consumed event types. */
  inputEventTypes: string[];
  /** Produced event types. */
  outputEventTypes: string[];
  /** Data-plane `host:port` (v1 endpoint, or legacy metadata `endpoint`). */
  endpoint: string;
  /** Health URL (legacy field, or v1 metadata `health_endpoint`). */
  healthEndpoint: string;
  /** Back-pressure credits. */
  maxInflight: number;
  /** Metadata. */
  metadata: Record<string, string>;
  /** Topics assigned at registration. */
  topics: string[];
  /** Registration time, epoch ms. */
  registeredAt: number;
  /** Last heartbeat (or registration) time, epoch ms. */
  lastHeartbeat: number;
  /** Heartbeats received. */
  heartbeats: number;
  /** Healthy = heard from within the TTL and not reporting itself unhealthy. */
  healthy: boolean;
  /** v1 health status. */
  status: HealthStatusName;
  /** Last reported metrics (legacy doubles; v1 strings, as numbers when numeric). */
  metrics: Record<string, number | string>;
}

/** A health transition, for logging. */
export interface HealthTransition {
  /** Service id. */
  id: string;
  /** New health. */
  healthy: boolean;
  /** Time since the previous heartbeat, ms. */
  silentMs: number;
}

/** Thrown for unknown ids; the gRPC layer maps it to NOT_FOUND. */
export class ServiceNotFoundError extends Error {
  /** Creates the error for `id`. */
  constructor(id: string) {
    super(`service ${id} not found`);
    this.name = "ServiceNotFoundError";
  }
}

const LEGACY_KIND: Record<string, ServiceKind> = {
  SERVICE_TYPE_SOURCE: "source",
  SERVICE_TYPE_PROCESSOR: "processor",
  SERVICE_TYPE_SINK: "sink",
  SERVICE_TYPE_PIPELINE: "pipeline",
};
const V1_KIND: Record<string, ServiceKind> = {
  COMPONENT_TYPE_SOURCE: "source",
  COMPONENT_TYPE_PROCESSOR: "processor",
  COMPONENT_TYPE_CONSUMER: "sink",
};

/** Legacy service type name of a kind. */
export function legacyTypeOf(kind: ServiceKind): ServiceTypeName {
  switch (kind) {
    case "source":
      return "SERVICE_TYPE_SOURCE";
    case "processor":
      return "SERVICE_TYPE_PROCESSOR";
    case "sink":
      return "SERVICE_TYPE_SINK";
    case "pipeline":
      return "SERVICE_TYPE_PIPELINE";
    default:
      return "SERVICE_TYPE_UNSPECIFIED";
  }
}

/** v1 component type name of a kind (sink → CONSUMER; pipeline has no v1 type). */
export function v1TypeOf(kind: ServiceKind): ComponentTypeName {
  switch (kind) {
    case "source":
      return "COMPONENT_TYPE_SOURCE";
    case "processor":
      return "COMPONENT_TYPE_PROCESSOR";
    case "sink":
      return "COMPONENT_TYPE_CONSUMER";
    default:
      return "COMPONENT_TYPE_UNSPECIFIED";
  }
}

/** Topics flowctl assigns: `<event type>.v1` per output type, for sources and processors only. */
export function assignTopics(kind: ServiceKind, outputEventTypes: string[]): string[] {
  return kind === "source" || kind === "processor" ? outputEventTypes.map((t) => `${t}.v1`) : [];
}

/** Parses a v1 string metric into a number when it is one. */
export function metricValue(text: string): number | string {
  const t = text.trim();
  if (t !== "" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?Infinity$|^NaN$/.test(t)) {
    return Number(t);
  }
  return text;
}

const HEALTHY_STATUSES = new Set<HealthStatusName>([
  "HEALTH_STATUS_UNKNOWN",
  "HEALTH_STATUS_STARTING",
  "HEALTH_STATUS_HEALTHY",
  "HEALTH_STATUS_DEGRADED",
]);

/** Options of {@linkcode Registry}. */
export interface RegistryOptions {
  /** Silence after which a service is marked unhealthy, ms (flowctl default 30 000). */
  heartbeatTtlMs: number;
}

/** In-memory registry shared by the legacy and v1 services. */
export class Registry {
  readonly #services = new Map<string, ServiceRecord>();
  readonly #ttl: number;
  #lastNanos = 0n;

  /** Creates an empty registry. */
  constructor(options: RegistryOptions) {
    this.#ttl = options.heartbeatTtlMs;
  }

  /** Heartbeat TTL in ms. */
  get heartbeatTtlMs(): number {
    return this.#ttl;
  }

  /** `<type name>-<unix nanoseconds>`, strictly increasing within this process. */
  generateId(typeName: string, nowMs: number): string {
    let nanos = BigInt(Math.floor(nowMs)) * 1_000_000n +
      BigInt(Math.floor((performance.now() % 1) * 1e6));
    if (nanos <= this.#lastNanos) nanos = this.#lastNanos + 1n;
    this.#lastNanos = nanos;
    return `${typeName}-${nanos}`;
  }

  #store(record: ServiceRecord): ServiceRecord {
    this.#services.set(record.id, record);
    return record;
  }

  /** Legacy `Register`: client-supplied id kept, else `<SERVICE_TYPE name>-<nanos>`. */
  registerLegacy(info: ServiceInfo, nowMs: number): ServiceRecord {
    const kind = LEGACY_KIND[info.service_type] ?? "unspecified";
    const id = info.service_id ||
      this.generateId(info.service_type || "SERVICE_TYPE_UNSPECIFIED", nowMs);
    const md = info.metadata ?? {};
    return this.#store({
      id,
      kind,
      protocol: "legacy",
      componentId: info.component_id ?? "",
      name: md.name ?? "",
      version: md.version ?? "",
      description: md.description ?? "",
      inputEventTypes: [...(info.input_event_types ?? [])],
      outputEventTypes: [...(info.output_event_types ?? [])],
      endpoint: md.endpoint ?? "",
      healthEndpoint: info.health_endpoint ?? "",
      maxInflight: info.max_inflight ?? 0,
      metadata: { ...md },
      topics: assignTopics(kind, info.output_event_types ?? []),
      registeredAt: nowMs,
      lastHeartbeat: nowMs,
      heartbeats: 0,
      healthy: true,
      status: "HEALTH_STATUS_HEALTHY",
      metrics: {},
    });
  }

  /**
   * v1 `RegisterComponent`: id = request component_id, else component.id, else
   * `<COMPONENT_TYPE name>-<nanos>`.
   */
  registerV1(componentId: string, c: ComponentInfo, nowMs: number): ServiceRecord {
    const kind = V1_KIND[c.type] ?? "unspecified";
    const id = componentId || c.id ||
      this.generateId(c.type || "COMPONENT_TYPE_UNSPECIFIED", nowMs);
    const md = c.metadata ?? {};
    const maxInflight = Number(md.max_inflight ?? 0);
    return this.#store({
      id,
      kind,
      protocol: "v1",
      componentId: componentId || c.id || "",
      name: c.name ?? "",
      version: c.version ?? "",
      description: c.description ?? "",
      inputEventTypes: [...(c.input_event_types ?? [])],
      outputEventTypes: [...(c.output_event_types ?? [])],
      endpoint: c.endpoint ?? "",
      healthEndpoint: md.health_endpoint ?? "",
      maxInflight: Number.isFinite(maxInflight) ? maxInflight : 0,
      metadata: { ...md },
      topics: assignTopics(kind, c.output_event_types ?? []),
      registeredAt: nowMs,
      lastHeartbeat: nowMs,
      heartbeats: 0,
      healthy: true,
      status: "HEALTH_STATUS_HEALTHY",
      metrics: {},
    });
  }

  #touch(
    id: string,
    nowMs: number,
  ): { record: ServiceRecord; transition: HealthTransition | null } {
    const record = this.#services.get(id);
    if (!record) throw new ServiceNotFoundError(id);
    const silentMs = nowMs - record.lastHeartbeat;
    record.lastHeartbeat = nowMs;
    record.heartbeats++;
    return { record, transition: record.healthy ? null : { id, healthy: true, silentMs } };
  }

  /** Legacy heartbeat: metrics replaced, service healthy. Returns a transition if it recovered. */
  heartbeatLegacy(
    id: string,
    metrics: Record<string, number>,
    nowMs: number,
  ): HealthTransition | null {
    const { record, transition } = this.#touch(id, nowMs);
    record.metrics = { ...metrics };
    record.status = "HEALTH_STATUS_HEALTHY";
    record.healthy = true;
    return transition;
  }

  /**
   * v1 heartbeat: metrics merged; status taken from the request unless UNKNOWN (which keeps the
   * current status, or sets HEALTHY when the current one is UNKNOWN).
   */
  heartbeatV1(
    id: string,
    status: HealthStatusName,
    metrics: Record<string, string>,
    nowMs: number,
  ): HealthTransition | null {
    const { record } = this.#touch(id, nowMs);
    const wasHealthy = record.healthy;
    for (const [k, v] of Object.entries(metrics)) record.metrics[k] = metricValue(v);
    if (status !== "HEALTH_STATUS_UNKNOWN") record.status = status;
    else if (record.status === "HEALTH_STATUS_UNKNOWN" || !wasHealthy) {
      record.status = "HEALTH_STATUS_HEALTHY";
    }
    record.healthy = HEALTHY_STATUSES.has(record.status);
    return wasHealthy === record.healthy ? null : { id, healthy: record.healthy, silentMs: 0 };
  }

  /** v1 unregister: deletes the record. */
  unregister(id: string): void {
    if (!this.#services.delete(id)) throw new ServiceNotFoundError(id);
  }

  /** True when `id` is registered. */
  has(id: string): boolean {
    return this.#services.has(id);
  }

  /** The record for `id`. */
  get(id: string): ServiceRecord {
    const record = this.#services.get(id);
    if (!record) throw new ServiceNotFoundError(id);
    return record;
  }

  /** Every record, in registration order. */
  list(): ServiceRecord[] {
    return [...this.#services.values()];
  }

  /** Janitor pass: marks services silent for longer than the TTL unhealthy. */
  expire(nowMs: number): HealthTransition[] {
    const out: HealthTransition[] = [];
    for (const r of this.#services.values()) {
      const silentMs = nowMs - r.lastHeartbeat;
      if (r.healthy && silentMs > this.#ttl) {
        r.healthy = false;
        r.status = "HEALTH_STATUS_UNHEALTHY";
        out.push({ id: r.id, healthy: false, silentMs });
      }
    }
    return out;
  }

  /** v1 discovery: type (UNSPECIFIED = any), event types (input or output, OR), metadata (AND); healthy only. */
  discover(
    type: ComponentTypeName,
    eventTypes: string[],
    metadataFilters: Record<string, string>,
  ): ServiceRecord[] {
    return this.list().filter((r) =>
      r.healthy &&
      (type === "COMPONENT_TYPE_UNSPECIFIED" || v1TypeOf(r.kind) === type) &&
      (eventTypes.length === 0 ||
        eventTypes.some((t) => r.inputEventTypes.includes(t) || r.outputEventTypes.includes(t))) &&
      Object.entries(metadataFilters).every(([k, v]) => r.metadata[k] === v)
    );
  }

  /** Replaces the contents (used when loading a persisted registry). */
  restore(records: ServiceRecord[]): void {
    this.#services.clear();
    for (const r of records) this.#services.set(r.id, r);
  }
}
