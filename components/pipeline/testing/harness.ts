/**
 * Test and benchmark harness: the four services of the pipeline as real processes on loopback,
 * planned by {@linkcode planPipeline} and run by the launcher's supervisor, each of which can be
 * started, killed and restarted on its own. Output lines are kept per service.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  DEFAULT_PORTS,
  offsetPorts,
  type PipelinePorts,
  planPipeline,
  type ServiceName,
} from "../plan.ts";
import { type RunningService, startService, stopService, waitHealthy } from "../supervisor.ts";

/** Repository root. */
export const ROOT: string = fileURLToPath(new URL("../../../", import.meta.url)).replace(/\/$/, "");

function portsFree(offset: number): boolean {
  const listeners: Deno.Listener[] = [];
  try {
    for (const port of Object.values(DEFAULT_PORTS)) {
      listeners.push(Deno.listen({ hostname: "0.0.0.0", port: port + offset }));
    }
    return true;
  } catch {
    return false;
  } finally {
    for (const l of listeners) l.close();
  }
}

/**
 * A random offset at which every port of {@linkcode DEFAULT_PORTS} is free now.
 *
 * @throws {Error} when 50 random offsets were all taken.
 */
export function freePortOffset(): number {
  for (let i = 0; i < 50; i++) {
    // Below Linux's ephemeral range (32768-60999), where other processes' port-0 sockets would
    // take ports of the block after this check (seen: EADDRINUSE restarting a killed service).
    const offset = 10000 + Math.floor(Math.random() * 13900);
    if (portsFree(offset)) return offset;
  }
  throw new Error("Expected a free block of ports for the pipeline, found none in 50 tries");
}

/** GETs `url` as JSON; `undefined` on any failure (not answering, non-2xx, not JSON). */
export async function getJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) {
      await res.body?.cancel();
      return undefined;
    }
    return await res.json();
  } catch {
    return undefined;
  }
}

/**
 * Polls `probe` every `intervalMs` until it returns a value.
 *
 * @throws {Error} naming `what` (and the last detail, if `detail` is given) on timeout.
 */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  options: { intervalMs?: number; detail?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  const detail = options.detail ? `\n${options.detail()}` : "";
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}

/** Options of {@linkcode TestPipeline}. */
export interface TestPipelineOptions {
  /** Data lake path. */
  datalakeUrl: string;
  /** The sink's data folder. */
  dataDir: string;
  /** First ledger the sink asks for. */
  startLedger?: number;
  /** Last ledger (empty: follow the tip). */
  endLedger?: number;
  /** Start with flowctl registration (the control plane itself is started by `start`). */
  flowctl?: boolean;
  /** Web Workers per component (default 1). */
  workers?: number;
  /** Extra environment per service (e.g. `POLL_INTERVAL` for the source). */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Log level of every service (default `info`). */
  logLevel?: string;
}

/** Environment every test pipeline adds so that it reacts quickly (short polls and flushes). */
const QUICK_ENV: Partial<Record<ServiceName, Record<string, string>>> = {
  source: { POLL_INTERVAL: "200ms" },
  sink: { FLUSH_INTERVAL: "300ms" },
};

/**
 * The pipeline's services as separately controllable processes on a free block of ports.
 * Call {@linkcode TestPipeline.close} in a `finally`.
 */
export class TestPipeline {
  /** The ports in use. */
  readonly ports: PipelinePorts;
  /** Base URL of the sink's REST API (`…/api`). */
  readonly api: string;
  /** `ws://` URL of the sink's WebSocket feed. */
  readonly ws: string;
  /** The control plane's service list URL. */
  readonly services: string;
  readonly #plans: Map<ServiceName, ReturnType<typeof planPipeline>[number]>;
  readonly #running = new Map<ServiceName, RunningService>();
  readonly #lines = new Map<ServiceName, string[]>();
  readonly #flowctl: boolean;

  /** Plans the services on a free port block (nothing starts yet). */
  constructor(options: TestPipelineOptions) {
    this.ports = offsetPorts(freePortOffset());
    this.#flowctl = options.flowctl !== false;
    const plans = planPipeline({
      datalakeUrl: options.datalakeUrl,
      dataDir: options.dataDir,
      startLedger: options.startLedger,
      endLedger: options.endLedger,
      flowctl: true,
      workers: options.workers ?? 1,
      logLevel: options.logLevel ?? "info",
      heartbeatInterval: "1s",
      ports: this.ports,
    });
    this.#plans = new Map();
    for (const plan of plans) {
      const extra = { ...QUICK_ENV[plan.name], ...options.env?.[plan.name] };
      if (!this.#flowctl) extra.ENABLE_FLOWCTL = "false";
      this.#plans.set(plan.name, { ...plan, env: { ...plan.env, ...extra } });
      this.#lines.set(plan.name, []);
    }
    this.api = `http://127.0.0.1:${this.ports.sinkHttp}/api`;
    this.ws = `ws://127.0.0.1:${this.ports.sinkHttp}/ws`;
    this.services = `http://127.0.0.1:${this.ports.controlPlane}/api/services`;
  }

  /** Changes a service's environment for its next start (e.g. a fresh `DATA_DIR` for the sink). */
  setEnv(name: ServiceName, env: Record<string, string>): void {
    const plan = this.#plans.get(name);
    if (!plan) throw new Error(`Expected a planned service, got ${name}`);
    this.#plans.set(name, { ...plan, env: { ...plan.env, ...env } });
  }

  /** Starts one service and waits until its health URL answers (`wait: false` to not wait). */
  async start(name: ServiceName, options: { wait?: boolean } = {}): Promise<RunningService> {
    if (this.#running.has(name)) throw new Error(`Expected ${name} to be stopped, it is running`);
    const plan = this.#plans.get(name);
    if (!plan) throw new Error(`Expected a planned service, got ${name}`);
    const lines = this.#lines.get(name)!;
    const service = startService(plan, { root: ROOT, onLine: (_s, line) => lines.push(line) });
    this.#running.set(name, service);
    if (options.wait !== false) {
      try {
        await waitHealthy(service, { timeoutMs: 60_000 });
      } catch (error) {
        const tail = lines.slice(-30).join("\n");
        throw new Error(`${(error as Error).message}\n${name} output:\n${tail}`);
      }
    }
    return service;
  }

  /**
   * Starts every service in the launcher's order: control plane (unless `flowctl: false`),
   * source, processor, sink.
   */
  async startAll(): Promise<void> {
    for (const name of this.#plans.keys()) {
      if (name !== "control-plane" || this.#flowctl) await this.start(name);
    }
  }

  /** Kills a service with `signal` (default SIGKILL: a crash) and waits until it is gone. */
  async kill(name: ServiceName, signal: Deno.Signal = "SIGKILL"): Promise<Deno.CommandStatus> {
    const service = this.#running.get(name);
    if (!service) throw new Error(`Expected ${name} to be running, it is not`);
    this.#running.delete(name);
    try {
      service.child.kill(signal);
    } catch {
      // already exited
    }
    return await service.exited;
  }

  /** Stops a service gracefully (SIGTERM, SIGKILL after `graceMs`). */
  async stop(name: ServiceName, graceMs = 10_000): Promise<Deno.CommandStatus> {
    const service = this.#running.get(name);
    if (!service) throw new Error(`Expected ${name} to be running, it is not`);
    this.#running.delete(name);
    return await stopService(service, graceMs);
  }

  /** The process id of a running service. */
  pid(name: ServiceName): number {
    const service = this.#running.get(name);
    if (!service) throw new Error(`Expected ${name} to be running, it is not`);
    return service.child.pid;
  }

  /** Whether the service is running (started and not killed or stopped by this harness). */
  isRunning(name: ServiceName): boolean {
    return this.#running.has(name);
  }

  /** Output lines of a service so far (every run of it). */
  lines(name: ServiceName): readonly string[] {
    return this.#lines.get(name) ?? [];
  }

  /** The last `n` output lines of every service, for failure messages. */
  tail(n = 15): string {
    return [...this.#lines].map(([name, lines]) => `--- ${name}\n${lines.slice(-n).join("\n")}`)
      .join("\n");
  }

  /** The sink's `/api/stats`, or `undefined` when it does not answer. */
  stats(): Promise<Record<string, unknown> | undefined> {
    return getJson(`${this.api}/stats`);
  }

  /** Waits until the sink has stored every ledger through `last` or further (`/api/stats` last_ledger). */
  async waitStored(last: number, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return await until(`the sink to store through ledger ${last}`, timeoutMs, async () => {
      const s = await this.stats();
      return s && Number(s.last_ledger) >= last ? s : undefined;
    }, { detail: () => this.tail() });
  }

  /** Stops every running service in reverse start order (sink first). */
  async close(): Promise<void> {
    for (const name of [...this.#plans.keys()].reverse()) {
      if (this.#running.has(name)) await this.stop(name, 5_000).catch(() => {});
    }
  }
}
