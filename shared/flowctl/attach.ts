/**
 * One call that connects a component to flowctl: builds the {@linkcode Controller} with the
 * component's metrics registry as the heartbeat metrics, shows the integration's status on the
 * registry's `/metrics` text, and starts it (bounded; never throws because flowctl is down).
 *
 * @module
 */
import type { Registry as MetricsRegistry } from "../metrics/mod.ts";
import type { FlowctlConfig } from "./config.ts";
import { type ComponentHealth, Controller } from "./controller.ts";
import type { ServiceDescription } from "./service_info.ts";
import { registerFlowctlMetrics } from "./status.ts";

/**
 * Adds, for each name in `totals` that the snapshot lacks, the sum of the labelled series
 * `<name>_*` (e.g. `api_requests` from `api_requests_events_200` + …; 0 before any series
 * exists), since heartbeats carry flat numbers.
 */
export function withTotals(
  snapshot: Record<string, number>,
  totals: readonly string[],
): Record<string, number> {
  for (const name of totals) {
    if (name in snapshot) continue;
    let sum = 0;
    const prefix = `${name}_`;
    for (const key in snapshot) if (key.startsWith(prefix)) sum += snapshot[key];
    snapshot[name] = sum;
  }
  return snapshot;
}

/** Options of {@linkcode attachFlowctl}. */
export interface AttachOptions {
  /** Settings (`flowctlConfigFrom(config)` with the component's parsed config). */
  config: FlowctlConfig;
  /** What to register (e.g. `sourceServiceDescription({...})`). */
  service: ServiceDescription;
  /** The component's metrics; `snapshot()` is sent with every heartbeat. */
  registry: MetricsRegistry;
  /** Labelled counters to also send as totals (see {@linkcode withTotals}). */
  totals?: readonly string[];
  /** Health sent with v1 heartbeats (default healthy). */
  health?: () => ComponentHealth;
}

/**
 * Creates, wires and starts the controller. When flowctl is disabled the controller is inert
 * (`status().state === "disabled"`) and nothing is added to `/metrics`. Never rejects because
 * the control plane is down; rejects for a configuration error (an unreadable TLS file).
 */
export async function attachFlowctl(options: AttachOptions): Promise<Controller> {
  const totals = options.totals ?? [];
  const controller = new Controller({
    config: options.config,
    service: options.service,
    metrics: { getMetrics: () => withTotals(options.registry.snapshot(), totals) },
    health: options.health,
  });
  registerFlowctlMetrics(options.registry, controller);
  await controller.start();
  return controller;
}
