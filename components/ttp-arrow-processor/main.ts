/**
 * ttp-arrow-processor: pulls ledgers from stellar-arrow-source over Arrow Flight, extracts Token
 * Transfer Protocol events in Web Workers and serves them as Arrow (`ttp_event`) over Flight on
 * `["ttp_events"]` with tickets `ttp_events:START:END[?filters]`.
 *
 * Run `deno task start:processor --help` for the options.
 *
 * @module
 */
import { ConfigError, parseConfig } from "../../shared/config/mod.ts";
import { getLogger, setupLogging } from "../../shared/log/mod.ts";
import { COMPONENT, configSpec } from "./config.ts";
import { startProcessor } from "./processor.ts";

if (import.meta.main) {
  let parsed;
  try {
    parsed = parseConfig(configSpec, {
      name: COMPONENT,
      summary:
        'Serves Token Transfer Protocol events extracted from stellar-arrow-source\'s ledgers as Arrow Flight (path ["ttp_events"], ticket ttp_events:START:END[?event_type=..&asset=..&address=..&contract_address=..&min_amount=..]; empty END follows the tip).',
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${COMPONENT}: ${err.message}`);
      Deno.exit(2);
    }
    throw err;
  }
  if (parsed.help !== undefined) {
    console.log(parsed.help);
    Deno.exit(0);
  }
  const config = parsed.config;
  setupLogging({ level: config.logLevel, format: config.logFormat });
  const log = getLogger(["processor"]);
  let processor;
  try {
    processor = await startProcessor(config);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.fatal("Startup failed: {message}", { message });
    console.error(`${COMPONENT}: startup failed: ${message}`);
    Deno.exit(1);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("{signal} received; shutting down", { signal });
    await processor!.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
}
