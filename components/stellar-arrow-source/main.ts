/**
 * Entry point of stellar-arrow-source (`deno task start:source`). Configuration from environment
 * variables and flags (see `--help`).
 *
 * @module
 */
import { ConfigError } from "../../shared/config/mod.ts";
import { getLogger, setupLogging } from "../../shared/log/mod.ts";
import { parseSourceConfig } from "./config.ts";
import { errorMessage } from "./errors.ts";
import { startSource } from "./server.ts";

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseSourceConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`stellar-arrow-source: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (parsed.help !== undefined) {
    console.log(parsed.help);
    return 0;
  }
  const config = parsed.config;
  setupLogging({ level: config.logLevel, format: config.logFormat });
  const log = getLogger(["source"]);
  let running;
  try {
    running = await startSource(config);
  } catch (err) {
    log.fatal("startup failed: {message}", { message: errorMessage(err) });
    console.error(`stellar-arrow-source: startup failed: ${errorMessage(err)}`);
    return 1;
  }
  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await stopped.promise;
  log.info("shutting down");
  await running.close();
  return 0;
}

if (import.meta.main) Deno.exit(await main());
