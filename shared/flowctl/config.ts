/**
 * flowctl integration settings. {@linkcode flowctlOptionSpec} declares every variable in the
 * form of `shared/config` so each component spreads it into its own spec (and `--help`), then
 * turns the parsed values into a {@linkcode FlowctlConfig} with {@linkcode flowctlConfigFrom}:
 *
 * ```ts
 * const spec = { flightPort: opt.port({...}), ...flowctlOptionSpec };
 * const { config } = parseConfig(spec, { name: "stellar-arrow-source" });
 * const flowctl = flowctlConfigFrom(config);
 * ```
 *
 * @module
 */
import { ConfigError, type ConfigOf, opt, parseConfig } from "../config/mod.ts";
import { parseGoDuration } from "./duration.ts";

/** Which control-plane protocol generation the controller speaks. */
export type FlowctlProtocolMode = "auto" | "legacy" | "v1";

/** Accepted values of `FLOWCTL_PROTOCOL`. */
export const FLOWCTL_PROTOCOL_MODES: readonly FlowctlProtocolMode[] = ["auto", "legacy", "v1"];

/** Parsed flowctl settings. */
export interface FlowctlConfig {
  /** `ENABLE_FLOWCTL`: integrate with the control plane at all. */
  enabled: boolean;
  /** `FLOWCTL_ENDPOINT`: control plane gRPC `host:port`. */
  endpoint: string;
  /** `FLOWCTL_HEARTBEAT_INTERVAL` in ms. */
  heartbeatIntervalMs: number;
  /** `FLOWCTL_COMPONENT_ID`: id from the pipeline definition; empty lets the server assign one. */
  componentId: string;
  /** `FLOWCTL_PROTOCOL`. */
  protocol: FlowctlProtocolMode;
  /** `FLOWCTL_ADVERTISE_HOST`: host put into the URLs and endpoints the component advertises. */
  advertiseHost: string;
  /** TLS file paths; all empty = plaintext. */
  tls: FlowctlTlsConfig;
}

/** TLS settings for the control-plane connection (PEM file paths). */
export interface FlowctlTlsConfig {
  /** `FLOWCTL_TLS_CA`: CA bundle to verify the control plane; enables TLS. */
  caFile: string;
  /** `FLOWCTL_TLS_CERT`: client certificate for mutual TLS (needs the key). */
  certFile: string;
  /** `FLOWCTL_TLS_KEY`: client private key for mutual TLS (needs the certificate). */
  keyFile: string;
}

/** Checks a `host:port` endpoint (IPv6 hosts in brackets); returns it trimmed. */
export function parseEndpoint(text: string): string {
  const v = text.trim();
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(v);
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new Error(`expected host:port (e.g. localhost:8080), got ${JSON.stringify(text)}`);
  }
  return v;
}

/** Parses a heartbeat interval (Go duration, at least 1 ms) into ms. */
export function parseHeartbeatInterval(text: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch {
    throw new Error(
      `expected a Go duration such as 10s, 1m30s or 500ms, got ${JSON.stringify(text)}`,
    );
  }
  if (!(ms >= 1)) {
    throw new Error(`expected a duration of at least 1ms, got ${JSON.stringify(text)}`);
  }
  return ms;
}

function parseHost(text: string): string {
  const v = text.trim();
  if (v === "" || /[\s/]/.test(v)) {
    throw new Error(`expected a host name or address, got ${JSON.stringify(text)}`);
  }
  return v;
}

/** Every flowctl option (environment variable + flag), in `shared/config` form. */
export const flowctlOptionSpec = {
  flowctlEnabled: opt.bool({
    env: "ENABLE_FLOWCTL",
    default: false,
    description: "Register with the flowctl control plane and send heartbeats",
  }),
  flowctlEndpoint: opt.custom({
    env: "FLOWCTL_ENDPOINT",
    placeholder: "<host:port>",
    parse: parseEndpoint,
    default: "localhost:8080",
    description: "flowctl control plane gRPC address",
  }),
  flowctlHeartbeatIntervalMs: opt.custom({
    env: "FLOWCTL_HEARTBEAT_INTERVAL",
    placeholder: "<duration>",
    parse: parseHeartbeatInterval,
    default: 10_000,
    defaultLabel: "10s",
    description: "Heartbeat interval (Go duration: 10s, 1m30s, 500ms)",
  }),
  flowctlComponentId: opt.string({
    env: "FLOWCTL_COMPONENT_ID",
    default: "",
    description: "Service id to register under (empty: the control plane assigns one)",
  }),
  flowctlProtocol: opt.oneOf<FlowctlProtocolMode>({
    env: "FLOWCTL_PROTOCOL",
    choices: FLOWCTL_PROTOCOL_MODES,
    default: "auto",
    description: "Control-plane protocol: auto (v1, falling back to legacy), legacy or v1",
  }),
  flowctlAdvertiseHost: opt.custom({
    env: "FLOWCTL_ADVERTISE_HOST",
    placeholder: "<host>",
    parse: parseHost,
    default: "localhost",
    description: "Host advertised to flowctl in endpoint and health URLs",
  }),
  flowctlTlsCa: opt.string({
    env: "FLOWCTL_TLS_CA",
    default: "",
    description: "PEM CA file to verify the control plane (enables TLS)",
  }),
  flowctlTlsCert: opt.string({
    env: "FLOWCTL_TLS_CERT",
    default: "",
    description: "PEM client certificate for mutual TLS (with FLOWCTL_TLS_KEY)",
  }),
  flowctlTlsKey: opt.string({
    env: "FLOWCTL_TLS_KEY",
    default: "",
    description: "PEM client key for mutual TLS (with FLOWCTL_TLS_CERT)",
  }),
};

/** Parsed values of {@linkcode flowctlOptionSpec}. */
export type FlowctlOptionValues = ConfigOf<typeof flowctlOptionSpec>;

/**
 * Builds the controller settings from parsed option values (a component's whole config object
 * may be passed: only the `flowctl*` keys are read).
 *
 * @throws {ConfigError} when only one of FLOWCTL_TLS_CERT / FLOWCTL_TLS_KEY is set.
 */
export function flowctlConfigFrom(v: FlowctlOptionValues): FlowctlConfig {
  const tls: FlowctlTlsConfig = {
    caFile: v.flowctlTlsCa.trim(),
    certFile: v.flowctlTlsCert.trim(),
    keyFile: v.flowctlTlsKey.trim(),
  };
  if ((tls.certFile === "") !== (tls.keyFile === "")) {
    throw new ConfigError(
      "FLOWCTL_TLS_CERT and FLOWCTL_TLS_KEY: expected both (mutual TLS) or neither, got only one",
    );
  }
  return {
    enabled: v.flowctlEnabled,
    endpoint: v.flowctlEndpoint,
    heartbeatIntervalMs: v.flowctlHeartbeatIntervalMs,
    componentId: v.flowctlComponentId.trim(),
    protocol: v.flowctlProtocol,
    advertiseHost: v.flowctlAdvertiseHost,
    tls,
  };
}

/**
 * Reads the flowctl settings from environment variables only (default: the process
 * environment). Components normally use {@linkcode flowctlOptionSpec} with their own
 * `parseConfig` call instead, so that flags work too.
 *
 * @throws {ConfigError} naming the variable, what was expected and what came.
 */
export function loadFlowctlConfig(
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
): FlowctlConfig {
  const result = parseConfig(flowctlOptionSpec, { name: "flowctl", args: [], env });
  if (!result.config) throw new ConfigError("flowctl settings: unexpected --help");
  return flowctlConfigFrom(result.config);
}
