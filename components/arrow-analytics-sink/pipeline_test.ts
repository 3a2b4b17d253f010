import assert from "node:assert/strict";
import { setupLogging } from "../../shared/log/mod.ts";
import { type Checkpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { LedgerAssembler } from "./ledger_assembler.ts";
import { type Commit, SinkPipeline } from "./pipeline.ts";
import { makeLedgers } from "./testing/events.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";
import { encodeInline } from "./writers/file_encoder.ts";

setupLogging({ level: "fatal" });

const start: Checkpoint = {
  last_ledger: 99,
  first_ledger: 100,
  formats: ["jsonl"],
  events_written: 0,
  updated_at: "",
};

Deno.test("commits at maxRows and on flush; empty ledgers move the checkpoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-pipeline-" });
  try {
    const writer = new DatasetWriter({ dataDir: dir, formats: ["jsonl"] });
    await writeCheckpoint(dir, start);
    const commits: Commit[] = [];
    const pipeline = new SinkPipeline({
      dataDir: dir,
      writer,
      checkpoint: start,
      maxRows: 25,
      flushIntervalMs: 60_000,
      onCommit: (c) => commits.push(c),
    });
    const assembler = new LedgerAssembler(100);
    const events = makeLedgers(100, 104, 10);
    await pipeline.add(
      assembler.push(events.filter((e) => e.ledger_sequence <= 102)),
      assembler.completeThrough,
    );
    assert.equal(commits.length, 0, "ledgers 100-101 complete, 20 rows < 25");
    await pipeline.add(
      assembler.push(events.filter((e) => e.ledger_sequence > 102)),
      assembler.completeThrough,
    );
    await pipeline.idle();
    assert.equal(commits.length, 1, "30 rows >= 25 commit");
    assert.deepEqual([commits[0].fromLedger, commits[0].toLedger, commits[0].events.length], [
      100,
      103,
      40,
    ]);
    assert.equal((await readCheckpoint(dir))?.last_ledger, 103);
    // End of stream at 110: ledger 104 and empty 105-110 complete.
    await pipeline.add(assembler.completeTo(110), 110);
    await pipeline.flush();
    assert.deepEqual([commits[1].fromLedger, commits[1].toLedger, commits[1].events.length], [
      104,
      110,
      10,
    ]);
    const checkpoint = await readCheckpoint(dir);
    assert.equal(checkpoint?.last_ledger, 110);
    assert.equal(checkpoint?.events_written, 50);
    // Only empty ledgers: the checkpoint still moves, no file is written.
    await pipeline.add([], 120);
    await pipeline.flush();
    assert.equal(commits[2].files.length, 0);
    assert.equal((await readCheckpoint(dir))?.last_ledger, 120);
    assert.deepEqual((await writer.list("jsonl")).map((f) => [f.first, f.last]), [[100, 103], [
      104,
      104,
    ]]);
    await pipeline.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failed commit keeps its ledgers, removes its files and succeeds on retry without duplicates", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-pipeline-fail-" });
  try {
    let failing = true;
    // The second date partition fails to encode after the first one was renamed.
    const writer = new DatasetWriter({
      dataDir: dir,
      formats: ["jsonl", "parquet"],
      encode: (input, formats) =>
        failing && input.events[0].ledger_sequence === 101
          ? Promise.reject(new Error("disk full"))
          : encodeInline(input, formats),
    });
    await writeCheckpoint(dir, start);
    const errors: Error[] = [];
    const pipeline = new SinkPipeline({
      dataDir: dir,
      writer,
      checkpoint: start,
      maxRows: 1000,
      flushIntervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    const events = makeLedgers(100, 101, 5).map((e) => ({
      ...e,
      closed_at: e.ledger_sequence === 100
        ? Date.UTC(2026, 0, 1, 23, 59, 59)
        : Date.UTC(2026, 0, 2),
    }));
    await pipeline.add([{ ledger: 100, events: events.slice(0, 5) }, {
      ledger: 101,
      events: events.slice(5),
    }], 101);
    await assert.rejects(() => pipeline.flush(), /disk full/);
    assert.equal(errors.length, 1);
    assert.match(pipeline.lastError!.message, /disk full/);
    assert.equal(pipeline.bufferedRows, 10);
    assert.equal((await readCheckpoint(dir))?.last_ledger, 99);
    assert.deepEqual(
      await writer.list("jsonl"),
      [],
      "the renamed JSONL file of the failed attempt is gone",
    );
    // More ledgers arrive; the retry writes all of them once.
    const more = makeLedgers(102, 102, 3).map((e) => ({
      ...e,
      closed_at: Date.UTC(2026, 0, 2, 0, 0, 5),
    }));
    await pipeline.add([{ ledger: 102, events: more }], 102);
    failing = false;
    await pipeline.flush();
    assert.equal(pipeline.lastError, undefined);
    assert.equal((await readCheckpoint(dir))?.last_ledger, 102);
    const files = await writer.list("jsonl");
    assert.deepEqual(files.map((f) => [f.first, f.last, f.date]), [
      [100, 100, "2026-01-01"],
      [101, 102, "2026-01-02"],
    ]);
    let lines = 0;
    for (const f of files) lines += (await Deno.readTextFile(f.path)).trimEnd().split("\n").length;
    assert.equal(lines, 13);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ledgers must move forward", async () => {
  const pipeline = new SinkPipeline({
    dataDir: "/nonexistent",
    checkpoint: start,
    maxRows: 10,
    flushIntervalMs: 1000,
  });
  await assert.rejects(
    () => pipeline.add([{ ledger: 99, events: [] }], 100),
    /Expected ledger 99 after 99/,
  );
  await assert.rejects(() => pipeline.add([{ ledger: 105, events: [] }], 101), /at most 101/);
});

Deno.test("the input keeps streaming during a commit and waits only when the next buffer is full", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-pipeline-overlap-" });
  try {
    let open: () => void = () => {};
    let gate = new Promise<void>((r) => (open = r));
    const writer = new DatasetWriter({
      dataDir: dir,
      formats: ["jsonl"],
      encode: async (input, formats) => {
        await gate;
        return encodeInline(input, formats);
      },
    });
    await writeCheckpoint(dir, start);
    const commits: Commit[] = [];
    const pipeline = new SinkPipeline({
      dataDir: dir,
      writer,
      checkpoint: start,
      maxRows: 10,
      flushIntervalMs: 60_000,
      onCommit: (c) => commits.push(c),
    });
    const state = async (p: Promise<void>): Promise<string> => {
      let timer: number | undefined;
      const waiting = new Promise<string>((r) => (timer = setTimeout(() => r("waiting"), 100)));
      const result = await Promise.race([p.then(() => "done"), waiting]);
      clearTimeout(timer);
      return result;
    };
    const events = makeLedgers(100, 102, 10);
    const block = (ledger: number) => ({
      ledger,
      events: events.filter((e) => e.ledger_sequence === ledger),
    });
    assert.equal(
      await state(pipeline.add([block(100)], 100)),
      "done",
      "a commit starts, add returns",
    );
    assert.equal(pipeline.bufferedRows, 0);
    const second = pipeline.add([block(101)], 101);
    assert.equal(await state(second), "waiting", "the next buffer is full while the commit runs");
    open();
    await second; // resolves once the first commit is done
    gate = Promise.resolve();
    await pipeline.add([block(102)], 102);
    await pipeline.close();
    assert.deepEqual(commits.map((c) => [c.fromLedger, c.toLedger]), [[100, 100], [101, 101], [
      102,
      102,
    ]]);
    assert.equal((await readCheckpoint(dir))?.last_ledger, 102);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
