import assert from "node:assert/strict";
import {
  dataFileName,
  isTempFileName,
  parseDataFileName,
  parsePartitionDir,
  partitionDate,
  partitionDir,
  tempFileName,
} from "./partition.ts";

Deno.test("partitionDate uses the UTC date of the close time", () => {
  const cases: [number, string][] = [
    [Date.UTC(2026, 0, 31, 23, 59, 59, 999), "2026-01-31"],
    [Date.UTC(2026, 1, 1, 0, 0, 0, 0), "2026-02-01"],
    [0, "1970-01-01"],
  ];
  for (const [ms, date] of cases) assert.equal(partitionDate(ms), date);
  assert.throws(() => partitionDate(NaN), /finite epoch milliseconds/);
});

Deno.test("partition folders are Hive-style date=YYYY-MM-DD", () => {
  assert.equal(partitionDir("2026-01-31"), "date=2026-01-31");
  assert.equal(parsePartitionDir("date=2026-01-31"), "2026-01-31");
  for (const bad of ["date=2026-1-31", "dt=2026-01-31", ".tmp-date=2026-01-31"]) {
    assert.equal(parsePartitionDir(bad), undefined, bad);
  }
});

Deno.test("data file names carry zero-padded first and last ledger and round-trip", () => {
  const name = dataFileName({ first: 63092982, last: 63093001, format: "parquet" });
  assert.equal(name, "part-0063092982-0063093001.parquet");
  assert.deepEqual(parseDataFileName(name), { first: 63092982, last: 63093001, format: "parquet" });
  assert.equal(
    dataFileName({ first: 7, last: 7, format: "csv" }),
    "part-0000000007-0000000007.csv",
  );
  assert.throws(() => dataFileName({ first: 9, last: 8, format: "csv" }), /first ledger <= last/);
  assert.throws(() => dataFileName({ first: -1, last: 8, format: "csv" }), /uint32/);
  for (const bad of ["part-1-2.parquet", "part-0000000009-0000000008.csv", "x.parquet"]) {
    assert.equal(parseDataFileName(bad), undefined, bad);
  }
});

Deno.test("temp names are hidden and escape *.parquet globs", () => {
  const temp = tempFileName("part-0000000001-0000000002.parquet");
  assert.ok(temp.startsWith("."));
  assert.ok(!temp.endsWith(".parquet"));
  assert.ok(isTempFileName(temp));
  assert.equal(parseDataFileName(temp), undefined);
  assert.ok(!isTempFileName("part-0000000001-0000000002.parquet"));
});
