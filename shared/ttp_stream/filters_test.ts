import assert from "node:assert/strict";
import {
  account,
  contract,
  makeEvent,
} from "../../components/arrow-analytics-sink/testing/events.ts";
import {
  compileFilters,
  FilterError,
  filtersFromJson,
  filtersFromParams,
  filtersToJson,
  isEmptyFilters,
  parseFilterValue,
} from "./filters.ts";

const USDC = `USDC:${account(9)}`;

Deno.test("filter values parse, with errors naming the parameter", () => {
  assert.deepEqual(parseFilterValue("event_type", "transfer, mint"), ["transfer", "mint"]);
  assert.deepEqual(parseFilterValue("asset", `native,${USDC}`), ["native", USDC]);
  assert.equal(
    parseFilterValue("min_amount", "-170141183460469231731687303715884105728"),
    -(1n << 127n),
  );
  const bad: [string, string, RegExp][] = [
    ["event_type", "swap", /event_type: expected one of transfer, mint, burn, clawback, fee/],
    ["asset", "USDC", /asset: expected "native" or CODE:ISSUER/],
    ["asset", "USDC:GBAD", /asset: expected/],
    ["address", "GABC", /address: expected a valid account/],
    ["address", account(1).slice(0, -1) + "A", /address: expected/],
    ["contract_address", account(1), /contract_address: expected a valid contract/],
    ["min_amount", "1e6", /min_amount: expected an integer amount/],
    ["min_amount", (1n << 127n).toString(), /within i128/],
    ["event_type", " , ", /expected a comma-separated list/],
  ];
  for (const [name, raw, re] of bad) {
    assert.throws(() => parseFilterValue(name, raw), (e: unknown) => {
      assert.ok(e instanceof FilterError);
      assert.equal(e.parameter, name);
      assert.match(e.message, re);
      return true;
    }, `${name}=${raw}`);
  }
});

Deno.test("filtersFromParams rejects unknown and repeated parameters", () => {
  const params = new URLSearchParams({ event_type: "fee", limit: "5" });
  assert.deepEqual(filtersFromParams(params, ["limit"]), { event_type: ["fee"] });
  assert.throws(() => filtersFromParams(params), /limit: unknown parameter/);
  assert.throws(
    () => filtersFromParams(new URLSearchParams("asset=native&asset=native")),
    /asset: given more than once/,
  );
});

Deno.test("filtersFromJson accepts arrays, strings and safe-integer amounts", () => {
  const f = filtersFromJson({ event_type: ["transfer"], asset: "native", min_amount: 5 });
  assert.deepEqual(f, { event_type: ["transfer"], asset: ["native"], min_amount: 5n });
  assert.deepEqual(filtersToJson(f), {
    event_type: ["transfer"],
    asset: ["native"],
    min_amount: "5",
  });
  assert.deepEqual(filtersFromJson(undefined), {});
  assert.ok(isEmptyFilters({}));
  assert.throws(() => filtersFromJson([1]), /filters: expected a JSON object/);
  assert.throws(() => filtersFromJson({ colour: "red" }), /colour: unknown filter/);
  assert.throws(
    () => filtersFromJson({ min_amount: 1.5 }),
    /min_amount: expected an integer string/,
  );
});

Deno.test("compiled filters match kind, asset, either address, contract and BigInt amount", () => {
  const e = makeEvent({
    ledger: 5,
    asset: USDC,
    amount: "170141183460469231731687303715884105727",
    from: account(3),
    to: account(4),
    contract: contract(7),
  });
  const cases: [Record<string, unknown>, boolean][] = [
    [{}, true],
    [{ event_type: ["transfer"] }, true],
    [{ event_type: ["mint", "burn"] }, false],
    [{ asset: [USDC] }, true],
    [{ asset: ["native"] }, false],
    [{ address: [account(3)] }, true],
    [{ address: [account(4)] }, true],
    [{ address: [account(5)] }, false],
    [{ contract_address: [contract(7)] }, true],
    [{ contract_address: [contract(8)] }, false],
    [{ min_amount: "170141183460469231731687303715884105727" }, true],
    [{ min_amount: "170141183460469231731687303715884105726" }, true],
    [{ min_amount: "9007199254740993" }, true],
    [{ event_type: "transfer", asset: "native" }, false],
  ];
  for (const [json, expected] of cases) {
    assert.equal(compileFilters(filtersFromJson(json))(e), expected, JSON.stringify(json));
  }
  const small = makeEvent({ ledger: 5, amount: "-3", type: "fee" });
  assert.equal(compileFilters({ min_amount: -2n })(small), false);
  assert.equal(compileFilters({ min_amount: -3n })(small), true);
  assert.equal(compileFilters({ address: [account(2)] })(small), false, "fee has no to_address");
  assert.equal(compileFilters({ asset: ["native"] })({ ...small, asset: null }), false);
});
