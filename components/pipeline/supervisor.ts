/**
 * Runs services as child processes: starts one, prefixes its output lines with its name, waits
 * until its health URL answers, and stops it gracefully (SIGTERM, then SIGKILL after a grace
 * period).
 *
 * @module
 */
import { v8FlagsArg } from "../../shared/runtime/mod.ts";
import type { ServicePlan } from "./plan.ts";

/** A service started by {@linkcode startService}. */
export interface RunningService {
  /** How the service was started. */
  readonly plan: ServicePlan;
  /** The service's process. */
  readonly child: Deno.ChildProcess;
  /** Resolves when the process exits. */
  readonly exited: Promise<Deno.CommandStatus>;
}

/** Options of {@linkcode startService}. */
export interface StartOptions {
  /** Repository root that `plan.entry` is relative to. */
  root: string;
  /** Deno executable; default `Deno.execPath()`. */
  denoPath?: string;
  /** Receives each output line of the service (without newline). */
  onLine: (service: string, line: string, stream: "stdout" | "stderr") => void;
}

async function forwardLines(
  stream: ReadableStream<Uint8Array>,
  emit: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      emit(pending.slice(0, newline).replace(/\r$/, ""));
      pending = pending.slice(newline + 1);
    }
  }
  pending += decoder.decode();
  if (pending) emit(pending);
}

/**
 * Starts a service's process with `deno run -A --v8-flags=... <entry> <args>` (the services' V8
 * flags, see shared/runtime) and its environment.
 */
export function startService(plan: ServicePlan, options: StartOptions): RunningService {
  const command = new Deno.Command(options.denoPath ?? Deno.execPath(), {
    args: ["run", "-A", v8FlagsArg(), `${options.root}/${plan.entry}`, ...plan.args],
    cwd: options.root,
    env: plan.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const forwarding = Promise.all([
    forwardLines(child.stdout, (l) => options.onLine(plan.name, l, "stdout")),
    forwardLines(child.stderr, (l) => options.onLine(plan.name, l, "stderr")),
  ]);
  const exited = child.status.then(async (status) => {
    await forwarding.catch(() => {});
    return status;
  });
  return { plan, child, exited };
}

/** Options of {@linkcode waitHealthy}. */
export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Poll interval. */
  intervalMs?: number;
}

/**
 * Waits until the service's health URL answers with a 2xx status.
 *
 * @throws {Error} when the process exits first (with its exit code) or the time runs out.
 */
export async function waitHealthy(service: RunningService, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let exitStatus: Deno.CommandStatus | undefined;
  service.exited.then((s) => exitStatus = s);
  let lastError = "no answer yet";
  while (Date.now() < deadline) {
    if (exitStatus) {
      throw new Error(
        `${service.plan.name} exited with code ${exitStatus.code} before ${service.plan.healthUrl} answered`,
      );
    }
    try {
      const res = await fetch(service.plan.healthUrl, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
  throw new Error(
    `${service.plan.name} did not become healthy at ${service.plan.healthUrl} within ${options.timeoutMs} ms (last: ${lastError})`,
  );
}

/**
 * Stops a service: SIGTERM, then SIGKILL when it has not exited after `graceMs`.
 * Returns the exit status.
 */
export async function stopService(
  service: RunningService,
  graceMs: number,
): Promise<Deno.CommandStatus> {
  try {
    service.child.kill("SIGTERM");
  } catch {
    return await service.exited; // already gone
  }
  let timer: number | undefined;
  const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), graceMs));
  const result = await Promise.race([service.exited, timeout]);
  clearTimeout(timer);
  if (result === "timeout") {
    try {
      service.child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  return await service.exited;
}
