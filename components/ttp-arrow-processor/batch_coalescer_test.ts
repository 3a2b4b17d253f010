import assert from "node:assert/strict";
import { summarizeLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { readFixtureBatches } from "../../shared/ledger/testdata.ts";
import { eventsToRecordBatch, recordBatchToEvents } from "../../shared/schema/ttp_event.ts";
import { extractEvents } from "../../shared/ttp/mod.ts";
import { BatchCoalescer } from "./batch_coalescer.ts";
import { KNOWN_NETWORKS } from "./network.ts";

const l = readFixtureBatches("pubnet-p26")
  .flatMap((b) => summarizeLedgerCloseMetaBatch(b.bytes).ledgers)[0];
const events = extractEvents(l.bytes, { networkPassphrase: KNOWN_NETWORKS.pubnet });
const small = (from: number, n: number) => eventsToRecordBatch(events.slice(from, from + n));
const rows = (batches: ReturnType<typeof small>[]) => batches.flatMap(recordBatchToEvents);

Deno.test("small batches merge up to the target, in order; large ones pass through", () => {
  const one = small(0, 4).data.byteLength;
  const clock = 0;
  const c = new BatchCoalescer({
    targetBytes: one * 3,
    smallBytes: one * 2,
    maxDelayMs: 1000,
    now: () => clock,
  });
  const inputs = [small(0, 4), small(4, 4), small(8, 4), small(12, 4)];
  const out = [
    ...c.push([inputs[0]]),
    ...c.push([inputs[1]]),
    ...c.push([inputs[2]]),
    ...c.push([inputs[3]]),
  ];
  assert.equal(out.length, 1, "the first three merged when the fourth would exceed the target");
  assert.equal(out[0].numRows, 12);
  const big = small(16, 100);
  const out2 = c.push([big]);
  assert.deepEqual(out2.map((b) => b.numRows), [4, 100], "pending flushed before a large batch");
  assert.deepEqual(rows([...out, ...out2]), events.slice(0, 116));
  assert.deepEqual(c.flush(), []);
  assert.deepEqual(c.push([small(0, 0)]), [], "empty batches are dropped");
});

Deno.test("nothing waits longer than maxDelayMs; 0 passes everything through", () => {
  let clock = 0;
  const c = new BatchCoalescer({ targetBytes: 1 << 20, maxDelayMs: 500, now: () => clock });
  assert.deepEqual(c.push([small(0, 2)]), []);
  clock = 400;
  assert.deepEqual(c.push([small(2, 2)]), []);
  clock = 500;
  const out = c.push([small(4, 2)]);
  assert.deepEqual(out.map((b) => b.numRows), [6]);
  assert.equal(c.pendingBytes, 0);

  const live = new BatchCoalescer({ targetBytes: 1 << 20, maxDelayMs: 0 });
  assert.deepEqual(live.push([small(0, 1), small(1, 1)]).map((b) => b.numRows), [1, 1]);
  assert.deepEqual(live.flush(), []);
});
