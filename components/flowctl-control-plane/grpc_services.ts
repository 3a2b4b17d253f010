/**
 * gRPC handlers of both protocol generations over one {@linkcode Registry}.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import {
  type ComponentStatusRequest,
  type ComponentStatusResponse,
  type DiscoveryRequest,
  type HeartbeatRequest,
  type ListComponentsRequest,
  type RegisterRequest,
  type ServiceHeartbeat,
  type ServiceInfo,
  type ServiceStatus,
  toTimestamp,
  type UnregisterRequest,
} from "../../shared/flowctl/mod.ts";
import {
  legacyTypeOf,
  type Registry,
  ServiceNotFoundError,
  type ServiceRecord,
  v1TypeOf,
} from "./registry.ts";

/** What the handlers need besides the registry. */
export interface ServiceHooks {
  /** The registry. */
  registry: Registry;
  /** Clock (epoch ms). */
  now: () => number;
  /** Address put into `connection_info.control_plane_endpoint`. */
  advertisedEndpoint: () => string;
  /** Called after a registration. */
  onRegister: (record: ServiceRecord, reRegistration: boolean) => void;
  /** Called after a heartbeat (with the health transition, if any). */
  onHeartbeat: (record: ServiceRecord, recovered: boolean, becameUnhealthy: boolean) => void;
  /** Called after an unregistration. */
  onUnregister: (id: string) => void;
}

type Handler<Req, Res> = grpc.handleUnaryCall<Req, Res>;

function fail(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof ServiceNotFoundError) {
    return { code: grpc.status.NOT_FOUND, details: err.message };
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

function wrap<Req, Res>(fn: (req: Req) => Res): Handler<Req, Res> {
  return (call, callback) => {
    let res: Res;
    try {
      res = fn(call.request);
    } catch (e) {
      callback(fail(e), null);
      return;
    }
    callback(null, res);
  };
}

function legacyStatus(r: ServiceRecord): ServiceStatus {
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.metrics)) if (typeof v === "number") metrics[k] = v;
  return {
    service_id: r.id,
    service_type: legacyTypeOf(r.kind),
    is_healthy: r.healthy,
    last_heartbeat: toTimestamp(r.lastHeartbeat),
    metrics,
    component_id: r.componentId,
  };
}

/** v1 ComponentInfo of a record. */
export function componentInfoOf(r: ServiceRecord) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    version: r.version,
    type: v1TypeOf(r.kind),
    input_event_types: r.inputEventTypes,
    output_event_types: r.outputEventTypes,
    endpoint: r.endpoint,
    metadata: r.metadata,
  };
}

function v1Status(r: ServiceRecord): ComponentStatusResponse {
  const metrics: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.metrics)) metrics[k] = String(v);
  return {
    component: componentInfoOf(r),
    status: r.status,
    last_heartbeat: toTimestamp(r.lastHeartbeat),
    metrics,
    registered_at: toTimestamp(r.registeredAt),
  };
}

/** Handlers of legacy `flowctl.ControlPlane`. */
export function legacyHandlers(h: ServiceHooks): grpc.UntypedServiceImplementation {
  return {
    Register: wrap((info: ServiceInfo) => {
      const again = info.service_id !== "" &&
        h.registry.list().some((r) => r.id === info.service_id);
      const r = h.registry.registerLegacy(info, h.now());
      h.onRegister(r, again);
      return {
        service_id: r.id,
        topic_names: r.topics,
        connection_info: { control_plane_endpoint: h.advertisedEndpoint() },
      };
    }),
    Heartbeat: wrap((hb: ServiceHeartbeat) => {
      const t = h.registry.heartbeatLegacy(hb.service_id, hb.metrics ?? {}, h.now());
      h.onHeartbeat(h.registry.get(hb.service_id), t?.healthy === true, false);
      return {};
    }),
    GetServiceStatus: wrap((info: ServiceInfo) => legacyStatus(h.registry.get(info.service_id))),
    ListServices: wrap(() => ({ services: h.registry.list().map(legacyStatus) })),
  };
}

/** Handlers of `flowctl.v1.ControlPlaneService`. */
export function v1Handlers(h: ServiceHooks): grpc.UntypedServiceImplementation {
  return {
    RegisterComponent: wrap((req: RegisterRequest) => {
      if (!req.component) throw new Error("RegisterRequest.component is required");
      const wanted = req.component_id || req.component.id;
      const again = wanted !== "" && h.registry.has(wanted);
      const r = h.registry.registerV1(req.component_id, req.component, h.now());
      h.onRegister(r, again);
      return {
        service_id: r.id,
        assigned_topics: r.topics,
        connection_info: { control_plane_endpoint: h.advertisedEndpoint() },
      };
    }),
    UnregisterComponent: wrap((req: UnregisterRequest) => {
      h.registry.unregister(req.service_id);
      h.onUnregister(req.service_id);
      return {};
    }),
    DiscoverComponents: wrap((req: DiscoveryRequest) => ({
      components: h.registry
        .discover(req.type, req.event_types ?? [], req.metadata_filters ?? {})
        .map(componentInfoOf),
    })),
    Heartbeat: wrap((req: HeartbeatRequest) => {
      const t = h.registry.heartbeatV1(req.service_id, req.status, req.metrics ?? {}, h.now());
      h.onHeartbeat(h.registry.get(req.service_id), t?.healthy === true, t?.healthy === false);
      return {};
    }),
    GetComponentStatus: wrap((req: ComponentStatusRequest) =>
      v1Status(h.registry.get(req.service_id))
    ),
    ListComponents: wrap((req: ListComponentsRequest) => ({
      components: h.registry.list()
        .filter((r) => req.include_unhealthy || r.status === "HEALTH_STATUS_HEALTHY")
        .filter((r) =>
          req.type_filter === "COMPONENT_TYPE_UNSPECIFIED" || v1TypeOf(r.kind) === req.type_filter
        )
        .map(v1Status),
    })),
  };
}
