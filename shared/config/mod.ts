/**
 * Declarative configuration from environment variables and command-line flags, with `--help`.
 * Every option has an environment variable and a matching flag; the flag wins over the
 * variable, and the variable over the default.
 *
 * ```ts
 * import { opt, parseConfig } from "../shared/config/mod.ts";
 * const spec = {
 *   flightPort: opt.port({ env: "FLIGHT_PORT", default: 8816, description: "Arrow Flight port" }),
 *   workers: opt.int({ env: "WORKERS", min: 1, default: () => navigator.hardwareConcurrency,
 *     description: "Decoding workers" }),
 * };
 * const result = parseConfig(spec, { name: "stellar-arrow-source", summary: "Serves ledgers" });
 * if (result.help) { console.log(result.help); Deno.exit(0); }
 * result.config.flightPort; // number
 * ```
 *
 * Flags are derived from the variable name (`FLIGHT_PORT` → `--flight-port`) unless `flag` is
 * given. Accepted forms: `--flag value`, `--flag=value`; boolean options also `--flag` and
 * `--no-flag`.
 *
 * @module
 */

/** A configuration error: names the variable/flag, what was expected and what came. */
export class ConfigError extends Error {
  /** Error name. */
  override name = "ConfigError";
}

/** One option: where it comes from, how it is parsed, and its default. */
export interface Option<T> {
  /** Environment variable, e.g. `FLIGHT_PORT`. */
  env: string;
  /** Flag name without dashes, e.g. `flight-port`; derived from `env` when absent. */
  flag?: string;
  /** One line for `--help`. */
  description: string;
  /** Value placeholder in `--help`, e.g. `<port>`. */
  placeholder: string;
  /** Default value, or a function computing it; absent means "required". */
  default?: T | (() => T);
  /** Parses the raw string; throws an Error whose message says what was expected. */
  parse: (raw: string) => T;
  /** True for switches that may be given as a bare `--flag` / `--no-flag`. */
  boolean?: boolean;
  /** Shown in `--help` instead of the default value (e.g. a long path). */
  defaultLabel?: string;
}

/** Common fields of the option constructors in {@linkcode opt}. */
export interface OptionInit<T> {
  /** Environment variable, e.g. `FLIGHT_PORT`. */
  env: string;
  /** Flag name without dashes; derived from `env` when absent. */
  flag?: string;
  /** One line for `--help`. */
  description: string;
  /** Default value or a function computing it; absent means required. */
  default?: T | (() => T);
  /** Shown in `--help` instead of the default value. */
  defaultLabel?: string;
}

/** A map from config keys to options. */
export type OptionSpec = Record<string, Option<unknown>>;

/** The parsed configuration of a spec: one typed value per key. */
export type ConfigOf<S extends OptionSpec> = {
  [K in keyof S]: S[K] extends Option<infer T> ? T : never;
};

/** What {@linkcode parseConfig} returns: either the `--help` text or the values. */
export type ParseResult<S extends OptionSpec> =
  | { help: string; config?: undefined; rest: string[] }
  | { help?: undefined; config: ConfigOf<S>; rest: string[] };

/** Sources for {@linkcode parseConfig}; defaults are the process's arguments and environment. */
export interface ParseOptions {
  /** Program name shown in `--help`. */
  name: string;
  /** One-paragraph summary shown in `--help`. */
  summary?: string;
  /** Command-line arguments; default `Deno.args`. */
  args?: readonly string[];
  /** Environment; default `Deno.env.toObject()`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Accept positional arguments (returned in `rest`) instead of rejecting them. */
  allowPositional?: boolean;
}

function describeRaw(raw: string): string {
  return JSON.stringify(raw);
}

function parseInteger(raw: string, min: number, max: number): number {
  const trimmed = raw.trim();
  if (!/^-?\d+$/.test(trimmed)) {
    throw new Error(`expected an integer from ${min} to ${max}, got ${describeRaw(raw)}`);
  }
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`expected an integer from ${min} to ${max}, got ${describeRaw(raw)}`);
  }
  return value;
}

/** Parses `true/false/1/0/yes/no/on/off`, case-insensitively. */
export function parseBoolean(raw: string): boolean {
  const lower = raw.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(lower)) return true;
  if (["false", "0", "no", "off", ""].includes(lower)) return false;
  throw new Error(`expected true or false, got ${describeRaw(raw)}`);
}

/** Splits a comma-separated list, trimming items and dropping empty ones. */
export function parseList(raw: string): string[] {
  return raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Option constructors. */
export const opt = {
  /** A free string. */
  string(init: OptionInit<string>): Option<string> {
    return { ...init, placeholder: "<string>", parse: (raw) => raw };
  },
  /** A string that may be absent (`undefined` when unset or empty). */
  optionalString(
    init: Omit<OptionInit<string | undefined>, "default">,
  ): Option<string | undefined> {
    return {
      ...init,
      placeholder: "<string>",
      default: undefined,
      parse: (raw) => raw === "" ? undefined : raw,
    };
  },
  /** An integer within bounds (inclusive). */
  int(init: OptionInit<number> & { min?: number; max?: number }): Option<number> {
    const min = init.min ?? Number.MIN_SAFE_INTEGER;
    const max = init.max ?? Number.MAX_SAFE_INTEGER;
    return { ...init, placeholder: "<int>", parse: (raw) => parseInteger(raw, min, max) };
  },
  /** An integer that may be absent (`undefined` when unset or empty). */
  optionalInt(
    init: Omit<OptionInit<number | undefined>, "default"> & { min?: number; max?: number },
  ): Option<number | undefined> {
    const min = init.min ?? Number.MIN_SAFE_INTEGER;
    const max = init.max ?? Number.MAX_SAFE_INTEGER;
    return {
      ...init,
      placeholder: "<int>",
      default: undefined,
      parse: (raw) => raw.trim() === "" ? undefined : parseInteger(raw, min, max),
    };
  },
  /** A TCP port, 0 to 65535 (0 lets the system choose). */
  port(init: OptionInit<number>): Option<number> {
    return { ...init, placeholder: "<port>", parse: (raw) => parseInteger(raw, 0, 65535) };
  },
  /** A switch. */
  bool(init: OptionInit<boolean>): Option<boolean> {
    return { ...init, placeholder: "<bool>", boolean: true, parse: parseBoolean };
  },
  /** One of a fixed set of strings. */
  oneOf<T extends string>(init: OptionInit<T> & { choices: readonly T[] }): Option<T> {
    const { choices, ...rest } = init;
    return {
      ...rest,
      placeholder: `<${choices.join("|")}>`,
      parse: (raw) => {
        const value = raw.trim();
        if ((choices as readonly string[]).includes(value)) return value as T;
        throw new Error(`expected one of ${choices.join(", ")}, got ${describeRaw(raw)}`);
      },
    };
  },
  /** A comma-separated list; `choices` restricts the items. */
  list(init: OptionInit<string[]> & { choices?: readonly string[] }): Option<string[]> {
    const { choices, ...rest } = init;
    return {
      ...rest,
      placeholder: choices ? `<${choices.join(",")}>` : "<a,b,...>",
      parse: (raw) => {
        const items = parseList(raw);
        if (choices) {
          const bad = items.filter((item) => !choices.includes(item));
          if (bad.length > 0) {
            throw new Error(
              `expected a comma-separated list of ${choices.join(", ")}, got unknown ${
                bad.map(describeRaw).join(", ")
              }`,
            );
          }
        }
        return items;
      },
    };
  },
  /** Any value with a custom parser (throw an Error saying what was expected). */
  custom<T>(init: OptionInit<T> & { placeholder: string; parse: (raw: string) => T }): Option<T> {
    return { ...init };
  },
};

/** The flag name of an option: explicit, or derived from its variable. */
export function flagOf(option: Option<unknown>): string {
  return option.flag ?? option.env.toLowerCase().replaceAll("_", "-");
}

function defaultText(option: Option<unknown>): string {
  if (option.defaultLabel !== undefined) return option.defaultLabel;
  if (!("default" in option)) return "required";
  const value = typeof option.default === "function"
    ? (option.default as () => unknown)()
    : option.default;
  if (value === undefined) return "unset";
  if (Array.isArray(value)) return value.join(",") || "empty";
  return String(value);
}

/** One option as documentation: what `--help` and generated docs show. */
export interface OptionRow {
  /** Flag without dashes. */
  flag: string;
  /** Environment variable. */
  env: string;
  /** Value placeholder, e.g. `<port>`. */
  placeholder: string;
  /** The default as text (`required` or `unset` when there is none). */
  default: string;
  /** One-line description. */
  description: string;
}

/** The documentation rows of a spec, in spec order. */
export function optionRows(spec: OptionSpec): OptionRow[] {
  return Object.values(spec).map((o) => ({
    flag: flagOf(o),
    env: o.env,
    placeholder: o.placeholder,
    default: defaultText(o),
    description: o.description,
  }));
}

/** Renders the `--help` text of a spec. */
export function helpText(
  spec: OptionSpec,
  options: Pick<ParseOptions, "name" | "summary">,
): string {
  const rows = optionRows(spec).map((o) => ({
    left: `  --${o.flag} ${o.placeholder}`,
    env: o.env,
    text: `${o.description} (default: ${o.default})`,
  }));
  const leftWidth = Math.max(...rows.map((r) => r.left.length), 10) + 2;
  const envWidth = Math.max(...rows.map((r) => r.env.length), 4) + 2;
  const lines = [
    `Usage: ${options.name} [options]`,
    "",
    ...(options.summary ? [options.summary, ""] : []),
    "Options (flag, environment variable; the flag wins over the variable):",
    ...rows.map((r) => `${r.left.padEnd(leftWidth)}${r.env.padEnd(envWidth)}${r.text}`),
    `${"  -h, --help".padEnd(leftWidth)}${"".padEnd(envWidth)}Show this help and exit`,
  ];
  return lines.join("\n");
}

function applyParse<T>(option: Option<T>, raw: string, origin: string): T {
  try {
    return option.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${origin}: ${reason}`);
  }
}

/**
 * Parses flags and environment against a spec.
 *
 * @throws {ConfigError} for an unknown flag, a missing value, an invalid value or a missing
 * required option; the message names the flag or variable, what was expected and what came.
 */
export function parseConfig<S extends OptionSpec>(spec: S, options: ParseOptions): ParseResult<S> {
  const args = options.args ?? Deno.args;
  const env = options.env ?? Deno.env.toObject();
  const byFlag = new Map<string, [string, Option<unknown>]>();
  for (const [key, option] of Object.entries(spec)) byFlag.set(flagOf(option), [key, option]);

  const fromFlags = new Map<string, unknown>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-h" || arg === "--help") {
      return { help: helpText(spec, options), rest };
    }
    if (arg === "--") {
      rest.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      if (!options.allowPositional) {
        throw new ConfigError(`Expected a flag such as --${[...byFlag.keys()][0]}, got "${arg}"`);
      }
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let entry = byFlag.get(name);
    if (!entry && name.startsWith("no-") && inline === undefined) {
      const positive = byFlag.get(name.slice(3));
      if (positive?.[1].boolean) {
        entry = positive;
        name = name.slice(3);
        inline = "false";
      }
    }
    if (!entry) {
      throw new ConfigError(
        `Unknown flag --${name}; expected one of ${
          [...byFlag.keys()].map((f) => `--${f}`).join(", ")
        } (see --help)`,
      );
    }
    const [key, option] = entry;
    let raw = inline;
    if (raw === undefined) {
      const next = args[i + 1];
      if (option.boolean && (next === undefined || next.startsWith("--"))) {
        raw = "true";
      } else if (next === undefined) {
        throw new ConfigError(`--${name}: expected a value ${option.placeholder}, got nothing`);
      } else {
        raw = next;
        i++;
      }
    }
    fromFlags.set(key, applyParse(option, raw, `--${name}`));
  }

  const config: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(spec)) {
    if (fromFlags.has(key)) {
      config[key] = fromFlags.get(key);
      continue;
    }
    const raw = env[option.env];
    if (raw !== undefined && raw !== "") {
      config[key] = applyParse(option, raw, option.env);
      continue;
    }
    if (!("default" in option)) {
      throw new ConfigError(
        `${option.env} (--${
          flagOf(option)
        }) is required: expected ${option.placeholder}, got nothing`,
      );
    }
    config[key] = typeof option.default === "function"
      ? (option.default as () => unknown)()
      : option.default;
  }
  return { config: config as ConfigOf<S>, rest };
}
