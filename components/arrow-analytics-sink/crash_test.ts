/**
 * Crash safety: the sink runs as a subprocess and is killed with SIGKILL at random moments while
 * it writes, then restarted on the same data directory, several times. After every kill the
 * committed part of the dataset holds each event of the committed ledgers exactly once; a reader
 * polling the dataset the whole time never sees a partial file; the final dataset equals the
 * extracted events exactly once in every format.
 */
import assert from "node:assert/strict";
import { readParquet } from "parquet-wasm";
import { setupLogging } from "../../shared/log/mod.ts";
import { eventFromJson, type TtpEvent } from "../../shared/schema/ttp_event.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { loadPubnetP26, PUBNET_P26_FIRST, PUBNET_P26_LAST } from "./testing/fixture_events.ts";
import { startProcessorStub } from "./testing/processor_stub.ts";
import { parseCsv } from "./writers/csv.ts";
import { verifyDataset } from "./verify.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";
import type { FileFormat } from "./writers/partition.ts";

setupLogging({ level: "error" });
const fixture = await loadPubnetP26();
const MAIN = new URL("./main.ts", import.meta.url).pathname;

function spawnSink(dataDir: string, endpoint: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", MAIN],
    env: {
      PROCESSOR_ENDPOINT: endpoint,
      START_LEDGER: String(PUBNET_P26_FIRST),
      END_LEDGER: String(PUBNET_P26_LAST),
      OUTPUT_FORMATS: "parquet,jsonl,csv",
      DATA_DIR: dataDir,
      PARQUET_MAX_ROWS: "900",
      FLUSH_INTERVAL: "100ms",
      BIND_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      FLIGHT_PORT: "0",
      HEALTH_PORT: "0",
      LOG_LEVEL: "error",
      DENO_TLS_CA_STORE: "system",
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** Events per ledger in the files of a format whose first ledger is <= `through`. */
async function committedEvents(
  dataDir: string,
  format: FileFormat,
  through: number,
): Promise<TtpEvent[]> {
  const writer = new DatasetWriter({ dataDir, formats: [] });
  const out: TtpEvent[] = [];
  for (const file of await writer.list(format)) {
    if (file.first > through) continue;
    assert.ok(file.last <= through, `${file.path} straddles the checkpoint ${through}`);
    const bytes = await Deno.readFile(file.path);
    if (format === "parquet") {
      const table = readParquet(bytes);
      const { tableFromIPC } = await import("apache-arrow");
      const arrowTable = tableFromIPC(table.intoIPCStream());
      const ids = arrowTable.getChild("event_id")!.toArray() as string[];
      const ledgers = arrowTable.getChild("ledger_sequence")!.toArray() as Uint32Array;
      for (let i = 0; i < ids.length; i++) {
        out.push({ event_id: ids[i], ledger_sequence: ledgers[i] } as TtpEvent);
      }
    } else if (format === "jsonl") {
      const text = new TextDecoder().decode(bytes);
      for (const line of text.trimEnd().split("\n")) out.push(eventFromJson(JSON.parse(line)));
    } else {
      const [, ...records] = parseCsv(new TextDecoder().decode(bytes));
      for (const r of records) {
        out.push({ event_id: r[0]!, ledger_sequence: Number(r[1]) } as TtpEvent);
      }
    }
  }
  return out;
}

/** Temp files and files beyond the checkpoint that a kill left behind. */
async function leftoverFiles(
  dataDir: string,
  through: number,
): Promise<{ temp: number; beyond: number }> {
  let temp = 0;
  let beyond = 0;
  for (const format of ["parquet", "jsonl", "csv"] as const) {
    beyond += (await new DatasetWriter({ dataDir, formats: [] }).list(format)).filter((f) =>
      f.first > through
    ).length;
    try {
      for await (const partition of Deno.readDir(`${dataDir}/${format}`)) {
        for await (const entry of Deno.readDir(`${dataDir}/${format}/${partition.name}`)) {
          if (entry.name.startsWith(".tmp-")) {
            temp++;
          }
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw error;
      }
    }
  }
  return { temp, beyond };
}

function expectedThrough(through: number): string[] {
  return fixture.events.filter((e) => e.ledger_sequence <= through).map((e) => e.event_id).sort();
}

/** Polls the dataset like a reader would, asserting every visible file is whole. */
function startReader(dataDir: string, signal: AbortSignal): Promise<number> {
  return (async () => {
    let checked = 0;
    const writer = new DatasetWriter({ dataDir, formats: [] });
    while (!signal.aborted) {
      for (const format of ["parquet", "jsonl"] as const) {
        for (const file of await writer.list(format).catch(() => [])) {
          let bytes: Uint8Array;
          try {
            bytes = await Deno.readFile(file.path);
          } catch (error) {
            if (error instanceof Deno.errors.NotFound) continue; // removed by recovery
            throw error;
          }
          if (format === "parquet") {
            assert.ok(readParquet(bytes).numBatches >= 1, `${file.path} readable`);
          } else {
            const text = new TextDecoder().decode(bytes);
            assert.ok(text.endsWith("\n"), `${file.path} ends with a newline`);
            for (const line of text.trimEnd().split("\n")) JSON.parse(line);
          }
          checked++;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return checked;
  })();
}

Deno.test("SIGKILL at random moments while writing, restart: each event exactly once, no partial file visible", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sink-crash-" });
  const stub = await startProcessorStub({ events: fixture.events, batchDelayMs: 60 });
  let stubClosed: Promise<void> | undefined;
  const closeStub = () => stubClosed ??= stub.close();
  const readerStop = new AbortController();
  const reader = startReader(dataDir, readerStop.signal);
  const kills: string[] = [];
  try {
    let lastCheckpoint = PUBNET_P26_FIRST - 1;
    for (let run = 0; run < 3; run++) {
      const child = spawnSink(dataDir, stub.endpoint);
      // Wait until this run has committed something, then kill it at a random moment while it
      // keeps streaming and writing.
      const started = Date.now();
      while (
        ((await readCheckpoint(dataDir).catch(() => undefined))?.last_ledger ?? 0) <= lastCheckpoint
      ) {
        assert.ok(
          Date.now() - started < 30_000,
          `run ${run} made no progress: ${kills.join("; ")}`,
        );
        await new Promise((r) => setTimeout(r, 10));
      }
      const delay = Math.floor(Math.random() * 400);
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      const status = await child.status;
      const stderr = new TextDecoder().decode(
        (await child.output().catch(() => ({ stderr: new Uint8Array() }))).stderr,
      );
      const checkpoint = await readCheckpoint(dataDir);
      const leftovers = await leftoverFiles(dataDir, checkpoint?.last_ledger ?? 0);
      kills.push(
        `run ${run}: killed ${delay} ms after a commit (signal ${status.signal}), checkpoint ${checkpoint?.last_ledger}, ${leftovers.temp} temp and ${leftovers.beyond} uncommitted files left`,
      );
      if (!checkpoint) continue; // killed before the first checkpoint
      assert.ok(
        checkpoint.last_ledger >= lastCheckpoint,
        `checkpoint never moves back: ${kills.join("; ")}`,
      );
      lastCheckpoint = checkpoint.last_ledger;
      for (const format of ["parquet", "jsonl", "csv"] as const) {
        const ids = (await committedEvents(dataDir, format, checkpoint.last_ledger)).map((e) =>
          e.event_id
        ).sort();
        assert.deepEqual(
          ids,
          expectedThrough(checkpoint.last_ledger),
          `${format} after ${kills.at(-1)} ${stderr}`,
        );
      }
    }
    assert.ok(
      lastCheckpoint < PUBNET_P26_LAST,
      `the kills interrupted the run: ${kills.join("; ")}`,
    );
    if (Deno.env.get("SINK_TEST_VERBOSE")) console.log(kills.join("\n"));

    // Final run to completion.
    const child = spawnSink(dataDir, stub.endpoint);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const checkpoint = await readCheckpoint(dataDir).catch(() => undefined);
      if (checkpoint?.last_ledger === PUBNET_P26_LAST) break;
      assert.ok(Date.now() < deadline, `final run did not finish: ${kills.join("; ")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGTERM");
    await child.status;
    await child.stderr.cancel();
    const all = fixture.events.map((e) => e.event_id).sort();
    for (const format of ["parquet", "jsonl", "csv"] as const) {
      const got = await committedEvents(dataDir, format, PUBNET_P26_LAST);
      assert.deepEqual(got.map((e) => e.event_id).sort(), all, `${format}: ${kills.join("; ")}`);
    }
    const full = (await committedEvents(dataDir, "jsonl", PUBNET_P26_LAST)).sort((a, b) =>
      a.event_id < b.event_id ? -1 : 1
    );
    const expected = [...fixture.events].sort((a, b) => a.event_id < b.event_id ? -1 : 1);
    assert.deepEqual(full, expected);
    await closeStub();
    const report = await verifyDataset(dataDir);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.uncommittedFiles, []);
    assert.deepEqual(report.tempFiles, []);
  } finally {
    readerStop.abort();
    const checked = await reader;
    assert.ok(checked > 0, "the reader looked at files");
    await closeStub();
    await Deno.remove(dataDir, { recursive: true });
  }
});
