/**
 * Configuration of the sink: environment variables with matching flags (`--help` lists them).
 *
 * @module
 */
import { ConfigError, opt, parseConfig, type ParseResult } from "../../shared/config/mod.ts";
import {
  type FlowctlConfig,
  flowctlConfigFrom,
  flowctlOptionSpec,
  parseGoDuration,
} from "../../shared/flowctl/mod.ts";
import { type EventFilters, FilterError, parseFilterValue } from "../../shared/ttp_stream/mod.ts";
import type { FileFormat } from "./writers/partition.ts";

/** Every output the sink has. */
export const OUTPUTS = ["parquet", "jsonl", "csv", "websocket", "api"] as const;

/** One output. */
export type Output = typeof OUTPUTS[number];

function duration(raw: string): number {
  const ms = parseGoDuration(raw);
  if (!(ms > 0)) {
    throw new Error(`expected a positive duration such as "2s" or "500ms", got "${raw}"`);
  }
  return ms;
}

function filterOption(name: string) {
  return (raw: string) => {
    try {
      return parseFilterValue(name, raw);
    } catch (error) {
      if (error instanceof FilterError) throw new Error(error.message.slice(name.length + 2));
      throw error;
    }
  };
}

/** The option spec. */
export const SINK_OPTIONS = {
  processorEndpoint: opt.string({
    env: "PROCESSOR_ENDPOINT",
    default: "localhost:8817",
    description: "Flight endpoint of ttp-arrow-processor (host:port)",
  }),
  startLedger: opt.optionalInt({
    env: "START_LEDGER",
    min: 1,
    max: 0xffffffff,
    description: "First ledger (unset: the first the processor offers; a checkpoint wins)",
  }),
  endLedger: opt.optionalInt({
    env: "END_LEDGER",
    min: 1,
    max: 0xffffffff,
    description: "Last ledger, inclusive (unset: follow the tip)",
  }),
  eventTypes: opt.custom<string[] | undefined>({
    env: "EVENT_TYPES",
    placeholder: "<transfer,mint,burn,clawback,fee>",
    default: undefined,
    description: "Only these event kinds",
    parse: (raw) => filterOption("event_type")(raw) as string[],
  }),
  assets: opt.custom<string[] | undefined>({
    env: "ASSETS",
    placeholder: "<native,CODE:ISSUER,...>",
    default: undefined,
    description: "Only these assets",
    parse: (raw) => filterOption("asset")(raw) as string[],
  }),
  addresses: opt.custom<string[] | undefined>({
    env: "ADDRESSES",
    placeholder: "<G...,C...>",
    default: undefined,
    description: "Only events from or to these addresses",
    parse: (raw) => filterOption("address")(raw) as string[],
  }),
  minAmount: opt.custom<bigint | undefined>({
    env: "MIN_AMOUNT",
    placeholder: "<stroops>",
    default: undefined,
    description: "Only events with amount >= this raw integer",
    parse: (raw) => filterOption("min_amount")(raw) as bigint,
  }),
  outputFormats: opt.list({
    env: "OUTPUT_FORMATS",
    choices: OUTPUTS,
    default: ["parquet", "jsonl", "websocket", "api"],
    description: "Outputs to enable",
  }),
  dataDir: opt.string({ env: "DATA_DIR", default: "./data", description: "Data directory" }),
  parquetMaxRows: opt.int({
    env: "PARQUET_MAX_ROWS",
    min: 1,
    default: 100_000,
    description: "Roll files (commit) once this many events are buffered",
  }),
  flushInterval: opt.custom<number>({
    env: "FLUSH_INTERVAL",
    placeholder: "<duration>",
    default: 2000,
    defaultLabel: "2s",
    description: "Commit buffered ledgers at least this often (Go duration)",
    parse: duration,
  }),
  parquetWorkers: opt.int({
    env: "PARQUET_WORKERS",
    min: 0,
    max: 16,
    default: 1,
    description: "Web Workers encoding the files (Parquet, JSONL, CSV); 0: the main thread",
  }),
  host: opt.string({ env: "BIND_HOST", default: "0.0.0.0", description: "Interface to bind" }),
  httpPort: opt.port({
    env: "HTTP_PORT",
    default: 8081,
    description: "HTTP port of the WebSocket feed (/ws) and the REST API (/api)",
  }),
  flightPort: opt.port({ env: "FLIGHT_PORT", default: 8818, description: "Arrow Flight port" }),
  healthPort: opt.port({
    env: "HEALTH_PORT",
    default: 8090,
    description: "Port of /health and /metrics",
  }),
  maxWsConnections: opt.int({
    env: "MAX_WS_CONNECTIONS",
    min: 1,
    default: 1000,
    description: "Most WebSocket clients",
  }),
  wsMaxBufferedBytes: opt.int({
    env: "WS_MAX_BUFFERED_BYTES",
    min: 1024,
    default: 4 * 1024 * 1024,
    description: "Disconnect a WebSocket client with more unsent bytes than this",
  }),
  logLevel: opt.string({ env: "LOG_LEVEL", default: "info", description: "Log level" }),
  logFormat: opt.oneOf({
    env: "LOG_FORMAT",
    choices: ["text", "json"] as const,
    default: "text",
    description: "Log format",
  }),
  ...flowctlOptionSpec,
};

/** Parsed configuration. */
export interface SinkConfig {
  processorEndpoint: string;
  startLedger?: number;
  endLedger?: number;
  filters: EventFilters;
  outputs: Output[];
  fileFormats: FileFormat[];
  dataDir: string;
  parquetMaxRows: number;
  flushIntervalMs: number;
  parquetWorkers: number;
  host: string;
  httpPort: number;
  flightPort: number;
  healthPort: number;
  maxWsConnections: number;
  wsMaxBufferedBytes: number;
  logLevel: string;
  logFormat: "text" | "json";
  /** flowctl control-plane registration (off unless `ENABLE_FLOWCTL`; absent: off). */
  flowctl?: FlowctlConfig;
}

/**
 * Parses flags and environment.
 *
 * @returns the `--help` text or the configuration.
 * @throws {ConfigError} for invalid or inconsistent values.
 */
export function loadConfig(
  args: readonly string[] = Deno.args,
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
): { help: string } | { config: SinkConfig } {
  const result: ParseResult<typeof SINK_OPTIONS> = parseConfig(SINK_OPTIONS, {
    name: "arrow-analytics-sink",
    summary:
      "Consumes TTP events from ttp-arrow-processor over Arrow Flight and stores them as Parquet, " +
      "JSON Lines and CSV (Hive date partitions, exactly once across restarts), with a live " +
      "WebSocket feed, a REST API and Arrow Flight DoGet over the stored events.",
    args,
    env,
  });
  if (result.help !== undefined) return { help: result.help };
  const c = result.config;
  if (c.startLedger !== undefined && c.endLedger !== undefined && c.startLedger > c.endLedger) {
    throw new ConfigError(
      `END_LEDGER (--end-ledger): expected >= START_LEDGER (${c.startLedger}), got ${c.endLedger}`,
    );
  }
  const outputs = [...new Set(c.outputFormats)] as Output[];
  const fileFormats = (["parquet", "jsonl", "csv"] as const).filter((f) => outputs.includes(f));
  if (outputs.length === 0) {
    throw new ConfigError(
      "OUTPUT_FORMATS (--output-formats): expected at least one output, got none",
    );
  }
  if (outputs.includes("api") && fileFormats.length === 0) {
    throw new ConfigError(
      "OUTPUT_FORMATS (--output-formats): the api output queries stored files; expected parquet, jsonl or csv with it",
    );
  }
  const filters: EventFilters = {};
  if (c.eventTypes) filters.event_type = c.eventTypes;
  if (c.assets) filters.asset = c.assets;
  if (c.addresses) filters.address = c.addresses;
  if (c.minAmount !== undefined) filters.min_amount = c.minAmount;
  return {
    config: {
      processorEndpoint: c.processorEndpoint,
      startLedger: c.startLedger,
      endLedger: c.endLedger,
      filters,
      outputs,
      fileFormats,
      dataDir: c.dataDir.replace(/\/+$/, "") || ".",
      parquetMaxRows: c.parquetMaxRows,
      flushIntervalMs: c.flushInterval,
      parquetWorkers: c.parquetWorkers,
      host: c.host,
      httpPort: c.httpPort,
      flightPort: c.flightPort,
      healthPort: c.healthPort,
      maxWsConnections: c.maxWsConnections,
      wsMaxBufferedBytes: c.wsMaxBufferedBytes,
      logLevel: c.logLevel,
      logFormat: c.logFormat,
      flowctl: flowctlConfigFrom(c),
    },
  };
}
