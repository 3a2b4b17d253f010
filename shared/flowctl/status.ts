/**
 * Shows the flowctl integration itself on a component's `/metrics` and `/health`.
 *
 * @module
 */
import type { Registry } from "../metrics/mod.ts";
import type { FlowctlStatus } from "./controller.ts";

/** Anything with a `status()` snapshot (the {@linkcode Controller}). */
export interface FlowctlStatusSource {
  /** Current snapshot. */
  status(): FlowctlStatus;
}

function esc(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

/**
 * Prometheus text for a status snapshot (names `<prefix>flowctl_*`): `flowctl_info` (labels
 * state, protocol, service_id, endpoint), `flowctl_registered`, `flowctl_consecutive_failures`,
 * `flowctl_last_heartbeat_age_seconds` (-1 before the first heartbeat), `flowctl_registrations`,
 * `flowctl_heartbeats_sent`, `flowctl_heartbeats_failed`.
 */
export function renderFlowctlMetrics(s: FlowctlStatus, prefix: string, nowMs: number): string {
  const p = `${prefix}flowctl_`;
  const age = s.lastHeartbeatAt === null ? -1 : (nowMs - Date.parse(s.lastHeartbeatAt)) / 1000;
  const gauge = (name: string, help: string, value: number) =>
    `# HELP ${p}${name} ${help}\n# TYPE ${p}${name} gauge\n${p}${name} ${value}\n`;
  return renderFlowctlInfo(s, prefix) +
    gauge(
      "registered",
      "1 when registered with the control plane",
      s.state === "registered" ? 1 : 0,
    ) +
    gauge(
      "consecutive_failures",
      "Failed registrations or heartbeats in a row",
      s.consecutiveFailures,
    ) +
    gauge(
      "last_heartbeat_age_seconds",
      "Seconds since the last acknowledged heartbeat (-1: none)",
      age,
    ) +
    gauge("registrations", "Successful registrations, re-registrations included", s.registrations) +
    gauge("heartbeats_sent", "Heartbeats acknowledged by the control plane", s.heartbeatsSent) +
    gauge("heartbeats_failed", "Heartbeats that failed", s.heartbeatsFailed);
}

/**
 * Adds the controller's status to a metrics registry's Prometheus text (not to its snapshot, so
 * heartbeats don't report on themselves). Nothing is added when flowctl is disabled.
 */
export function registerFlowctlMetrics(registry: Registry, controller: FlowctlStatusSource): void {
  registry.addTextProvider(() => {
    const s = controller.status();
    // Disabled: only the info line, so operators see `state="disabled"` rather than nothing.
    return s.enabled
      ? renderFlowctlMetrics(s, registry.prefix, Date.now())
      : renderFlowctlInfo(s, registry.prefix);
  });
}

/** The `flowctl_info` line alone: state, protocol, service id and endpoint as labels. */
export function renderFlowctlInfo(s: FlowctlStatus, prefix: string): string {
  const p = `${prefix}flowctl_`;
  return `# HELP ${p}info flowctl integration state (value always 1)\n# TYPE ${p}info gauge\n` +
    `${p}info{state="${esc(s.state)}",protocol="${esc(s.protocol ?? "")}",service_id="${
      esc(s.serviceId ?? "")
    }",endpoint="${esc(s.endpoint)}"} 1\n`;
}

/**
 * A reason line for a component's `/health` `reasons` when the integration is enabled but not
 * working (not registered, or heartbeats failing); null when all is well or disabled. flowctl
 * being down should not make a component unhealthy, so callers list it without changing status.
 */
export function flowctlHealthReason(s: FlowctlStatus): string | null {
  if (!s.enabled || s.state === "stopped") return null;
  if (s.state !== "registered") {
    return `flowctl: ${s.state} at ${s.endpoint}${s.lastError ? ` (${s.lastError})` : ""}`;
  }
  if (s.consecutiveFailures > 0) {
    return `flowctl: ${s.consecutiveFailures} heartbeat(s) failed (${
      s.lastError ?? "unknown error"
    })`;
  }
  return null;
}
