import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { eventFromJson, type TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { makeEvent, makeLedgers } from "../testing/events.ts";
import { parseCsv } from "./csv.ts";
import { DatasetCorruptError, DatasetWriter } from "./dataset_writer.ts";
import { encodeFiles, encodeInline, encodeRequest, WorkerFileEncoder } from "./file_encoder.ts";
import { encodeParquet } from "./parquet.ts";
import { tempFileName } from "./partition.ts";

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

Deno.test("writes each format per date partition, readable by DuckDB with the ttp_event types", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-writer-" });
  const encoder = new WorkerFileEncoder(1);
  try {
    const writer = new DatasetWriter({
      dataDir: dir,
      formats: ["parquet", "jsonl", "csv"],
      encode: encoder.encode,
    });
    // Two ledgers before midnight UTC, one after: two partitions.
    const midnight = Date.UTC(2026, 1, 1);
    const events: TtpEvent[] = [
      makeEvent({
        ledger: 100,
        closedAt: midnight - 5000,
        amount: "170141183460469231731687303715884105727",
      }),
      makeEvent({ ledger: 100, index: 1, closedAt: midnight - 5000, type: "fee", amount: "-7" }),
      makeEvent({ ledger: 101, closedAt: midnight - 1, asset: null, amount: "3" }),
      {
        ...makeEvent({ ledger: 102, closedAt: midnight }),
        to_muxed_type: "text",
        to_muxed_value: 'a,"b"\nc',
      },
    ];
    const files = await writer.write(events);
    assert.equal(files.length, 6);
    const names = files.map((f) => f.path.slice(dir.length + 1)).sort();
    assert.deepEqual(names, [
      "csv/date=2026-01-31/part-0000000100-0000000101.csv",
      "csv/date=2026-02-01/part-0000000102-0000000102.csv",
      "jsonl/date=2026-01-31/part-0000000100-0000000101.jsonl",
      "jsonl/date=2026-02-01/part-0000000102-0000000102.jsonl",
      "parquet/date=2026-01-31/part-0000000100-0000000101.parquet",
      "parquet/date=2026-02-01/part-0000000102-0000000102.parquet",
    ]);

    const rows = await duck(
      `SELECT event_id, ledger_sequence, epoch_ms(closed_at) AS ms, amount, operation_index,
              asset, to_muxed_value, date::VARCHAR AS date
       FROM read_parquet('${dir}/parquet/**/*.parquet', hive_partitioning = true) ORDER BY event_id`,
    );
    assert.deepEqual(
      rows.map((
        r,
      ) => [
        r.event_id,
        r.ledger_sequence,
        Number(r.ms),
        r.amount,
        r.operation_index,
        r.asset,
        r.to_muxed_value,
        r.date,
      ]),
      events.map((
        e,
      ) => [
        e.event_id,
        e.ledger_sequence,
        e.closed_at,
        e.amount,
        e.operation_index,
        e.asset,
        e.to_muxed_value,
        new Date(e.closed_at).toISOString().slice(0, 10),
      ]),
    );
    const types = await duck(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${dir}/parquet/**/*.parquet', hive_partitioning = true))`,
    );
    const typeOf = Object.fromEntries(types.map((t) => [t.column_name, t.column_type]));
    assert.equal(typeOf.ledger_sequence, "UINTEGER");
    assert.equal(typeOf.transaction_index, "UINTEGER");
    assert.equal(typeOf.operation_index, "UINTEGER");
    assert.equal(typeOf.closed_at, "TIMESTAMP WITH TIME ZONE");
    assert.equal(typeOf.amount, "VARCHAR");
    assert.equal(typeOf.date, "DATE");

    const jsonl: TtpEvent[] = [];
    for (const f of files.filter((f) => f.format === "jsonl").sort((a, b) => a.first - b.first)) {
      for (const line of (await Deno.readTextFile(f.path)).trimEnd().split("\n")) {
        jsonl.push(eventFromJson(JSON.parse(line)));
      }
    }
    assert.deepEqual(jsonl, events);
    let csvRows = 0;
    for (const f of files.filter((f) => f.format === "csv")) {
      const [header, ...records] = parseCsv(await Deno.readTextFile(f.path));
      assert.equal(header[0], "event_id");
      csvRows += records.length;
    }
    assert.equal(csvRows, events.length);
    const listed = await writer.list("parquet");
    assert.deepEqual(listed.map((f) => [f.first, f.last, f.date]), [[100, 101, "2026-01-31"], [
      102,
      102,
      "2026-02-01",
    ]]);
  } finally {
    encoder.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recover removes temp files and files beyond the checkpoint, keeps committed ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-recover-" });
  try {
    const writer = new DatasetWriter({
      dataDir: dir,
      formats: ["parquet", "jsonl"],
    });
    await writer.write(makeLedgers(10, 12, 3));
    await writer.write(makeLedgers(13, 15, 3));
    const partition = (await writer.list("jsonl"))[0].path.replace(/\/[^/]+$/, "");
    const temp = `${partition}/${tempFileName("part-0000000016-0000000016.jsonl")}`;
    await Deno.writeTextFile(temp, "partial");
    const report = await writer.recover(12);
    assert.deepEqual(report.tempFiles, [temp]);
    assert.equal(report.uncommittedFiles.length, 2);
    assert.deepEqual((await writer.list("parquet")).map((f) => [f.first, f.last]), [[10, 12]]);
    assert.deepEqual((await writer.list("jsonl")).map((f) => [f.first, f.last]), [[10, 12]]);
    await assert.rejects(() => writer.recover(11), DatasetCorruptError);
    await writer.recover(undefined);
    assert.deepEqual(await writer.list("parquet"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files encoded in a worker equal files encoded inline, from rows or from batches", async () => {
  const { eventsToRecordBatch, recordBatchToEvents } = await import(
    "../../../shared/schema/ttp_event.ts"
  );
  const { readParquet } = await import("parquet-wasm");
  const { tableFromIPC } = await import("apache-arrow");
  const events = makeLedgers(1, 20, 50);
  const whole = eventsToRecordBatch(events);
  // Slices as the assembler cuts them: across ledger boundaries inside one received batch.
  const slices = [whole.slice(0, 10), whole.slice(10, 11), whole.slice(11)];
  const formats = ["parquet", "jsonl", "csv"] as const;
  const encoder = new WorkerFileEncoder(1);
  try {
    const reference = encodeFiles(encodeRequest({ events }, formats));
    assert.deepEqual(reference.parquet, encodeParquet(events));
    for (
      const files of [
        await encoder.encode({ events }, formats),
        await encoder.encode({ events, batches: slices }, formats),
        await encodeInline({ events, batches: slices }, formats),
      ]
    ) {
      assert.deepEqual(files.jsonl, reference.jsonl);
      assert.deepEqual(files.csv, reference.csv);
      const table = tableFromIPC(readParquet(files.parquet!).intoIPCStream());
      assert.deepEqual(table.batches.flatMap((b) => recordBatchToEvents(b)), events);
    }
  } finally {
    encoder.close();
  }
});

Deno.test("writeBlocks from Arrow ledger blocks writes the files write gives for their events", async () => {
  const { eventsToRecordBatch } = await import("../../../shared/schema/ttp_event.ts");
  const { LedgerAssembler } = await import("../ledger_assembler.ts");
  // Three ledgers on 2026-01-01, two on 2026-01-02: two partitions.
  const day = Date.UTC(2026, 0, 2);
  const events = [1, 2, 3, 4, 5].flatMap((ledger) =>
    [0, 1, 2].map((index) =>
      makeEvent({ ledger, index, closedAt: day + (ledger - 3.5) * 3_600_000 })
    )
  );
  const assembler = new LedgerAssembler(1);
  const blocks = [
    ...assembler.pushBatch(eventsToRecordBatch(events.slice(0, 7))),
    ...assembler.pushBatch(eventsToRecordBatch(events.slice(7))),
    ...assembler.completeTo(5),
  ];
  assert.ok(blocks.every((b) => b.batches && b.rows === 3));
  const formats = ["parquet", "jsonl", "csv"] as const;
  const [dirA, dirB] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  try {
    const fromEvents = await new DatasetWriter({ dataDir: dirA, formats }).write(events);
    const fromBlocks = await new DatasetWriter({ dataDir: dirB, formats }).writeBlocks(blocks);
    const shape = (files: typeof fromEvents, dir: string) =>
      files.map((f) => ({ ...f, path: f.path.slice(dir.length) }))
        .sort((a, b) => a.path.localeCompare(b.path));
    assert.deepEqual(
      shape(fromBlocks, dirB).map(({ bytes: _, ...f }) => f),
      shape(fromEvents, dirA).map(({ bytes: _, ...f }) => f),
    );
    assert.equal(fromBlocks.length, 6, "two partitions × three formats");
    for (const f of shape(fromEvents, dirA)) {
      if (f.format === "parquet") continue; // same rows, encoded from other Arrow buffers
      assert.deepEqual(
        await Deno.readFile(dirB + f.path),
        await Deno.readFile(dirA + f.path),
        f.path,
      );
    }
    const rows = await duck(
      `SELECT count(*)::INT AS n FROM read_parquet('${dirB}/parquet/*/*.parquet')`,
    );
    assert.equal(rows[0].n, events.length);
  } finally {
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  }
});
