import assert from "node:assert/strict";
import { parseInterval, parseSourceConfig, SAMPLE_LAKE } from "./config.ts";

Deno.test("defaults: bundled sample lake, ports, CPU-count workers", () => {
  const { config } = parseSourceConfig([], {});
  assert.ok(config);
  assert.equal(config.sourceType, "datalake");
  assert.equal(config.datalakeUrl, SAMPLE_LAKE);
  assert.ok(SAMPLE_LAKE.endsWith("/testdata/lakes/pubnet-p26"));
  assert.equal(config.flightPort, 8816);
  assert.equal(config.healthPort, 8088);
  assert.equal(config.workers, navigator.hardwareConcurrency);
  assert.equal(config.pollInterval, 1000);
  assert.equal(config.networkPassphrase, undefined);
});

Deno.test("flags win over environment", () => {
  const { config } = parseSourceConfig(
    ["--workers", "1", "--flight-port=0", "--poll-interval", "250ms"],
    { WORKERS: "2", FLIGHT_PORT: "9000", HEALTH_PORT: "9001", POLL_INTERVAL: "3" },
  );
  assert.ok(config);
  assert.equal(config.workers, 1);
  assert.equal(config.flightPort, 0);
  assert.equal(config.healthPort, 9001);
  assert.equal(config.pollInterval, 250);
});

Deno.test("bad values and missing RPC_URL are config errors; --help lists every variable", () => {
  assert.throws(
    () => parseSourceConfig([], { SOURCE_TYPE: "kafka" }),
    /SOURCE_TYPE.*datalake, rpc/,
  );
  assert.throws(() => parseSourceConfig([], { SOURCE_TYPE: "rpc" }), /RPC_URL.*required/);
  assert.throws(() => parseSourceConfig(["--workers", "0"], {}), /--workers/);
  assert.throws(() => parseSourceConfig([], { POLL_INTERVAL: "soon" }), /POLL_INTERVAL/);
  assert.throws(() => parseSourceConfig(["--log-level", "loud"]), /--log-level/);
  const { help } = parseSourceConfig(["--help"], {});
  assert.ok(help);
  for (
    const v of [
      "SOURCE_TYPE",
      "DATALAKE_URL",
      "RPC_URL",
      "NETWORK_PASSPHRASE",
      "FLIGHT_PORT",
      "HEALTH_PORT",
      "WORKERS",
      "POLL_INTERVAL",
      "LOG_LEVEL",
    ]
  ) assert.match(help, new RegExp(v));
  assert.equal(parseInterval("1.5"), 1500);
  assert.throws(() => parseInterval("0s"), /10ms to 1h/);
});
