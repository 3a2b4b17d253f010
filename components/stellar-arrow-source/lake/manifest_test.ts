import assert from "node:assert/strict";
import { parseLakeManifest } from "./manifest.ts";

const LAKES = new URL("../../../testdata/lakes/", import.meta.url);

Deno.test("parseLakeManifest reads every fixture lake", async () => {
  const want: Record<string, [string, number, number]> = {
    "pubnet-p26": ["Public Global Stellar Network ; September 2015", 1, 64000],
    "pubnet-mixed": ["Public Global Stellar Network ; September 2015", 1, 64000],
    "testnet-p19": ["Test SDF Network ; September 2015", 64, 10],
    "testnet-galexie-test-bucket": ["Test SDF Network ; September 2015", 1, 64000],
  };
  for (const [lake, [pass, lpb, bpp]] of Object.entries(want)) {
    const text = await Deno.readTextFile(new URL(`${lake}/.config.json`, LAKES));
    const m = parseLakeManifest(text, lake);
    assert.equal(m.networkPassphrase, pass);
    assert.equal(m.ledgersPerBatch, lpb);
    assert.equal(m.batchesPerPartition, bpp);
    assert.equal(m.compression, "zstd");
    assert.equal(m.version, "1.0");
  }
});

Deno.test("parseLakeManifest rejects bad manifests with a message naming the field", () => {
  const ok = { networkPassphrase: "x", ledgersPerBatch: 1, batchesPerPartition: 2 };
  const cases: [string, RegExp][] = [
    ["{", /m\.json: expected JSON/],
    ["[]", /expected a JSON object/],
    [JSON.stringify({ ...ok, networkPassphrase: "" }), /"networkPassphrase".*got ""/],
    [JSON.stringify({ ...ok, ledgersPerBatch: 0 }), /"ledgersPerBatch".*got 0/],
    [JSON.stringify({ ...ok, batchesPerPartition: "64" }), /"batchesPerPartition".*got "64"/],
    [JSON.stringify({ ...ok, compression: "gzip" }), /"compression".*got "gzip"/],
    [JSON.stringify({ ...ok, version: 1 }), /"version"/],
  ];
  for (const [text, re] of cases) assert.throws(() => parseLakeManifest(text, "m.json"), re);
  assert.equal(parseLakeManifest(JSON.stringify(ok), "m").compression, "zstd");
});
