/**
 * One connection to a control plane, speaking either protocol generation through a common
 * interface ({@linkcode ControlPlaneConnection}).
 *
 * @module
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import type { FlowctlTlsConfig } from "./config.ts";
import {
  type Empty,
  type HealthStatusName,
  type LegacyControlPlaneClient,
  loadFlowctlProtos,
  toTimestamp,
  type V1ControlPlaneClient,
} from "./proto.ts";
import {
  type ServiceDescription,
  toLegacyServiceInfo,
  toV1RegisterRequest,
} from "./service_info.ts";

/** A control-plane protocol generation. */
export type ProtocolGeneration = "legacy" | "v1";

/** What a successful registration returns, whichever the protocol. */
export interface RegistrationResult {
  /** Id assigned (or confirmed) by the control plane. */
  serviceId: string;
  /** Topics / assigned topics. */
  topics: string[];
  /** Connection info map. */
  connectionInfo: Record<string, string>;
}

/** Options of {@linkcode ControlPlaneConnection}. */
export interface ConnectionOptions {
  /** `host:port`. */
  endpoint: string;
  /** TLS files (all empty = plaintext). */
  tls?: FlowctlTlsConfig;
}

/**
 * Builds channel credentials from the TLS settings (plaintext when no file is set).
 *
 * @throws {Error} naming the variable and the path when a file cannot be read.
 */
export function channelCredentials(tls?: FlowctlTlsConfig): grpc.ChannelCredentials {
  if (!tls || (tls.caFile === "" && tls.certFile === "")) return grpc.credentials.createInsecure();
  const read = (path: string, variable: string): Buffer | null => {
    if (path === "") return null;
    try {
      return Buffer.from(Deno.readFileSync(path));
    } catch (e) {
      throw new Error(`${variable}: cannot read ${path}: ${(e as Error).message}`);
    }
  };
  return grpc.credentials.createSsl(
    read(tls.caFile, "FLOWCTL_TLS_CA"),
    read(tls.keyFile, "FLOWCTL_TLS_KEY"),
    read(tls.certFile, "FLOWCTL_TLS_CERT"),
  );
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  // Reconnect promptly once the control plane is back (grpc-js defaults back off up to 120 s).
  "grpc.initial_reconnect_backoff_ms": 250,
  "grpc.max_reconnect_backoff_ms": 2000,
  // Own subchannels, released on close (the global pool keeps reconnect timers alive after it).
  "grpc.use_local_subchannel_pool": 1,
};

/** A gRPC channel to the control plane with clients for both protocol generations. */
export class ControlPlaneConnection {
  readonly #legacy: LegacyControlPlaneClient;
  readonly #v1: V1ControlPlaneClient;
  readonly #calls = new Set<grpc.ClientUnaryCall>();
  #closed = false;

  /** Opens (lazily connects) a channel to `options.endpoint`. */
  constructor(options: ConnectionOptions) {
    const { LegacyClient, V1Client } = loadFlowctlProtos();
    const creds = channelCredentials(options.tls);
    this.#legacy = new LegacyClient(options.endpoint, creds, CHANNEL_OPTIONS);
    this.#v1 = new V1Client(options.endpoint, creds, {
      ...CHANNEL_OPTIONS,
      channelOverride: this.#legacy.getChannel(),
    });
  }

  #unary<Res>(
    start: (
      metadata: grpc.Metadata,
      options: grpc.CallOptions,
      cb: (e: grpc.ServiceError | null, v?: Res) => void,
    ) => grpc.ClientUnaryCall,
    timeoutMs: number,
    waitForReady: boolean,
  ): Promise<Res> {
    if (this.#closed) return Promise.reject(new Error("Control-plane connection is closed"));
    return new Promise<Res>((resolve, reject) => {
      const metadata = new grpc.Metadata();
      // Registration waits for the channel to connect (up to the deadline); heartbeats fail fast.
      metadata.setOptions({ waitForReady });
      const call = start(metadata, { deadline: Date.now() + timeoutMs }, (err, value) => {
        this.#calls.delete(call);
        if (err) reject(err);
        else resolve(value as Res);
      });
      this.#calls.add(call);
    });
  }

  /**
   * Registers `service` under `serviceId` (empty: the server assigns one). Waits up to
   * `timeoutMs` for the channel to connect and the answer to come.
   */
  async register(
    protocol: ProtocolGeneration,
    service: ServiceDescription,
    serviceId: string,
    timeoutMs: number,
  ): Promise<RegistrationResult> {
    if (protocol === "legacy") {
      const info = toLegacyServiceInfo(service, serviceId);
      const ack = await this.#unary<
        { service_id: string; topic_names: string[]; connection_info: Record<string, string> }
      >(
        (m, o, cb) => this.#legacy.Register(info, m, o, cb),
        timeoutMs,
        true,
      );
      return {
        serviceId: ack.service_id,
        topics: ack.topic_names,
        connectionInfo: ack.connection_info,
      };
    }
    const req = toV1RegisterRequest(service, serviceId);
    const res = await this.#unary<
      { service_id: string; assigned_topics: string[]; connection_info: Record<string, string> }
    >(
      (m, o, cb) => this.#v1.RegisterComponent(req, m, o, cb),
      timeoutMs,
      true,
    );
    return {
      serviceId: res.service_id,
      topics: res.assigned_topics,
      connectionInfo: res.connection_info,
    };
  }

  /** Sends one heartbeat. Legacy metrics are doubles; v1 metrics travel as strings. */
  async heartbeat(
    protocol: ProtocolGeneration,
    serviceId: string,
    metrics: Record<string, number>,
    health: HealthStatusName,
    timeoutMs: number,
  ): Promise<void> {
    if (protocol === "legacy") {
      await this.#unary<Empty>(
        (m, o, cb) =>
          this.#legacy.Heartbeat(
            { service_id: serviceId, timestamp: toTimestamp(Date.now()), metrics },
            m,
            o,
            cb,
          ),
        timeoutMs,
        false,
      );
      return;
    }
    const text: Record<string, string> = {};
    for (const [k, v] of Object.entries(metrics)) text[k] = String(v);
    await this.#unary<Empty>(
      (m, o, cb) =>
        this.#v1.Heartbeat({ service_id: serviceId, status: health, metrics: text }, m, o, cb),
      timeoutMs,
      false,
    );
  }

  /** v1 `UnregisterComponent` (the legacy protocol has no unregister). */
  async unregister(serviceId: string, timeoutMs: number): Promise<void> {
    await this.#unary<Empty>(
      (m, o, cb) => this.#v1.UnregisterComponent({ service_id: serviceId }, m, o, cb),
      timeoutMs,
      false,
    );
  }

  /** Cancels every call in flight (they fail with CANCELLED). */
  cancelAll(): void {
    for (const call of this.#calls) call.cancel();
    this.#calls.clear();
  }

  /** Cancels calls in flight and closes the channel. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.cancelAll();
    this.#closed = true;
    this.#legacy.close();
  }
}
