// scripts/build.ts: the pure helpers, the module-graph scan, and the four bundles built, moved to
// a folder outside the repository and run there as a pipeline (source → processor → sink).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { readParquet } from "parquet-wasm";
import * as arrow from "apache-arrow";
import { FlightClient } from "../shared/flight/mod.ts";
import {
  addCjsGlobals,
  buildBundles,
  collectNeeds,
  findAssetPaths,
  findDirnameFiles,
  findModuleUrls,
  groupTopLevel,
  rewriteExternals,
  stripComments,
} from "./build.ts";
import { BUILD_TARGETS, selectTargets } from "./build_targets.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");
const LAKE = join(REPO, "testdata/lakes/pubnet-p26");
const FIRST = 63093000;
const LAST = 63093001;

Deno.test("findModuleUrls finds modules loaded by URL, not imports, comments or other files", () => {
  const cases: [string, string[]][] = [
    [`new WorkerPool({ url: new URL("./worker.ts", import.meta.url) })`, ["./worker.ts"]],
    [`new Worker(new URL('../w/x_worker.ts', import.meta.url), { type: "module" })`, [
      "../w/x_worker.ts",
    ]],
    [`new URL(\n  "./a.ts",\n  import.meta.url,\n)`, ["./a.ts"]],
    [`new URL("./a.ts",\n  import.meta.url)`, ["./a.ts"]],
    [`import { x } from "./worker.ts";`, []],
    [`new URL("../../proto/Flight.proto", import.meta.url)`, []],
    [`new URL("./x.ts", base)`, []],
    [` * url: new URL("./my_worker.ts", import.meta.url),`, ["./my_worker.ts"]],
    [`/**\n * url: new URL("./my_worker.ts", import.meta.url),\n */`, []],
    [`// new URL("./old.ts", import.meta.url)`, []],
    [`new URL("./a.ts", import.meta.url); new URL("./a.ts", import.meta.url)`, ["./a.ts"]],
  ];
  for (const [source, expected] of cases) {
    assert.deepEqual(findModuleUrls(source), expected, source);
  }
});

Deno.test("stripComments keeps URLs inside strings", () => {
  assert.equal(stripComments(`const u = "http://x/y"; // note`), `const u = "http://x/y"; `);
  assert.equal(stripComments(`a /* b */ c`), `a  c`);
});

Deno.test("findAssetPaths lists assetUrl() literals outside comments", () => {
  assert.deepEqual(
    findAssetPaths(
      `const a = assetUrl("proto/Flight.proto");\nconst b = assetUrl('proto/');\n// assetUrl("x")`,
    ),
    ["proto/Flight.proto", "proto/"],
  );
  assert.deepEqual(findAssetPaths("assetUrl(name)"), []);
});

Deno.test("findDirnameFiles ties each ${__dirname} file to its module section", () => {
  const bundle = [
    "// ../../cache/npm/a/1.0.0/node/a.js",
    "var require_a = __commonJS({",
    "  'x'(exports) {",
    "    var wasmPath = `${__dirname}/a_bg.wasm`;",
    "// ../../cache/npm/b/2.0.0/index.js",
    "    includeDirs: [`${__dirname}/../../proto`, `${__dirname}/data/x.bin`]",
  ].join("\n");
  assert.deepEqual(findDirnameFiles(bundle), [
    { module: "../../cache/npm/a/1.0.0/node/a.js", file: "a_bg.wasm" },
    { module: "../../cache/npm/b/2.0.0/index.js", file: "../../proto" },
    { module: "../../cache/npm/b/2.0.0/index.js", file: "data/x.bin" },
  ]);
});

Deno.test("addCjsGlobals prepends __dirname/__filename once and refuses a second declaration", () => {
  const out = addCjsGlobals("console.log(__dirname);\n");
  assert.match(out, /^\/\/ .*\nconst __filename = import\.meta\.filename;\nconst __dirname =/);
  assert.throws(() => addCjsGlobals(out), /already declares __dirname/);
});

Deno.test("rewriteExternals pins external imports to their npm: specifier", () => {
  const imports = { "@duckdb/node-api": "npm:@duckdb/node-api@1.5.6-r.1" };
  const bundle = [
    `import { DuckDBInstance } from "@duckdb/node-api";`,
    `import * as sub from '@duckdb/node-api/x';`,
    `const m = await import("@duckdb/node-api");`,
    `import "@duckdb/node-api";`,
    `throw new Error("install @duckdb/node-api");`,
    `import { y } from "@duckdb/node-api-other";`,
  ].join("\n");
  assert.equal(
    rewriteExternals(bundle, ["@duckdb/node-api"], imports),
    [
      `import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";`,
      `import * as sub from 'npm:@duckdb/node-api@1.5.6-r.1/x';`,
      `const m = await import("npm:@duckdb/node-api@1.5.6-r.1");`,
      `import "npm:@duckdb/node-api@1.5.6-r.1";`,
      `throw new Error("install @duckdb/node-api");`,
      `import { y } from "@duckdb/node-api-other";`,
    ].join("\n"),
  );
  assert.throws(() => rewriteExternals(bundle, ["left-pad"], imports), /npm: entry for left-pad/);
});

Deno.test("groupTopLevel groups files by folder for the summary", () => {
  const groups = groupTopLevel([
    { path: "main.js", bytes: 10 },
    { path: "proto/Flight.proto", bytes: 2 },
    { path: "proto/flowctl/v1/common.proto", bytes: 3 },
  ]);
  assert.deepEqual([...groups.keys()], ["main.js", "proto/"]);
  assert.equal(groups.get("proto/")!.length, 2);
});

Deno.test("selectTargets: all by default, by name, clear error on an unknown name", () => {
  assert.equal(selectTargets(undefined).length, 4);
  assert.deepEqual(selectTargets(["ttp-arrow-processor"]).map((t) => t.name), [
    "ttp-arrow-processor",
  ]);
  assert.throws(() => selectTargets(["sauce"]), /unknown component "sauce"; expected one of/);
});

Deno.test("collectNeeds finds every component's workers and the proto folder", async () => {
  const withWorkers = ["stellar-arrow-source", "ttp-arrow-processor", "arrow-analytics-sink"];
  for (const target of BUILD_TARGETS) {
    const needs = await collectNeeds(target.entry);
    const dir = target.entry.replace(/main\.ts$/, "");
    for (const companion of needs.companions) {
      assert.ok(companion.startsWith(`${REPO}/${dir}`), `${target.name}: ${companion}`);
      assert.match(companion, /worker\.ts$/, target.name);
    }
    assert.equal(needs.companions.length > 0, withWorkers.includes(target.name), target.name);
    assert.ok(needs.assets.includes("proto/"), `${target.name}: ${needs.assets}`);
    assert.ok(!needs.assets.includes("proto/Flight.proto"), "covered by proto/");
  }
});

interface Running {
  match: RegExpExecArray;
  log: () => string;
  stop: () => Promise<Deno.CommandStatus>;
}

/** Starts `deno run -A <main>` in `cwd` and waits for a log line matching `ready`. */
async function startBundle(
  main: string,
  options: { cwd: string; env: Record<string, string>; ready: RegExp; timeoutMs?: number },
): Promise<Running> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main],
    cwd: options.cwd,
    env: { DENO_TLS_CA_STORE: "system", LOG_FORMAT: "text", LOG_LEVEL: "info", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const found = Promise.withResolvers<RegExpExecArray>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const m = options.ready.exec(text);
      if (m) found.resolve(m);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
    const status = await child.status;
    await pumps;
    return status;
  };
  let timer: number | undefined;
  try {
    const match = await Promise.race([
      found.promise,
      child.status.then((s) => {
        throw new Error(`${main} exited with code ${s.code} before it was ready:\n${text}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${main}: no ${options.ready} within timeout:\n${text}`)),
          options.timeoutMs ?? 60_000,
        );
      }),
    ]);
    return { match, log: () => text, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test({
  name: "bundles moved outside the repository answer --help and run the pipeline on real ledgers",
  sanitizeResources: false, // grpc-js keeps client sockets until the event loop turns
  sanitizeOps: false,
  fn: async () => {
    const buildDir = await Deno.makeTempDir({ prefix: "bundle_build_" });
    const outside = await Deno.makeTempDir({ prefix: "bundle_run_" });
    const running: Running[] = [];
    try {
      assert.ok(!outside.startsWith(REPO), `${outside} is inside the repository`);
      const built = await buildBundles({ outDir: buildDir });
      for (const b of built) {
        const names = b.files.map((f) => f.path);
        assert.ok(names.includes("main.js"), `${b.name}: ${names}`);
        assert.ok(names.includes("proto/Flight.proto"), `${b.name}: ${names}`);
        // Moved as a folder: nothing may point back into the build folder or the repository.
        await new Deno.Command("cp", { args: ["-r", b.dir, outside] }).output();
      }
      const sink = built.find((b) => b.name === "arrow-analytics-sink")!;
      assert.ok(sink.files.some((f) => /^[a-z_]*worker\.js$/.test(f.path)), `${sink.files}`);
      assert.ok(sink.files.some((f) => f.path === "parquet_wasm_bg.wasm"));
      await Deno.remove(buildDir, { recursive: true });

      await Promise.all(BUILD_TARGETS.map(async (t) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", `./${t.name}/main.js`, "--help"],
          cwd: outside,
          env: { DENO_TLS_CA_STORE: "system" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const text = new TextDecoder().decode(out.stdout);
        assert.equal(out.code, 0, `${t.name} --help: ${new TextDecoder().decode(out.stderr)}`);
        assert.match(text, new RegExp(`Usage: ${t.name}`), t.name);
      }));

      const source = await startBundle(join(outside, "stellar-arrow-source/main.js"), {
        cwd: outside,
        env: {
          DATALAKE_URL: LAKE,
          FLIGHT_HOST: "127.0.0.1",
          FLIGHT_PORT: "0",
          HEALTH_PORT: "0",
          WORKERS: "1",
        },
        ready: /Flight on [^ ]+:(\d+), health on :(\d+)/,
      });
      running.push(source);
      const [sourcePort, sourceHealth] = [Number(source.match[1]), Number(source.match[2])];
      const health = await waitFor("source health", async () => {
        const res = await fetch(`http://127.0.0.1:${sourceHealth}/health`);
        const body = await res.json();
        return body.status === "healthy" ? body : undefined;
      });
      assert.equal(health.status, "healthy");

      const facts = new Map<number, { hash: string }>(
        (JSON.parse(await Deno.readTextFile(join(REPO, "testdata/ledgers.json"))).ledgers as {
          seq: number;
          hash: string;
        }[]).map((l) => [l.seq, l]),
      );
      const ledgerClient = new FlightClient(`127.0.0.1:${sourcePort}`);
      const seen: [number, string][] = [];
      try {
        for await (const batch of ledgerClient.doGet(`stellar_ledgers:${FIRST}:${LAST}`)) {
          const seq = batch.getChild("sequence")!;
          const hash = batch.getChild("hash")!;
          for (let i = 0; i < batch.numRows; i++) {
            seen.push([Number(seq.get(i)), hex(hash.get(i) as Uint8Array)]);
          }
        }
      } finally {
        ledgerClient.close();
      }
      assert.deepEqual(seen, [FIRST, LAST].map((s) => [s, facts.get(s)!.hash]));

      const processor = await startBundle(join(outside, "ttp-arrow-processor/main.js"), {
        cwd: outside,
        env: {
          SOURCE_ENDPOINT: `127.0.0.1:${sourcePort}`,
          FLIGHT_HOST: "127.0.0.1",
          FLIGHT_PORT: "0",
          HEALTH_PORT: "0",
          WORKERS: "1",
        },
        ready: /ready: flight port (\d+), health port (\d+)/,
      });
      running.push(processor);
      const processorPort = Number(processor.match[1]);
      const eventClient = new FlightClient(`127.0.0.1:${processorPort}`);
      const eventIds: string[] = [];
      const ledgersWithEvents = new Set<number>();
      try {
        for await (const batch of eventClient.doGet(`ttp_events:${FIRST}:${LAST}`)) {
          const seq = batch.getChild("ledger_sequence")!;
          const id = batch.getChild("event_id")!;
          for (let i = 0; i < batch.numRows; i++) {
            ledgersWithEvents.add(Number(seq.get(i)));
            eventIds.push(String(id.get(i)));
          }
        }
      } finally {
        eventClient.close();
      }
      const events = eventIds.length;
      assert.ok(events > 100, `expected TTP events from two busy pubnet ledgers, got ${events}`);
      assert.deepEqual([...ledgersWithEvents].sort(), [FIRST, LAST]);

      const dataDir = join(outside, "data");
      const sinkRun = await startBundle(join(outside, "arrow-analytics-sink/main.js"), {
        cwd: outside,
        env: {
          PROCESSOR_ENDPOINT: `127.0.0.1:${processorPort}`,
          START_LEDGER: String(FIRST),
          END_LEDGER: String(LAST),
          DATA_DIR: dataDir,
          OUTPUT_FORMATS: "parquet,api",
          BIND_HOST: "127.0.0.1",
          HTTP_PORT: "0",
          FLIGHT_PORT: "0",
          HEALTH_PORT: "0",
          FLUSH_INTERVAL: "200ms",
        },
        ready: /up: http (\d+), flight (\d+), health (\d+)/,
      });
      running.push(sinkRun);
      await waitFor(
        "the sink to commit the range",
        () =>
          Promise.resolve(/Committed every ledger through \d+/.test(sinkRun.log()) || undefined),
      );
      // Parquet written by the bundled worker with the wasm beside it, read back here.
      let parquetRows = 0;
      for await (const day of Deno.readDir(join(dataDir, "parquet"))) {
        for await (const f of Deno.readDir(join(dataDir, "parquet", day.name))) {
          if (!f.name.endsWith(".parquet")) continue;
          const bytes = await Deno.readFile(join(dataDir, "parquet", day.name, f.name));
          parquetRows += arrow.tableFromIPC(readParquet(bytes).intoIPCStream()).numRows;
        }
      }
      assert.equal(parquetRows, events);
      // DuckDB (external npm: import) answers over the stored events.
      const stats = await waitFor("sink stats", async () => {
        const res = await fetch(`http://127.0.0.1:${sinkRun.match[1]}/api/stats`);
        const body = await res.json();
        return body.events_total === events ? body : undefined;
      });
      assert.equal(stats.events_total, events);
      // The sink's own Flight DoGet serves the stored events (in event_id order).
      const storedClient = new FlightClient(`127.0.0.1:${sinkRun.match[2]}`);
      const storedIds: string[] = [];
      try {
        for await (const batch of storedClient.doGet(`ttp_events:${FIRST}:${LAST}`)) {
          const id = batch.getChild("event_id")!;
          for (let i = 0; i < batch.numRows; i++) storedIds.push(String(id.get(i)));
        }
      } finally {
        storedClient.close();
      }
      assert.deepEqual(storedIds, [...eventIds].sort());
    } finally {
      const statuses = [];
      for (const r of running.reverse()) statuses.push(await r.stop());
      await Deno.remove(outside, { recursive: true }).catch(() => {});
      await Deno.remove(buildDir, { recursive: true }).catch(() => {});
      for (const s of statuses) assert.equal(s.code, 0);
    }
  },
});
