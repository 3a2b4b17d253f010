import assert from "node:assert/strict";
import {
  hasOpenssl,
  makeTestCerts,
  startScriptedControlPlane,
  tlsTestControllers,
  waitFor,
} from "./testing.ts";

Deno.test({
  name: "mutual TLS: FLOWCTL_TLS_CA/CERT/KEY connect to a TLS control plane; plaintext cannot",
  ignore: !(await hasOpenssl()),
  // grpc-js keeps an unref'd reconnect-backoff timer (≤ 2 s) of a closed channel whose last
  // state was TRANSIENT_FAILURE (the plaintext client below); it does not hold the process.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await makeTestCerts(dir);
      const read = (f: string) => Deno.readTextFileSync(`${dir}/${f}`);
      const cp = await startScriptedControlPlane({
        tls: { cert: read("server.pem"), key: read("server.key"), clientCa: read("ca.pem") },
      });
      const { secure, plain } = tlsTestControllers(dir, cp.port);
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
