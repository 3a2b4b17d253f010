/**
 * ttp-arrow-processor as a library: start it in-process ({@linkcode startProcessor}) with a
 * configuration parsed from {@linkcode configSpec}, or run `main.ts`
 * (`deno task start:processor`). See README.md for the Flight interface.
 *
 * ```ts
 * import { parseConfig } from "../../shared/config/mod.ts";
 * import { configSpec, startProcessor } from "./mod.ts";
 * const { config } = parseConfig(configSpec, { name: "ttp-arrow-processor", args: [] });
 * const processor = await startProcessor(config!);
 * console.log(processor.flightPort);
 * await processor.close();
 * ```
 *
 * @module
 */
export { COMPONENT, configSpec, type ProcessorConfig, VERSION } from "./config.ts";
export { type RunningProcessor, type StartOptions, startProcessor } from "./processor.ts";
export { ProcessorStats, type ProcessorStatus } from "./stats.ts";
export type { LedgerReport, VerificationFailure } from "./extract_task.ts";
export { KNOWN_NETWORKS, resolvePassphrase } from "./network.ts";
