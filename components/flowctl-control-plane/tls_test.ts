import assert from "node:assert/strict";
import {
  hasOpenssl,
  makeTestCerts,
  tlsTestControllers,
  waitFor,
} from "../../shared/flowctl/testing.ts";
import { startControlPlane } from "./server.ts";

Deno.test({
  name: "TLS control plane: mutual-TLS controllers register; the HTTP API moves to --http-port",
  ignore: !(await hasOpenssl()),
  // grpc-js keeps an unref'd reconnect-backoff timer (≤ 2 s) of the plaintext client's closed
  // channel; it does not hold the process.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    await makeTestCerts(dir);
    const read = (f: string) => Deno.readTextFileSync(`${dir}/${f}`);
    const cp = await startControlPlane({
      port: 0,
      address: "127.0.0.1",
      httpPort: 0,
      tls: { cert: read("server.pem"), key: read("server.key"), clientCa: read("ca.pem") },
    });
    const { secure, plain } = tlsTestControllers(dir, cp.port);
    try {
      assert.notEqual(cp.httpPort, cp.port);
      assert.equal(await secure.start(), true);
      await waitFor(() => secure.status().heartbeatsSent >= 1, "a heartbeat over mutual TLS");
      assert.equal(await plain.start(), false, "plaintext is refused");
      const res = await fetch(`http://127.0.0.1:${cp.httpPort}/api/services`);
      const { services } = await res.json();
      assert.deepEqual(services.map((s: { id: string }) => s.id), [secure.status().serviceId]);
      assert.equal(services[0].metrics.ledgers_processed, 5);
    } finally {
      await secure.stop();
      await plain.stop();
      await cp.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
