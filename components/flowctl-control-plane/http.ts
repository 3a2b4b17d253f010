/**
 * The control plane's HTTP side: `GET /api/services` (JSON), `GET /api/services/<id>`,
 * `GET /health`, `GET /metrics` (Prometheus) and `GET /` (an HTML status page with sparklines
 * that refreshes itself).
 * Pure rendering from the registry; the transport is in `server.ts`.
 *
 * @module
 */
import { type MetricHistory, rates, sparklineSvg, throughputCounter } from "./history.ts";
import { legacyTypeOf, type Registry, type ServiceRecord, v1TypeOf } from "./registry.ts";

/** A rendered HTTP answer. */
export interface HttpAnswer {
  /** Status code. */
  status: number;
  /** Content type. */
  contentType: string;
  /** Body. */
  body: string;
}

/** What the HTTP side renders from. */
export interface HttpContext {
  /** Registry. */
  registry: Registry;
  /** Metric history. */
  history: MetricHistory;
  /** Clock (epoch ms). */
  now: () => number;
  /** Page refresh period, seconds. */
  refreshSeconds: number;
  /** Prometheus text for `GET /metrics` (absent: 404). */
  metricsText?: () => string;
}

/** JSON view of one service, as served by `/api/services`. */
export function serviceJson(r: ServiceRecord, nowMs: number, history?: MetricHistory) {
  const extra = (r.metadata.endpoints ?? "").split(",").map((s) => s.trim()).filter((s) =>
    s !== ""
  );
  const counter = history ? throughputCounter(r.kind, history.get(r.id)) : null;
  const series = history && counter ? rates(history.get(r.id), counter) : [];
  return {
    id: r.id,
    type: r.kind,
    service_type: legacyTypeOf(r.kind),
    component_type: v1TypeOf(r.kind),
    protocol: r.protocol,
    component_id: r.componentId,
    name: r.name,
    version: r.version,
    healthy: r.healthy,
    status: r.status,
    registered_at: new Date(r.registeredAt).toISOString(),
    last_heartbeat: new Date(r.lastHeartbeat).toISOString(),
    seconds_since_heartbeat: Math.max(0, (nowMs - r.lastHeartbeat) / 1000),
    heartbeats: r.heartbeats,
    input_event_types: r.inputEventTypes,
    output_event_types: r.outputEventTypes,
    topics: r.topics,
    max_inflight: r.maxInflight,
    endpoints: {
      flight: r.endpoint || null,
      health: r.healthEndpoint || null,
      other: extra.filter((e) => e !== r.healthEndpoint),
    },
    metadata: r.metadata,
    metrics: r.metrics,
    throughput: counter === null ? null : { counter, per_second: series.at(-1) ?? null },
  };
}

const json = (status: number, value: unknown): HttpAnswer => ({
  status,
  contentType: "application/json",
  body: JSON.stringify(value, null, 2) + "\n",
});

function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

const KEY_METRICS = [
  "ledgers_processed",
  "ledgers_consumed",
  "events_extracted",
  "events_consumed",
  "events_written",
  "files_written",
  "last_sequence",
  "last_ledger_sequence",
  "processing_latency_ms",
  "output_latency_ms",
  "websocket_connections",
  "error_count",
];

function fmt(v: number | string, key = ""): string {
  if (typeof v === "string") return v;
  if (key.includes("sequence")) return String(v); // ledger numbers read better without separators
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(2);
}

/** The HTML status page. */
export function statusPage(ctx: HttpContext): string {
  const now = ctx.now();
  const services = ctx.registry.list();
  const healthy = services.filter((s) => s.healthy).length;
  const rows = services.map((r) => {
    const samples = ctx.history.get(r.id);
    const counter = throughputCounter(r.kind, samples);
    const series = counter ? rates(samples, counter) : [];
    const metrics = KEY_METRICS.filter((k) => k in r.metrics)
      .map((k) => `<div><span class="k">${esc(k)}</span> ${esc(fmt(r.metrics[k], k))}</div>`).join(
        "",
      );
    const age = Math.max(0, (now - r.lastHeartbeat) / 1000);
    return `<tr>
<td><div class="id">${esc(r.id)}</div><div class="sub">${esc(r.name || "")} ${
      esc(r.version || "")
    } · ${r.protocol}</div></td>
<td>${esc(r.kind)}</td>
<td><span class="badge ${r.healthy ? "ok" : "bad"}">${
      r.healthy ? "healthy" : "unhealthy"
    }</span><div class="sub">${age.toFixed(1)} s ago</div></td>
<td class="sub">${esc(r.inputEventTypes.join(", ") || "—")} → ${
      esc(r.outputEventTypes.join(", ") || "—")
    }<br>${esc(r.endpoint || "")}</td>
<td class="metrics">${metrics || '<span class="sub">no metrics yet</span>'}</td>
<td>${sparklineSvg(series)}<div class="sub">${
      counter ? `${esc(counter)}/s ${series.length ? fmt(series.at(-1) as number) : "—"}` : ""
    }</div></td>
</tr>`;
  }).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="${ctx.refreshSeconds}">
<title>flowctl control plane</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#111}
h1{font-size:20px;margin:0 0 4px}
.summary{color:#555;margin-bottom:16px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e5e7eb;padding:8px;text-align:left;vertical-align:top}
th{font-weight:600;color:#374151;background:#f9fafb}
.id{font-family:ui-monospace,monospace}
.sub{color:#6b7280;font-size:12px}
.badge{padding:2px 8px;border-radius:10px;font-size:12px;font-weight:600}
.ok{background:#dcfce7;color:#166534}.bad{background:#fee2e2;color:#991b1b}
.metrics div{font-family:ui-monospace,monospace;font-size:12px}.k{color:#6b7280}
</style></head><body>
<h1>flowctl control plane</h1>
<div class="summary">${services.length} service(s), ${healthy} healthy · heartbeat TTL ${
    ctx.registry.heartbeatTtlMs / 1000
  } s · refreshed ${new Date(now).toISOString()} · <a href="/api/services">/api/services</a></div>
<table><thead><tr><th>Service</th><th>Type</th><th>Health</th><th>Events / endpoint</th><th>Key metrics</th><th>Throughput</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6" class="sub">No services registered yet.</td></tr>'}
</tbody></table>
</body></html>
`;
}

/** Routes one request. */
export function handleHttp(ctx: HttpContext, method: string, rawUrl: string): HttpAnswer {
  const path = new URL(rawUrl, "http://control-plane").pathname;
  if (method !== "GET" && method !== "HEAD") {
    return json(405, { error: `Expected GET, got ${method}` });
  }
  const now = ctx.now();
  if (path === "/api/services" || path === "/api/services/") {
    return json(200, {
      services: ctx.registry.list().map((r) => serviceJson(r, now, ctx.history)),
    });
  }
  if (path.startsWith("/api/services/")) {
    const id = decodeURIComponent(path.slice("/api/services/".length));
    const r = ctx.registry.list().find((s) => s.id === id);
    return r
      ? json(200, serviceJson(r, now, ctx.history))
      : json(404, { error: `service ${id} not found` });
  }
  if (path === "/metrics" && ctx.metricsText) {
    return { status: 200, contentType: "text/plain; version=0.0.4", body: ctx.metricsText() };
  }
  if (path === "/health") {
    const services = ctx.registry.list();
    return json(200, {
      status: "healthy",
      component: "flowctl-control-plane",
      services: services.length,
      healthy_services: services.filter((s) => s.healthy).length,
    });
  }
  if (path === "/") {
    return { status: 200, contentType: "text/html; charset=utf-8", body: statusPage(ctx) };
  }
  return json(404, {
    error:
      `No route for ${path}; expected /, /api/services, /api/services/<id>, /health or /metrics`,
  });
}
