/**
 * A sink configuration for tests and benchmarks: loopback, ephemeral ports, quiet logs, one
 * encoding worker; the caller names the processor, the data folder and what differs.
 *
 * @module
 */
import type { SinkConfig } from "../config.ts";

/** What a loopback sink configuration must be told. */
export interface LoopbackSinkOptions {
  /** The processor's Flight endpoint (`host:port`). */
  processorEndpoint: string;
  /** Data folder. */
  dataDir: string;
}

/** A sink on 127.0.0.1 with ports 0 (chosen by the system), for tests and benchmarks. */
export function loopbackSinkConfig(
  options: LoopbackSinkOptions,
  overrides: Partial<SinkConfig> = {},
): SinkConfig {
  return {
    processorEndpoint: options.processorEndpoint,
    dataDir: options.dataDir,
    startLedger: undefined,
    endLedger: undefined,
    filters: {},
    outputs: ["parquet", "jsonl", "api"],
    fileFormats: ["parquet", "jsonl"],
    parquetMaxRows: 5000,
    flushIntervalMs: 200,
    parquetWorkers: 1,
    host: "127.0.0.1",
    httpPort: 0,
    flightPort: 0,
    healthPort: 0,
    maxWsConnections: 1,
    wsMaxBufferedBytes: 1 << 20,
    logLevel: "error",
    logFormat: "text",
    ...overrides,
  };
}
