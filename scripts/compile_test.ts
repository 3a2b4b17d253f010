// scripts/compile.ts: what it hands to `deno compile` (the compile itself needs denort, which
// this machine cannot download; see docs/builds.md).
import assert from "node:assert/strict";
import {
  explainCompileFailure,
  npmPackageId,
  npmPlatform,
  packageFitsPlatform,
  planCompile,
  trimImports,
} from "./compile.ts";
import { selectTargets } from "./build_targets.ts";

Deno.test("npmPackageId reads name@version from npm: specifiers", () => {
  const cases: [string, string | undefined][] = [
    ["npm:apache-arrow@21.2.0", "apache-arrow@21.2.0"],
    ["npm:@duckdb/node-api@1.5.6-r.1", "@duckdb/node-api@1.5.6-r.1"],
    ["npm:/@grpc/grpc-js@1.14.7/build/src", "@grpc/grpc-js@1.14.7"],
    ["npm:left-pad", undefined],
    ["jsr:@std/assert@1", undefined],
    ["./local.ts", undefined],
  ];
  for (const [spec, id] of cases) assert.equal(npmPackageId(spec), id, spec);
});

Deno.test("npmPlatform maps deno compile targets to npm os/cpu/libc", () => {
  assert.deepEqual(npmPlatform("x86_64-unknown-linux-gnu"), {
    os: "linux",
    cpu: "x64",
    libc: "glibc",
  });
  assert.deepEqual(npmPlatform("aarch64-apple-darwin"), { os: "darwin", cpu: "arm64" });
  assert.deepEqual(npmPlatform("x86_64-pc-windows-msvc"), { os: "win32", cpu: "x64" });
  assert.throws(() => npmPlatform("riscv64-unknown-linux-gnu"), /unsupported target/);
});

Deno.test("packageFitsPlatform reads os, cpu and libc like npm", () => {
  const linuxGnu = { os: "linux", cpu: "x64", libc: "glibc" };
  const cases: [Parameters<typeof packageFitsPlatform>[0], boolean][] = [
    [{}, true],
    [{ os: ["linux"], cpu: ["x64"], libc: ["glibc"] }, true],
    [{ os: ["linux"], cpu: ["x64"], libc: ["musl"] }, false],
    [{ os: ["darwin"], cpu: ["arm64"] }, false],
    [{ os: ["linux"], cpu: ["arm64"] }, false],
    [{ os: ["!win32"] }, true],
    [{ os: ["!linux"] }, false],
    [{ cpu: [] }, true],
  ];
  for (const [pkg, fits] of cases) {
    assert.equal(packageFitsPlatform(pkg, linuxGnu), fits, JSON.stringify(pkg));
  }
  assert.ok(packageFitsPlatform({ libc: ["musl"] }, { os: "darwin", cpu: "arm64" }));
});

Deno.test("trimImports keeps the entries the graph reaches and every non-npm entry", () => {
  const imports = {
    "apache-arrow": "npm:apache-arrow@21.2.0",
    "@stellar/stellar-sdk": "npm:@stellar/stellar-sdk@17.2.0",
    "@duckdb/node-api": "npm:@duckdb/node-api@1.5.6-r.1",
    "local/": "./local/",
  };
  assert.deepEqual(trimImports(imports, new Set(["apache-arrow@21.2.0", "tslib@2.9.1"])), {
    "apache-arrow": "npm:apache-arrow@21.2.0",
    "local/": "./local/",
  });
});

Deno.test("explainCompileFailure adds the denort hint only to runtime download failures", () => {
  const offline = "error: Writing deno compile executable to temporary file 'x'\n\nCaused by:\n" +
    "    0: Setting up base binary.\n    1: error sending request for url " +
    "(https://dl.deno.land/release/v2.7.14/denort-x86_64-unknown-linux-gnu.zip)";
  const explained = explainCompileFailure(
    `${offline}\n\nStack backtrace:\n   0: <unknown>\n`,
    "2.7.14",
  );
  assert.ok(explained.startsWith(offline));
  assert.doesNotMatch(explained, /Stack backtrace|<unknown>/);
  assert.match(explained, /\$DENO_DIR\/dl\/release\/v2\.7\.14\//);
  assert.match(explained, /DENORT_BIN/);
  const other = 'error: Module not found "file:///x.ts".';
  assert.equal(explainCompileFailure(other, "2.7.14"), other);
});

Deno.test("planCompile includes workers and protos and leaves unused npm packages out", async () => {
  const plans = new Map(
    await Promise.all(
      selectTargets(undefined).map(async (t) => [t.name, await planCompile(t)] as const),
    ),
  );
  for (const [name, plan] of plans) {
    const includes = plan.args.flatMap((a, i) => plan.args[i - 1] === "--include" ? [a] : []);
    assert.ok(includes.includes("proto/"), `${name}: ${includes}`);
    assert.equal(plan.args.at(-1), `components/${name}/main.ts`);
    assert.ok(plan.output.endsWith(`/dist/bin/${name}`), plan.output);
    const imports = JSON.parse(plan.config.text).imports as Record<string, string>;
    assert.ok(!("@stellar/stellar-sdk" in imports), `${name}: the test oracle is not shipped`);
    assert.ok("@grpc/grpc-js" in imports, name);
    assert.equal("@duckdb/node-api" in imports, name === "arrow-analytics-sink", name);
    const excludes = plan.args.flatMap((a, i) => plan.args[i - 1] === "--exclude" ? [a] : []);
    if (Deno.build.target === "x86_64-unknown-linux-gnu") {
      assert.ok(
        excludes.some((e) => e.includes("@duckdb/node-bindings-linux-x64-musl/")),
        `${name}: ${excludes}`,
      );
      assert.ok(!excludes.some((e) => /node-bindings-linux-x64\//.test(e)), `${excludes}`);
    }
    if (name !== "flowctl-control-plane") {
      assert.ok(includes.some((i) => /worker\.ts$/.test(i)), `${name}: ${includes}`);
    }
  }
  const sink = JSON.parse(plans.get("arrow-analytics-sink")!.config.text);
  assert.equal(sink.imports["parquet-wasm"], "npm:parquet-wasm@0.8.0");
  assert.equal(sink.nodeModulesDir, "none");
});
