import assert from "node:assert/strict";
import { SourceError } from "../errors.ts";
import { copyLake, lakePath } from "../testing/fixtures.ts";
import { DataLake } from "./lake.ts";

const PUBNET = "Public Global Stellar Network ; September 2015";

Deno.test("availableRange of every fixture lake", async () => {
  const want: Record<string, [number, number, string]> = {
    "pubnet-p26": [63092982, 63093001, "partitioned"],
    "testnet-p19": [1410048, 1410367, "partitioned"],
    "pubnet-mixed": [51000294, 53312000, "partitioned"],
    "testnet-galexie-test-bucket": [997, 999, "flat"],
  };
  for (const [name, [start, end, layout]] of Object.entries(want)) {
    const lake = await DataLake.open(lakePath(name));
    assert.deepEqual(await lake.availableRange(), { start, end }, name);
    assert.equal(lake.layout, layout, name);
  }
});

Deno.test("readBatch finds .xdr.zst and .xdr.zstd objects, flat and partitioned", async () => {
  const mixed = await DataLake.open(`file://${lakePath("pubnet-mixed")}`);
  const a = await mixed.readBatch(51000294);
  assert.match(a.object, /FCF5CC19--51000294\.xdr\.zst$/);
  const b = await mixed.readBatch(53312000);
  assert.match(b.object, /FCD285FF--53312000\.xdr\.zstd$/);
  assert.equal(b.bytes.length, 72651);
  const flat = await DataLake.open(lakePath("testnet-galexie-test-bucket"));
  // Before any listing the layout is unknown: both layouts are tried.
  const c = await flat.readBatch(998);
  assert.equal(c.key, "FFFFFC19--998.xdr.zstd");
  const p19 = await DataLake.open(lakePath("testnet-p19"));
  const d = await p19.readBatch(1410100);
  assert.equal(d.key, "FFEA7C7F--1409920-1410559/FFEA7BFF--1410048-1410111.xdr.zst");
  assert.deepEqual(d.range, { start: 1410048, end: 1410111 });
});

Deno.test("missing batch is not_found naming the ledger and object", async () => {
  const lake = await DataLake.open(lakePath("pubnet-p26"));
  await assert.rejects(
    () => lake.readBatch(63092981),
    (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.kind, "not_found");
      assert.equal(err.ledger, 63092981);
      assert.match(err.message, /ledger 63092981: batch object .*FC3D470A--63092981\.xdr\.zst/);
      return true;
    },
  );
});

Deno.test("passphrase mismatch and missing manifest", async () => {
  await assert.rejects(
    () => DataLake.open(lakePath("testnet-p19"), { networkPassphrase: PUBNET }),
    /network passphrase mismatch: configured "Public Global.*says "Test SDF Network/,
  );
  const ok = await DataLake.open(lakePath("pubnet-p26"), { networkPassphrase: PUBNET });
  assert.equal(ok.networkPassphrase, PUBNET);
  const dir = await copyLake("testnet-galexie-test-bucket");
  try {
    await Deno.remove(`${dir}/.config.json`);
    await assert.rejects(() => DataLake.open(dir), /has no manifest.*NETWORK_PASSPHRASE/);
    const lake = await DataLake.open(dir, {
      networkPassphrase: "Test SDF Network ; September 2015",
    });
    assert.equal(lake.hasManifest, false);
    assert.equal(lake.manifest.ledgersPerBatch, 1);
    assert.deepEqual(await lake.availableRange(), { start: 997, end: 999 });
    await Deno.writeTextFile(`${dir}/.config.json`, `{"networkPassphrase": "x"}`);
    await assert.rejects(() => DataLake.open(dir), /"ledgersPerBatch"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("empty lake has no range; unreachable folder is unavailable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(`${lakePath("pubnet-p26")}/.config.json`, `${dir}/.config.json`);
    const lake = await DataLake.open(dir);
    assert.equal(await lake.availableRange(), null);
    await Deno.remove(dir, { recursive: true });
    await assert.rejects(() => lake.availableRange(), (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.kind, "unavailable");
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("tip() finds the newest ledger from short listings", async () => {
  const want: Record<string, number> = {
    "pubnet-p26": 63093001,
    "testnet-p19": 1410367,
    "pubnet-mixed": 53312000,
    "testnet-galexie-test-bucket": 999,
  };
  for (const [name, tip] of Object.entries(want)) {
    const lake = await DataLake.open(lakePath(name));
    assert.equal(await lake.tip(), tip, name);
  }
});
