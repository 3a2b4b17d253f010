import assert from "node:assert/strict";
import { ConfigError } from "../../shared/config/mod.ts";
import { loadConfig, type SinkConfig } from "./config.ts";
import { account } from "./testing/events.ts";

function load(args: string[], env: Record<string, string> = {}): SinkConfig {
  const r = loadConfig(args, env);
  if ("help" in r) throw new Error("unexpected help");
  return r.config;
}

Deno.test("defaults match the brief", () => {
  const c = load([]);
  assert.equal(c.processorEndpoint, "localhost:8817");
  assert.deepEqual(c.outputs, ["parquet", "jsonl", "websocket", "api"]);
  assert.deepEqual(c.fileFormats, ["parquet", "jsonl"]);
  assert.equal(c.dataDir, "./data");
  assert.deepEqual([c.httpPort, c.flightPort, c.healthPort], [8081, 8818, 8090]);
  assert.equal(c.flushIntervalMs, 2000);
  assert.equal(c.startLedger, undefined);
  assert.equal(c.endLedger, undefined);
  assert.deepEqual(c.filters, {});
});

Deno.test("env and flags set ranges, filters and outputs; flags win", () => {
  const c = load(["--end-ledger", "200", "--flush-interval=500ms"], {
    START_LEDGER: "100",
    END_LEDGER: "150",
    EVENT_TYPES: "transfer,mint",
    ASSETS: "native",
    ADDRESSES: account(1),
    MIN_AMOUNT: "1000000",
    OUTPUT_FORMATS: "csv,api",
    DATA_DIR: "/tmp/x/",
  });
  assert.equal(c.startLedger, 100);
  assert.equal(c.endLedger, 200);
  assert.equal(c.flushIntervalMs, 500);
  assert.deepEqual(c.filters, {
    event_type: ["transfer", "mint"],
    asset: ["native"],
    address: [account(1)],
    min_amount: 1000000n,
  });
  assert.deepEqual(c.fileFormats, ["csv"]);
  assert.equal(c.dataDir, "/tmp/x");
});

Deno.test("bad values name the variable or flag", () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [[], { EVENT_TYPES: "swap" }, /EVENT_TYPES: expected one of transfer/],
    [[], { MIN_AMOUNT: "1.5" }, /MIN_AMOUNT: expected an integer amount/],
    [[], { OUTPUT_FORMATS: "parquet,xml" }, /OUTPUT_FORMATS: .*unknown "xml"/],
    [[], { OUTPUT_FORMATS: "websocket,api" }, /api output queries stored files/],
    [
      ["--start-ledger", "10", "--end-ledger", "9"],
      {},
      /END_LEDGER \(--end-ledger\): expected >= START_LEDGER \(10\), got 9/,
    ],
    [["--flush-interval", "soon"], {}, /--flush-interval: Expected a Go duration/],
    [["--http-port", "70000"], {}, /--http-port: expected an integer from 0 to 65535/],
  ];
  for (const [args, env, re] of cases) {
    assert.throws(() => load(args, env), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, re);
      return true;
    }, JSON.stringify([args, env]));
  }
  const help = loadConfig(["--help"], {});
  assert.ok("help" in help && help.help.includes("PROCESSOR_ENDPOINT"));
});
