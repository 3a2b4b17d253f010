import assert from "node:assert/strict";
import { FLOWCTL_OPTIONS, loadFlowctlConfig, parseBooleanSwitch, parseEndpoint } from "./config.ts";

const from = (env: Record<string, string>) => (name: string) => env[name];

Deno.test("loadFlowctlConfig defaults match the plan", () => {
  assert.deepEqual(loadFlowctlConfig(from({})), {
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
  const c = loadFlowctlConfig(from({
    ENABLE_FLOWCTL: "TRUE",
    FLOWCTL_ENDPOINT: "cp.internal:9090",
    FLOWCTL_HEARTBEAT_INTERVAL: "1m30s",
    FLOWCTL_COMPONENT_ID: "source-1",
    FLOWCTL_PROTOCOL: "Legacy",
    FLOWCTL_ADVERTISE_HOST: "10.0.0.7",
    FLOWCTL_TLS_CA: "/ca.pem",
    FLOWCTL_TLS_CERT: "/c.pem",
    FLOWCTL_TLS_KEY: "/k.pem",
  }));
  assert.equal(c.enabled, true);
  assert.equal(c.endpoint, "cp.internal:9090");
  assert.equal(c.heartbeatIntervalMs, 90_000);
  assert.equal(c.componentId, "source-1");
  assert.equal(c.protocol, "legacy");
  assert.equal(c.advertiseHost, "10.0.0.7");
  assert.deepEqual(c.tls, { caFile: "/ca.pem", certFile: "/c.pem", keyFile: "/k.pem" });
});

Deno.test("loadFlowctlConfig errors name the variable and the value", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ FLOWCTL_HEARTBEAT_INTERVAL: "10" }, /FLOWCTL_HEARTBEAT_INTERVAL.*"10"/],
    [{ FLOWCTL_HEARTBEAT_INTERVAL: "0s" }, /at least 1ms, got "0s"/],
    [{ FLOWCTL_HEARTBEAT_INTERVAL: "-5s" }, /at least 1ms/],
    [{ FLOWCTL_PROTOCOL: "v2" }, /FLOWCTL_PROTOCOL to be one of auto, legacy, v1, got "v2"/],
    [{ ENABLE_FLOWCTL: "maybe" }, /ENABLE_FLOWCTL to be true or false, got "maybe"/],
    [{ FLOWCTL_ENDPOINT: "http://x:80" }, /FLOWCTL_ENDPOINT as host:port/],
    [{ FLOWCTL_ENDPOINT: "localhost" }, /host:port/],
    [{ FLOWCTL_ENDPOINT: "localhost:70000" }, /host:port/],
    [{ FLOWCTL_TLS_CERT: "/c.pem" }, /FLOWCTL_TLS_CERT and FLOWCTL_TLS_KEY together/],
    [{ FLOWCTL_ADVERTISE_HOST: "http://x" }, /FLOWCTL_ADVERTISE_HOST/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadFlowctlConfig(from(env)), message, JSON.stringify(env));
  }
});

Deno.test("parseBooleanSwitch and parseEndpoint", () => {
  for (const t of ["true", "1", "yes", "ON"]) assert.equal(parseBooleanSwitch("X", t), true);
  for (const t of ["false", "0", "no", "off", ""]) assert.equal(parseBooleanSwitch("X", t), false);
  for (const t of ["localhost:8080", "[::1]:8080", "127.0.0.1:1", "cp:65535"]) {
    assert.equal(parseEndpoint("X", t), t);
  }
});

Deno.test("FLOWCTL_OPTIONS documents every variable with its default", () => {
  const envs = FLOWCTL_OPTIONS.map((o) => o.env);
  assert.deepEqual(envs, [
    "ENABLE_FLOWCTL",
    "FLOWCTL_ENDPOINT",
    "FLOWCTL_HEARTBEAT_INTERVAL",
    "FLOWCTL_COMPONENT_ID",
    "FLOWCTL_PROTOCOL",
    "FLOWCTL_ADVERTISE_HOST",
    "FLOWCTL_TLS_CA",
    "FLOWCTL_TLS_CERT",
    "FLOWCTL_TLS_KEY",
  ]);
  // The documented defaults are the ones loadFlowctlConfig applies.
  const defaults = loadFlowctlConfig((name) =>
    FLOWCTL_OPTIONS.find((o) => o.env === name)?.default
  );
  assert.deepEqual(defaults, loadFlowctlConfig(() => undefined));
});
