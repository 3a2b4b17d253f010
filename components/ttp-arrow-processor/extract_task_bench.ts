/**
 * Cost of one extraction task against the extraction alone (baseline), per pubnet-p26 ledger:
 * what filtering, Arrow batch building and IPC encoding add in the worker.
 *
 * ```sh
 * deno bench -A components/ttp-arrow-processor/extract_task_bench.ts
 * ```
 */
import * as arrow from "apache-arrow";
import { summarizeLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { readFixtureBatches } from "../../shared/ledger/testdata.ts";
import { eventsToRecordBatch } from "../../shared/schema/ttp_event.ts";
import { extractEvents } from "../../shared/ttp/mod.ts";
import { batchesOfResult, runExtractTask } from "./extract_task.ts";
import { KNOWN_NETWORKS } from "./network.ts";

const networkPassphrase = KNOWN_NETWORKS.pubnet;
const ledgers = readFixtureBatches("pubnet-p26")
  .flatMap((b) => summarizeLedgerCloseMetaBatch(b.bytes).ledgers)
  .map((l) => ({ sequence: l.summary.sequence, xdr: l.bytes }));
const events = ledgers.map((l) => extractEvents(l.xdr, { networkPassphrase }));
let i = 0;
const next = () => ledgers[i++ % ledgers.length];
const task = (filters = {}) => ({
  ledgers: [next()],
  networkPassphrase,
  mode: "auto" as const,
  verify: false,
  filters,
  batchBytes: 1024 * 1024,
});

Deno.bench("extractEvents (baseline)", { group: "ledger", baseline: true }, () => {
  extractEvents(next().xdr, { networkPassphrase });
});

Deno.bench("extract task: extract + Arrow + IPC", { group: "ledger" }, () => {
  runExtractTask(task());
});

Deno.bench("extract task: extract + Arrow + Flight messages", { group: "ledger" }, () => {
  runExtractTask({ ...task(), framesFromBytes: 0 });
});

Deno.bench("extract task, event_type=transfer filter", { group: "ledger" }, () => {
  runExtractTask(task({ event_type: ["transfer"] }));
});

Deno.bench("extract task, verify every transaction", { group: "ledger" }, () => {
  runExtractTask({ ...task(), verify: true });
});

Deno.bench("eventsToRecordBatch of a ledger's events", { group: "parts" }, () => {
  eventsToRecordBatch(events[i++ % events.length]);
});

Deno.bench("IPC encode of a ledger's batch", { group: "parts" }, (b) => {
  const batch = eventsToRecordBatch(events[i++ % events.length]);
  b.start();
  arrow.RecordBatchStreamWriter.writeAll([batch]).toUint8Array(true);
  b.end();
});

Deno.bench("IPC decode of a ledger's result (main thread)", { group: "parts" }, (b) => {
  const result = runExtractTask(task());
  b.start();
  batchesOfResult(result);
  b.end();
});
