/**
 * The flowctl controller: registers a component with the control plane, sends heartbeats with
 * its metrics, re-registers when the control plane forgets it, and degrades gracefully (the
 * component keeps serving) when the control plane is unreachable.
 *
 * @module
 */
import { getLogger, type Logger } from "../log/mod.ts";
import { backoffDelay, type BackoffPolicy } from "./backoff.ts";
import { ControlPlaneConnection, type ProtocolGeneration } from "./client.ts";
import type { FlowctlConfig } from "./config.ts";
import { describeCallError, isServiceNotFound, isUnimplemented } from "./errors.ts";
import type { HealthStatusName } from "./proto.ts";
import type { ServiceDescription } from "./service_info.ts";

/** Supplies the numbers sent with each heartbeat. Called on the event loop; keep it cheap. */
export interface MetricsProvider {
  /** Current metric values (counters, gauges), keyed by metric name. */
  getMetrics(): Record<string, number>;
}

/** Health a component reports with v1 heartbeats. */
export type ComponentHealth = "starting" | "healthy" | "degraded" | "unhealthy";

/** Controller state, as shown by {@linkcode Controller.status}. */
export type FlowctlState = "disabled" | "registering" | "registered" | "retrying" | "stopped";

/** Snapshot of the integration for `/health` and `/metrics`. */
export interface FlowctlStatus {
  /** `ENABLE_FLOWCTL`. */
  enabled: boolean;
  /** Current state. */
  state: FlowctlState;
  /** Control-plane endpoint. */
  endpoint: string;
  /** Id assigned by the control plane (null before the first registration). */
  serviceId: string | null;
  /** Protocol generation in use (null until negotiated). */
  protocol: ProtocolGeneration | null;
  /** ISO time of the last successful heartbeat, or null. */
  lastHeartbeatAt: string | null;
  /** Failed registrations or heartbeats in a row (0 when the last call succeeded). */
  consecutiveFailures: number;
  /** Last failure, or null. */
  lastError: string | null;
  /** Successful registrations (re-registrations included). */
  registrations: number;
  /** Heartbeats acknowledged. */
  heartbeatsSent: number;
  /** Heartbeats that failed. */
  heartbeatsFailed: number;
  /** Total time spent in `getMetrics()` and encoding, in ms (to check its CPU cost). */
  metricsCollectMs: number;
}

/** Options of {@linkcode Controller}. */
export interface ControllerOptions {
  /** flowctl settings (see `loadFlowctlConfig`). */
  config: FlowctlConfig;
  /** What to register. */
  service: ServiceDescription;
  /** Heartbeat metrics. */
  metrics: MetricsProvider;
  /** Health for v1 heartbeats (default: always healthy). */
  health?: () => ComponentHealth;
  /** Logger (default `getLogger(["flowctl"])`). */
  logger?: Logger;
  /** Deadline of one registration attempt, ms. Default 5000. */
  registerTimeoutMs?: number;
  /** Deadline of one heartbeat, ms. Default min(interval, 5000). */
  heartbeatTimeoutMs?: number;
  /** Upper bound of {@linkcode Controller.stop}, ms. Default 3000. */
  stopTimeoutMs?: number;
  /** Registration retry schedule (default 0.5 s doubling up to 60 s, ±20 % jitter). */
  backoff?: BackoffPolicy;
  /** Random source for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

const HEALTH_NAMES: Record<ComponentHealth, HealthStatusName> = {
  starting: "HEALTH_STATUS_STARTING",
  healthy: "HEALTH_STATUS_HEALTHY",
  degraded: "HEALTH_STATUS_DEGRADED",
  unhealthy: "HEALTH_STATUS_UNHEALTHY",
};

function unref(id: number): number {
  Deno.unrefTimer(id);
  return id;
}

/**
 * Connects one component to the flowctl control plane.
 *
 * ```ts
 * const flowctl = new Controller({ config: loadFlowctlConfig(), service, metrics });
 * await flowctl.start(); // never throws because the control plane is down
 * // ... serve; report flowctl.status() in /health ...
 * await flowctl.stop();
 * ```
 */
export class Controller {
  readonly #o: ControllerOptions;
  readonly #log: Logger;
  #description: ServiceDescription;
  readonly #registerTimeoutMs: number;
  readonly #heartbeatTimeoutMs: number;
  #conn: ControlPlaneConnection | null = null;
  #state: FlowctlState;
  #protocol: ProtocolGeneration | null = null;
  #serviceId: string | null = null;
  #lastHeartbeatAt: number | null = null;
  #failures = 0;
  #retryAttempt = 0;
  #lastError: string | null = null;
  #registrations = 0;
  #heartbeatsSent = 0;
  #heartbeatsFailed = 0;
  #heartbeatFailing = false;
  #metricsCollectMs = 0;
  #timer: number | undefined;
  /** Incremented whenever pending callbacks must be ignored (re-registration, stop). */
  #epoch = 0;
  #firstAttempt: Promise<boolean> | null = null;
  #stopping: Promise<void> | null = null;

  /** Creates a controller; nothing happens until {@linkcode Controller.start}. */
  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#description = options.service;
    this.#log = options.logger ?? getLogger(["flowctl"]);
    this.#registerTimeoutMs = options.registerTimeoutMs ?? 5000;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ??
      Math.min(options.config.heartbeatIntervalMs, 5000);
    this.#state = options.config.enabled ? "registering" : "disabled";
  }

  /**
   * Starts the integration: one registration attempt (bounded by the registration deadline),
   * then heartbeats, or background retries if it failed. Resolves `true` when registered,
   * `false` otherwise (disabled, stopped, or retrying in the background). Never rejects because
   * of the control plane; rejects only for a configuration error (an unreadable TLS file).
   * Calling it again returns the first call's promise.
   */
  start(): Promise<boolean> {
    if (this.#firstAttempt) return this.#firstAttempt;
    if (this.#stopping) return Promise.resolve(false);
    if (!this.#o.config.enabled) {
      this.#log.info("flowctl integration disabled (ENABLE_FLOWCTL=false)");
      this.#firstAttempt = Promise.resolve(false);
      return this.#firstAttempt;
    }
    try {
      this.#conn = new ControlPlaneConnection({
        endpoint: this.#o.config.endpoint,
        tls: this.#o.config.tls,
      });
    } catch (e) {
      // A configuration error (unreadable TLS file): say so instead of retrying forever.
      this.#state = "stopped";
      this.#lastError = e instanceof Error ? e.message : String(e);
      this.#firstAttempt = Promise.reject(e);
      return this.#firstAttempt;
    }
    this.#log.info("Registering {name} with flowctl at {endpoint} (protocol {protocol})", {
      name: this.#description.name,
      endpoint: this.#o.config.endpoint,
      protocol: this.#o.config.protocol,
    });
    this.#firstAttempt = this.#register(this.#epoch);
    return this.#firstAttempt;
  }

  /**
   * Stops heartbeats and retries, unregisters (v1 only; the legacy protocol has no
   * unregister) and closes the channel, all within `stopTimeoutMs`. Idempotent.
   */
  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    this.#stopping = this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const wasRegistered = this.#state === "registered";
    this.#epoch++;
    clearTimeout(this.#timer);
    if (this.#state !== "disabled") this.#state = "stopped";
    const conn = this.#conn;
    if (!conn) return;
    conn.cancelAll();
    const budget = this.#o.stopTimeoutMs ?? 3000;
    if (wasRegistered && this.#protocol === "v1" && this.#serviceId) {
      try {
        await conn.unregister(this.#serviceId, budget);
        this.#log.info("Unregistered {id} from flowctl", { id: this.#serviceId });
      } catch (e) {
        this.#log.warn("flowctl unregister of {id} failed: {error}", {
          id: this.#serviceId,
          error: describeCallError(e),
        });
      }
    }
    conn.close();
    this.#conn = null;
  }

  /** Snapshot of the integration's state. */
  status(): FlowctlStatus {
    return {
      enabled: this.#o.config.enabled,
      state: this.#state,
      endpoint: this.#o.config.endpoint,
      serviceId: this.#serviceId,
      protocol: this.#protocol,
      lastHeartbeatAt: this.#lastHeartbeatAt === null
        ? null
        : new Date(this.#lastHeartbeatAt).toISOString(),
      consecutiveFailures: this.#failures,
      lastError: this.#lastError,
      registrations: this.#registrations,
      heartbeatsSent: this.#heartbeatsSent,
      heartbeatsFailed: this.#heartbeatsFailed,
      metricsCollectMs: this.#metricsCollectMs,
    };
  }

  /**
   * Changes what is registered (e.g. metadata learnt after start-up, such as the network
   * passphrase); `metadata` is merged. When registered, re-registers at once under the same id;
   * otherwise the next attempt uses it. No-op when nothing changes.
   */
  updateService(patch: Partial<ServiceDescription>): void {
    const next: ServiceDescription = {
      ...this.#description,
      ...patch,
      metadata: { ...this.#description.metadata, ...patch.metadata },
    };
    if (JSON.stringify(next) === JSON.stringify(this.#description)) return;
    this.#description = next;
    if (this.#state !== "registered") return;
    this.#log.info("Service description of {id} changed; re-registering", { id: this.#serviceId });
    const epoch = ++this.#epoch;
    clearTimeout(this.#timer);
    this.#state = "registering";
    void this.#register(epoch);
  }

  /** Id to register under: configured component id, else the id assigned earlier, else none. */
  #requestedId(): string {
    return this.#description.componentId || this.#o.config.componentId || this.#serviceId || "";
  }

  #service(): ServiceDescription {
    const componentId = this.#description.componentId || this.#o.config.componentId;
    return { ...this.#description, componentId };
  }

  async #registerOnce(conn: ControlPlaneConnection): Promise<void> {
    const mode = this.#o.config.protocol;
    const service = this.#service();
    let protocol: ProtocolGeneration = mode === "legacy" || this.#protocol === "legacy"
      ? "legacy"
      : "v1";
    let result;
    try {
      result = await conn.register(protocol, service, this.#requestedId(), this.#registerTimeoutMs);
    } catch (e) {
      if (!(mode === "auto" && protocol === "v1" && isUnimplemented(e as object))) throw e;
      this.#log.info("flowctl at {endpoint} does not speak flowctl.v1; using the legacy protocol", {
        endpoint: this.#o.config.endpoint,
      });
      protocol = "legacy";
      result = await conn.register(protocol, service, this.#requestedId(), this.#registerTimeoutMs);
    }
    if (result.serviceId === "") {
      throw new Error("Control plane answered the registration without a service id");
    }
    this.#protocol = protocol;
    this.#serviceId = result.serviceId;
  }

  async #register(epoch: number): Promise<boolean> {
    const conn = this.#conn;
    if (!conn || epoch !== this.#epoch) return false;
    try {
      await this.#registerOnce(conn);
    } catch (e) {
      if (epoch !== this.#epoch) return false;
      this.#failures++;
      this.#lastError = describeCallError(e);
      const delay = backoffDelay(
        this.#retryAttempt++,
        (this.#o.random ?? Math.random)(),
        this.#o.backoff,
      );
      if (this.#state !== "retrying") {
        this.#log.warn(
          "flowctl registration at {endpoint} failed ({error}); the component keeps serving and retries with backoff (up to 60 s)",
          { endpoint: this.#o.config.endpoint, error: this.#lastError },
        );
        this.#state = "retrying";
      }
      this.#timer = unref(setTimeout(() => this.#guard(this.#register(epoch)), delay));
      return false;
    }
    if (epoch !== this.#epoch) return false;
    this.#state = "registered";
    this.#registrations++;
    this.#failures = 0;
    this.#retryAttempt = 0;
    this.#heartbeatFailing = false;
    this.#log.info("Registered with flowctl as {id} ({protocol} protocol)", {
      id: this.#serviceId,
      protocol: this.#protocol,
    });
    // First heartbeat right away so the control plane sees metrics without waiting an interval.
    this.#timer = unref(setTimeout(() => this.#guard(this.#beat(epoch)), 0));
    return true;
  }

  /** Background work must never become an unhandled rejection (that would end the process). */
  #guard(work: Promise<unknown>): void {
    work.catch((e) => {
      this.#lastError = `internal: ${e instanceof Error ? e.message : String(e)}`;
      this.#log.error("flowctl controller error: {error}", { error: this.#lastError });
    });
  }

  #health(): HealthStatusName {
    try {
      return HEALTH_NAMES[this.#o.health?.() ?? "healthy"] ?? "HEALTH_STATUS_UNKNOWN";
    } catch (e) {
      this.#log.warn("Health callback failed: {error}", { error: String(e) });
      return "HEALTH_STATUS_UNKNOWN";
    }
  }

  #collect(): Record<string, number> {
    const t0 = performance.now();
    try {
      const raw = this.#o.metrics.getMetrics();
      const out: Record<string, number> = {};
      for (const k in raw) {
        const v = raw[k];
        if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
      }
      return out;
    } catch (e) {
      this.#log.warn("Metrics provider failed: {error}", { error: String(e) });
      return {};
    } finally {
      this.#metricsCollectMs += performance.now() - t0;
    }
  }

  async #beat(epoch: number): Promise<void> {
    const conn = this.#conn;
    if (!conn || epoch !== this.#epoch || this.#state !== "registered") return;
    const started = performance.now();
    const metrics = this.#collect();
    const health = this.#health();
    try {
      await conn.heartbeat(
        this.#protocol ?? "legacy",
        this.#serviceId ?? "",
        metrics,
        health,
        this.#heartbeatTimeoutMs,
      );
      if (epoch !== this.#epoch) return;
      this.#heartbeatsSent++;
      this.#lastHeartbeatAt = Date.now();
      if (this.#heartbeatFailing) {
        this.#log.info("flowctl heartbeats for {id} recovered after {failures} failures", {
          id: this.#serviceId,
          failures: this.#failures,
        });
      }
      this.#heartbeatFailing = false;
      this.#failures = 0;
    } catch (e) {
      if (epoch !== this.#epoch) return;
      this.#heartbeatsFailed++;
      this.#failures++;
      this.#lastError = describeCallError(e);
      if (this.#o.config.protocol === "auto" && isUnimplemented(e as object)) {
        this.#log.warn(
          "flowctl at {endpoint} no longer speaks the {protocol} protocol; negotiating again",
          { endpoint: this.#o.config.endpoint, protocol: this.#protocol },
        );
        this.#protocol = this.#protocol === "v1" ? "legacy" : null;
        const next = ++this.#epoch;
        this.#state = "registering";
        await this.#register(next);
        return;
      }
      if (isServiceNotFound(e as object)) {
        this.#log.warn(
          "flowctl no longer knows {id} ({error}; control plane restarted?); re-registering",
          { id: this.#serviceId, error: this.#lastError },
        );
        const next = ++this.#epoch;
        this.#state = "registering";
        await this.#register(next);
        return;
      }
      if (!this.#heartbeatFailing) {
        this.#log.warn("flowctl heartbeat for {id} failed ({error}); will keep trying", {
          id: this.#serviceId,
          error: this.#lastError,
        });
        this.#heartbeatFailing = true;
      }
    }
    if (epoch !== this.#epoch) return;
    const elapsed = performance.now() - started;
    const delay = Math.max(0, this.#o.config.heartbeatIntervalMs - elapsed);
    this.#timer = unref(setTimeout(() => this.#guard(this.#beat(epoch)), delay));
  }
}
