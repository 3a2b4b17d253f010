import assert from "node:assert/strict";
import {
  batchKey,
  batchName,
  batchRange,
  type LakeLayout,
  parseBatchName,
  parsePartitionName,
  partitionName,
  partitionRange,
} from "./keys.ts";

const PUBNET: LakeLayout = { ledgersPerBatch: 1, batchesPerPartition: 64000 };
const P19: LakeLayout = { ledgersPerBatch: 64, batchesPerPartition: 10 };

Deno.test("batchKey: table of known keys", () => {
  const cases: [number, LakeLayout, { suffix?: string; partitioned?: boolean }, string][] = [
    // SEP-54 worked example (stellar-docs data-lake-format.mdx).
    [50000000, PUBNET, {}, "FD054DFF--49984000-50047999/FD050F7F--50000000.xdr.zst"],
    // Fixture lakes.
    [63092982, PUBNET, {}, "FC3E15FF--63040000-63103999/FC3D4709--63092982.xdr.zst"],
    [63093001, PUBNET, {}, "FC3E15FF--63040000-63103999/FC3D46F6--63093001.xdr.zst"],
    [1410048, P19, {}, "FFEA7C7F--1409920-1410559/FFEA7BFF--1410048-1410111.xdr.zst"],
    [1410111, P19, {}, "FFEA7C7F--1409920-1410559/FFEA7BFF--1410048-1410111.xdr.zst"],
    [1410367, P19, {}, "FFEA7C7F--1409920-1410559/FFEA7AFF--1410304-1410367.xdr.zst"],
    [
      53312000,
      PUBNET,
      { suffix: ".xdr.zstd" },
      "FCD285FF--53312000-53375999/FCD285FF--53312000.xdr.zstd",
    ],
    [51000294, PUBNET, {}, "FCF6A7FF--50944000-51007999/FCF5CC19--51000294.xdr.zst"],
    [997, PUBNET, { partitioned: false, suffix: ".xdr.zstd" }, "FFFFFC1A--997.xdr.zstd"],
    // SEP-54 examples: genesis partition and a two-ledger batch.
    [0, { ledgersPerBatch: 1, batchesPerPartition: 16 }, {}, "FFFFFFFF--0-15/FFFFFFFF--0.xdr.zst"],
    [3, { ledgersPerBatch: 2, batchesPerPartition: 8 }, {}, "FFFFFFFF--0-15/FFFFFFFD--2-3.xdr.zst"],
  ];
  for (const [seq, layout, opts, want] of cases) {
    assert.equal(batchKey(seq, layout, opts), want, `seq ${seq}`);
  }
});

Deno.test("batchRange and partitionRange arithmetic", () => {
  assert.deepEqual(batchRange(1410100, P19), { start: 1410048, end: 1410111 });
  assert.deepEqual(partitionRange(1410100, P19), { start: 1409920, end: 1410559 });
  assert.deepEqual(partitionRange(50000000, PUBNET), { start: 49984000, end: 50047999 });
  assert.deepEqual(batchRange(0xffffffff, PUBNET), { start: 0xffffffff, end: 0xffffffff });
  assert.equal(partitionName(0xffffffff, PUBNET), "0000D7FF--4294912000-4294967295");
});

Deno.test("names reject bad input", () => {
  assert.throws(() => batchName(-1, PUBNET), /uint32/);
  assert.throws(() => batchName(1.5, PUBNET), /uint32/);
  assert.throws(() => batchName(2 ** 32, PUBNET), /uint32/);
  assert.throws(() => batchName(5, { ledgersPerBatch: 0, batchesPerPartition: 1 }), /positive/);
});

Deno.test("parseBatchName: table", () => {
  const cases: [string, ReturnType<typeof parseBatchName>][] = [
    ["FD050F7F--50000000.xdr.zst", { start: 50000000, end: 50000000, suffix: ".xdr.zst" }],
    ["FFEA7BFF--1410048-1410111.xdr.zst", { start: 1410048, end: 1410111, suffix: ".xdr.zst" }],
    ["FFFFFC1A--997.xdr.zstd", { start: 997, end: 997, suffix: ".xdr.zstd" }],
    ["FFFFFC1B--997.xdr.zstd", null], // prefix disagrees with start
    ["ffffFC1A--997.xdr.zstd", null], // lower-case hex
    ["FFFFFC1A--997", null], // no suffix
    ["FFFFFC1A--999-997.xdr.zst", null], // end before start
    [".config.json", null],
  ];
  for (const [name, want] of cases) assert.deepEqual(parseBatchName(name), want, name);
});

Deno.test("parsePartitionName: table", () => {
  assert.deepEqual(parsePartitionName("FD054DFF--49984000-50047999"), {
    start: 49984000,
    end: 50047999,
  });
  assert.deepEqual(parsePartitionName("FD054DFF--49984000-50047999/"), {
    start: 49984000,
    end: 50047999,
  });
  assert.equal(parsePartitionName("FD054DFE--49984000-50047999"), null);
  assert.equal(parsePartitionName("FD050F7F--50000000.xdr.zst"), null);
});
