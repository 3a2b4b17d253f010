/**
 * flowctl integration for the pipeline components: options, service descriptions and the
 * {@linkcode Controller} that registers with the control plane, sends heartbeats with the
 * component's metrics, re-registers when the control plane forgets it and keeps the component
 * serving when the control plane is down.
 *
 * Wiring a component (its spec spreads `flowctlOptionSpec`, so `--help` lists the variables):
 *
 * ```ts
 * import { attachFlowctl, flowctlConfigFrom, flowctlOptionSpec, sourceServiceDescription }
 *   from "../../shared/flowctl/mod.ts";
 * const spec = { ...SOURCE_OPTIONS, ...flowctlOptionSpec };          // config.ts
 * const fc = flowctlConfigFrom(config);                              // after parseConfig
 * const flowctl = await attachFlowctl({                              // bounded, never throws
 *   config: fc,
 *   service: sourceServiceDescription({ advertiseHost: fc.advertiseHost, flightPort,
 *     healthPort, bufferSize, network, storageType: "datalake", backendType: "file",
 *     componentId: fc.componentId }),
 *   registry: metrics.registry,                                      // snapshot() = heartbeat
 * });
 * // /health details: { flowctl: flowctl.status() }; reasons: flowctlHealthReason(...)
 * await flowctl.stop();                                              // in close()
 * ```
 *
 * @module
 */
export * from "./events.ts";
export * from "./config.ts";
export * from "./duration.ts";
export * from "./backoff.ts";
export * from "./errors.ts";
export * from "./service_info.ts";
export * from "./controller.ts";
export * from "./status.ts";
export * from "./attach.ts";
export { type ProtocolGeneration, type RegistrationResult } from "./client.ts";
export { fromTimestamp, loadFlowctlProtos, PROTO_ROOT, toTimestamp } from "./proto.ts";
export type {
  ClientConstructor,
  ComponentInfo,
  ComponentStatusRequest,
  ComponentStatusResponse,
  ComponentTypeName,
  DiscoveryRequest,
  DiscoveryResponse,
  Empty,
  FlowctlProtos,
  HealthStatusName,
  HeartbeatRequest,
  LegacyControlPlaneClient,
  ListComponentsRequest,
  ListComponentsResponse,
  RegisterRequest,
  RegisterResponse,
  RegistrationAck,
  ServiceHeartbeat,
  ServiceInfo,
  ServiceList,
  ServiceStatus,
  ServiceTypeName,
  Timestamp,
  UnregisterRequest,
  V1ControlPlaneClient,
} from "./proto.ts";
