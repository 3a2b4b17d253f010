/**
 * V8 flags every service runs with. They must be given on the command line (`deno run
 * --v8-flags=...`, `deno compile --v8-flags=...`): V8 freezes its flags at startup.
 *
 * `--external-memory-accounted-in-global-limit`: each ~1 MB ledger leaves 1-3 MB of
 * ArrayBuffers behind in every process it passes (HTTP/2 frames, gRPC reassembly, transfers to
 * workers), and by default V8 starts a full mark-compact every 64 MiB of such external memory,
 * every 20-60 ledgers, each marking the whole heap. With the flag that limit grows with the heap
 * like the heap's own: measured about a third less CPU per ledger in the source and its client
 * (see components/stellar-arrow-source/README.md).
 *
 * @module
 */

/** The V8 flags of every service. */
export const SERVICE_V8_FLAGS: readonly string[] = ["--external-memory-accounted-in-global-limit"];

/** The `--v8-flags=...` argument of `deno run` / `deno compile` for {@linkcode SERVICE_V8_FLAGS}. */
export function v8FlagsArg(): string {
  return `--v8-flags=${SERVICE_V8_FLAGS.join(",")}`;
}

/**
 * Runs the main module again, with the same arguments, under `--v8-flags=<flags>` when this
 * process was started without exactly that argument, and exits with the child's exit code; returns
 * at once when the flags are in effect. For benchmarks whose own process (a Flight client) must
 * run like the services. Linux only: it reads `/proc/self/cmdline`.
 */
export async function rerunWithV8Flags(flags: string = SERVICE_V8_FLAGS.join(",")): Promise<void> {
  const arg = `--v8-flags=${flags}`;
  if (Deno.readTextFileSync("/proc/self/cmdline").split("\0").includes(arg)) return;
  const again = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", arg, Deno.mainModule, ...Deno.args],
  }).spawn();
  Deno.exit((await again.status).code);
}
