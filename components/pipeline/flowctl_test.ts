// flowctl end to end with the real processes: the control plane and the three data components
// (stellar-arrow-source, ttp-arrow-processor, arrow-analytics-sink) started as subprocesses with
// ENABLE_FLOWCTL=true on the bundled pubnet-p26 lake, in each protocol mode of the control plane.
// One pipeline run per test, several checks per run (the suite shares 2 cores in CI).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { offsetPorts, type PipelinePorts, planPipeline, type ServiceName } from "./plan.ts";
import { type RunningService, startService, stopService, waitHealthy } from "./supervisor.ts";
import { freePortOffset } from "./testing/harness.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const LAKE = `${ROOT}/testdata/lakes/pubnet-p26`;
const PUBNET = "Public Global Stellar Network ; September 2015";
const FIRST = 63092982;
const LAST = 63093001;
const LEDGERS = LAST - FIRST + 1;
const TTL_MS = 3000;
const HEARTBEAT = "500ms";
const STELLAR_LEDGER = "stellar_ledger_service.StellarLedger";
const TTP_EVENT = "ttp_event_service.TTPEvent";

type Component = Exclude<ServiceName, "control-plane">;
type Protocol = "auto" | "legacy" | "v1";
const COMPONENTS: readonly Component[] = ["source", "processor", "sink"];

/** One service of `GET /api/services` (the fields these tests read). */
interface ServiceJson {
  id: string;
  type: string;
  protocol: string;
  name: string;
  healthy: boolean;
  registered_at: string;
  last_heartbeat: string;
  heartbeats: number;
  input_event_types: string[];
  output_event_types: string[];
  endpoints: { flight: string; health: string };
  metadata: Record<string, string>;
  metrics: Record<string, number>;
}

/** `details.flowctl` of a component's `/health` (shared/flowctl's FlowctlStatus). */
interface FlowctlJson {
  enabled: boolean;
  state: string;
  serviceId: string | null;
  protocol: string | null;
  lastHeartbeatAt: string | null;
  consecutiveFailures: number;
  lastError: string | null;
  registrations: number;
}

function freePorts(): PipelinePorts {
  return offsetPorts(freePortOffset());
}

async function getText(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Four processes on one block of ports, started and stopped one by one. */
class Pipeline {
  readonly ports = freePorts();
  readonly running = new Map<ServiceName, RunningService>();
  readonly logs: string[] = [];
  readonly #plans;
  readonly #dataDir: string;

  private constructor(
    dataDir: string,
    protocols: Record<Component, Protocol>,
    flowctl: boolean,
  ) {
    this.#dataDir = dataDir;
    this.#plans = new Map(
      planPipeline({
        datalakeUrl: LAKE,
        endLedger: LAST,
        dataDir,
        flowctl,
        workers: 1,
        logLevel: "info",
        heartbeatInterval: HEARTBEAT,
        ports: this.ports,
      }).map((p) => [p.name, p]),
    );
    for (const c of COMPONENTS) this.#plans.get(c)!.env.FLOWCTL_PROTOCOL = protocols[c];
  }

  /** A pipeline whose components use the given `FLOWCTL_PROTOCOL` each (`ENABLE_FLOWCTL=flowctl`). */
  static async create(
    protocols: Record<Component, Protocol>,
    flowctl = true,
  ): Promise<Pipeline> {
    const dataDir = await Deno.makeTempDir({ prefix: "flowctl-e2e-" });
    return new Pipeline(dataDir, protocols, flowctl);
  }

  get controlPlane(): string {
    return `http://127.0.0.1:${this.ports.controlPlane}`;
  }

  /** Starts one service (the control plane with a short TTL and the given protocols). */
  async start(name: ServiceName, protocols: ("legacy" | "v1")[] = ["legacy", "v1"]) {
    const plan = structuredClone(this.#plans.get(name)!);
    if (name === "control-plane") {
      plan.args.push(
        "--heartbeat-ttl",
        `${TTL_MS}ms`,
        "--janitor-interval",
        "250ms",
        "--protocols",
        protocols.join(","),
      );
    }
    const service = startService(plan, {
      root: ROOT,
      onLine: (s, line) => {
        this.logs.push(`[${s}] ${line}`);
        if (this.logs.length > 400) this.logs.shift();
      },
    });
    this.running.set(name, service);
    await waitHealthy(service, { timeoutMs: 60_000, intervalMs: 100 });
  }

  /** SIGTERM (graceful) or SIGKILL (crash) one service. */
  async stop(name: ServiceName, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    const service = this.running.get(name);
    if (!service) return;
    this.running.delete(name);
    if (signal === "SIGKILL") {
      service.child.kill("SIGKILL");
      await service.exited;
    } else {
      await stopService(service, 5000);
    }
  }

  async close(): Promise<void> {
    for (const name of ["sink", "processor", "source", "control-plane"] as const) {
      await this.stop(name, "SIGKILL");
    }
    await Deno.remove(this.#dataDir, { recursive: true });
  }

  /** `GET /api/services`, or undefined while the control plane is not answering. */
  async services(): Promise<ServiceJson[] | undefined> {
    const res = await getText(`${this.controlPlane}/api/services`);
    if (res?.status !== 200) return undefined;
    return (JSON.parse(res.text) as { services: ServiceJson[] }).services;
  }

  /** The service of a component type, from a list. */
  static of(list: ServiceJson[], type: Component): ServiceJson {
    const found = list.filter((s) => s.type === type);
    assert.equal(found.length, 1, `expected one ${type} in ${JSON.stringify(list)}`);
    return found[0];
  }

  /** The component's `/health` body and the flowctl part of it. */
  async health(c: Component): Promise<{ body: Record<string, unknown>; flowctl: FlowctlJson }> {
    const res = await getText(this.#plans.get(c)!.healthUrl);
    assert.ok(res, `${c} /health did not answer`);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    assert.ok(
      body.flowctl && typeof body.flowctl === "object",
      `${c} /health has no flowctl details: ${res.text}`,
    );
    return { body, flowctl: body.flowctl as FlowctlJson };
  }

  /** The component's `/metrics` text. */
  async metrics(c: Component): Promise<string> {
    const res = await getText(this.#plans.get(c)!.metricsUrl!);
    assert.equal(res?.status, 200, `${c} /metrics`);
    return res!.text;
  }

  /** The sink's `/api/stats`. */
  async sinkStats(): Promise<Record<string, unknown> | undefined> {
    const res = await getText(`http://127.0.0.1:${this.ports.sinkHttp}/api/stats`);
    return res?.status === 200 ? JSON.parse(res.text) : undefined;
  }

  /** Runs `body`; on failure, adds the last log lines of every service to the error. */
  async run(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (e) {
      console.error(`--- last service output ---\n${this.logs.slice(-120).join("\n")}`);
      throw e;
    } finally {
      await this.close();
    }
  }
}

/** A Prometheus sample of a component's `/metrics` (the prefix is the component's own). */
function sample(text: string, name: string): number | undefined {
  const m = text.match(new RegExp(`^\\w*?${name}(?:_total)? (\\S+)$`, "m"));
  return m ? Number(m[1]) : undefined;
}

/** Labels of `*flowctl_info{...}` on `/metrics`. */
function flowctlInfo(text: string): Record<string, string> {
  const m = text.match(/^\w*flowctl_info\{([^}]*)\} 1$/m);
  assert.ok(m, `no flowctl_info in /metrics:\n${text}`);
  return Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
}

/** Types, event types, endpoints and metadata of the three registered services. */
function assertDescriptions(p: Pipeline, list: ServiceJson[]): void {
  const ports = p.ports;
  const source = Pipeline.of(list, "source");
  assert.equal(source.name, "stellar-arrow-source");
  assert.deepEqual(source.input_event_types, []);
  assert.deepEqual(source.output_event_types, [STELLAR_LEDGER]);
  assert.equal(source.endpoints.flight, `localhost:${ports.sourceFlight}`);
  assert.equal(source.endpoints.health, `http://localhost:${ports.sourceHealth}/health`);
  assert.equal(source.metadata.network, PUBNET);
  assert.equal(source.metadata.storage_type, "datalake");
  assert.equal(source.metadata.backend_type, "file");

  const processor = Pipeline.of(list, "processor");
  assert.equal(processor.name, "ttp-arrow-processor");
  assert.deepEqual(processor.input_event_types, [STELLAR_LEDGER]);
  assert.deepEqual(processor.output_event_types, [TTP_EVENT]);
  assert.equal(processor.endpoints.flight, `localhost:${ports.processorFlight}`);
  assert.equal(processor.metadata.network, PUBNET);
  assert.equal(processor.metadata.processor_type, "ttp_event_extraction");
  assert.deepEqual(
    processor.metadata.event_types.split(",").sort(),
    ["burn", "clawback", "fee", "mint", "transfer"],
  );

  const sink = Pipeline.of(list, "sink");
  assert.equal(sink.name, "arrow-analytics-sink");
  assert.deepEqual(sink.input_event_types, [TTP_EVENT]);
  assert.deepEqual(sink.output_event_types, []);
  assert.ok(
    sink.metadata.output_formats.split(",").includes("parquet"),
    sink.metadata.output_formats,
  );
  assert.match(sink.metadata.storage_paths, /parquet=.*flowctl-e2e-.*\/parquet/);
  assert.equal(sink.metadata.websocket_enabled, "true");
  assert.equal(sink.metadata.api_enabled, "true");
  assert.deepEqual(
    sink.metadata.endpoints.split(",").sort(),
    [
      `http://localhost:${ports.sinkHealth}/health`,
      `http://localhost:${ports.sinkHttp}/api`,
      `ws://localhost:${ports.sinkHttp}/ws`,
    ].sort(),
  );
}

/** Waits until exactly three healthy services are listed, all with `protocol`. */
function threeHealthy(p: Pipeline, protocol: string, timeoutMs = 20_000): Promise<ServiceJson[]> {
  return until(`three healthy services registered with ${protocol}`, timeoutMs, async () => {
    const list = await p.services();
    if (!list || list.length !== 3) return undefined;
    const ok = list.every((s) => s.healthy && s.protocol === protocol && s.heartbeats > 0);
    return ok ? list : undefined;
  });
}

/**
 * Each component's `/health` and `/metrics` show it registered under the id the control plane
 * lists, with a recent heartbeat and no failures.
 */
async function assertComponentsRegistered(
  p: Pipeline,
  list: ServiceJson[],
  protocol: string,
): Promise<void> {
  for (const c of COMPONENTS) {
    const id = Pipeline.of(list, c).id;
    const { flowctl } = await until(`${c} /health to show a heartbeat`, 10_000, async () => {
      const h = await p.health(c);
      return h.flowctl.lastHeartbeatAt !== null && h.flowctl.consecutiveFailures === 0
        ? h
        : undefined;
    });
    assert.equal(flowctl.enabled, true);
    assert.equal(flowctl.state, "registered", `${c}: ${JSON.stringify(flowctl)}`);
    assert.equal(flowctl.serviceId, id);
    assert.equal(flowctl.protocol, protocol);
    assert.ok(Date.now() - Date.parse(flowctl.lastHeartbeatAt!) < 5000, flowctl.lastHeartbeatAt!);
    const text = await p.metrics(c);
    const info = flowctlInfo(text);
    assert.equal(info.state, "registered", c);
    assert.equal(info.service_id, id, c);
    assert.equal(info.protocol, protocol, c);
    assert.equal(info.endpoint, `localhost:${p.ports.controlPlane}`, c);
    assert.equal(sample(text, "flowctl_registered"), 1, c);
    assert.equal(sample(text, "flowctl_consecutive_failures"), 0, c);
    const age = sample(text, "flowctl_last_heartbeat_age_seconds")!;
    assert.ok(age >= 0 && age < 5, `${c} last heartbeat age ${age}`);
  }
}

/** A component's `/health` and `/metrics` while it cannot register. */
async function assertRetrying(p: Pipeline, c: Component, error: RegExp): Promise<void> {
  const { flowctl, body } = await until(`${c} to be retrying`, 15_000, async () => {
    const h = await p.health(c);
    return h.flowctl.state === "retrying" && h.flowctl.consecutiveFailures > 0 ? h : undefined;
  });
  assert.match(flowctl.lastError ?? "", error, `${c}: ${JSON.stringify(flowctl)}`);
  assert.ok(
    (body.reasons as string[]).some((r) => r.startsWith("flowctl: retrying")),
    `${c} reasons: ${JSON.stringify(body.reasons)}`,
  );
  const text = await p.metrics(c);
  assert.equal(flowctlInfo(text).state, "retrying", c);
  assert.equal(sample(text, "flowctl_registered"), 0, c);
  assert.ok(sample(text, "flowctl_consecutive_failures")! > 0, c);
}

/**
 * The sink stored all 20 ledgers; each component's own `/metrics` agree. Returns the event count.
 */
async function assertDataStored(p: Pipeline): Promise<number> {
  const stats = await until("the sink to store all 20 ledgers", 90_000, async () => {
    const s = await p.sinkStats();
    return s && s.last_ledger === LAST ? s : undefined;
  });
  const events = stats.events_total as number;
  assert.ok(events > 1000, `events_total ${events}`);
  assert.equal(sample(await p.metrics("source"), "ledgers_processed"), LEDGERS);
  assert.equal(sample(await p.metrics("processor"), "events_extracted"), events);
  assert.equal(sample(await p.metrics("sink"), "events_written"), events);
  return events;
}

/** The control plane holds each component's final metrics. */
async function assertControlPlaneMetrics(p: Pipeline, events: number): Promise<void> {
  await until("the control plane to hold the final metrics", 10_000, async () => {
    const list = await p.services();
    if (!list || list.length !== 3) return undefined;
    const done = Pipeline.of(list, "source").metrics.ledgers_processed === LEDGERS &&
      Pipeline.of(list, "processor").metrics.events_extracted === events &&
      Pipeline.of(list, "sink").metrics.events_written === events;
    return done ? true : undefined;
  });
}

/** A component that stays registered but whose heartbeats fail (explicit protocol not served). */
async function assertHeartbeatsFailing(p: Pipeline, c: Component, error: RegExp): Promise<void> {
  // Until the failures are the expected ones: heartbeats sent while the control plane was
  // restarting fail with UNAVAILABLE first.
  const { flowctl, body } = await until(
    `${c} heartbeats to fail with ${error}`,
    15_000,
    async () => {
      const h = await p.health(c);
      return h.flowctl.consecutiveFailures > 1 && error.test(h.flowctl.lastError ?? "")
        ? h
        : undefined;
    },
  );
  assert.match(flowctl.lastError ?? "", error, `${c}: ${JSON.stringify(flowctl)}`);
  assert.ok(
    (body.reasons as string[]).some((r) => /^flowctl: \d+ heartbeat\(s\) failed/.test(r)),
    `${c} reasons: ${JSON.stringify(body.reasons)}`,
  );
  const text = await p.metrics(c);
  assert.ok(sample(text, "flowctl_consecutive_failures")! > 1, c);
}

/** Waits until exactly the given component types are listed healthy with `protocol`. */
function healthyOnly(
  p: Pipeline,
  types: Component[],
  protocol: string,
): Promise<ServiceJson[]> {
  return until(`only ${types} healthy with ${protocol}`, 20_000, async () => {
    const list = await p.services();
    if (!list || list.length !== types.length) return undefined;
    const ok = list.every((s) => s.healthy && s.protocol === protocol && s.heartbeats > 0) &&
      types.every((t) => list.some((s) => s.type === t));
    return ok ? list : undefined;
  });
}

Deno.test({
  name:
    "flowctl e2e, both protocols, FLOWCTL_PROTOCOL=auto: registration, metadata, growing metrics, health, control-plane restart, killed component",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const p = await Pipeline.create({ source: "auto", processor: "auto", sink: "auto" });
  await p.run(async () => {
    await p.start("control-plane");
    await p.start("source");
    await p.start("processor");
    // Registered before any data flows: the counters start at zero.
    const before = await until("source and processor registered", 15_000, async () => {
      const list = await p.services();
      return list?.length === 2 && list.every((s) => s.heartbeats > 0) ? list : undefined;
    });
    assert.equal(Pipeline.of(before, "source").metrics.ledgers_processed, 0);
    assert.equal(Pipeline.of(before, "processor").metrics.events_extracted, 0);

    // Data flows once the sink pulls; sample the control plane's view meanwhile.
    const counters = {
      source: "ledgers_processed",
      processor: "events_extracted",
      sink: "events_written",
    } as const;
    const seen: Record<Component, number[]> = { source: [], processor: [], sink: [] };
    let sampling = true;
    const sampler = (async () => {
      while (true) {
        const last = !sampling; // one more sample after being told to stop: the final values
        for (const s of await p.services() ?? []) {
          const c = s.type as Component;
          const value = s.metrics[counters[c]];
          if (value !== undefined && seen[c].at(-1) !== value) seen[c].push(value);
        }
        if (last) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await p.start("sink");
    const events = await assertDataStored(p);
    await assertControlPlaneMetrics(p, events);
    sampling = false;
    await sampler;
    const final = { source: LEDGERS, processor: events, sink: events };
    for (const c of COMPONENTS) {
      const values = seen[c];
      assert.ok(values.length >= 2, `${c} ${counters[c]} did not grow: ${values}`);
      for (let i = 1; i < values.length; i++) {
        assert.ok(values[i] > values[i - 1], `${c} ${counters[c]} went down: ${values}`);
      }
      assert.equal(values.at(-1), final[c], c);
    }
    assert.equal(seen.source[0], 0);
    assert.equal(seen.processor[0], 0);

    const list = await threeHealthy(p, "v1");
    assertDescriptions(p, list);
    await assertComponentsRegistered(p, list, "v1");

    // Control plane restarted without persistence: every component re-registers by itself,
    // under the id it had, with its metrics.
    const ids = Object.fromEntries(COMPONENTS.map((c) => [c, Pipeline.of(list, c).id]));
    await p.stop("control-plane");
    await until("source heartbeats to fail", 10_000, async () => {
      const h = await p.health("source");
      return h.flowctl.consecutiveFailures > 0 ? true : undefined;
    });
    const down = await p.health("source");
    assert.equal(down.flowctl.state, "registered"); // registered, heartbeats failing
    assert.ok(
      (down.body.reasons as string[]).some((r) => /flowctl: \d+ heartbeat\(s\) failed/.test(r)),
      JSON.stringify(down.body.reasons),
    );
    await p.start("control-plane");
    const again = await threeHealthy(p, "v1");
    for (const c of COMPONENTS) assert.equal(Pipeline.of(again, c).id, ids[c], c);
    assert.equal(Pipeline.of(again, "sink").metrics.events_written, events);
    assert.equal(Pipeline.of(again, "source").metrics.ledgers_processed, LEDGERS);
    for (const c of COMPONENTS) {
      const h = await until(`${c} re-registered`, 10_000, async () => {
        const h = await p.health(c);
        return h.flowctl.registrations >= 2 && h.flowctl.consecutiveFailures === 0 ? h : undefined;
      });
      assert.equal(h.flowctl.state, "registered");
    }

    // A killed component turns unhealthy after the TTL; the others stay healthy.
    await p.stop("processor", "SIGKILL");
    const killedAt = Date.now();
    const after = await until("the processor to be marked unhealthy", 15_000, async () => {
      const list = await p.services();
      return list && !Pipeline.of(list, "processor").healthy ? list : undefined;
    });
    const waited = Date.now() - killedAt;
    assert.ok(waited >= TTL_MS - 1000, `marked unhealthy after ${waited} ms, TTL ${TTL_MS} ms`);
    assert.ok(Pipeline.of(after, "source").healthy);
    assert.ok(Pipeline.of(after, "sink").healthy);
    assert.equal(after.length, 3);
  });
});

Deno.test({
  name:
    "flowctl e2e, control plane absent at start, then legacy-only, then v1-only: data flows, auto falls back, explicit legacy stays legacy",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const p = await Pipeline.create({ source: "auto", processor: "legacy", sink: "auto" });
  await p.run(async () => {
    for (const c of COMPONENTS) await p.start(c);
    const events = await assertDataStored(p);
    for (const c of COMPONENTS) {
      // Unreachable: each attempt waits for a connection until its 5 s deadline.
      await assertRetrying(p, c, /UNAVAILABLE|ECONNREFUSED|DEADLINE_EXCEEDED/);
      const h = await p.health(c);
      assert.equal(h.flowctl.serviceId, null, c);
      assert.equal(h.flowctl.lastHeartbeatAt, null, c);
    }

    await p.start("control-plane", ["legacy"]);
    const list = await threeHealthy(p, "legacy", 90_000); // retries back off up to ~8 s here
    assertDescriptions(p, list);
    await assertComponentsRegistered(p, list, "legacy");
    await assertControlPlaneMetrics(p, events);

    // The control plane comes back speaking v1 only: auto components negotiate again, the
    // processor pinned to legacy cannot (its heartbeats fail, the component keeps serving).
    await p.stop("control-plane");
    await p.start("control-plane", ["v1"]);
    const v1 = await healthyOnly(p, ["source", "sink"], "v1");
    for (const c of ["source", "sink"] as const) {
      assert.equal(Pipeline.of(v1, c).id, Pipeline.of(list, c).id, c);
      const h = await p.health(c);
      assert.equal(h.flowctl.protocol, "v1", c);
    }
    await assertHeartbeatsFailing(p, "processor", /UNIMPLEMENTED/);
    assert.equal((await p.health("processor")).body.status, "healthy");
  });
});

Deno.test({
  name:
    "flowctl e2e, v1-only control plane, FLOWCTL_PROTOCOL=v1 (processor auto), then legacy-only: auto falls back, explicit v1 heartbeats fail while serving",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const p = await Pipeline.create({ source: "v1", processor: "auto", sink: "v1" });
  await p.run(async () => {
    await p.start("control-plane", ["v1"]);
    for (const c of COMPONENTS) await p.start(c);
    const events = await assertDataStored(p);
    const list = await threeHealthy(p, "v1");
    assertDescriptions(p, list);
    await assertComponentsRegistered(p, list, "v1");
    await assertControlPlaneMetrics(p, events);

    await p.stop("control-plane");
    await p.start("control-plane", ["legacy"]);
    const legacy = await healthyOnly(p, ["processor"], "legacy");
    assert.equal(Pipeline.of(legacy, "processor").id, Pipeline.of(list, "processor").id);
    assert.equal(Pipeline.of(legacy, "processor").metrics.events_extracted, events);
    await assertHeartbeatsFailing(p, "source", /UNIMPLEMENTED/);
    await assertHeartbeatsFailing(p, "sink", /UNIMPLEMENTED/);
  });
});

/** `/health` and `/metrics` of a component started with `ENABLE_FLOWCTL=false`. */
async function assertDisabled(p: Pipeline, c: Component): Promise<void> {
  const { flowctl } = await p.health(c);
  assert.equal(flowctl.enabled, false, c);
  assert.equal(flowctl.state, "disabled", c);
  assert.equal(flowctl.serviceId, null, c);
  assert.equal(flowctl.lastHeartbeatAt, null, c);
  assert.equal(flowctl.consecutiveFailures, 0, c);
  // /metrics carries the state alone when disabled (shared/flowctl/status.ts).
  const text = await p.metrics(c);
  assert.match(text, /flowctl_info\{state="disabled",protocol="",service_id="",/, c);
  assert.doesNotMatch(text, /flowctl_registered|flowctl_heartbeats_sent/, c);
}

Deno.test({
  name: "flowctl e2e, ENABLE_FLOWCTL=false: data flows, /health says disabled",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const p = await Pipeline.create({ source: "auto", processor: "auto", sink: "auto" }, false);
  await p.run(async () => {
    for (const c of COMPONENTS) await p.start(c);
    await assertDataStored(p);
    await assertDisabled(p, "source");
    await assertDisabled(p, "processor");
  });
});

Deno.test({
  name: "flowctl e2e, ENABLE_FLOWCTL=false: the sink's /health says disabled",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const p = await Pipeline.create({ source: "auto", processor: "auto", sink: "auto" }, false);
  await p.run(async () => {
    await p.start("sink");
    await assertDisabled(p, "sink");
  });
});
