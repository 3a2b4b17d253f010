/**
 * arrow-analytics-sink entry point: `deno run -A components/arrow-analytics-sink/main.ts --help`.
 *
 * @module
 */
import { ConfigError } from "../../shared/config/mod.ts";
import { getLogger, setupLogging } from "../../shared/log/mod.ts";
import { loadConfig } from "./config.ts";
import { startSink } from "./sink.ts";

if (import.meta.main) {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`arrow-analytics-sink: ${error.message}`);
      Deno.exit(2);
    }
    throw error;
  }
  if ("help" in loaded) {
    console.log(loaded.help);
    Deno.exit(0);
  }
  const { config } = loaded;
  setupLogging({ level: config.logLevel, format: config.logFormat });
  const log = getLogger(["sink", "main"]);
  const sink = await startSink(config).catch((error) => {
    log.fatal("Cannot start: {error}", {
      error: error instanceof Error ? error.message : String(error),
    });
    Deno.exit(1);
  });
  log.info("arrow-analytics-sink up: http {http}, flight {flight}, health {health}, data {dir}", {
    http: sink.ports.http ?? "off",
    flight: sink.ports.flight ?? "off",
    health: sink.ports.health,
    dir: config.dataDir,
  });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("{signal}: committing buffered ledgers and stopping", { signal });
    await sink.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));
}
