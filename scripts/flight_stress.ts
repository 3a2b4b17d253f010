/**
 * Long stress run for the Flight server against the Deno `node:http2` GOAWAY hazard
 * (denoland/deno#36788). Runs shared/flight/stress.ts with flags; exits 1 if a server process
 * crashed or did not exit cleanly.
 *
 * ```sh
 * deno run -A scripts/flight_stress.ts --rounds 20 --duration 600 --stream-mb 512 --fresh-server
 * # server on another Deno version (npm registry; needs DENO_TLS_CA_STORE=system):
 * deno run -A scripts/flight_stress.ts --server-deno "npx -y deno@2.9.6" --rounds 9 --fresh-server
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runStress } from "../shared/flight/stress.ts";

const HELP = `Usage: deno run -A scripts/flight_stress.ts [options]

  --rounds N          rounds to run (default 10)
  --duration S        stop starting rounds after S seconds (default 600)
  --stream-mb N       MiB of each read-to-the-end-then-close() stream (default 256)
  --row-kb N          row size of streamed batches in KiB (default 1024, like a ledger)
  --killed N          client processes SIGKILLed per round (default 2)
  --fresh-server      start a new server process every round
  --server-deno CMD   command that runs the server's Deno (default: this Deno)
  --client-deno CMD   command that runs killed clients' Deno (default: this Deno)
  -h, --help          this text`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "10" },
    duration: { type: "string", default: "600" },
    "stream-mb": { type: "string", default: "256" },
    "row-kb": { type: "string", default: "1024" },
    killed: { type: "string", default: "2" },
    "fresh-server": { type: "boolean", default: false },
    "server-deno": { type: "string" },
    "client-deno": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  Deno.exit(0);
}

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name}: expected a positive number, got "${text}"\n\n${HELP}`);
    Deno.exit(2);
  }
  return n;
}

const split = (cmd?: string) => cmd?.trim().split(/\s+/);
const started = new Date();
const result = await runStress({
  rounds: positive("rounds", values.rounds),
  durationMs: positive("duration", values.duration) * 1000,
  streamBytes: positive("stream-mb", values["stream-mb"]) * 1024 * 1024,
  rowBytes: positive("row-kb", values["row-kb"]) * 1024,
  killedClients: positive("killed", values.killed),
  freshServerPerRound: values["fresh-server"],
  serverDeno: split(values["server-deno"]),
  clientDeno: split(values["client-deno"]),
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});

const crashed = result.servers.filter((s) => s.crashed || s.code !== 0);
console.log(JSON.stringify(
  {
    started: started.toISOString(),
    serverDeno: values["server-deno"] ?? `deno ${Deno.version.deno}`,
    rounds: result.rounds,
    serverProcesses: result.servers.length,
    crashedServers: crashed.length,
    readMiB: Math.round(result.bytesRead / 1024 / 1024),
    elapsedS: Math.round(result.elapsedMs / 1000),
    crashes: crashed.map((s) => ({
      afterRounds: s.rounds,
      code: s.code,
      signal: s.signal,
      stderr: s.stderrTail,
    })),
  },
  null,
  2,
));
Deno.exit(crashed.length ? 1 : 0);
