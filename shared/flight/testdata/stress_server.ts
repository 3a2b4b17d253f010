/**
 * Flight server process for the stress test (shared/flight/stress.ts).
 *
 * Serves `bytes:<total>:<rowBytes>` tickets: a `stellar_ledger`-like stream of rows of `rowBytes`
 * bytes until `total` bytes were sent (`total` 0 means forever). Prints `PORT <n>` once listening;
 * exits 0 after SIGTERM (graceful close), so any other exit status means it crashed.
 */
import { FlightError, FlightServer } from "../mod.ts";
import { ledgerTable } from "../_testing.ts";
import type { RecordBatch } from "apache-arrow";

const batches = new Map<number, RecordBatch>();
function batchOf(rowBytes: number): RecordBatch {
  let b = batches.get(rowBytes);
  if (!b) {
    b = ledgerTable(1, 4, rowBytes).batches[0];
    batches.set(rowBytes, b);
  }
  return b;
}

const server = new FlightServer({
  doGet(ticket) {
    const m = /^bytes:(\d+):(\d+)$/.exec(new TextDecoder().decode(ticket));
    if (!m) throw FlightError.invalidArgument("Expected a ticket bytes:<total>:<rowBytes>");
    const total = Number(m[1]);
    const batch = batchOf(Math.max(1, Math.min(Number(m[2]), 8 << 20)));
    const perBatch = batch.numRows * Number(m[2]);
    return {
      schema: batch.schema,
      batches: (function* () {
        for (let sent = 0; total === 0 || sent < total; sent += perBatch) yield batch;
      })(),
    };
  },
  listActions: () => [{ type: "ping", description: "liveness" }],
  doAction: (action) => [new TextEncoder().encode(`pong:${action.type}`)],
}, { name: "stress" });

const port = await server.listen({ host: "127.0.0.1", port: 0 });
console.log(`PORT ${port}`);

Deno.addSignalListener("SIGTERM", async () => {
  await server.close(1_000);
  Deno.exit(0);
});
