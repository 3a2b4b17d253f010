import assert from "node:assert/strict";
import { runStress } from "./stress.ts";

Deno.test("a Flight server process survives clients that close, cancel, abort and get SIGKILLed", async () => {
  const lines: string[] = [];
  const result = await runStress({
    rounds: 3,
    durationMs: 30_000,
    streamBytes: 32 * 1024 * 1024,
    killedClients: 1,
    log: (l) => lines.push(l),
  });
  assert.ok(result.rounds >= 1, lines.join("\n"));
  for (const s of result.servers) {
    assert.equal(
      s.crashed,
      false,
      `server died: signal ${s.signal}, code ${s.code}\n${s.stderrTail}`,
    );
    assert.equal(s.code, 0, `server exit: signal ${s.signal}, code ${s.code}\n${s.stderrTail}`);
  }
  assert.ok(result.bytesRead >= result.rounds * 32 * 1024 * 1024, `read ${result.bytesRead} bytes`);
});
