/**
 * The whole pipeline over real loopback processes: stellar-arrow-source (subprocess, pubnet-p26
 * fixture lake) → ttp-arrow-processor (subprocess) → this sink (in-process), starting at the
 * first ledger the processor offers (GetFlightInfo) and stopping at END.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { setupLogging } from "../../shared/log/mod.ts";
import { eventFromJson, type TtpEvent } from "../../shared/schema/ttp_event.ts";
import {
  startProcessorProcess,
  startSourceProcess,
} from "../ttp-arrow-processor/testing/processes.ts";
import { startSink } from "./sink.ts";
import { loadPubnetP26, PUBNET_P26_FIRST, PUBNET_P26_LAST } from "./testing/fixture_events.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";
import { loopbackSinkConfig } from "./testing/config.ts";

setupLogging({ level: "error" });

Deno.test("source → processor → sink over real processes stores every pubnet-p26 event once", async () => {
  const fixture = await loadPubnetP26();
  const lake = fileURLToPath(new URL("../../testdata/lakes/pubnet-p26", import.meta.url));
  const dataDir = await Deno.makeTempDir({ prefix: "sink-pipeline-e2e-" });
  const source = await startSourceProcess(lake);
  const processor = await startProcessorProcess(`127.0.0.1:${source.port}`);
  const sink = await startSink(
    loopbackSinkConfig(
      { processorEndpoint: `127.0.0.1:${processor.flightPort}`, dataDir },
      { endLedger: PUBNET_P26_LAST },
    ),
  );

  try {
    await sink.done;
    assert.equal(
      sink.checkpoint()?.first_ledger,
      PUBNET_P26_FIRST,
      "started at the offered first ledger",
    );
    assert.equal(sink.checkpoint()?.last_ledger, PUBNET_P26_LAST);
    const stored: TtpEvent[] = [];
    for (const file of await new DatasetWriter({ dataDir, formats: [] }).list("jsonl")) {
      for (const line of (await Deno.readTextFile(file.path)).trimEnd().split("\n")) {
        stored.push(eventFromJson(JSON.parse(line)));
      }
    }
    const sort = (list: TtpEvent[]) => [...list].sort((a, b) => a.event_id < b.event_id ? -1 : 1);
    assert.equal(stored.length, fixture.events.length);
    assert.deepEqual(sort(stored), sort(fixture.events));
    const stats = await (await fetch(`http://127.0.0.1:${sink.ports.http}/api/stats`)).json();
    assert.equal(stats.events_total, fixture.events.length);
    assert.equal(stats.lag_ledgers, 0);
  } finally {
    await sink.stop();
    await processor.process.stop("SIGTERM");
    await source.process.stop("SIGTERM");
    await Deno.remove(dataDir, { recursive: true });
  }
});
