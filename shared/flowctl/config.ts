/**
 * flowctl integration settings, read from the environment. {@linkcode FLOWCTL_OPTIONS} describes
 * every variable declaratively so that each component can list them in its configuration and
 * `--help`.
 *
 * @module
 */
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

/** Declarative description of one environment variable. */
export interface FlowctlOptionSpec {
  /** Key in {@linkcode FlowctlConfig} (dotted for nested: `tls.caFile`). */
  key: string;
  /** Environment variable name. */
  env: string;
  /** Command-line flag (without `--`). */
  flag: string;
  /** Value type, for help output and validation. */
  type: "boolean" | "string" | "duration" | "enum";
  /** Default as the string an operator would write. */
  default: string;
  /** One-line description. */
  description: string;
  /** Allowed values for `enum`. */
  values?: readonly string[];
}

/** Every flowctl environment variable, in help order. */
export const FLOWCTL_OPTIONS: readonly FlowctlOptionSpec[] = [
  {
    key: "enabled",
    env: "ENABLE_FLOWCTL",
    flag: "enable-flowctl",
    type: "boolean",
    default: "false",
    description: "Register with the flowctl control plane and send heartbeats",
  },
  {
    key: "endpoint",
    env: "FLOWCTL_ENDPOINT",
    flag: "flowctl-endpoint",
    type: "string",
    default: "localhost:8080",
    description: "flowctl control plane gRPC address (host:port)",
  },
  {
    key: "heartbeatIntervalMs",
    env: "FLOWCTL_HEARTBEAT_INTERVAL",
    flag: "flowctl-heartbeat-interval",
    type: "duration",
    default: "10s",
    description: "Heartbeat interval (Go duration: 10s, 1m30s, 500ms)",
  },
  {
    key: "componentId",
    env: "FLOWCTL_COMPONENT_ID",
    flag: "flowctl-component-id",
    type: "string",
    default: "",
    description: "Service id to register under (empty: the control plane assigns one)",
  },
  {
    key: "protocol",
    env: "FLOWCTL_PROTOCOL",
    flag: "flowctl-protocol",
    type: "enum",
    values: FLOWCTL_PROTOCOL_MODES,
    default: "auto",
    description: "Control-plane protocol: auto (v1, falling back to legacy), legacy or v1",
  },
  {
    key: "advertiseHost",
    env: "FLOWCTL_ADVERTISE_HOST",
    flag: "flowctl-advertise-host",
    type: "string",
    default: "localhost",
    description: "Host name advertised to flowctl in endpoint and health URLs",
  },
  {
    key: "tls.caFile",
    env: "FLOWCTL_TLS_CA",
    flag: "flowctl-tls-ca",
    type: "string",
    default: "",
    description: "PEM CA file to verify the control plane (enables TLS)",
  },
  {
    key: "tls.certFile",
    env: "FLOWCTL_TLS_CERT",
    flag: "flowctl-tls-cert",
    type: "string",
    default: "",
    description: "PEM client certificate for mutual TLS (with FLOWCTL_TLS_KEY)",
  },
  {
    key: "tls.keyFile",
    env: "FLOWCTL_TLS_KEY",
    flag: "flowctl-tls-key",
    type: "string",
    default: "",
    description: "PEM client key for mutual TLS (with FLOWCTL_TLS_CERT)",
  },
];

/** Parses a boolean switch the way operators write them (`true/false`, `1/0`, `yes/no`, `on/off`). */
export function parseBooleanSwitch(name: string, text: string): boolean {
  const v = text.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(v)) return true;
  if (["false", "0", "no", "off", ""].includes(v)) return false;
  throw new TypeError(`Expected ${name} to be true or false, got "${text}"`);
}

/** Checks a `host:port` endpoint (IPv6 hosts in brackets). */
export function parseEndpoint(name: string, text: string): string {
  const v = text.trim();
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(v);
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new TypeError(`Expected ${name} as host:port (e.g. localhost:8080), got "${text}"`);
  }
  return v;
}

/**
 * Reads the flowctl settings. `lookup` returns a variable's value or `undefined` (default:
 * the process environment); values from command-line flags can be merged in by the caller's
 * lookup.
 *
 * @throws {TypeError | SyntaxError} naming the variable, what was expected and what came.
 */
export function loadFlowctlConfig(
  lookup: (env: string) => string | undefined = (name) => Deno.env.get(name),
): FlowctlConfig {
  const get = (env: string): string => {
    const spec = FLOWCTL_OPTIONS.find((o) => o.env === env);
    return lookup(env) ?? spec?.default ?? "";
  };
  let heartbeatIntervalMs: number;
  try {
    heartbeatIntervalMs = parseGoDuration(get("FLOWCTL_HEARTBEAT_INTERVAL"));
  } catch (e) {
    throw new SyntaxError(`FLOWCTL_HEARTBEAT_INTERVAL: ${(e as Error).message}`);
  }
  if (!(heartbeatIntervalMs >= 1)) {
    throw new TypeError(
      `Expected FLOWCTL_HEARTBEAT_INTERVAL to be at least 1ms, got "${
        get("FLOWCTL_HEARTBEAT_INTERVAL")
      }"`,
    );
  }
  const protocol = get("FLOWCTL_PROTOCOL").trim().toLowerCase();
  if (!(FLOWCTL_PROTOCOL_MODES as readonly string[]).includes(protocol)) {
    throw new TypeError(
      `Expected FLOWCTL_PROTOCOL to be one of ${FLOWCTL_PROTOCOL_MODES.join(", ")}, got "${
        get("FLOWCTL_PROTOCOL")
      }"`,
    );
  }
  const tls: FlowctlTlsConfig = {
    caFile: get("FLOWCTL_TLS_CA").trim(),
    certFile: get("FLOWCTL_TLS_CERT").trim(),
    keyFile: get("FLOWCTL_TLS_KEY").trim(),
  };
  if ((tls.certFile === "") !== (tls.keyFile === "")) {
    throw new TypeError(
      "Expected FLOWCTL_TLS_CERT and FLOWCTL_TLS_KEY together (mutual TLS), got only one of them",
    );
  }
  const advertiseHost = get("FLOWCTL_ADVERTISE_HOST").trim();
  if (advertiseHost === "" || /[\s/]/.test(advertiseHost)) {
    throw new TypeError(
      `Expected FLOWCTL_ADVERTISE_HOST to be a host name or address, got "${advertiseHost}"`,
    );
  }
  return {
    enabled: parseBooleanSwitch("ENABLE_FLOWCTL", get("ENABLE_FLOWCTL")),
    endpoint: parseEndpoint("FLOWCTL_ENDPOINT", get("FLOWCTL_ENDPOINT")),
    heartbeatIntervalMs,
    componentId: get("FLOWCTL_COMPONENT_ID").trim(),
    protocol: protocol as FlowctlProtocolMode,
    advertiseHost,
    tls,
  };
}
