// main.ts as a subprocess: --help, startup errors, and a real start on the bundled sample lake.
import assert from "node:assert/strict";
import { FlightClient } from "../../shared/flight/mod.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

function command(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { DENO_TLS_CA_STORE: "system", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

Deno.test("--help lists the options and exits 0", async () => {
  const out = await command(["--help"]).output();
  assert.equal(out.code, 0);
  const text = new TextDecoder().decode(out.stdout);
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
  ) {
    assert.match(text, new RegExp(`${v}`));
  }
});

Deno.test("configuration and startup errors exit non-zero with a clear message", async () => {
  const bad = await command([], { WORKERS: "none" }).output();
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /WORKERS: expected an integer/);
  const mismatch = await command(
    ["--flight-port", "0", "--health-port", "0"],
    { NETWORK_PASSPHRASE: "Test SDF Network ; September 2015" },
  ).output();
  assert.equal(mismatch.code, 1);
  assert.match(
    new TextDecoder().decode(mismatch.stderr),
    /startup failed: network passphrase mismatch/,
  );
  // A health port already taken: a clear startup failure, not a hang.
  using busy = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const taken = await command([
    "--flight-port",
    "0",
    "--health-port",
    String((busy.addr as Deno.NetAddr).port),
  ]).output();
  assert.equal(taken.code, 1);
  assert.match(new TextDecoder().decode(taken.stderr), /startup failed: .*(in use|AddrInUse)/i);
});

Deno.test("starts on the bundled sample lake by default and serves it; SIGTERM stops it", async () => {
  const child = command([
    "--flight-host",
    "127.0.0.1",
    "--flight-port",
    "0",
    "--health-port",
    "0",
    "--workers",
    "1",
  ]).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  let port = 0;
  let health = 0;
  while (!port) {
    const { value, done } = await reader.read();
    if (done) break;
    log += value;
    const m = /Flight on [^ ]+:(\d+), health on :(\d+)/.exec(log);
    if (m) [port, health] = [Number(m[1]), Number(m[2])];
  }
  const drain = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe flowing */ }
  })();
  try {
    assert.ok(port > 0, `no listen line in: ${log}`);
    assert.match(log, /available range "?63092982-63093001/);
    const client = new FlightClient(`127.0.0.1:${port}`);
    let rows = 0;
    for await (const b of client.doGet("stellar_ledgers:63093000:63093001")) rows += b.numRows;
    client.close();
    assert.equal(rows, 2);
    const body = await (await fetch(`http://127.0.0.1:${health}/health`)).json();
    assert.equal(body.status, "healthy");
  } finally {
    child.kill("SIGTERM");
    const status = await child.status;
    await drain;
    await child.stdout.cancel();
    assert.equal(status.code, 0);
  }
});
