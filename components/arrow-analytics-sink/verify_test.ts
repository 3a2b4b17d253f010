import assert from "node:assert/strict";
import { writeCheckpoint } from "./checkpoint.ts";
import { makeLedgers } from "./testing/events.ts";
import { verifyDataset } from "./verify.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";
import { tempFileName } from "./writers/partition.ts";

Deno.test("verifyDataset passes a clean dataset and names what is wrong with a damaged one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-verify-" });
  try {
    const writer = new DatasetWriter({ dataDir: dir, formats: ["parquet", "jsonl", "csv"] });
    const files = [
      ...await writer.write(makeLedgers(10, 14, 4)),
      ...await writer.write(makeLedgers(15, 19, 4)),
    ];
    await writeCheckpoint(dir, {
      last_ledger: 19,
      first_ledger: 10,
      formats: ["parquet", "jsonl", "csv"],
      events_written: 40,
      updated_at: "",
    });
    const clean = await verifyDataset(dir);
    assert.deepEqual(clean.problems, []);
    assert.deepEqual(clean.formats.map((f) => [f.format, f.files, f.events, f.distinctIds]), [
      ["parquet", 2, 40, 40],
      ["jsonl", 2, 40, 40],
      ["csv", 2, 40, 40],
    ]);

    // A crash between rename and checkpoint, and a copy of a committed file under another name.
    await writer.write(makeLedgers(20, 21, 4));
    const jsonl = files.find((f) => f.format === "jsonl" && f.first === 15)!;
    await Deno.copyFile(
      jsonl.path,
      jsonl.path.replace("0000000015-0000000019", "0000000016-0000000019"),
    );
    await Deno.writeTextFile(
      jsonl.path.replace(/[^/]+$/, tempFileName("part-0000000022-0000000022.jsonl")),
      "{",
    );
    const damaged = await verifyDataset(dir);
    assert.equal(damaged.uncommittedFiles.length, 3);
    assert.equal(damaged.tempFiles.length, 1);
    assert.deepEqual(damaged.problems, [
      "jsonl: 20 events stored more than once",
      "formats disagree on the number of committed events: parquet 40, jsonl 60, csv 40",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
