/**
 * flowctl integration for the pipeline components: configuration, service descriptions and the
 * {@linkcode Controller} that registers with the control plane and sends heartbeats.
 *
 * ```ts
 * import { Controller, loadFlowctlConfig, sourceServiceDescription } from "../../shared/flowctl/mod.ts";
 * const config = loadFlowctlConfig(); // or flowctlConfigFrom(values) with flowctlOptionSpec
 * const flowctl = new Controller({
 *   config,
 *   service: sourceServiceDescription({
 *     advertiseHost: config.advertiseHost, flightPort: 8816, healthPort: 8088, bufferSize: 1000,
 *     network: passphrase, storageType: "datalake", backendType: "file",
 *   }),
 *   metrics: { getMetrics: () => ({ ledgers_processed: counters.ledgers }) },
 * });
 * await flowctl.start();          // bounded (5 s); never throws if flowctl is down
 * // /health: include flowctl.status(); on shutdown:
 * await flowctl.stop();
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
export { type ProtocolGeneration, type RegistrationResult } from "./client.ts";
export { fromTimestamp, loadFlowctlProtos, PROTO_ROOT, toTimestamp } from "./proto.ts";
export type * from "./proto.ts";
