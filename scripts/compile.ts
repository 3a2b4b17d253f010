/**
 * `deno task compile [--out DIR] [--target TRIPLE] [COMPONENT...]`: one self-contained
 * executable per service with `deno compile`, in `dist/bin/<component>` by default.
 *
 * Each binary embeds:
 * - the service's module graph, and every Web Worker module found in it (`--include`; the same
 *   scan as `scripts/build.ts`: `new URL("./x_worker.ts", import.meta.url)`);
 * - every file read through shared/assets `assetUrl()` (`--include proto/`);
 * - the npm packages the graph uses, with their files (parquet-wasm's `.wasm`, DuckDB's native
 *   addon), less the platform packages that cannot load on the target (`--exclude`: DuckDB's
 *   musl bindings on a glibc target). Only those: the binary is compiled against a generated config holding just the
 *   import-map entries the graph reaches, and a copy of deno.lock (same pinned versions), so
 *   the test oracle (@stellar/stellar-sdk) and DuckDB do not land in services that never load
 *   them.
 *
 * `deno compile` builds on `denort`, the Deno runtime without tooling, of the same version as
 * the `deno` running it. It downloads it on first use from the Deno project's servers into
 * `$DENO_DIR/dl/release/v<version>/denort-<target>.zip`; without access to them, copy that zip
 * there from a machine that has it, or set `DENORT_BIN` to a `denort` executable.
 *
 * @module
 */
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { collectNeeds, formatBytes, ROOT, runDeno } from "./build.ts";
import { type BuildTarget, selectTargets } from "./build_targets.ts";
import { v8FlagsArg } from "../shared/runtime/mod.ts";

/** Everything needed to run `deno compile` for one target. */
export interface CompilePlan {
  /** Component name. */
  name: string;
  /** Absolute path of the executable. */
  output: string;
  /** Generated config (import map trimmed to the graph) and where it goes. */
  config: { path: string; text: string };
  /** Arguments after `deno`. */
  args: string[];
}

/** Options of {@linkcode planCompile}. */
export interface CompileOptions {
  /** Output folder (default `dist/bin`). */
  outDir?: string;
  /** `deno compile --target` (default: this machine). */
  target?: string;
  /** Repository root (default {@linkcode ROOT}). */
  root?: string;
}

/** `npm:name@version` (optionally `/subpath`) → `name@version`; other specifiers → undefined. */
export function npmPackageId(specifier: string): string | undefined {
  const m = /^npm:\/?((?:@[^/]+\/)?[^/@]+@[^/]+)/.exec(specifier);
  return m?.[1];
}

/**
 * The import-map entries whose npm package the module graph reaches (`graphPackages` as
 * `name@version`, e.g. from `deno info --json`'s `npmPackages`); non-npm entries are kept.
 */
export function trimImports(
  imports: Readonly<Record<string, string>>,
  graphPackages: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, specifier] of Object.entries(imports)) {
    const id = npmPackageId(specifier);
    if (id === undefined || graphPackages.has(id)) out[name] = specifier;
  }
  return out;
}

async function denoJson(args: string[], cwd: string): Promise<unknown> {
  return JSON.parse(await runDeno(args, cwd));
}

/** npm packages (`name@version`) imported directly by the modules' graphs. */
async function graphPackages(modules: readonly string[], root: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const module of modules) {
    const info = await denoJson(["info", "--json", module], root) as {
      modules: { kind?: string; npmPackage?: string }[];
    };
    for (const m of info.modules) {
      if (m.kind === "npm" && m.npmPackage) ids.add(m.npmPackage.split("_")[0]);
    }
  }
  return ids;
}

/** Platform of a `deno compile --target` triple, in npm's `os`/`cpu`/`libc` terms. */
export interface NpmPlatform {
  os: string;
  cpu: string;
  libc?: string;
}

/** `x86_64-unknown-linux-gnu` → `{ os: "linux", cpu: "x64", libc: "glibc" }`. */
export function npmPlatform(triple: string): NpmPlatform {
  const cpu = triple.startsWith("x86_64") ? "x64" : triple.startsWith("aarch64") ? "arm64" : "";
  const os = triple.includes("linux")
    ? "linux"
    : triple.includes("darwin")
    ? "darwin"
    : triple.includes("windows")
    ? "win32"
    : "";
  if (!cpu || !os) throw new Error(`unsupported target ${JSON.stringify(triple)}`);
  return triple.endsWith("-gnu") ? { os, cpu, libc: "glibc" } : { os, cpu };
}

/**
 * Whether a package's `os`/`cpu`/`libc` fields (package.json; `!name` excludes) allow
 * `platform`. Absent fields allow everything; `libc` is only checked when the platform has one.
 */
export function packageFitsPlatform(
  pkg: { os?: readonly string[]; cpu?: readonly string[]; libc?: readonly string[] },
  platform: NpmPlatform,
): boolean {
  const allows = (list: readonly string[] | undefined, value: string | undefined) => {
    if (!list || list.length === 0 || value === undefined) return true;
    if (list.includes(`!${value}`)) return false;
    const positive = list.filter((v) => !v.startsWith("!"));
    return positive.length === 0 || positive.includes(value);
  };
  return allows(pkg.os, platform.os) && allows(pkg.cpu, platform.cpu) &&
    allows(pkg.libc, platform.libc);
}

/**
 * Cached npm package folders of the lockfile that cannot load on `platform` (e.g. DuckDB's musl
 * bindings for a glibc target: Deno fetches packages by os and cpu, not libc), to `--exclude`.
 */
async function platformExcludes(root: string, platform: NpmPlatform): Promise<string[]> {
  const { npmCache } = await denoJson(["info", "--json"], root) as { npmCache: string };
  const lock = JSON.parse(await Deno.readTextFile(join(root, "deno.lock"))) as {
    npm?: Record<string, unknown>;
  };
  const registries: string[] = [];
  for await (const e of Deno.readDir(npmCache)) if (e.isDirectory) registries.push(e.name);
  const out: string[] = [];
  for (const key of Object.keys(lock.npm ?? {})) {
    const id = key.split("_")[0];
    const at = id.lastIndexOf("@");
    const [name, version] = [id.slice(0, at), id.slice(at + 1)];
    for (const registry of registries) {
      const dir = join(npmCache, registry, name, version);
      const manifest = await Deno.readTextFile(join(dir, "package.json")).catch(() => undefined);
      if (manifest && !packageFitsPlatform(JSON.parse(manifest), platform)) out.push(dir);
    }
  }
  return out.sort();
}

/** Works out the includes and the trimmed config of one target. */
export async function planCompile(
  target: BuildTarget,
  options: CompileOptions = {},
): Promise<CompilePlan> {
  const root = options.root ?? ROOT;
  const outDir = options.outDir ?? join(root, "dist", "bin");
  const needs = await collectNeeds(target.entry, root);
  const entry = resolve(root, target.entry);
  const base = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as {
    imports: Record<string, string>;
    nodeModulesDir?: string;
  };
  const packages = await graphPackages([entry, ...needs.companions], root);
  // Inside the repository (dist/ is git-ignored) so that embedded paths stay relative to its
  // root; the config and its lock copy are removed after the build.
  const configPath = join(root, "dist", ".compile", `${target.name}.json`);
  const config = {
    nodeModulesDir: base.nodeModulesDir ?? "none",
    lock: { path: `./${target.name}.lock`, frozen: false },
    imports: trimImports(base.imports, packages),
  };
  const output = resolve(outDir, target.name);
  const args = [
    "compile",
    "--allow-all",
    v8FlagsArg(), // baked into the binary: V8 reads its flags at startup only
    "--config",
    configPath,
    "--output",
    output,
  ];
  if (options.target) args.push("--target", options.target);
  for (const companion of needs.companions) args.push("--include", relative(root, companion));
  for (const asset of needs.assets) args.push("--include", asset);
  const platform = npmPlatform(options.target ?? Deno.build.target);
  for (const dir of await platformExcludes(root, platform)) args.push("--exclude", dir);
  args.push(relative(root, entry));
  return {
    name: target.name,
    output,
    config: { path: configPath, text: JSON.stringify(config, null, 2) + "\n" },
    args,
  };
}

/** Explains a failed `deno compile` whose runtime download did not go through. */
export function explainCompileFailure(stderr: string, denoVersion: string): string {
  if (!/denort|Setting up base binary|dl\.deno\.land/.test(stderr)) return stderr;
  const message = stderr.split(/\n\s*Stack backtrace:/)[0];
  return `${message.trimEnd()}\n\n` +
    `deno compile needs denort ${denoVersion} (the Deno runtime without tooling) and downloads ` +
    `it from the Deno project's servers on first use. Without access to them: copy ` +
    `denort-<target>.zip of release v${denoVersion} into $DENO_DIR/dl/release/v${denoVersion}/ ` +
    `(default DENO_DIR: ~/.cache/deno on Linux), or set DENORT_BIN to a denort executable of ` +
    `that version. deno task bundle builds runnable bundles without it (docs/builds.md).`;
}

/** Result of {@linkcode compileTarget}. */
export interface CompileResult {
  /** Component name. */
  name: string;
  /** Executable path. */
  output: string;
  /** Executable size in bytes. */
  bytes: number;
  /** Wall-clock time in milliseconds. */
  ms: number;
}

/**
 * Runs `deno compile` for one plan (writing and then removing its config and lock copy), then,
 * when it was built for this machine, checks that the executable answers `--help` as the
 * service (not as a plain `deno`, which is what a wrong `DENORT_BIN` produces); an executable
 * that does not is removed.
 */
export async function compileTarget(
  plan: CompilePlan,
  options: { root?: string; checkHelp?: boolean } = {},
): Promise<CompileResult> {
  const root = options.root ?? ROOT;
  const started = performance.now();
  const lock = plan.config.path.replace(/\.json$/, ".lock");
  await Deno.mkdir(resolve(plan.output, ".."), { recursive: true });
  await Deno.mkdir(resolve(plan.config.path, ".."), { recursive: true });
  await Deno.writeTextFile(plan.config.path, plan.config.text);
  await Deno.copyFile(join(root, "deno.lock"), lock);
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(Deno.execPath(), {
      args: plan.args,
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } finally {
    await Deno.remove(plan.config.path).catch(() => {});
    await Deno.remove(lock).catch(() => {});
  }
  if (!out.success) {
    throw new Error(
      `${plan.name}: deno ${plan.args.join(" ")} failed (exit ${out.code}):\n` +
        explainCompileFailure(new TextDecoder().decode(out.stderr), Deno.version.deno),
    );
  }
  if (options.checkHelp !== false) {
    const cwd = await Deno.makeTempDir({ prefix: "compile_help_" });
    try {
      const help = await new Deno.Command(plan.output, {
        args: ["--help"],
        cwd,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(help.stdout);
      if (!help.success || !text.includes(`Usage: ${plan.name}`)) {
        await Deno.remove(plan.output).catch(() => {});
        throw new Error(
          `${plan.output} --help did not answer as ${plan.name} (exit ${help.code}): ` +
            `${text.split("\n")[0]}${new TextDecoder().decode(help.stderr)}\n` +
            `(DENORT_BIN must name a denort executable, not deno)`,
        );
      }
    } finally {
      await Deno.remove(cwd, { recursive: true });
    }
  }
  return {
    name: plan.name,
    output: plan.output,
    bytes: (await Deno.stat(plan.output)).size,
    ms: Math.round(performance.now() - started),
  };
}

const USAGE = `Usage: deno task compile [--out DIR] [--target TRIPLE] [COMPONENT...]

Compiles each service with deno compile into DIR/<component> (default dist/bin), Web Workers,
protos and npm files (wasm, native addons) included. Needs denort from the Deno project's
servers on first use (or DENORT_BIN); see docs/builds.md.
Components: stellar-arrow-source, ttp-arrow-processor, arrow-analytics-sink,
flowctl-control-plane (default: all).`;

if (import.meta.main) {
  const args = [...Deno.args];
  let outDir: string | undefined;
  let target: string | undefined;
  const components: string[] = [];
  const value = (flag: string) => {
    const v = args.shift();
    if (!v) {
      console.error(`${flag}: expected a value`);
      Deno.exit(2);
    }
    return v;
  };
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    } else if (arg === "--out") outDir = value(arg);
    else if (arg === "--target") target = value(arg);
    else if (arg.startsWith("-")) {
      console.error(`unknown option ${arg}\n\n${USAGE}`);
      Deno.exit(2);
    } else components.push(arg);
  }
  try {
    const out = outDir ? (isAbsolute(outDir) ? outDir : resolve(Deno.cwd(), outDir)) : undefined;
    const total = performance.now();
    for (const t of selectTargets(components)) {
      const plan = await planCompile(t, { outDir: out, target });
      console.log(`${t.name}: deno ${plan.args.join(" ")}`);
      const r = await compileTarget(plan, { checkHelp: target === undefined });
      console.log(
        `  ${relative(Deno.cwd(), r.output) || basename(r.output)} ${
          formatBytes(r.bytes)
        }, ${r.ms} ms`,
      );
    }
    console.log(`done in ${((performance.now() - total) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`compile: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
