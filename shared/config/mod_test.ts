import assert from "node:assert/strict";
import { ConfigError, helpText, opt, parseConfig, parseList } from "./mod.ts";

const spec = {
  flightPort: opt.port({ env: "FLIGHT_PORT", default: 8816, description: "Flight port" }),
  workers: opt.int({ env: "WORKERS", min: 1, max: 64, default: () => 2, description: "Workers" }),
  mode: opt.oneOf({
    env: "TTP_MODE",
    choices: ["auto", "unified", "derived"] as const,
    default: "auto",
    description: "Mode",
  }),
  verify: opt.bool({ env: "VERIFY_EVENTS", default: false, description: "Verify" }),
  formats: opt.list({
    env: "OUTPUT_FORMATS",
    choices: ["parquet", "jsonl", "csv"],
    default: ["parquet"],
    description: "Outputs",
  }),
  end: opt.optionalInt({ env: "END_LEDGER", min: 1, description: "Last ledger" }),
};

function parse(args: string[], env: Record<string, string> = {}) {
  return parseConfig(spec, { name: "test", args, env });
}

Deno.test("defaults, environment and flags, flags winning", () => {
  const cases: { args: string[]; env: Record<string, string>; want: Record<string, unknown> }[] = [
    { args: [], env: {}, want: { flightPort: 8816, workers: 2, mode: "auto", verify: false } },
    { args: [], env: { FLIGHT_PORT: "9000" }, want: { flightPort: 9000 } },
    { args: ["--flight-port", "9001"], env: { FLIGHT_PORT: "9000" }, want: { flightPort: 9001 } },
    { args: ["--flight-port=9002"], env: {}, want: { flightPort: 9002 } },
    { args: ["--ttp-mode", "derived"], env: {}, want: { mode: "derived" } },
    { args: ["--verify-events"], env: {}, want: { verify: true } },
    { args: ["--no-verify-events"], env: { VERIFY_EVENTS: "true" }, want: { verify: false } },
    { args: [], env: { OUTPUT_FORMATS: "jsonl, csv" }, want: { formats: ["jsonl", "csv"] } },
    { args: [], env: {}, want: { end: undefined } },
    { args: ["--end-ledger", "12"], env: {}, want: { end: 12 } },
  ];
  for (const { args, env, want } of cases) {
    const result = parse(args, env);
    assert.ok(result.config, `no config for ${args}`);
    for (const [key, value] of Object.entries(want)) {
      assert.deepEqual((result.config as Record<string, unknown>)[key], value, `${args} ${key}`);
    }
  }
});

Deno.test("invalid values name the source, what was expected and what came", () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--flight-port", "abc"], {}, /--flight-port: expected an integer from 0 to 65535, got "abc"/],
    [[], { FLIGHT_PORT: "70000" }, /FLIGHT_PORT: expected an integer from 0 to 65535/],
    [["--ttp-mode", "fast"], {}, /expected one of auto, unified, derived, got "fast"/],
    [[], { OUTPUT_FORMATS: "parquet,xml" }, /got unknown "xml"/],
    [["--bogus", "1"], {}, /Unknown flag --bogus/],
    [["--flight-port"], {}, /expected a value <port>, got nothing/],
    [["positional"], {}, /Expected a flag/],
    [[], { WORKERS: "0" }, /WORKERS: expected an integer from 1 to 64, got "0"/],
  ];
  for (const [args, env, pattern] of cases) {
    assert.throws(
      () => parse(args, env),
      (e) => e instanceof ConfigError && pattern.test(e.message),
    );
  }
});

Deno.test("--help lists every flag, variable and default", () => {
  const result = parse(["--help"]);
  assert.equal(result.help, helpText(spec, { name: "test" }));
  for (const needle of ["--flight-port <port>", "FLIGHT_PORT", "default: 8816", "--ttp-mode"]) {
    assert.ok(result.help?.includes(needle), needle);
  }
});

Deno.test("required options and lists", () => {
  const required = { url: opt.string({ env: "URL", description: "Where" }) };
  assert.throws(
    () => parseConfig(required, { name: "t", args: [], env: {} }),
    /URL \(--url\) is required/,
  );
  assert.deepEqual(parseList(" a, ,b "), ["a", "b"]);
});
