/**
 * `deno task bundle [--out DIR] [COMPONENT...]`: builds one self-contained folder per service,
 * runnable from anywhere with `deno run -A DIR/<component>/main.js`:
 *
 * ```
 * dist/bundle/<component>/
 *   main.js              the service (`deno bundle` of components/<component>/main.ts)
 *   <worker>.js          each Web Worker module, bundled on its own (found in the module graph)
 *   proto/...            files the code reads at run time through shared/assets `assetUrl()`
 *   parquet_wasm_bg.wasm files bundled npm code reads next to itself (`${__dirname}/...`)
 * ```
 *
 * What a plain `deno bundle` does not do, and this script does:
 * - Workers: `deno bundle` does not follow `new Worker(new URL("./x.ts", import.meta.url))`. The
 *   build scans the entry's module graph for `new URL("./x.ts", import.meta.url)`, bundles each
 *   such module to `x.js` beside `main.js`; shared/worker_pool `resolveWorkerUrl()` picks that
 *   file when `x.ts` is not there.
 * - Run-time files: in a bundle every module's `import.meta.url` is the bundle's, so
 *   `assetUrl("proto/Flight.proto")` (shared/assets) resolves beside `main.js`; the build copies
 *   every path named in an `assetUrl("...")` call of the graph there.
 * - CommonJS npm code (parquet-wasm's Node build reads `${__dirname}/parquet_wasm_bg.wasm`)
 *   expects `__dirname`/`__filename`: each bundle starts with both set to the bundle's own
 *   folder and file, and the build copies each file so referenced next to the bundle.
 * - tslib (used by apache-arrow) resolves, under the default conditions, to an ESM wrapper whose
 *   default import of a CommonJS file esbuild leaves undefined; `--conditions module` selects
 *   tslib's plain ESM build.
 * - {@linkcode EXTERNAL_PACKAGES} (`@duckdb/node-api`, a native addon) stay imports, rewritten to
 *   their pinned `npm:` specifier from deno.json so that Deno resolves them at run time without
 *   an import map.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { type BuildTarget, EXTERNAL_PACKAGES, selectTargets } from "./build_targets.ts";

/** Repository root (folder of deno.json). */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");

/** Options of {@linkcode buildBundles}. */
export interface BuildOptions {
  /** Output folder; each component gets `<outDir>/<name>/`. Default `dist/bundle`. */
  outDir?: string;
  /** Component names (default: all of {@linkcode BUILD_TARGETS}). */
  components?: readonly string[];
  /** Repository root (default {@linkcode ROOT}). */
  root?: string;
}

/** One output file of a bundle folder. */
export interface BundleFile {
  /** Path relative to the bundle folder. */
  path: string;
  /** Size in bytes. */
  bytes: number;
}

/** What {@linkcode buildBundle} made. */
export interface BundleResult {
  /** Component name. */
  name: string;
  /** Absolute bundle folder. */
  dir: string;
  /** Files written, sorted by path. */
  files: BundleFile[];
  /** Wall-clock build time in milliseconds. */
  ms: number;
}

const MODULE_URL_RE =
  /new\s+URL\(\s*(["'])(\.{1,2}\/[^"'`$]+\.ts)\1\s*,\s*import\.meta\.url\s*,?\s*\)/g;
const ASSET_RE = /\bassetUrl\(\s*(["'])([^"'`$]+)\1\s*\)/g;

/** `source` without block comments and line comments (JSDoc examples are not code). */
export function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|\s)\/\/.*$/gm, "$1");
}

/**
 * Relative specifiers of TypeScript modules that `source` loads by URL
 * (`new URL("./x_worker.ts", import.meta.url)`): Web Workers, which a bundler does not follow.
 */
export function findModuleUrls(source: string): string[] {
  const code = stripComments(source);
  return [...new Set([...code.matchAll(MODULE_URL_RE)].map((m) => m[2]))];
}

/** Repository-relative paths named in `assetUrl("...")` calls of `source` (shared/assets). */
export function findAssetPaths(source: string): string[] {
  return [...new Set([...stripComments(source).matchAll(ASSET_RE)].map((m) => m[2]))];
}

/** A file that bundled CommonJS code reads relative to its own (original) folder. */
export interface DirnameFile {
  /** Original module path as esbuild noted it (relative to the folder the bundler ran in). */
  module: string;
  /** Path after `${__dirname}/`. */
  file: string;
}

/**
 * Finds `${__dirname}/<file>` template literals in a bundle and, for each, the module it came
 * from (esbuild's `// <path>` comment that starts every module's section).
 */
export function findDirnameFiles(bundle: string): DirnameFile[] {
  const out: DirnameFile[] = [];
  let module = "";
  for (const line of bundle.split("\n")) {
    const header = /^\/\/ (\S+\.[cm]?js)$/.exec(line);
    if (header) module = header[1];
    for (const m of line.matchAll(/`\$\{__dirname\}\/([^`$]+)`/g)) {
      out.push({ module, file: m[1] });
    }
  }
  return out;
}

/** First lines of every bundle: CommonJS globals that bundled npm code expects. */
export const CJS_GLOBALS_SHIM: string = [
  "// scripts/build.ts: CommonJS globals for bundled npm code, naming this bundle's file/folder.",
  "const __filename = import.meta.filename;",
  "const __dirname = import.meta.dirname;",
  "",
].join("\n");

/** Prepends {@linkcode CJS_GLOBALS_SHIM}; throws if the bundle declares either name itself. */
export function addCjsGlobals(bundle: string): string {
  if (/^\s*(?:var|let|const)\s+__(?:dir|file)name\b/m.test(bundle)) {
    throw new Error("bundle already declares __dirname or __filename at top level");
  }
  return CJS_GLOBALS_SHIM + bundle;
}

/**
 * Rewrites imports of external packages (`from "@duckdb/node-api"`, `import("@duckdb/node-api")`,
 * subpaths included) to their import-map targets (`npm:@duckdb/node-api@1.5.6-r.1`). Throws if
 * a package has no `npm:` entry in `imports`.
 */
export function rewriteExternals(
  bundle: string,
  packages: readonly string[],
  imports: Readonly<Record<string, string>>,
): string {
  let out = bundle;
  for (const name of packages) {
    const target = imports[name];
    if (!target?.startsWith("npm:")) {
      throw new Error(`deno.json imports: expected an npm: entry for ${name}, got ${target}`);
    }
    const escaped = name.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const re = new RegExp(
      `(\\bfrom\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+)(["'])${escaped}(/[^"']*)?\\2`,
      "g",
    );
    out = out.replace(re, (_m, lead, quote, sub = "") => `${lead}${quote}${target}${sub}${quote}`);
  }
  return out;
}

/** Runs `deno <args>` in `cwd` and returns its stdout; throws with its stderr on failure. */
export async function runDeno(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed (exit ${out.code}):\n${text(out.stderr)}`);
  }
  return text(out.stdout);
}

interface GraphModule {
  specifier: string;
  local?: string;
}

/** Local (file:) modules of an entry's static module graph. */
async function localModules(entry: string, root: string): Promise<string[]> {
  const info = JSON.parse(await runDeno(["info", "--json", entry], root)) as {
    modules: GraphModule[];
  };
  return info.modules.filter((m) => m.specifier.startsWith("file:") && m.local).map((m) =>
    m.local!
  );
}

/** What a component needs beside its entry bundle. */
export interface BundleNeeds {
  /** Absolute paths of modules loaded by URL (workers), each to be bundled on its own. */
  companions: string[];
  /** Repository-relative files or folders read through `assetUrl()`. */
  assets: string[];
}

/**
 * Scans the module graphs of `entry` and, recursively, of every module it loads by URL, for
 * worker modules and `assetUrl()` paths.
 */
export async function collectNeeds(entry: string, root: string = ROOT): Promise<BundleNeeds> {
  const companions = new Set<string>();
  const assets = new Set<string>();
  const queue = [resolve(root, entry)];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const file of await localModules(current, root)) {
      const source = await Deno.readTextFile(file);
      for (const spec of findModuleUrls(source)) {
        const target = resolve(dirname(file), spec);
        if (!(await Deno.stat(target).catch(() => null))?.isFile) {
          throw new Error(`${relative(root, file)} loads ${spec}, which does not exist`);
        }
        companions.add(target);
        queue.push(target);
      }
      if (relative(root, file) !== join("shared", "assets", "mod.ts")) {
        for (const asset of findAssetPaths(source)) assets.add(asset);
      }
    }
  }
  const folders = [...assets].filter((a) => a.endsWith("/"));
  const covered = (a: string) => folders.some((f) => a !== f && a.startsWith(f));
  return {
    companions: [...companions].sort(),
    assets: [...assets].filter((a) => !covered(a)).sort(),
  };
}

async function denoBundle(entry: string, output: string, root: string): Promise<void> {
  const args = ["bundle", "--quiet", "--conditions", "module", "-o", output];
  for (const name of EXTERNAL_PACKAGES) args.push("--external", name);
  await runDeno([...args, entry], root);
}

async function copyPath(from: string, to: string): Promise<void> {
  const stat = await Deno.stat(from);
  if (stat.isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) await copyPath(join(from, e.name), join(to, e.name));
  } else {
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(from, to);
  }
}

async function listFiles(dir: string, prefix = ""): Promise<BundleFile[]> {
  const out: BundleFile[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listFiles(dir, path));
    else out.push({ path, bytes: (await Deno.stat(join(dir, path))).size });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Post-processes one bundled file: CommonJS globals, external imports, and a copy of each file
 * that bundled CommonJS code reads from `${__dirname}` (paths climbing out with `..` are lazy
 * loads of unused features, e.g. grpc-js channelz protos, and are left out).
 */
async function finishBundle(
  file: string,
  outDir: string,
  root: string,
  imports: Readonly<Record<string, string>>,
): Promise<void> {
  let text = await Deno.readTextFile(file);
  for (const { module, file: name } of findDirnameFiles(text)) {
    if (name.split("/").includes("..")) continue;
    if (!module) throw new Error(`${file}: \${__dirname}/${name} outside any module section`);
    const from = resolve(root, dirname(module), name);
    try {
      await copyPath(from, join(outDir, name));
    } catch (error) {
      throw new Error(
        `${basename(file)}: bundled ${module} reads \${__dirname}/${name}; cannot copy ${from}: ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
  }
  text = rewriteExternals(addCjsGlobals(text), EXTERNAL_PACKAGES, imports);
  await Deno.writeTextFile(file, text);
}

/** Builds one component's bundle folder (replacing it). */
export async function buildBundle(
  target: BuildTarget,
  options: { outDir: string; root?: string },
): Promise<BundleResult> {
  const root = options.root ?? ROOT;
  const started = performance.now();
  const dir = resolve(options.outDir, target.name);
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(dir, { recursive: true });
  const imports = (JSON.parse(await Deno.readTextFile(join(root, "deno.json"))) as {
    imports: Record<string, string>;
  }).imports;
  const needs = await collectNeeds(target.entry, root);
  const outputs = new Map<string, string>([["main.js", resolve(root, target.entry)]]);
  for (const companion of needs.companions) {
    const name = basename(companion).replace(/\.ts$/, ".js");
    const clash = outputs.get(name);
    if (clash) {
      throw new Error(`${target.name}: ${companion} and ${clash} would both be bundled as ${name}`);
    }
    outputs.set(name, companion);
  }
  await Promise.all(
    [...outputs].map(async ([name, source]) => {
      const file = join(dir, name);
      await denoBundle(source, file, root);
      await finishBundle(file, dir, root, imports);
    }),
  );
  for (const asset of needs.assets) await copyPath(join(root, asset), join(dir, asset));
  return {
    name: target.name,
    dir,
    files: await listFiles(dir),
    ms: Math.round(performance.now() - started),
  };
}

/** Builds the bundle folders of the selected components, one after the other. */
export async function buildBundles(options: BuildOptions = {}): Promise<BundleResult[]> {
  const root = options.root ?? ROOT;
  const outDir = options.outDir ?? join(root, "dist", "bundle");
  const results: BundleResult[] = [];
  for (const target of selectTargets(options.components)) {
    results.push(await buildBundle(target, { outDir, root }));
  }
  return results;
}

/** Human-readable size. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Groups bundle files by their first path segment (`proto/`, `main.js`). */
export function groupTopLevel(files: readonly BundleFile[]): Map<string, BundleFile[]> {
  const groups = new Map<string, BundleFile[]>();
  for (const f of files) {
    const slash = f.path.indexOf("/");
    const key = slash < 0 ? f.path : f.path.slice(0, slash + 1);
    groups.set(key, [...groups.get(key) ?? [], f]);
  }
  return groups;
}

const USAGE = `Usage: deno task bundle [--out DIR] [COMPONENT...]

Bundles each service into DIR/<component>/ (default dist/bundle): main.js, one .js per Web
Worker, and the files read at run time (protos, wasm). Run one with
  deno run -A DIR/<component>/main.js --help
Components: stellar-arrow-source, ttp-arrow-processor, arrow-analytics-sink,
flowctl-control-plane (default: all).`;

if (import.meta.main) {
  const args = [...Deno.args];
  let outDir: string | undefined;
  const components: string[] = [];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    } else if (arg === "--out") {
      outDir = args.shift();
      if (!outDir) {
        console.error("--out: expected a folder");
        Deno.exit(2);
      }
    } else if (arg.startsWith("--out=")) outDir = arg.slice(6);
    else if (arg.startsWith("-")) {
      console.error(`unknown option ${arg}\n\n${USAGE}`);
      Deno.exit(2);
    } else components.push(arg);
  }
  try {
    const out = outDir ? (isAbsolute(outDir) ? outDir : resolve(Deno.cwd(), outDir)) : undefined;
    const total = performance.now();
    for (const r of await buildBundles({ outDir: out, components })) {
      const size = r.files.reduce((s, f) => s + f.bytes, 0);
      console.log(
        `${r.name}: ${relative(Deno.cwd(), r.dir) || "."} (${formatBytes(size)}, ${r.ms} ms)`,
      );
      for (const [entry, files] of groupTopLevel(r.files)) {
        const bytes = formatBytes(files.reduce((s, f) => s + f.bytes, 0));
        console.log(
          `  ${entry.padEnd(24)} ${bytes}${files.length > 1 ? ` (${files.length} files)` : ""}`,
        );
      }
    }
    console.log(`done in ${((performance.now() - total) / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`bundle: ${error instanceof Error ? error.message : error}`);
    Deno.exit(1);
  }
}
