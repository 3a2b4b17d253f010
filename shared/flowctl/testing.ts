/**
 * Test helper: a scriptable control plane on loopback (real grpc-js server, port 0) that records
 * every call, so controller tests can reproduce the behaviours of different flowctl versions
 * (legacy-only servers, "service … not found" as UNKNOWN, slow answers).
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import {
  type HeartbeatRequest,
  loadFlowctlProtos,
  type RegisterRequest,
  type ServiceHeartbeat,
  type ServiceInfo,
  type UnregisterRequest,
} from "./proto.ts";
import { loadFlowctlConfig } from "./config.ts";
import { Controller } from "./controller.ts";
import { sourceServiceDescription } from "./service_info.ts";

/** One recorded call. */
export type RecordedCall =
  | { method: "Register"; request: ServiceInfo }
  | { method: "Heartbeat"; request: ServiceHeartbeat }
  | { method: "RegisterComponent"; request: RegisterRequest }
  | { method: "v1.Heartbeat"; request: HeartbeatRequest }
  | { method: "UnregisterComponent"; request: UnregisterRequest };

/** Options of {@linkcode startScriptedControlPlane}. */
export interface ScriptedOptions {
  /** Protocol generations served. Default both. */
  protocols?: ("legacy" | "v1")[];
  /** How "unknown service id" is reported: NOT_FOUND (default) or UNKNOWN with text (flowctl ≤ 0.0.6). */
  notFoundAs?: "NOT_FOUND" | "UNKNOWN";
  /** Delay before answering UnregisterComponent, ms (to test bounded stop). */
  unregisterDelayMs?: number;
  /** Fixed port (default 0 = any). */
  port?: number;
  /** Serve TLS with this PEM certificate and key (and require client certificates signed by `clientCa`). */
  tls?: { cert: string; key: string; clientCa?: string };
}

/** A running scripted control plane. */
export interface ScriptedControlPlane {
  /** `127.0.0.1:<port>`. */
  endpoint: string;
  /** Bound port. */
  port: number;
  /** Every call, in arrival order. */
  calls: RecordedCall[];
  /** Ids currently known; delete one to simulate a control-plane restart. */
  known: Set<string>;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts a scripted control plane on 127.0.0.1. */
export async function startScriptedControlPlane(
  options: ScriptedOptions = {},
): Promise<ScriptedControlPlane> {
  const { legacyService, v1Service } = loadFlowctlProtos();
  const protocols = options.protocols ?? ["legacy", "v1"];
  const calls: RecordedCall[] = [];
  const known = new Set<string>();
  const timers = new Set<number>();
  let counter = 0;
  const notFound = (id: string): Partial<grpc.StatusObject> =>
    options.notFoundAs === "UNKNOWN"
      ? { code: grpc.status.UNKNOWN, details: `service ${id} not found` }
      : { code: grpc.status.NOT_FOUND, details: `service ${id} not found` };
  const server = new grpc.Server();
  if (protocols.includes("legacy")) {
    server.addService(legacyService, {
      Register: (
        call: grpc.ServerUnaryCall<ServiceInfo, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        calls.push({ method: "Register", request: call.request });
        const id = call.request.service_id || `${call.request.service_type}-${++counter}`;
        known.add(id);
        cb(null, { service_id: id, topic_names: [], connection_info: {} });
      },
      Heartbeat: (
        call: grpc.ServerUnaryCall<ServiceHeartbeat, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        calls.push({ method: "Heartbeat", request: call.request });
        if (!known.has(call.request.service_id)) cb(notFound(call.request.service_id), null);
        else cb(null, {});
      },
      GetServiceStatus: (_c: unknown, cb: grpc.sendUnaryData<unknown>) =>
        cb({ code: grpc.status.UNIMPLEMENTED }, null),
      ListServices: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { services: [] }),
    });
  }
  if (protocols.includes("v1")) {
    const unimplemented = (_c: unknown, cb: grpc.sendUnaryData<unknown>) =>
      cb({ code: grpc.status.UNIMPLEMENTED }, null);
    server.addService(v1Service, {
      RegisterComponent: (
        call: grpc.ServerUnaryCall<RegisterRequest, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        calls.push({ method: "RegisterComponent", request: call.request });
        const id = call.request.component_id || call.request.component?.id ||
          `${call.request.component?.type}-${++counter}`;
        known.add(id);
        cb(null, { service_id: id, assigned_topics: [], connection_info: {} });
      },
      Heartbeat: (
        call: grpc.ServerUnaryCall<HeartbeatRequest, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        calls.push({ method: "v1.Heartbeat", request: call.request });
        if (!known.has(call.request.service_id)) cb(notFound(call.request.service_id), null);
        else cb(null, {});
      },
      UnregisterComponent: (
        call: grpc.ServerUnaryCall<UnregisterRequest, unknown>,
        cb: grpc.sendUnaryData<unknown>,
      ) => {
        calls.push({ method: "UnregisterComponent", request: call.request });
        known.delete(call.request.service_id);
        const t = setTimeout(() => {
          timers.delete(t);
          cb(null, {});
        }, options.unregisterDelayMs ?? 0);
        timers.add(t);
      },
      DiscoverComponents: unimplemented,
      GetComponentStatus: unimplemented,
      ListComponents: unimplemented,
    });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `127.0.0.1:${options.port ?? 0}`,
      options.tls
        ? grpc.ServerCredentials.createSsl(
          options.tls.clientCa ? Buffer.from(options.tls.clientCa) : null,
          [{
            cert_chain: Buffer.from(options.tls.cert),
            private_key: Buffer.from(options.tls.key),
          }],
          options.tls.clientCa !== undefined,
        )
        : grpc.ServerCredentials.createInsecure(),
      (err, p) => err ? reject(err) : resolve(p),
    )
  );
  return {
    endpoint: `127.0.0.1:${port}`,
    port,
    calls,
    known,
    close: () => {
      for (const t of timers) clearTimeout(t);
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs` with `what`. */
export async function waitFor(
  predicate: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** True when the `openssl` command runs (used to make test certificates). */
export async function hasOpenssl(): Promise<boolean> {
  try {
    const out = await new Deno.Command("openssl", {
      args: ["version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Writes a test CA (`ca.pem`, `ca.key`) and certificates it signs for `localhost`/127.0.0.1:
 * `server.pem`/`server.key` and `client.pem`/`client.key`, into `dir`, with openssl.
 */
export async function makeTestCerts(dir: string): Promise<void> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stderr: "piped" }).output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  await run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=flowctl-test-ca",
  );
  await Deno.writeTextFile(`${dir}/san.ext`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const name of ["server", "client"]) {
    await run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name === "server" ? "localhost" : "client"}`,
    );
    await run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      "san.ext",
    );
  }
}

/**
 * Two source controllers for a TLS control plane at `localhost:port`: `secure` with the mutual-TLS
 * files of {@linkcode makeTestCerts} in `dir`, `plain` without TLS (it must be refused).
 */
export function tlsTestControllers(
  dir: string,
  port: number,
): { secure: Controller; plain: Controller } {
  const service = sourceServiceDescription({
    advertiseHost: "localhost",
    flightPort: 8816,
    healthPort: 8088,
    bufferSize: 1,
    network: "n",
    storageType: "datalake",
    backendType: "file",
  });
  const env = {
    ENABLE_FLOWCTL: "true",
    FLOWCTL_ENDPOINT: `localhost:${port}`,
    FLOWCTL_HEARTBEAT_INTERVAL: "50ms",
  };
  const secure = new Controller({
    config: loadFlowctlConfig({
      ...env,
      FLOWCTL_TLS_CA: `${dir}/ca.pem`,
      FLOWCTL_TLS_CERT: `${dir}/client.pem`,
      FLOWCTL_TLS_KEY: `${dir}/client.key`,
    }),
    service,
    metrics: { getMetrics: () => ({ ledgers_processed: 5 }) },
  });
  const plain = new Controller({
    config: loadFlowctlConfig(env),
    service,
    metrics: { getMetrics: () => ({}) },
    registerTimeoutMs: 300,
  });
  return { secure, plain };
}
