import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../shared/config/mod.ts";
import { encodeAccountId } from "../../shared/stellar/mod.ts";
import { configSpec, defaultFilters } from "./config.ts";
import { effectiveFilters } from "./filters.ts";

const G1 = encodeAccountId(new Uint8Array(32).fill(1));
const parse = (env: Record<string, string>, args: string[] = []) => {
  const r = parseConfig(configSpec, { name: "ttp-arrow-processor", env, args });
  if (!r.config) throw new Error("expected a config");
  return r.config;
};

Deno.test("defaults match the service contract", () => {
  const c = parse({});
  assert.equal(c.sourceEndpoint, "localhost:8816");
  assert.equal(c.flightPort, 8817);
  assert.equal(c.healthPort, 8089);
  assert.equal(c.ttpMode, "auto");
  assert.equal(c.verifyEvents, false);
  assert.equal(c.workers, navigator.hardwareConcurrency);
  assert.equal(c.networkPassphrase, undefined);
  assert.deepEqual(defaultFilters(c), {});
});

Deno.test("env and flags; the flag wins", () => {
  const c = parse(
    {
      SOURCE_ENDPOINT: "src:1",
      WORKERS: "3",
      TTP_MODE: "derived",
      VERIFY_EVENTS: "true",
      EVENT_TYPES: "transfer,mint",
      ASSETS: "native",
      ADDRESSES: G1,
      MIN_AMOUNT: "1000000",
    },
    ["--workers", "1", "--ttp-mode=unified", "--no-verify-events"],
  );
  assert.equal(c.sourceEndpoint, "src:1");
  assert.equal(c.workers, 1);
  assert.equal(c.ttpMode, "unified");
  assert.equal(c.verifyEvents, false);
  const defaults = defaultFilters(c);
  assert.deepEqual(defaults, {
    event_type: ["transfer", "mint"],
    asset: ["native"],
    address: [G1],
    min_amount: 1000000n,
  });
  assert.deepEqual(effectiveFilters(defaults, { asset: ["native", "USDC:" + G1] }), {
    ...defaults,
    asset: ["native", "USDC:" + G1],
  });
});

Deno.test("bad values name the variable, what was expected and what came", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ EVENT_TYPES: "swap" }, /EVENT_TYPES: event_type: expected one of transfer/],
    [{ MIN_AMOUNT: "ten" }, /MIN_AMOUNT: min_amount: expected an integer amount/],
    [{ ADDRESSES: "GNOPE" }, /ADDRESSES: address: expected a valid account/],
    [{ TTP_MODE: "fast" }, /TTP_MODE: expected one of auto, unified, derived, got "fast"/],
    [{ WORKERS: "0" }, /WORKERS: expected an integer from 1/],
    [{ FLIGHT_PORT: "70000" }, /FLIGHT_PORT: expected an integer from 0 to 65535/],
  ];
  for (const [env, re] of cases) {
    assert.throws(() => parse(env), (e: unknown) => e instanceof ConfigError && re.test(e.message));
  }
});

Deno.test("--help lists every variable", () => {
  const r = parseConfig(configSpec, { name: "ttp-arrow-processor", env: {}, args: ["--help"] });
  assert.ok(r.help);
  for (const option of Object.values(configSpec)) assert.match(r.help, new RegExp(option.env));
});
