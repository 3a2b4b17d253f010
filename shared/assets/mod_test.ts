import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { assetBase, assetUrl } from "./mod.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("assetUrl resolves repository paths against the repository root in a checkout", () => {
  assert.equal(assetUrl("proto/Flight.proto").href, new URL("proto/Flight.proto", ROOT).href);
  assert.ok(existsSync(fileURLToPath(assetUrl("proto/Flight.proto"))));
  assert.equal(assetUrl("proto/").href, new URL("proto/", ROOT).href);
});

Deno.test("assetBase: this module's URL maps to the root, any other (a bundle) to its folder", () => {
  const cases: [string, string][] = [
    ["file:///repo/shared/assets/mod.ts", "file:///repo/"],
    ["file:///tmp/deno-compile-x/shared/assets/mod.ts", "file:///tmp/deno-compile-x/"],
    ["file:///opt/source/main.js", "file:///opt/source/"],
    ["file:///opt/source/worker.js", "file:///opt/source/"],
  ];
  for (const [moduleUrl, base] of cases) assert.equal(assetBase(moduleUrl).href, base, moduleUrl);
});

Deno.test("assetUrl rejects absolute paths, URLs and paths leaving the repository", () => {
  for (const bad of ["/etc/passwd", "file:///x", "../x.proto", "proto/../../x"]) {
    assert.throws(() => assetUrl(bad), /assetUrl: expected/, bad);
  }
});
