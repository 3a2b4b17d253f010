import assert from "node:assert/strict";
import { TextLineStream } from "./_text_lines.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

Deno.test("main: --help lists the flags", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", MAIN, "--help"] })
    .output();
  assert.equal(out.code, 0);
  const help = new TextDecoder().decode(out.stdout);
  for (
    const flag of ["--port", "--address", "--heartbeat-ttl", "--janitor-interval", "--db-path"]
  ) {
    assert.ok(help.includes(flag), flag);
  }
});

Deno.test("main: bad flag values exit 2 with a clear message", async () => {
  const cases: [string[], RegExp][] = [
    [["--heartbeat-ttl", "30"], /--heartbeat-ttl.*Go duration.*"30"/],
    [["--tls-cert", "/nonexistent.pem"], /--tls-cert and --tls-key: expected both/],
    [["--tls-cert", "/nonexistent.pem", "--tls-key", "/k.pem"], /--tls-cert: cannot read/],
    [["--protocols", "v2"], /--protocols.*legacy, v1.*"v2"/],
  ];
  for (const [args, message] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "--port", "0", ...args],
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2, args.join(" "));
    assert.match(new TextDecoder().decode(out.stderr), message);
  }
});

Deno.test("main: serves /api/services on the gRPC port and stops on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--port", "0", "--address", "127.0.0.1", "--log-format", "json"],
    stderr: "piped",
    stdout: "null",
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).pipeThrough(new TextLineStream());
  let port = 0;
  for await (const line of lines) {
    const rec = JSON.parse(line);
    if (typeof rec.properties?.port === "number") {
      port = rec.properties.port;
      break;
    }
  }
  assert.ok(port > 0);
  const res = await fetch(`http://127.0.0.1:${port}/api/services`);
  assert.deepEqual(await res.json(), { services: [] });
  child.kill("SIGTERM");
  const rest = Array.fromAsync(lines);
  assert.equal((await child.status).code, 0);
  await rest;
});
