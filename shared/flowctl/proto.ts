/**
 * Loads the flowctl control-plane protos (`proto/flowctl/`) with @grpc/proto-loader and
 * describes their messages as TypeScript types (field names as in the .proto, enums as names).
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { assetUrl } from "../assets/mod.ts";

/** Directory used as the proto include root (`proto/`; from a bundle: see shared/assets). */
export const PROTO_ROOT: string = fileURLToPath(assetUrl("proto/"));

/** Legacy service type names (`flowctl.ServiceType`). */
export type ServiceTypeName =
  | "SERVICE_TYPE_UNSPECIFIED"
  | "SERVICE_TYPE_SOURCE"
  | "SERVICE_TYPE_PROCESSOR"
  | "SERVICE_TYPE_SINK"
  | "SERVICE_TYPE_PIPELINE";

/** v1 component type names (`flowctl.v1.ComponentType`). */
export type ComponentTypeName =
  | "COMPONENT_TYPE_UNSPECIFIED"
  | "COMPONENT_TYPE_SOURCE"
  | "COMPONENT_TYPE_PROCESSOR"
  | "COMPONENT_TYPE_CONSUMER";

/** v1 health status names (`flowctl.v1.HealthStatus`). */
export type HealthStatusName =
  | "HEALTH_STATUS_UNKNOWN"
  | "HEALTH_STATUS_STARTING"
  | "HEALTH_STATUS_HEALTHY"
  | "HEALTH_STATUS_DEGRADED"
  | "HEALTH_STATUS_UNHEALTHY"
  | "HEALTH_STATUS_STOPPING";

/** `google.protobuf.Timestamp` as loaded (`longs: String`). */
export interface Timestamp {
  /** Seconds since the Unix epoch. */
  seconds: string | number;
  /** Nanoseconds within the second. */
  nanos: number;
}

/** `flowctl.ServiceInfo`. */
export interface ServiceInfo {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
  /** Kind of service. */
  service_type: ServiceTypeName;
  /** Event types consumed. */
  input_event_types: string[];
  /** Event types produced. */
  output_event_types: string[];
  /** URL of the health endpoint. */
  health_endpoint: string;
  /** Back-pressure credits. */
  max_inflight: number;
  /** Free-form string metadata. */
  metadata: Record<string, string>;
  /** Component id from the pipeline definition. */
  component_id: string;
}

/** `flowctl.RegistrationAck`. */
export interface RegistrationAck {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
  /** Topics assigned to the service. */
  topic_names: string[];
  /** Connection details (e.g. `control_plane_endpoint`). */
  connection_info: Record<string, string>;
}

/** `flowctl.ServiceHeartbeat`. */
export interface ServiceHeartbeat {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
  /** Client time of the heartbeat. */
  timestamp: Timestamp | null;
  /** Metric values by name. */
  metrics: Record<string, number>;
}

/** `flowctl.ServiceStatus`. */
export interface ServiceStatus {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
  /** Kind of service. */
  service_type: ServiceTypeName;
  /** True while heartbeats arrive within the TTL. */
  is_healthy: boolean;
  /** Time of the last heartbeat. */
  last_heartbeat: Timestamp | null;
  /** Metric values by name. */
  metrics: Record<string, number>;
  /** Component id from the pipeline definition. */
  component_id: string;
}

/** `flowctl.ServiceList`. */
export interface ServiceList {
  /** Known services. */
  services: ServiceStatus[];
}

/** `flowctl.v1.ComponentInfo`. */
export interface ComponentInfo {
  /** Component id. */
  id: string;
  /** Component name. */
  name: string;
  /** One-line description. */
  description: string;
  /** Component version. */
  version: string;
  /** Component type. */
  type: ComponentTypeName;
  /** Event types consumed. */
  input_event_types: string[];
  /** Event types produced. */
  output_event_types: string[];
  /** Data-plane `host:port`. */
  endpoint: string;
  /** Free-form string metadata. */
  metadata: Record<string, string>;
}

/** `flowctl.v1.RegisterRequest`. */
export interface RegisterRequest {
  /** The component. */
  component: ComponentInfo | null;
  /** Component id from the pipeline definition. */
  component_id: string;
}

/** `flowctl.v1.RegisterResponse`. */
export interface RegisterResponse {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
  /** Topics assigned to the component. */
  assigned_topics: string[];
  /** Connection details (e.g. `control_plane_endpoint`). */
  connection_info: Record<string, string>;
}

/** `flowctl.v1.UnregisterRequest`. */
export interface UnregisterRequest {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
}

/** `flowctl.v1.DiscoveryRequest`. */
export interface DiscoveryRequest {
  /** Component type. */
  type: ComponentTypeName;
  /** Event types to match (input or output, any). */
  event_types: string[];
  /** Metadata that must all match. */
  metadata_filters: Record<string, string>;
}

/** `flowctl.v1.DiscoveryResponse`. */
export interface DiscoveryResponse {
  /** Matching components. */
  components: ComponentInfo[];
}

/** `flowctl.v1.HeartbeatRequest`. */
export interface HeartbeatRequest {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
  /** Health status. */
  status: HealthStatusName;
  /** Metric values by name. */
  metrics: Record<string, string>;
}

/** `flowctl.v1.ComponentStatusRequest`. */
export interface ComponentStatusRequest {
  /** Service id assigned by (or requested from) the control plane. */
  service_id: string;
}

/** `flowctl.v1.ComponentStatusResponse`. */
export interface ComponentStatusResponse {
  /** The component. */
  component: ComponentInfo | null;
  /** Health status. */
  status: HealthStatusName;
  /** Time of the last heartbeat. */
  last_heartbeat: Timestamp | null;
  /** Metric values by name. */
  metrics: Record<string, string>;
  /** Registration time. */
  registered_at: Timestamp | null;
}

/** `flowctl.v1.ListComponentsRequest`. */
export interface ListComponentsRequest {
  /** Only this type (UNSPECIFIED: all). */
  type_filter: ComponentTypeName;
  /** Also list components that are not HEALTHY. */
  include_unhealthy: boolean;
}

/** `flowctl.v1.ListComponentsResponse`. */
export interface ListComponentsResponse {
  /** Matching components. */
  components: ComponentStatusResponse[];
}

/** Empty message (`google.protobuf.Empty`). */
export type Empty = Record<string, never>;

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;
type Unary<Req, Res> = (
  request: Partial<Req>,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: Callback<Res>,
) => grpc.ClientUnaryCall;

/** Client of the legacy `flowctl.ControlPlane` service. */
export interface LegacyControlPlaneClient extends grpc.Client {
  /** `Register` field. */
  Register: Unary<ServiceInfo, RegistrationAck>;
  /** `Heartbeat` field. */
  Heartbeat: Unary<ServiceHeartbeat, Empty>;
  /** `GetServiceStatus` field. */
  GetServiceStatus: Unary<ServiceInfo, ServiceStatus>;
  /** `ListServices` field. */
  ListServices: Unary<Empty, ServiceList>;
}

/** Client of `flowctl.v1.ControlPlaneService`. */
export interface V1ControlPlaneClient extends grpc.Client {
  /** `RegisterComponent` field. */
  RegisterComponent: Unary<RegisterRequest, RegisterResponse>;
  /** `UnregisterComponent` field. */
  UnregisterComponent: Unary<UnregisterRequest, Empty>;
  /** `DiscoverComponents` field. */
  DiscoverComponents: Unary<DiscoveryRequest, DiscoveryResponse>;
  /** `Heartbeat` field. */
  Heartbeat: Unary<HeartbeatRequest, Empty>;
  /** `GetComponentStatus` field. */
  GetComponentStatus: Unary<ComponentStatusRequest, ComponentStatusResponse>;
  /** `ListComponents` field. */
  ListComponents: Unary<ListComponentsRequest, ListComponentsResponse>;
}

/** Constructor of a generated client. */
export type ClientConstructor<C> = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ClientOptions,
) => C;

/** The loaded flowctl services. */
export interface FlowctlProtos {
  /** Legacy `flowctl.ControlPlane` client constructor. */
  LegacyClient: ClientConstructor<LegacyControlPlaneClient>;
  /** Legacy service definition, for `grpc.Server#addService`. */
  legacyService: grpc.ServiceDefinition;
  /** v1 `flowctl.v1.ControlPlaneService` client constructor. */
  V1Client: ClientConstructor<V1ControlPlaneClient>;
  /** v1 service definition, for `grpc.Server#addService`. */
  v1Service: grpc.ServiceDefinition;
}

let cached: FlowctlProtos | undefined;

/** Loads (once per process) both control-plane protocol generations. */
export function loadFlowctlProtos(): FlowctlProtos {
  if (cached) return cached;
  const definition = protoLoader.loadSync(
    ["flowctl/control_plane.proto", "flowctl/v1/control_plane.proto"],
    {
      includeDirs: [PROTO_ROOT],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    },
  );
  const root = grpc.loadPackageDefinition(definition);
  const flowctl = root.flowctl as grpc.GrpcObject;
  const v1 = flowctl.v1 as grpc.GrpcObject;
  const legacy = flowctl.ControlPlane as grpc.ServiceClientConstructor;
  const current = v1.ControlPlaneService as grpc.ServiceClientConstructor;
  cached = {
    LegacyClient: legacy as unknown as ClientConstructor<LegacyControlPlaneClient>,
    legacyService: legacy.service,
    V1Client: current as unknown as ClientConstructor<V1ControlPlaneClient>,
    v1Service: current.service,
  };
  return cached;
}

/** Converts epoch milliseconds to a `google.protobuf.Timestamp`. */
export function toTimestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

/** Converts a `google.protobuf.Timestamp` to epoch milliseconds (`null` for an unset one). */
export function fromTimestamp(ts: Timestamp | null | undefined): number | null {
  if (!ts) return null;
  return Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6);
}
