import assert from "node:assert/strict";
import { loadFlowctlConfig } from "./config.ts";
import { Controller } from "./controller.ts";
import { sourceServiceDescription } from "./service_info.ts";
import { startScriptedControlPlane, waitFor } from "./testing.ts";

/** Makes a CA and a localhost server/client certificate pair with openssl, in `dir`. */
async function makeCerts(dir: string): Promise<void> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stderr: "piped" }).output();
    if (!out.success) {
      throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  await run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
  );
  await Deno.writeTextFile(`${dir}/san.ext`, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  for (const name of ["server", "client"]) {
    await run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name === "server" ? "localhost" : "client"}`,
    );
    await run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "1",
      "-extfile",
      "san.ext",
    );
  }
}

const hasOpenssl = await new Deno.Command("openssl", {
  args: ["version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((o) => o.success, () => false);

Deno.test({
  name: "mutual TLS: FLOWCTL_TLS_CA/CERT/KEY connect to a TLS control plane; plaintext cannot",
  ignore: !hasOpenssl,
  // grpc-js keeps an unref'd reconnect-backoff timer (≤ 2 s) of a closed channel whose last
  // state was TRANSIENT_FAILURE (the plaintext client below); it does not hold the process.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await makeCerts(dir);
      const read = (f: string) => Deno.readTextFileSync(`${dir}/${f}`);
      const cp = await startScriptedControlPlane({
        tls: { cert: read("server.pem"), key: read("server.key"), clientCa: read("ca.pem") },
      });
      const service = sourceServiceDescription({
        advertiseHost: "localhost",
        flightPort: 1,
        healthPort: 2,
        bufferSize: 3,
        network: "n",
        storageType: "datalake",
        backendType: "file",
      });
      const env = {
        ENABLE_FLOWCTL: "true",
        FLOWCTL_ENDPOINT: `localhost:${cp.port}`,
        FLOWCTL_HEARTBEAT_INTERVAL: "50ms",
      };
      const secure = new Controller({
        config: loadFlowctlConfig({
          ...env,
          FLOWCTL_TLS_CA: `${dir}/ca.pem`,
          FLOWCTL_TLS_CERT: `${dir}/client.pem`,
          FLOWCTL_TLS_KEY: `${dir}/client.key`,
        }),
        service,
        metrics: { getMetrics: () => ({ n: 1 }) },
      });
      const plain = new Controller({
        config: loadFlowctlConfig(env),
        service,
        metrics: { getMetrics: () => ({}) },
        registerTimeoutMs: 300,
      });
      try {
        assert.equal(await secure.start(), true);
        await waitFor(() => secure.status().heartbeatsSent >= 1, "a heartbeat over TLS");
        assert.equal(await plain.start(), false);
        assert.equal(plain.status().state, "retrying");
      } finally {
        await secure.stop();
        await plain.stop();
        await cp.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
