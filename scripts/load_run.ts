/**
 * Load run on the whole pipeline (four processes on loopback, pubnet-p26): Flight clients on the
 * processor streaming the 20-ledger range over and over, WebSocket subscribers on the sink, RSS of
 * every process sampled from /proc. Prints a report.
 *
 *   deno run -A scripts/load_run.ts [--flight 50] [--ws 100] [--seconds 60] [--workers 2]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { formatLoadReport, runLoad } from "../components/pipeline/testing/load.ts";

const { values } = parseArgs({
  options: {
    flight: { type: "string", default: "50" },
    ws: { type: "string", default: "100" },
    seconds: { type: "string", default: "60" },
    workers: { type: "string", default: "2" },
  },
});
const report = await runLoad({
  flightClients: Number(values.flight),
  wsClients: Number(values.ws),
  durationMs: Number(values.seconds) * 1000,
  workers: Number(values.workers),
  log: (line) => console.log(line),
});
console.log(formatLoadReport(report));
const starved = report.flight.filter((f) => f.passes < 1).length +
  report.ws.filter((w) => w.events === 0).length;
console.log(starved === 0 ? "no client starved" : `${starved} clients starved`);
Deno.exit(starved === 0 && report.sinkStoredAll ? 0 : 1);
