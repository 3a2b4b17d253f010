/**
 * The process plan of the whole pipeline on one machine: which services run, with which
 * environment and ports, in which order they start and stop. Pure, so it is tested by tables.
 *
 * @module
 */

/** The services of the pipeline, in start order (stop order is the reverse). */
export const SERVICE_NAMES = ["control-plane", "source", "processor", "sink"] as const;

/** One service name. */
export type ServiceName = typeof SERVICE_NAMES[number];

/** Ports of every listener; defaults in {@linkcode DEFAULT_PORTS}. */
export interface PipelinePorts {
  /** flowctl control plane (gRPC and HTTP). */
  controlPlane: number;
  /** stellar-arrow-source Arrow Flight. */
  sourceFlight: number;
  /** stellar-arrow-source /health and /metrics. */
  sourceHealth: number;
  /** ttp-arrow-processor Arrow Flight. */
  processorFlight: number;
  /** ttp-arrow-processor /health and /metrics. */
  processorHealth: number;
  /** arrow-analytics-sink Arrow Flight. */
  sinkFlight: number;
  /** arrow-analytics-sink REST and WebSocket. */
  sinkHttp: number;
  /** arrow-analytics-sink /health and /metrics. */
  sinkHealth: number;
}

/** The ports the project documents; none collide. */
export const DEFAULT_PORTS: PipelinePorts = {
  controlPlane: 8080,
  sourceFlight: 8816,
  sourceHealth: 8088,
  processorFlight: 8817,
  processorHealth: 8089,
  sinkFlight: 8818,
  sinkHttp: 8081,
  sinkHealth: 8090,
};

/** What the user asked for. */
export interface PipelineOptions {
  /** Data lake URL (path, file://, s3://, https://); ignored when `rpcUrl` is set. */
  datalakeUrl?: string;
  /** Stellar RPC endpoint; when set the source reads from RPC. */
  rpcUrl?: string;
  /** First ledger to process; empty means the first ledger the source offers. */
  startLedger?: number;
  /** Last ledger (inclusive); empty follows the tip. */
  endLedger?: number;
  /** The sink's data folder. */
  dataDir: string;
  /** Start the control plane and register every service with it. */
  flowctl: boolean;
  /** Web Workers per component; empty means one per CPU. */
  workers?: number;
  /** Log level for every service. */
  logLevel: string;
  /** Heartbeat interval (Go duration). */
  heartbeatInterval: string;
  /** Ports of every listener. */
  ports: PipelinePorts;
}

/** How to run one service. */
export interface ServicePlan {
  /** Which service. */
  name: ServiceName;
  /** Entry module, relative to the repository root. */
  entry: string;
  /** Command-line arguments after the entry. */
  args: string[];
  /** Environment added to the launcher's own. */
  env: Record<string, string>;
  /** URL answering 200 once the service is up. */
  healthUrl: string;
  /** URL of the Prometheus metrics, if any. */
  metricsUrl?: string;
}

/** Builds the plan: the services in start order, with environments that wire them together. */
export function planPipeline(options: PipelineOptions): ServicePlan[] {
  const p = options.ports;
  const common: Record<string, string> = {
    LOG_LEVEL: options.logLevel,
    ENABLE_FLOWCTL: String(options.flowctl),
    FLOWCTL_ENDPOINT: `localhost:${p.controlPlane}`,
    FLOWCTL_HEARTBEAT_INTERVAL: options.heartbeatInterval,
  };
  if (options.workers !== undefined) common.WORKERS = String(options.workers);

  const source: Record<string, string> = {
    ...common,
    FLIGHT_PORT: String(p.sourceFlight),
    HEALTH_PORT: String(p.sourceHealth),
  };
  if (options.rpcUrl) {
    source.SOURCE_TYPE = "rpc";
    source.RPC_URL = options.rpcUrl;
  } else {
    source.SOURCE_TYPE = "datalake";
    if (options.datalakeUrl) source.DATALAKE_URL = options.datalakeUrl;
  }

  const sink: Record<string, string> = {
    ...common,
    PROCESSOR_ENDPOINT: `localhost:${p.processorFlight}`,
    FLIGHT_PORT: String(p.sinkFlight),
    HTTP_PORT: String(p.sinkHttp),
    HEALTH_PORT: String(p.sinkHealth),
    DATA_DIR: options.dataDir,
  };
  if (options.startLedger !== undefined) sink.START_LEDGER = String(options.startLedger);
  if (options.endLedger !== undefined) sink.END_LEDGER = String(options.endLedger);

  const health = (port: number) => `http://127.0.0.1:${port}/health`;
  const metrics = (port: number) => `http://127.0.0.1:${port}/metrics`;
  const services: ServicePlan[] = [
    {
      name: "source",
      entry: "components/stellar-arrow-source/main.ts",
      args: [],
      env: source,
      healthUrl: health(p.sourceHealth),
      metricsUrl: metrics(p.sourceHealth),
    },
    {
      name: "processor",
      entry: "components/ttp-arrow-processor/main.ts",
      args: [],
      env: {
        ...common,
        SOURCE_ENDPOINT: `localhost:${p.sourceFlight}`,
        FLIGHT_PORT: String(p.processorFlight),
        HEALTH_PORT: String(p.processorHealth),
      },
      healthUrl: health(p.processorHealth),
      metricsUrl: metrics(p.processorHealth),
    },
    {
      name: "sink",
      entry: "components/arrow-analytics-sink/main.ts",
      args: [],
      env: sink,
      healthUrl: health(p.sinkHealth),
      metricsUrl: metrics(p.sinkHealth),
    },
  ];
  if (!options.flowctl) return services;
  return [
    {
      name: "control-plane",
      entry: "components/flowctl-control-plane/main.ts",
      args: ["--port", String(p.controlPlane)],
      env: { LOG_LEVEL: options.logLevel },
      healthUrl: `http://127.0.0.1:${p.controlPlane}/api/services`,
    },
    ...services,
  ];
}

/** {@linkcode DEFAULT_PORTS} shifted by `offset` (several pipelines side by side). */
export function offsetPorts(offset: number): PipelinePorts {
  return Object.fromEntries(
    Object.entries(DEFAULT_PORTS).map(([k, v]) => [k, v + offset]),
  ) as unknown as PipelinePorts;
}

/**
 * Checks that no two listeners share a port.
 *
 * @throws {RangeError} naming the two listeners that collide.
 */
export function checkPorts(ports: PipelinePorts): void {
  const seen = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    if (port === 0) continue;
    const other = seen.get(port);
    if (other) {
      throw new RangeError(`Expected distinct ports, got ${port} for both ${other} and ${name}`);
    }
    seen.set(port, name);
  }
}
