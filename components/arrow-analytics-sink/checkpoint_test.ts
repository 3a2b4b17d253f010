import assert from "node:assert/strict";
import { CHECKPOINT_FILE, parseCheckpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";

Deno.test("checkpoint round-trips atomically and reads as undefined when absent", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-ckpt-" });
  try {
    assert.equal(await readCheckpoint(dir), undefined);
    const c = {
      last_ledger: 63093001,
      first_ledger: 63092982,
      formats: ["parquet"],
      events_written: 12861,
      updated_at: "2026-01-01T00:00:00.000Z",
    };
    await writeCheckpoint(dir, c);
    assert.deepEqual(await readCheckpoint(dir), c);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(names, [CHECKPOINT_FILE], "no temp file left");
    await Deno.writeTextFile(`${dir}/${CHECKPOINT_FILE}`, "{");
    await assert.rejects(() => readCheckpoint(dir), /expected JSON/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseCheckpoint validates fields and fills defaults", () => {
  assert.deepEqual(parseCheckpoint({ last_ledger: 5 }), {
    last_ledger: 5,
    first_ledger: 5,
    formats: [],
    events_written: 0,
    updated_at: "",
  });
  assert.throws(() => parseCheckpoint([]), /expected a JSON object/);
  assert.throws(
    () => parseCheckpoint({ last_ledger: "5" }),
    /"last_ledger" to be a ledger number, got "5"/,
  );
  assert.throws(() => parseCheckpoint({ last_ledger: -1 }), /last_ledger/);
  assert.throws(() => parseCheckpoint({ last_ledger: 5, first_ledger: 9 }), /first_ledger/);
});
