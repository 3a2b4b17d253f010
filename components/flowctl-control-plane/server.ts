/**
 * The control plane process: both gRPC protocol generations and the HTTP API/status page on
 * ONE port. A `node:net` listener peeks at each connection's first bytes: the HTTP/2 client
 * preface (`PRI * HTTP/2.0`) goes to the grpc-js server (through its connection injector),
 * anything else to a `node:http` server.
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import http from "node:http";
import net from "node:net";
import { Buffer } from "node:buffer";
import { getLogger, type Logger } from "../../shared/log/mod.ts";
import { loadFlowctlProtos } from "../../shared/flowctl/mod.ts";
import { legacyHandlers, type ServiceHooks, v1Handlers } from "./grpc_services.ts";
import { MetricHistory } from "./history.ts";
import { handleHttp, type HttpContext } from "./http.ts";
import { loadRegistry, saveRegistry } from "./persistence.ts";
import { Registry } from "./registry.ts";
import { Registry as MetricsRegistry } from "../../shared/metrics/mod.ts";

/** Options of {@linkcode startControlPlane}. */
export interface ControlPlaneOptions {
  /** Port for gRPC and HTTP (0 = any free port). */
  port: number;
  /** Listen address. Default `0.0.0.0`. */
  address?: string;
  /** Silence after which a service is unhealthy, ms. Default 30 000. */
  heartbeatTtlMs?: number;
  /** Janitor period, ms. Default 10 000. */
  janitorIntervalMs?: number;
  /** JSON file to persist the registry in (absent: memory only). */
  dbPath?: string;
  /** Status page refresh, seconds. Default 5. */
  refreshSeconds?: number;
  /** Logger (default `getLogger(["flowctl", "control-plane"])`). */
  logger?: Logger;
  /**
   * Protocol generations served (default both). `["legacy"]` behaves like flowctl ≤ v0.0.6,
   * `["v1"]` like flowctl at cdc1822 (v1 only): calls to the other one answer UNIMPLEMENTED.
   */
  protocols?: readonly ("legacy" | "v1")[];
  /** Drop connections that have not identified their protocol after this long, ms. Default 10 000. */
  sniffTimeoutMs?: number;
  /**
   * Serve gRPC over TLS (PEM texts; with `clientCa`, clients must present a certificate it
   * signed). TLS connections cannot be told apart before the handshake, so the HTTP API then
   * moves to `httpPort` (plaintext), or is not served when that is absent.
   */
  tls?: { cert: string; key: string; clientCa?: string };
  /** HTTP port when `tls` is set (0 = any free port). */
  httpPort?: number;
}

interface Transport {
  port: number;
  httpPort: number | null;
  close(): Promise<void>;
}

function trackSockets(server: net.Server | http.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return sockets;
}

async function listen(
  server: net.Server | http.Server,
  port: number,
  host: string,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as net.AddressInfo).port;
}

/** gRPC and HTTP/1.1 on one plaintext port, told apart by the first bytes. */
async function listenMultiplexed(
  grpcServer: grpc.Server,
  httpServer: http.Server,
  options: ControlPlaneOptions & { address: string },
): Promise<Transport> {
  const injector = grpcServer.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const listener = net.createServer((socket) => {
    // A client that connects and sends too little to tell the protocol apart is dropped.
    const undecided = setTimeout(
      () => socket.destroy(),
      options.sniffTimeoutMs ?? SNIFF_TIMEOUT_MS,
    );
    socket.on("close", () => clearTimeout(undecided));
    socket.on("error", () => socket.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const kind = sniffProtocol(head);
      if (kind === null) return;
      clearTimeout(undecided);
      socket.off("data", onData);
      socket.pause();
      socket.unshift(head);
      if (kind === "h2") injector.injectConnection(socket);
      else httpServer.emit("connection", socket);
      socket.resume();
    };
    socket.on("data", onData);
  });
  const sockets = trackSockets(listener);
  const port = await listen(listener, options.port, options.address);
  return {
    port,
    httpPort: port,
    async close() {
      const closed = new Promise<void>((r) => listener.close(() => r()));
      for (const s of sockets) s.destroy();
      injector.destroy();
      grpcServer.forceShutdown();
      httpServer.close();
      await closed;
    },
  };
}

/** gRPC over TLS on `port`; HTTP (plaintext) on `httpPort` if given. */
async function listenTls(
  grpcServer: grpc.Server,
  httpServer: http.Server,
  options: ControlPlaneOptions & { address: string },
): Promise<Transport> {
  const tls = options.tls!;
  const credentials = grpc.ServerCredentials.createSsl(
    tls.clientCa ? Buffer.from(tls.clientCa) : null,
    [{ cert_chain: Buffer.from(tls.cert), private_key: Buffer.from(tls.key) }],
    tls.clientCa !== undefined,
  );
  const host = options.address.includes(":") ? `[${options.address}]` : options.address;
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(
      `${host}:${options.port}`,
      credentials,
      (err, p) => err ? reject(err) : resolve(p),
    )
  );
  let httpPort: number | null = null;
  const sockets = trackSockets(httpServer);
  if (options.httpPort !== undefined) {
    try {
      httpPort = await listen(httpServer, options.httpPort, options.address);
    } catch (e) {
      grpcServer.forceShutdown();
      throw e;
    }
  }
  return {
    port,
    httpPort,
    async close() {
      grpcServer.forceShutdown();
      if (httpPort === null) return;
      const closed = new Promise<void>((r) => httpServer.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** A running control plane. */
export interface ControlPlane {
  /** The bound gRPC port. */
  readonly port: number;
  /** Port of the HTTP API and status page: `port` when multiplexed, null when not served. */
  readonly httpPort: number | null;
  /** The registry (for tests and embedding). */
  readonly registry: Registry;
  /** Runs one janitor pass now. */
  janitor(): void;
  /** Stops listening, closes connections and flushes persistence. */
  close(): Promise<void>;
}

/** How long a new connection may take to send enough bytes to identify its protocol. */
export const SNIFF_TIMEOUT_MS = 10_000;

const H2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/**
 * Decides a connection's protocol from its first bytes: `"h2"` for the HTTP/2 preface,
 * `"http1"` as soon as the bytes differ from it, `null` while undecided.
 */
export function sniffProtocol(head: Uint8Array): "h2" | "http1" | null {
  const n = Math.min(head.length, H2_PREFACE.length);
  for (let i = 0; i < n; i++) if (head[i] !== H2_PREFACE[i]) return "http1";
  return n === H2_PREFACE.length ? "h2" : null;
}

/** Starts the control plane. */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const log = options.logger ?? getLogger(["flowctl", "control-plane"]);
  const address = options.address ?? "0.0.0.0";
  const ttl = options.heartbeatTtlMs ?? 30_000;
  const registry = new Registry({ heartbeatTtlMs: ttl });
  const history = new MetricHistory(60);
  const now = () => Date.now();

  if (options.dbPath) {
    const records = await loadRegistry(options.dbPath);
    registry.restore(records);
    log.info("Loaded {count} service(s) from {path}", {
      count: records.length,
      path: options.dbPath,
    });
  }

  // Persistence: coalesce changes, one write at a time.
  let dirty = false;
  let saving: Promise<void> = Promise.resolve();
  let saveTimer: number | undefined;
  const flush = (): Promise<void> => {
    if (!options.dbPath || !dirty) return saving;
    dirty = false;
    const path = options.dbPath;
    saving = saving.then(() => saveRegistry(path, registry.list())).catch((e) => {
      log.error("Could not persist the registry to {path}: {error}", { path, error: String(e) });
    });
    return saving;
  };
  const changed = () => {
    if (!options.dbPath) return;
    dirty = true;
    if (saveTimer === undefined) {
      saveTimer = setTimeout(() => {
        saveTimer = undefined;
        flush();
      }, 100);
    }
  };

  const metrics = new MetricsRegistry({ prefix: "flowctl_control_plane_" });
  metrics.gauge("services", "Registered services", { collect: () => registry.list().length });
  metrics.gauge("healthy_services", "Registered services heard from within the TTL", {
    collect: () => registry.list().filter((r) => r.healthy).length,
  });
  const registrations = metrics.counter("registrations", "Registrations", ["protocol"]);
  const heartbeats = metrics.counter(
    "heartbeats",
    "Heartbeats received, by the protocol the service registered with",
    ["protocol"],
  );
  const unregistrations = metrics.counter("unregistrations", "v1 unregistrations");
  const expirations = metrics.counter("expirations", "Services marked unhealthy by the janitor");

  let port = 0;
  const hooks: ServiceHooks = {
    registry,
    now,
    advertisedEndpoint: () =>
      `${address === "0.0.0.0" || address === "::" ? "localhost" : address}:${port}`,
    onRegister: (r, again) => {
      registrations.inc(1, { protocol: r.protocol });
      history.delete(r.id);
      const props = { id: r.id, kind: r.kind, protocol: r.protocol, topics: r.topics };
      if (again) {
        log.info("Re-registered {id} ({kind}, {protocol} protocol), topics {topics}", props);
      } else log.info("Registered {id} ({kind}, {protocol} protocol), topics {topics}", props);
      changed();
    },
    onHeartbeat: (r, recovered, becameUnhealthy) => {
      heartbeats.inc(1, { protocol: r.protocol });
      history.add(r.id, r.lastHeartbeat, r.metrics);
      if (recovered) log.info("{id} is healthy again (heartbeat received)", { id: r.id });
      if (becameUnhealthy) {
        log.warn("{id} reports itself {status}", { id: r.id, status: r.status });
      }
      changed();
    },
    onUnregister: (id) => {
      unregistrations.inc();
      history.delete(id);
      log.info("Unregistered {id}", { id });
      changed();
    },
  };

  const { legacyService, v1Service } = loadFlowctlProtos();
  const grpcServer = new grpc.Server();
  const protocols = options.protocols ?? ["legacy", "v1"];
  if (protocols.length === 0) throw new RangeError("Expected at least one protocol, got none");
  if (protocols.includes("legacy")) grpcServer.addService(legacyService, legacyHandlers(hooks));
  if (protocols.includes("v1")) grpcServer.addService(v1Service, v1Handlers(hooks));

  const ctx: HttpContext = {
    registry,
    history,
    now,
    refreshSeconds: options.refreshSeconds ?? 5,
    metricsText: () => metrics.render(),
  };
  const httpServer = http.createServer((req, res) => {
    const answer = handleHttp(ctx, req.method ?? "GET", req.url ?? "/");
    res.writeHead(answer.status, {
      "content-type": answer.contentType,
      "cache-control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : answer.body);
  });

  const transport = options.tls
    ? await listenTls(grpcServer, httpServer, { ...options, address })
    : await listenMultiplexed(grpcServer, httpServer, { ...options, address });
  port = transport.port;

  const janitor = () => {
    for (const t of registry.expire(now())) {
      expirations.inc();
      log.warn("{id} is unhealthy: no heartbeat for {seconds} s (TTL {ttl} s)", {
        id: t.id,
        seconds: (t.silentMs / 1000).toFixed(1),
        ttl: ttl / 1000,
      });
      changed();
    }
  };
  const janitorTimer = setInterval(janitor, options.janitorIntervalMs ?? 10_000);

  const services = [
    protocols.includes("legacy") ? "flowctl.ControlPlane" : "",
    protocols.includes("v1") ? "flowctl.v1.ControlPlaneService" : "",
  ].filter((x) => x !== "").join(" + ");
  log.info(
    "flowctl control plane on {address}:{port} (gRPC {services}{tls}; HTTP /api/services and / {http}), heartbeat TTL {ttl} s",
    {
      address,
      port,
      services,
      tls: options.tls ? (options.tls.clientCa ? " over mutual TLS" : " over TLS") : "",
      http: transport.httpPort === null
        ? "off (set --http-port)"
        : transport.httpPort === port
        ? "on the same port"
        : `on port ${transport.httpPort}`,
      ttl: ttl / 1000,
    },
  );

  let closing: Promise<void> | null = null;
  return {
    port,
    httpPort: transport.httpPort,
    registry,
    janitor,
    close() {
      closing ??= (async () => {
        clearInterval(janitorTimer);
        clearTimeout(saveTimer);
        await transport.close();
        await flush();
      })();
      return closing;
    },
  };
}
