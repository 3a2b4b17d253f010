/**
 * flowctl control plane: `deno task start:control-plane [--port 8080] [--db-path file.json]`.
 *
 * @module
 */
import { ConfigError, opt, parseConfig } from "../../shared/config/mod.ts";
import { parseGoDuration } from "../../shared/flowctl/mod.ts";
import { getLogger, setupLogging } from "../../shared/log/mod.ts";
import { startControlPlane } from "./server.ts";

function duration(raw: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(raw);
  } catch {
    throw new Error(`expected a Go duration such as 30s or 1m, got ${JSON.stringify(raw)}`);
  }
  if (!(ms >= 1)) {
    throw new Error(`expected a duration of at least 1ms, got ${JSON.stringify(raw)}`);
  }
  return ms;
}

/** Command-line and environment options. */
export const controlPlaneSpec = {
  port: opt.port({
    env: "FLOWCTL_PORT",
    flag: "port",
    default: 8080,
    description: "Port for gRPC (both protocol generations) and HTTP (/api/services, /)",
  }),
  address: opt.string({
    env: "FLOWCTL_ADDRESS",
    flag: "address",
    default: "0.0.0.0",
    description: "Listen address",
  }),
  heartbeatTtlMs: opt.custom({
    env: "FLOWCTL_HEARTBEAT_TTL",
    flag: "heartbeat-ttl",
    placeholder: "<duration>",
    parse: duration,
    default: 30_000,
    defaultLabel: "30s",
    description: "Silence after which a service is marked unhealthy",
  }),
  janitorIntervalMs: opt.custom({
    env: "FLOWCTL_JANITOR_INTERVAL",
    flag: "janitor-interval",
    placeholder: "<duration>",
    parse: duration,
    default: 10_000,
    defaultLabel: "10s",
    description: "How often silent services are checked",
  }),
  dbPath: opt.optionalString({
    env: "FLOWCTL_DB_PATH",
    flag: "db-path",
    description: "JSON file persisting the registry across restarts (unset: memory only)",
  }),
  protocols: opt.list({
    env: "FLOWCTL_PROTOCOLS",
    flag: "protocols",
    choices: ["legacy", "v1"],
    default: ["legacy", "v1"],
    description:
      "Protocol generations served (legacy: like flowctl <= v0.0.6; v1 only: like cdc1822)",
  }),
  tlsCert: opt.optionalString({
    env: "FLOWCTL_SERVER_TLS_CERT",
    flag: "tls-cert",
    description: "PEM server certificate: serve gRPC over TLS (with --tls-key)",
  }),
  tlsKey: opt.optionalString({
    env: "FLOWCTL_SERVER_TLS_KEY",
    flag: "tls-key",
    description: "PEM server private key (with --tls-cert)",
  }),
  tlsCaCert: opt.optionalString({
    env: "FLOWCTL_SERVER_TLS_CA",
    flag: "tls-ca-cert",
    description: "PEM CA: require client certificates signed by it (mutual TLS)",
  }),
  httpPort: opt.optionalInt({
    env: "FLOWCTL_HTTP_PORT",
    flag: "http-port",
    min: 0,
    max: 65535,
    description:
      "With TLS: plaintext port for /api/services and / (unset: not served). Without TLS HTTP shares --port",
  }),
  logLevel: opt.string({ env: "LOG_LEVEL", default: "info", description: "Log level" }),
  logFormat: opt.oneOf<"text" | "json">({
    env: "LOG_FORMAT",
    choices: ["text", "json"],
    default: "text",
    description: "Log format",
  }),
};

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseConfig(controlPlaneSpec, {
      name: "flowctl-control-plane",
      summary:
        "flowctl control plane: registry, heartbeats and TTL janitor over gRPC (flowctl.ControlPlane and flowctl.v1.ControlPlaneService), JSON at /api/services and a status page at /, all on one port.",
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      Deno.exit(2);
    }
    throw e;
  }
  if (parsed.help !== undefined) {
    console.log(parsed.help);
    Deno.exit(0);
  }
  const c = parsed.config;
  if (!c) throw new Error("unreachable: no config and no help");
  setupLogging({ level: c.logLevel, format: c.logFormat });
  const log = getLogger(["flowctl", "control-plane"]);
  if (c.protocols.length === 0) {
    console.error("FLOWCTL_PROTOCOLS (--protocols): expected legacy, v1 or both, got none");
    Deno.exit(2);
  }
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) {
    console.error("--tls-cert and --tls-key: expected both or neither, got only one");
    Deno.exit(2);
  }
  if (c.tlsCaCert !== undefined && c.tlsCert === undefined) {
    console.error("--tls-ca-cert: expected together with --tls-cert and --tls-key");
    Deno.exit(2);
  }
  const read = (path: string, what: string): string => {
    try {
      return Deno.readTextFileSync(path);
    } catch (e) {
      console.error(`${what}: cannot read ${path}: ${(e as Error).message}`);
      Deno.exit(2);
    }
  };
  const tls = c.tlsCert !== undefined && c.tlsKey !== undefined
    ? {
      cert: read(c.tlsCert, "--tls-cert"),
      key: read(c.tlsKey, "--tls-key"),
      clientCa: c.tlsCaCert !== undefined ? read(c.tlsCaCert, "--tls-ca-cert") : undefined,
    }
    : undefined;
  const cp = await startControlPlane({
    ...c,
    tls,
    protocols: c.protocols as ("legacy" | "v1")[],
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info("Shutting down");
    await cp.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
