/**
 * Configuration of stellar-arrow-source: environment variables with matching CLI flags (flags
 * win), via shared/config. `DATALAKE_URL` defaults to the bundled sample lake
 * `testdata/lakes/pubnet-p26`, so the service runs offline.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assetUrl } from "../../shared/assets/mod.ts";
import {
  ConfigError,
  type ConfigOf,
  opt,
  parseConfig,
  type ParseResult,
} from "../../shared/config/mod.ts";
import { parseGoDuration } from "../../shared/flowctl/duration.ts";
import { flowctlOptionSpec } from "../../shared/flowctl/mod.ts";
import { parseLogLevel } from "../../shared/log/mod.ts";

/**
 * The bundled sample lake (20 protocol-26 pubnet ledgers), found through shared/assets so that it
 * resolves in a checkout and beside a `scripts/build.ts` bundle alike.
 */
export const SAMPLE_LAKE: string = fileURLToPath(assetUrl("testdata/lakes/pubnet-p26"));

/** Parses a poll interval: a Go duration (`2s`, `500ms`) or a bare number of seconds. */
export function parseInterval(raw: string): number {
  const text = raw.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseGoDuration(text);
  if (!(ms >= 10 && ms <= 3_600_000)) {
    throw new Error(`expected an interval from 10ms to 1h, got "${raw}"`);
  }
  return ms;
}

/** The option spec. */
export const SOURCE_OPTIONS = {
  sourceType: opt.oneOf({
    env: "SOURCE_TYPE",
    choices: ["datalake", "rpc"] as const,
    default: "datalake",
    description: "Where ledgers come from: a SEP-54 data lake or Stellar RPC",
  }),
  datalakeUrl: opt.string({
    env: "DATALAKE_URL",
    default: SAMPLE_LAKE,
    defaultLabel: "testdata/lakes/pubnet-p26 (bundled sample)",
    description: "Data lake: /path, file://, s3://bucket/prefix, gs://, http(s):// (S3 REST API)",
  }),
  rpcUrl: opt.optionalString({
    env: "RPC_URL",
    description: "Stellar RPC endpoint (SOURCE_TYPE=rpc)",
  }),
  networkPassphrase: opt.optionalString({
    env: "NETWORK_PASSPHRASE",
    description:
      "Expected network passphrase; default from the lake's .config.json (or RPC getNetwork). A lake naming another network is a startup error",
  }),
  s3EndpointUrl: opt.optionalString({
    env: "S3_ENDPOINT_URL",
    description:
      "S3-compatible endpoint for s3:// lakes (path-style); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, region from AWS_REGION",
  }),
  flightHost: opt.string({
    env: "FLIGHT_HOST",
    default: "0.0.0.0",
    description: "Interface the Flight server binds",
  }),
  flightPort: opt.port({ env: "FLIGHT_PORT", default: 8816, description: "Arrow Flight port" }),
  healthPort: opt.port({
    env: "HEALTH_PORT",
    default: 8088,
    description: "HTTP port for GET /health and GET /metrics",
  }),
  workers: opt.int({
    env: "WORKERS",
    min: 1,
    max: 256,
    default: () => navigator.hardwareConcurrency,
    defaultLabel: "CPU count",
    description: "Decode workers (zstd, XDR walk, hashing)",
  }),
  readAhead: opt.optionalInt({
    env: "READ_AHEAD",
    min: 1,
    max: 1024,
    description:
      "Units (batch objects or RPC pages) decoded ahead of each client (default 2 × WORKERS, at least 4)",
  }),
  pollInterval: opt.custom({
    env: "POLL_INTERVAL",
    placeholder: "<duration>",
    default: 1000,
    defaultLabel: "1s",
    parse: parseInterval,
    description: "Live-tail poll interval of the lake or RPC (Go duration or seconds)",
  }),
  rpcPageLimit: opt.int({
    env: "RPC_PAGE_LIMIT",
    min: 1,
    max: 200,
    default: 20,
    description: "Ledgers per RPC getLedgers page (≤ 200)",
  }),
  logLevel: opt.custom({
    env: "LOG_LEVEL",
    placeholder: "<level>",
    default: "info",
    parse: (raw) => {
      parseLogLevel(raw); // throws saying which levels exist
      return raw.trim();
    },
    description: "trace, debug, info, warning, error, fatal",
  }),
  logFormat: opt.oneOf({
    env: "LOG_FORMAT",
    choices: ["text", "json"] as const,
    default: "text",
    description: "Log line format",
  }),
  ...flowctlOptionSpec,
};

/** The parsed configuration. */
export type SourceConfig = ConfigOf<typeof SOURCE_OPTIONS>;

/**
 * Parses flags and environment. Throws {@linkcode ConfigError} for bad values and for
 * `SOURCE_TYPE=rpc` without `RPC_URL`.
 */
export function parseSourceConfig(
  args: readonly string[] = Deno.args,
  env: Readonly<Record<string, string | undefined>> = Deno.env.toObject(),
): ParseResult<typeof SOURCE_OPTIONS> {
  const result = parseConfig(SOURCE_OPTIONS, {
    name: "stellar-arrow-source",
    summary:
      "Reads LedgerCloseMeta from a SEP-54 (Galexie) data lake or Stellar RPC and serves ledger ranges and live tails as Arrow (stellar_ledger) over Flight DoGet. Tickets: stellar_ledgers:START:END (END empty follows the tip).",
    args,
    env,
  });
  if (result.config?.sourceType === "rpc" && !result.config.rpcUrl) {
    throw new ConfigError("RPC_URL (--rpc-url) is required when SOURCE_TYPE=rpc, got nothing");
  }
  return result;
}
