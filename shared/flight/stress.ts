/**
 * Stress harness for the Deno `node:http2` GOAWAY hazard (denoland/deno#36788: nghttp2 aborts the
 * whole process with `find_stream_on_goaway_func: Assertion 'stream->closed_next == NULL'` when
 * clients go away). A Flight server runs in a SEPARATE process (possibly another Deno version);
 * each round opens and closes clients, cancels streams midway, aborts them through signals,
 * reads whole streams then closes (GOAWAY), and SIGKILLs client processes mid-stream. After each
 * round the server must still answer; at the end it must exit cleanly on SIGTERM.
 *
 * Used by `stress_test.ts` (short) and `scripts/flight_stress.ts` (long, with flags).
 *
 * @module
 */
import { FlightClient } from "./client.ts";

/** What clients do to the server in a round. */
export type StressScenario =
  | "read-close"
  | "break"
  | "abort"
  | "close-while-streaming"
  | "kill";

/** All scenarios, the default. */
export const STRESS_SCENARIOS: readonly StressScenario[] = [
  "read-close",
  "break",
  "abort",
  "close-while-streaming",
  "kill",
];

/** Options of {@linkcode runStress}. */
export interface StressOptions {
  /**
   * Scenarios run concurrently in each round (default all): `read-close` reads whole streams then
   * closes the client (GOAWAY), `break` leaves a stream early (RST_STREAM), `abort` cancels through
   * an AbortSignal, `close-while-streaming` closes the client with a stream open, `kill` SIGKILLs
   * client processes mid-stream.
   */
  scenarios?: readonly StressScenario[];
  /** Rounds to run (stops earlier when `durationMs` is reached). */
  rounds: number;
  /** Stop starting new rounds after this many milliseconds. */
  durationMs?: number;
  /** Bytes each "read to the end then close()" stream carries. */
  streamBytes: number;
  /** Row size of streamed batches. */
  rowBytes?: number;
  /** Client processes SIGKILLed per round. */
  killedClients?: number;
  /** Start a fresh server process for every round (as in the original measurement). */
  freshServerPerRound?: boolean;
  /** Command that runs a Deno script for the server, e.g. `["npx", "-y", "deno@2.9.6"]`. */
  serverDeno?: string[];
  /** Command that runs a Deno script for killed client processes. */
  clientDeno?: string[];
  /**
   * In-process clients close by dropping TCP instead of sending GOAWAY (the 2.9.x mitigation,
   * FlightClient's default). False (default here) exercises the GOAWAY path.
   */
  closeWithoutGoaway?: boolean;
  /** Progress lines go here. */
  log?: (line: string) => void;
}

/** What one server process did. */
export interface ServerOutcome {
  /** Rounds this server process served. */
  rounds: number;
  /** Exit code after SIGTERM (0 = clean), or null when killed by a signal. */
  code: number | null;
  /** Signal that ended it, if any (e.g. SIGABRT from the nghttp2 assertion). */
  signal: string | null;
  /** True when it died before we asked it to stop. */
  crashed: boolean;
  /** The tail of its standard error. */
  stderrTail: string;
}

/** Result of {@linkcode runStress}. */
export interface StressResult {
  /** Rounds completed. */
  rounds: number;
  /** One entry per server process. */
  servers: ServerOutcome[];
  /** Bytes read by in-process clients. */
  bytesRead: number;
  /** Wall time in milliseconds. */
  elapsedMs: number;
}

const ROOT = new URL("../../", import.meta.url);
const CONFIG = new URL("deno.json", ROOT).pathname;
const SERVER = new URL("./testdata/stress_server.ts", import.meta.url).pathname;
const CLIENT = new URL("./testdata/stress_client.ts", import.meta.url).pathname;

interface ServerProcess {
  child: Deno.ChildProcess;
  address: string;
  exited: boolean;
  stderr: string[];
  status: Promise<Deno.CommandStatus>;
}

let clientOptions: { closeWithoutGoaway?: boolean } = {};

async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += decoder.decode(chunk, { stream: true });
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  }
  if (buf) onLine(buf);
}

async function startServer(deno: string[]): Promise<ServerProcess> {
  const [cmd, ...pre] = deno;
  const child = new Deno.Command(cmd, {
    args: [...pre, "run", "-A", "--no-lock", "--config", CONFIG, SERVER],
    stdout: "piped",
    stderr: "piped",
    env: { DENO_TLS_CA_STORE: "system" },
  }).spawn();
  const stderr: string[] = [];
  const proc: ServerProcess = {
    child,
    address: "",
    exited: false,
    stderr,
    status: child.status,
  };
  child.status.then(() => (proc.exited = true));
  readLines(child.stderr, (l) => {
    stderr.push(l);
    if (stderr.length > 40) stderr.shift();
  }).catch(() => {});
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("stress server did not start in 120 s")),
      120_000,
    );
    readLines(child.stdout, (l) => {
      const m = /^PORT (\d+)$/.exec(l.trim());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    }).catch(reject);
    child.status.then((s) => {
      clearTimeout(timer);
      reject(new Error(`stress server exited early (${s.code}): ${stderr.join("\n")}`));
    });
  });
  proc.address = `127.0.0.1:${port}`;
  return proc;
}

async function stopServer(proc: ServerProcess, rounds: number): Promise<ServerOutcome> {
  const crashed = proc.exited;
  if (!proc.exited) proc.child.kill("SIGTERM");
  const timer = setTimeout(() => {
    if (!proc.exited) proc.child.kill("SIGKILL");
  }, 10_000);
  const status = await proc.status;
  clearTimeout(timer);
  return {
    rounds,
    code: status.signal ? null : status.code,
    signal: status.signal ?? null,
    crashed,
    stderrTail: proc.stderr.slice(-10).join("\n"),
  };
}

/** Reads a `bytes:<total>:<rowBytes>` stream to the end; returns the payload bytes received. */
async function readAllBytes(client: FlightClient, ticket: string): Promise<number> {
  const rowBytes = Number(ticket.split(":")[2]);
  let n = 0;
  for await (const b of client.doGet(ticket)) n += b.numRows * rowBytes;
  return n;
}

async function scenarioReadThenClose(address: string, ticket: string): Promise<number> {
  const client = new FlightClient(address, clientOptions);
  try {
    return await readAllBytes(client, ticket);
  } finally {
    client.close();
  }
}

async function scenarioBreakMidway(address: string, ticket: string, after: number): Promise<void> {
  const client = new FlightClient(address, clientOptions);
  let n = 0;
  for await (const _ of client.doGet(ticket)) if (++n >= after) break;
  client.close();
}

async function scenarioAbort(address: string, ticket: string, after: number): Promise<void> {
  const client = new FlightClient(address, clientOptions);
  const ac = new AbortController();
  let n = 0;
  try {
    for await (const _ of client.doGet(ticket, { signal: ac.signal })) {
      if (++n >= after) ac.abort(new Error("stress abort"));
    }
  } catch {
    // CANCELLED, expected.
  } finally {
    client.close();
  }
}

async function scenarioCloseWhileStreaming(address: string, ticket: string): Promise<void> {
  // close() with a call still open: grpc-js sends GOAWAY while the server is writing.
  const client = new FlightClient(address, clientOptions);
  const stream = client.doGet(ticket);
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  client.close();
  try {
    while (!(await it.next()).done) { /* drain until the call ends */ }
  } catch {
    // The call may end with CANCELLED or UNAVAILABLE.
  }
}

async function scenarioKilledClient(deno: string[], address: string, ticket: string) {
  const [cmd, ...pre] = deno;
  const child = new Deno.Command(cmd, {
    args: [...pre, "run", "-A", "--no-lock", "--config", CONFIG, CLIENT, address, ticket],
    stdout: "piped",
    stderr: "null",
    env: { DENO_TLS_CA_STORE: "system" },
  }).spawn();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    readLines(child.stdout, (l) => {
      if (l.trim() === "READING") {
        clearTimeout(timer);
        // Let it read a little more, then kill it without any goodbye.
        setTimeout(resolve, 50 + Math.floor(Math.random() * 200));
      }
    }).catch(() => {});
  });
  try {
    child.kill("SIGKILL");
  } catch {
    // Already gone.
  }
  await child.status;
}

async function checkAlive(address: string): Promise<void> {
  const client = new FlightClient(address, clientOptions);
  try {
    const actions = await client.listActions({ timeoutMs: 10_000 });
    if (actions[0]?.type !== "ping") {
      throw new Error(`unexpected actions ${JSON.stringify(actions)}`);
    }
    const n = await readAllBytes(client, "bytes:65536:16384");
    if (n < 65536) throw new Error(`liveness stream returned ${n} bytes`);
  } finally {
    client.close();
  }
}

/** Runs the stress rounds; see the module doc. Never throws for a server crash: check `servers`. */
export async function runStress(options: StressOptions): Promise<StressResult> {
  const log = options.log ?? (() => {});
  clientOptions = { closeWithoutGoaway: options.closeWithoutGoaway ?? false };
  const rowBytes = options.rowBytes ?? 256 * 1024;
  const serverDeno = options.serverDeno ?? [Deno.execPath()];
  const clientDeno = options.clientDeno ?? [Deno.execPath()];
  const started = Date.now();
  const servers: ServerOutcome[] = [];
  let bytesRead = 0;
  let rounds = 0;
  let server = await startServer(serverDeno);
  let serverRounds = 0;
  const full = `bytes:${options.streamBytes}:${rowBytes}`;
  const endless = `bytes:0:${rowBytes}`;
  try {
    for (let round = 0; round < options.rounds; round++) {
      if (options.durationMs !== undefined && Date.now() - started > options.durationMs) break;
      if (round > 0 && options.freshServerPerRound) {
        servers.push(await stopServer(server, serverRounds));
        server = await startServer(serverDeno);
        serverRounds = 0;
      }
      const a = server.address;
      const on = new Set(options.scenarios ?? STRESS_SCENARIOS);
      const work: Promise<unknown>[] = [];
      if (on.has("read-close")) {
        work.push(scenarioReadThenClose(a, full).then((n) => (bytesRead += n)));
        work.push(
          scenarioReadThenClose(a, `bytes:1048576:${rowBytes}`).then((n) => (bytesRead += n)),
        );
      }
      if (on.has("break")) work.push(scenarioBreakMidway(a, endless, 3));
      if (on.has("abort")) work.push(scenarioAbort(a, endless, 5));
      if (on.has("close-while-streaming")) work.push(scenarioCloseWhileStreaming(a, endless));
      if (on.has("kill")) {
        for (let k = 0; k < (options.killedClients ?? 1); k++) {
          work.push(scenarioKilledClient(clientDeno, a, endless));
        }
      }
      const results = await Promise.allSettled(work);
      rounds++;
      serverRounds++;
      const failures = results.filter((r) => r.status === "rejected");
      // An abort in nghttp2 may follow the clients' goodbyes by a moment.
      const died = async () => {
        await new Promise((r) => setTimeout(r, 300));
        return server.exited;
      };
      let alive = !(await died());
      if (alive) {
        try {
          await checkAlive(a);
          alive = !(await died());
        } catch (err) {
          if (!(await died())) throw err;
          alive = false;
        }
      }
      if (!alive) {
        log(`round ${round + 1}: SERVER DIED`);
        if (options.freshServerPerRound) continue;
        break;
      }
      log(
        `round ${round + 1}: ok (${failures.length} client scenarios failed${
          failures.length ? `: ${(failures[0] as PromiseRejectedResult).reason}` : ""
        })`,
      );
    }
  } finally {
    servers.push(await stopServer(server, serverRounds));
  }
  return { rounds, servers, bytesRead, elapsedMs: Date.now() - started };
}
