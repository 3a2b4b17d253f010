/**
 * The HTTP side every component exposes on its health port: `GET /health` (JSON, status from the
 * component's real state) and `GET /metrics` (Prometheus text from a metrics
 * {@linkcode Registry}).
 *
 * ```ts
 * import { Registry } from "../metrics/mod.ts";
 * import { startHealthServer } from "./mod.ts";
 * const server = startHealthServer({
 *   port: 8088,
 *   component: "stellar-arrow-source",
 *   version: "0.1.0",
 *   registry: new Registry(),
 *   check: () => ({ status: "healthy", details: { last_sequence: 63093001 } }),
 * });
 * await server.close();
 * ```
 *
 * @module
 */
import type { Registry } from "../metrics/mod.ts";

/** Overall state of a component. */
export type HealthStatus = "healthy" | "degraded" | "unhealthy";

/** What a component's health check reports. */
export interface HealthReport {
  /** `healthy`, `degraded` (serving with problems) or `unhealthy` (not serving). */
  status: HealthStatus;
  /** Why the status is not healthy; one line each. */
  reasons?: string[];
  /** Extra JSON-serializable facts (last sequence, flowctl state, ...). */
  details?: Record<string, unknown>;
}

/** Options of {@linkcode startHealthServer}. */
export interface HealthServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to bind; default `0.0.0.0`. */
  hostname?: string;
  /** Component name reported in `/health`. */
  component: string;
  /** Component version reported in `/health`. */
  version: string;
  /** Metrics rendered at `/metrics`. */
  registry: Registry;
  /** Computes the current health; called on every `/health` request. */
  check: () => HealthReport;
  /** Extra routes (path → handler), e.g. `/schema`. */
  routes?: Record<string, (request: Request) => Response | Promise<Response>>;
}

/** A running health server. */
export interface HealthServer {
  /** The port actually bound. */
  readonly port: number;
  /** Stops listening. */
  close(): Promise<void>;
}

/** The JSON body of `GET /health`. */
export interface HealthBody extends Record<string, unknown> {
  /** Overall state. */
  status: HealthStatus;
  /** Component name. */
  component: string;
  /** Component version. */
  version: string;
  /** Seconds since the server started. */
  uptime_seconds: number;
  /** When the report was made, RFC 3339. */
  timestamp: string;
  /** Why the status is not healthy. */
  reasons: string[];
}

/** Builds the `/health` body of a report (pure apart from the clock passed in). */
export function healthBody(
  options: { component: string; version: string; startedAt: number; now: number },
  report: HealthReport,
): HealthBody {
  return {
    status: report.status,
    component: options.component,
    version: options.version,
    uptime_seconds: Math.round((options.now - options.startedAt) / 1000),
    timestamp: new Date(options.now).toISOString(),
    reasons: report.reasons ?? [],
    ...report.details,
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body, (_k, v) => typeof v === "bigint" ? v.toString() : v), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * Starts the health server. `/health` answers 200 when healthy or degraded and 503 when
 * unhealthy, so that load balancers and orchestrators can use it as is.
 */
export function startHealthServer(options: HealthServerOptions): HealthServer {
  const startedAt = Date.now();
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname ?? "0.0.0.0",
    onListen: () => {},
  }, async (request) => {
    const url = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return json({ error: `Expected GET, got ${request.method}` }, 405);
    }
    if (url.pathname === "/health") {
      let report: HealthReport;
      try {
        report = options.check();
      } catch (error) {
        report = { status: "unhealthy", reasons: [`health check failed: ${String(error)}`] };
      }
      const body = healthBody({ ...options, startedAt, now: Date.now() }, report);
      return json(body, report.status === "unhealthy" ? 503 : 200);
    }
    if (url.pathname === "/metrics") {
      return new Response(options.registry.render(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    }
    const route = options.routes?.[url.pathname];
    if (route) return await route(request);
    return json({
      error: `Unknown path ${url.pathname}; expected one of /health, /metrics${
        Object.keys(options.routes ?? {}).map((p) => `, ${p}`).join("")
      }`,
    }, 404);
  });
  return {
    port: server.addr.port,
    close: () => server.shutdown(),
  };
}
