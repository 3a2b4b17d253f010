/**
 * Test helpers: stellar-arrow-source and ttp-arrow-processor as real subprocesses on free ports,
 * with their logs collected and their ports read from the startup lines.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { procCpuMs } from "../../../shared/proc_cpu/mod.ts";
import { v8FlagsArg } from "../../../shared/runtime/mod.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A running service subprocess. */
export class ServiceProcess {
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<Deno.CommandStatus>;
  #log = "";
  #exited = false;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#done = child.status.then((s) => {
      this.#exited = true;
      return s;
    });
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) this.#log += decoder.decode(chunk, { stream: true });
    };
    void drain(child.stdout).catch(() => {});
    void drain(child.stderr).catch(() => {});
  }

  /**
   * Starts `deno run -A --v8-flags=... <script>` (the services' V8 flags) with `env` and waits
   * until `ready` matches its output. With `SERVICE_CPU_PROF_DIR=DIR` set, the child also gets
   * `--cpu-prof-dir DIR --cpu-prof-md` (to profile a bench's services, workers included).
   */
  static async start(
    script: string,
    env: Record<string, string>,
    ready: RegExp,
    timeoutMs = 30_000,
  ): Promise<{ process: ServiceProcess; match: RegExpMatchArray }> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", v8FlagsArg(), ...profileArgs(), script],
      cwd: ROOT,
      env: { LOG_LEVEL: "info", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const process = new ServiceProcess(child);
    const until = Date.now() + timeoutMs;
    while (true) {
      const match = process.#log.match(ready);
      if (match) return { process, match };
      if (process.#exited || Date.now() > until) {
        await process.stop();
        throw new Error(`${script} did not log ${ready} within ${timeoutMs} ms:\n${process.#log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** CPU time (user + system) the process used so far, in milliseconds (Linux `/proc`). */
  cpuMs(): number {
    return procCpuMs(this.#child.pid);
  }

  /** Everything the process wrote so far. */
  get log(): string {
    return this.#log;
  }

  /** Kills the process with `signal` (default SIGKILL: a crash) and waits for it. */
  async stop(signal: Deno.Signal = "SIGKILL"): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill(signal);
      } catch {
        // already gone
      }
    }
    await this.#done;
  }
}

/** A running stellar-arrow-source. */
export interface SourceProcess {
  /** The subprocess. */
  process: ServiceProcess;
  /** Its Flight port. */
  port: number;
}

/** Starts stellar-arrow-source on `lake` (a path), on `port` (0: a free one). */
export async function startSourceProcess(
  lake: string,
  options: { port?: number; env?: Record<string, string> } = {},
): Promise<SourceProcess> {
  const { process, match } = await ServiceProcess.start(
    "components/stellar-arrow-source/main.ts",
    {
      DATALAKE_URL: lake,
      FLIGHT_HOST: "127.0.0.1",
      FLIGHT_PORT: String(options.port ?? 0),
      HEALTH_PORT: "0",
      WORKERS: "1",
      POLL_INTERVAL: "200ms",
      ...options.env,
    },
    /Flight on "?[\d.]+"?:(\d+)/,
  );
  return { process, port: Number(match[1]) };
}

/** A running ttp-arrow-processor. */
export interface ProcessorProcess {
  /** The subprocess. */
  process: ServiceProcess;
  /** Its Flight port. */
  flightPort: number;
  /** Its health port. */
  healthPort: number;
}

/** Starts ttp-arrow-processor against `sourceEndpoint`. */
export async function startProcessorProcess(
  sourceEndpoint: string,
  env: Record<string, string> = {},
): Promise<ProcessorProcess> {
  const { process, match } = await ServiceProcess.start(
    "components/ttp-arrow-processor/main.ts",
    {
      SOURCE_ENDPOINT: sourceEndpoint,
      FLIGHT_HOST: "127.0.0.1",
      FLIGHT_PORT: "0",
      HEALTH_PORT: "0",
      WORKERS: "1",
      ...env,
    },
    /ready: flight port (\d+), health port (\d+)/,
  );
  return { process, flightPort: Number(match[1]), healthPort: Number(match[2]) };
}

/** CPU profile flags for the children when `SERVICE_CPU_PROF_DIR` names a folder. */
function profileArgs(): string[] {
  const dir = Deno.env.get("SERVICE_CPU_PROF_DIR");
  return dir ? ["--cpu-prof-dir", dir, "--cpu-prof-md"] : [];
}
