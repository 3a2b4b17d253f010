// A short load run on the real pipeline (the one-minute run with 50 Flight and 100 WebSocket
// clients is scripts/load_run.ts): concurrent Flight clients on the processor each complete full,
// exact passes over the 20-ledger range; every WebSocket subscriber of the sink receives every
// event; no process's memory keeps growing.
import assert from "node:assert/strict";
import { formatLoadReport, runLoad } from "./testing/load.ts";

Deno.test({
  name: "load: Flight clients on the processor and WebSocket clients on the sink, none starves",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const report = await runLoad({ flightClients: 8, wsClients: 25, durationMs: 12_000 });
  const text = formatLoadReport(report);
  console.log(text);
  assert.ok(report.sinkStoredAll, text);
  for (const [i, f] of report.flight.entries()) {
    assert.deepEqual(f.errors, [], `Flight client ${i}: ${text}`);
    assert.equal(f.wrongPasses, 0, `Flight client ${i} got a pass with the wrong event count`);
    assert.ok(f.passes >= 1, `Flight client ${i} completed no pass:\n${text}`);
  }
  for (const [i, w] of report.ws.entries()) {
    assert.ok(w.complete, `WebSocket client ${i} got ${w.events} events:\n${text}`);
  }
  // Bounded: each process holds per stream at most its flow-control windows and read-ahead, so
  // its memory is capped by the number of concurrent streams (here the Flight clients plus the
  // sink's own stream), not by time: 384 MiB plus 96 MiB per stream.
  const streams = report.flight.length + 1;
  const capKib = (384 + 96 * streams) * 1024;
  for (const [name, s] of Object.entries(report.rss)) {
    assert.ok(s.samples.length >= 10, `${name}: ${s.samples.length} RSS samples`);
    assert.ok(s.peak < capKib, `${name} RSS peak ${s.peak} KiB over ${capKib} KiB:\n${text}`);
  }
});
