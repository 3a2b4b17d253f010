/**
 * Options of the launcher (`deno task start`), by environment variable and flag.
 *
 * @module
 */
import { opt } from "../../shared/config/mod.ts";

/** The launcher's options. */
export const PIPELINE_OPTIONS = {
  datalake: opt.optionalString({
    env: "DATALAKE_URL",
    flag: "datalake",
    description: "Data lake (path, file://, s3://, https://)",
    defaultLabel: "the bundled testdata/lakes/pubnet-p26",
  }),
  rpc: opt.optionalString({
    env: "RPC_URL",
    flag: "rpc",
    description: "Read from Stellar RPC instead",
  }),
  startLedger: opt.optionalInt({
    env: "START_LEDGER",
    min: 1,
    description: "First ledger",
    defaultLabel: "the first ledger the source offers",
  }),
  endLedger: opt.optionalInt({
    env: "END_LEDGER",
    min: 1,
    description: "Last ledger (default: follow the tip)",
  }),
  dataDir: opt.string({
    env: "DATA_DIR",
    default: "./data",
    description: "The sink's data folder",
  }),
  flowctl: opt.bool({
    env: "ENABLE_FLOWCTL",
    flag: "flowctl",
    default: true,
    description: "Start the control plane and register every service (--no-flowctl to skip)",
  }),
  workers: opt.optionalInt({
    env: "WORKERS",
    min: 1,
    max: 64,
    description: "Web Workers per component",
  }),
  portOffset: opt.int({
    env: "PORT_OFFSET",
    min: 0,
    max: 50000,
    default: 0,
    description: "Added to every port (run several pipelines side by side)",
  }),
  progressInterval: opt.int({
    env: "PROGRESS_INTERVAL_MS",
    min: 0,
    default: 2000,
    description: "Progress line every N ms (0: none)",
  }),
  logLevel: opt.string({
    env: "LOG_LEVEL",
    default: "info",
    description: "Log level of every service",
  }),
};
