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
import { runStress, STRESS_SCENARIOS, type StressScenario } from "../shared/flight/stress.ts";

const HELP = `Usage: deno run -A scripts/flight_stress.ts [options]

  --rounds N          rounds to run (default 10)
  --duration S        stop starting rounds after S seconds (default 600)
  --stream-mb N       MiB of each read-to-the-end-then-close() stream (default 256)
  --row-kb N          row size of streamed batches in KiB (default 1024, like a ledger)
  --killed N          client processes SIGKILLed per round (default 2)
  --fresh-server      start a new server process every round (and go on after a crash)
  --no-goaway         in-process clients drop TCP on close() (FlightClient default) instead of
                      sending GOAWAY (what the stress run does otherwise)
  --scenarios LIST    comma-separated subset of: ${STRESS_SCENARIOS.join(",")}
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
    scenarios: { type: "string" },
    "no-goaway": { type: "boolean", default: false },
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

/**
 * Resolves a command that runs Deno (e.g. `npx -y deno@2.9.6`) to the Deno binary itself, so
 * that signals reach the server and not a wrapper that would leave it running.
 */
async function resolveDeno(cmd?: string): Promise<string[] | undefined> {
  const parts = cmd?.trim().split(/\s+/);
  if (!parts) return undefined;
  const out = await new Deno.Command(parts[0], {
    args: [...parts.slice(1), "eval", "console.log(Deno.execPath())"],
    stderr: "inherit",
  }).output();
  const path = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1);
  if (!out.success || !path) {
    console.error(`Cannot run Deno with "${cmd}"`);
    Deno.exit(2);
  }
  return [path];
}
const scenarios = values.scenarios?.split(",").map((s) => s.trim()) as StressScenario[] | undefined;
for (const s of scenarios ?? []) {
  if (!STRESS_SCENARIOS.includes(s)) {
    console.error(`--scenarios: unknown "${s}", expected some of ${STRESS_SCENARIOS.join(",")}`);
    Deno.exit(2);
  }
}
const started = new Date();
const result = await runStress({
  rounds: positive("rounds", values.rounds),
  durationMs: positive("duration", values.duration) * 1000,
  streamBytes: positive("stream-mb", values["stream-mb"]) * 1024 * 1024,
  rowBytes: positive("row-kb", values["row-kb"]) * 1024,
  killedClients: positive("killed", values.killed),
  freshServerPerRound: values["fresh-server"],
  scenarios,
  closeWithoutGoaway: values["no-goaway"],
  serverDeno: await resolveDeno(values["server-deno"]),
  clientDeno: await resolveDeno(values["client-deno"]),
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});

const crashed = result.servers.filter((s) => s.crashed || s.code !== 0);
console.log(JSON.stringify(
  {
    started: started.toISOString(),
    serverDeno: values["server-deno"] ?? `deno ${Deno.version.deno}`,
    scenarios: scenarios ?? STRESS_SCENARIOS,
    closeWithoutGoaway: values["no-goaway"],
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
