/**
 * Configuration of ttp-arrow-processor: environment variables with matching CLI flags and
 * `--help` (shared/config).
 *
 * @module
 */
import { type ConfigOf, opt, parseList } from "../../shared/config/mod.ts";
import { flowctlOptionSpec } from "../../shared/flowctl/mod.ts";
import { TTP_EVENT_TYPES } from "../../shared/schema/ttp_event.ts";
import { type EventFilters, parseFilterValue } from "./filters.ts";

/** Component name (logs, health, `--help`). */
export const COMPONENT = "ttp-arrow-processor";

/** Component version. */
export const VERSION = "0.1.0";

function filterList(name: string) {
  return (raw: string): string[] => {
    if (parseList(raw).length === 0) return [];
    return parseFilterValue(name, raw) as string[];
  };
}

/** The option spec (also rendered by `--help`). */
export const configSpec = {
  sourceEndpoint: opt.string({
    env: "SOURCE_ENDPOINT",
    default: "localhost:8816",
    description: "stellar-arrow-source Flight endpoint (host:port or grpc://host:port)",
  }),
  flightHost: opt.string({
    env: "FLIGHT_HOST",
    default: "0.0.0.0",
    description: "Interface the Flight server binds",
  }),
  flightPort: opt.port({
    env: "FLIGHT_PORT",
    default: 8817,
    description: 'Arrow Flight port serving ["ttp_events"] (0 picks a free port)',
  }),
  healthPort: opt.port({
    env: "HEALTH_PORT",
    default: 8089,
    description: "HTTP port for /health and /metrics (0 picks a free port)",
  }),
  networkPassphrase: opt.optionalString({
    env: "NETWORK_PASSPHRASE",
    description: "Network passphrase; default: recognised from the ledgers' network_id",
  }),
  ttpMode: opt.oneOf({
    env: "TTP_MODE",
    choices: ["auto", "unified", "derived"] as const,
    default: "auto",
    description: "TTP extraction mode",
  }),
  verifyEvents: opt.bool({
    env: "VERIFY_EVENTS",
    default: false,
    description: "Verify every transaction's events against its balance changes",
  }),
  workers: opt.int({
    env: "WORKERS",
    min: 1,
    max: 256,
    default: () => navigator.hardwareConcurrency,
    description: "Extraction Web Workers",
  }),
  readAhead: opt.optionalInt({
    env: "READ_AHEAD",
    min: 1,
    max: 1024,
    description: "Extraction tasks in flight per stream (default: 2 x WORKERS)",
  }),
  batchBytes: opt.int({
    env: "BATCH_BYTES",
    min: 16 * 1024,
    max: 3 * 1024 * 1024,
    default: 1024 * 1024,
    description: "Target size of an output record batch in bytes (below gRPC's 4 MiB)",
  }),
  eventTypes: opt.custom<string[]>({
    env: "EVENT_TYPES",
    placeholder: `<${TTP_EVENT_TYPES.join(",")}>`,
    default: [],
    description: "Default event_type filter (comma-separated; empty keeps all)",
    parse: filterList("event_type"),
  }),
  assets: opt.custom<string[]>({
    env: "ASSETS",
    placeholder: "<native,CODE:ISSUER,...>",
    default: [],
    description: "Default asset filter",
    parse: filterList("asset"),
  }),
  addresses: opt.custom<string[]>({
    env: "ADDRESSES",
    placeholder: "<G...,C...,...>",
    default: [],
    description: "Default address filter (matches from or to)",
    parse: filterList("address"),
  }),
  contractAddresses: opt.custom<string[]>({
    env: "CONTRACT_ADDRESSES",
    placeholder: "<C...,...>",
    default: [],
    description: "Default contract_address filter",
    parse: filterList("contract_address"),
  }),
  minAmount: opt.custom<bigint | undefined>({
    env: "MIN_AMOUNT",
    placeholder: "<int>",
    default: undefined,
    description: "Default min_amount filter on the raw integer amount",
    parse: (raw) => raw.trim() === "" ? undefined : parseFilterValue("min_amount", raw) as bigint,
  }),
  sourceConnectTimeoutMs: opt.int({
    env: "SOURCE_CONNECT_TIMEOUT_MS",
    min: 100,
    default: 5_000,
    description: "How long a new stream waits for an unreachable source before UNAVAILABLE",
  }),
  sourceRetryTimeoutMs: opt.int({
    env: "SOURCE_RETRY_TIMEOUT_MS",
    min: 0,
    default: 60_000,
    description:
      "How long a running stream retries a lost source (with backoff) before UNAVAILABLE",
  }),
  logLevel: opt.string({ env: "LOG_LEVEL", default: "info", description: "Log level" }),
  logFormat: opt.oneOf({
    env: "LOG_FORMAT",
    choices: ["text", "json"] as const,
    default: "text",
    description: "Log line format",
  }),
  ...flowctlOptionSpec,
};

/** The parsed configuration. */
export type ProcessorConfig = ConfigOf<typeof configSpec>;

/** The default filters of the configuration (`EVENT_TYPES`, `ASSETS`, ...). */
export function defaultFilters(config: ProcessorConfig): EventFilters {
  const f: EventFilters = {};
  if (config.eventTypes.length > 0) f.event_type = config.eventTypes;
  if (config.assets.length > 0) f.asset = config.assets;
  if (config.addresses.length > 0) f.address = config.addresses;
  if (config.contractAddresses.length > 0) f.contract_address = config.contractAddresses;
  if (config.minAmount !== undefined) f.min_amount = config.minAmount;
  return f;
}
