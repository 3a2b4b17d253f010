import assert from "node:assert/strict";
import { helpText, parseConfig } from "../config/mod.ts";
import {
  flowctlConfigFrom,
  flowctlOptionSpec,
  loadFlowctlConfig,
  parseEndpoint,
} from "./config.ts";

Deno.test("loadFlowctlConfig defaults match the plan", () => {
  assert.deepEqual(loadFlowctlConfig({}), {
    enabled: false,
    endpoint: "localhost:8080",
    heartbeatIntervalMs: 10_000,
    componentId: "",
    protocol: "auto",
    advertiseHost: "localhost",
    tls: { caFile: "", certFile: "", keyFile: "" },
  });
});

Deno.test("loadFlowctlConfig reads every variable", () => {
  const c = loadFlowctlConfig({
    ENABLE_FLOWCTL: "TRUE",
    FLOWCTL_ENDPOINT: "cp.internal:9090",
    FLOWCTL_HEARTBEAT_INTERVAL: "1m30s",
    FLOWCTL_COMPONENT_ID: "source-1",
    FLOWCTL_PROTOCOL: "legacy",
    FLOWCTL_ADVERTISE_HOST: "10.0.0.7",
    FLOWCTL_TLS_CA: "/ca.pem",
    FLOWCTL_TLS_CERT: "/c.pem",
    FLOWCTL_TLS_KEY: "/k.pem",
  });
  assert.deepEqual(c, {
    enabled: true,
    endpoint: "cp.internal:9090",
    heartbeatIntervalMs: 90_000,
    componentId: "source-1",
    protocol: "legacy",
    advertiseHost: "10.0.0.7",
    tls: { caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" },
  });
});

Deno.test("flags override variables when components spread the spec into theirs", () => {
  const { config } = parseConfig(flowctlOptionSpec, {
    name: "x",
    args: ["--enable-flowctl", "--flowctl-heartbeat-interval=250ms", "--flowctl-protocol", "v1"],
    env: { FLOWCTL_HEARTBEAT_INTERVAL: "5s" },
  });
  assert.ok(config);
  const c = flowctlConfigFrom(config);
  assert.equal(c.enabled, true);
  assert.equal(c.heartbeatIntervalMs, 250);
  assert.equal(c.protocol, "v1");
});

Deno.test("loadFlowctlConfig errors name the variable and the value", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ FLOWCTL_HEARTBEAT_INTERVAL: "10" }, /FLOWCTL_HEARTBEAT_INTERVAL.*Go duration.*"10"/],
    [{ FLOWCTL_HEARTBEAT_INTERVAL: "0s" }, /FLOWCTL_HEARTBEAT_INTERVAL.*at least 1ms, got "0s"/],
    [{ FLOWCTL_HEARTBEAT_INTERVAL: "-5s" }, /at least 1ms/],
    [{ FLOWCTL_PROTOCOL: "v2" }, /FLOWCTL_PROTOCOL.*auto, legacy, v1.*"v2"/],
    [{ ENABLE_FLOWCTL: "maybe" }, /ENABLE_FLOWCTL.*true or false.*"maybe"/],
    [{ FLOWCTL_ENDPOINT: "http://x:80" }, /FLOWCTL_ENDPOINT.*host:port/],
    [{ FLOWCTL_ENDPOINT: "localhost" }, /FLOWCTL_ENDPOINT.*host:port/],
    [{ FLOWCTL_ENDPOINT: "localhost:70000" }, /host:port/],
    [{ FLOWCTL_TLS_CERT: "/c.pem" }, /FLOWCTL_TLS_CERT and FLOWCTL_TLS_KEY/],
    [{ FLOWCTL_ADVERTISE_HOST: "http://x" }, /FLOWCTL_ADVERTISE_HOST/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadFlowctlConfig(env), message, JSON.stringify(env));
  }
});

Deno.test("parseEndpoint accepts host:port forms", () => {
  for (const t of ["localhost:8080", "[::1]:8080", "127.0.0.1:1", "cp:65535"]) {
    assert.equal(parseEndpoint(t), t);
  }
});

Deno.test("--help lists every flowctl variable with its default", () => {
  const help = helpText(flowctlOptionSpec, { name: "x" });
  for (
    const env of [
      "ENABLE_FLOWCTL",
      "FLOWCTL_ENDPOINT",
      "FLOWCTL_HEARTBEAT_INTERVAL",
      "FLOWCTL_COMPONENT_ID",
      "FLOWCTL_PROTOCOL",
      "FLOWCTL_ADVERTISE_HOST",
      "FLOWCTL_TLS_CA",
      "FLOWCTL_TLS_CERT",
      "FLOWCTL_TLS_KEY",
    ]
  ) assert.ok(help.includes(env), `${env} in --help`);
  assert.match(help, /10s/);
  assert.match(help, /localhost:8080/);
});
