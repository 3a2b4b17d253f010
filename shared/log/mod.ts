/**
 * Logging for every component: one call to {@linkcode setupLogging} at start-up, then
 * {@linkcode getLogger} per module. Logs go to standard error (standard output stays free for
 * data, e.g. the `ttp` command's JSON Lines), as text or as JSON Lines.
 *
 * ```ts
 * import { getLogger, setupLogging } from "../shared/log/mod.ts";
 * setupLogging({ level: "info" });
 * const log = getLogger(["source", "lake"]);
 * log.info("Serving {count} ledgers from {url}", { count: 20, url: "file:///lake" });
 * ```
 *
 * @module
 */
import {
  configureSync,
  getLogger as getLogtapeLogger,
  getTextFormatter,
  jsonLinesFormatter,
  type Logger,
  type LogLevel,
  type LogRecord,
  resetSync,
  type Sink,
} from "@logtape/logtape";

export type { Logger, LogLevel };

/** Log levels accepted by {@linkcode setupLogging}, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = [
  "trace",
  "debug",
  "info",
  "warning",
  "error",
  "fatal",
];

/** Options of {@linkcode setupLogging}. */
export interface LogOptions {
  /** Lowest level written; `warn` is accepted for `warning`. Default `info`. */
  level?: string;
  /** `text` (default) or `json` (one JSON object per line). */
  format?: "text" | "json";
  /** Where lines go; default standard error. Tests pass a collector. */
  write?: (line: string) => void;
}

/**
 * Parses a log level name, case-insensitively; `warn` means `warning`.
 *
 * @throws {RangeError} naming the accepted levels when the name is unknown.
 */
export function parseLogLevel(name: string): LogLevel {
  const lower = name.trim().toLowerCase();
  const level = lower === "warn" ? "warning" : lower;
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new RangeError(
    `Expected a log level (${LOG_LEVELS.join(", ")}), got "${name}"`,
  );
}

const encoder = new TextEncoder();

function stderrWrite(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line));
}

/**
 * Configures logging for the whole process (replacing any earlier configuration), so that it is
 * safe to call from tests and workers as well as from `main`.
 */
export function setupLogging(options: LogOptions = {}): void {
  const level = parseLogLevel(options.level ?? "info");
  const write = options.write ?? stderrWrite;
  const format = options.format === "json" ? jsonLinesFormatter : getTextFormatter({
    timestamp: "date-time-timezone",
    category: ".",
  });
  const sink: Sink = (record: LogRecord) => write(format(record));
  resetSync();
  configureSync({
    sinks: { main: sink },
    loggers: [
      { category: [], lowestLevel: level, sinks: ["main"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["main"] },
    ],
  });
}

/** Returns the logger of a category, e.g. `["sink", "parquet"]`. */
export function getLogger(category: readonly string[]): Logger {
  return getLogtapeLogger(["ttp-pipeline", ...category]);
}
