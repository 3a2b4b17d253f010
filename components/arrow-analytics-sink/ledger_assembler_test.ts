import assert from "node:assert/strict";
import { LedgerAssembler, type LedgerBlock, StreamOrderError } from "./ledger_assembler.ts";
import type { TtpEvent } from "../../shared/schema/ttp_event.ts";
import { makeEvent } from "./testing/events.ts";

const ev = (ledger: number, index = 0) => makeEvent({ ledger, index });

Deno.test("a ledger completes when a later ledger's event arrives; gaps complete too", () => {
  const a = new LedgerAssembler(100);
  assert.equal(a.completeThrough, 99);
  assert.deepEqual(a.push([ev(100), ev(100, 1)]), []);
  assert.equal(a.openLedger, 100);
  const done = a.push([ev(103)]);
  assert.deepEqual(done.map((b) => [b.ledger, b.events.length]), [[100, 2]]);
  assert.equal(a.completeThrough, 102, "ledgers 101 and 102 had no events and are complete");
  assert.deepEqual(a.completeTo(105).map((b) => b.ledger), [103]);
  assert.equal(a.completeThrough, 105);
  assert.equal(a.openLedger, undefined);
});

Deno.test("completeTo without events advances over empty ledgers", () => {
  const a = new LedgerAssembler(10);
  assert.deepEqual(a.completeTo(20), []);
  assert.equal(a.completeThrough, 20);
  assert.deepEqual(a.completeTo(15), []);
  assert.equal(a.completeThrough, 20);
});

Deno.test("out-of-order and already-complete ledgers are rejected", () => {
  const a = new LedgerAssembler(10);
  a.push([ev(11)]);
  assert.throws(() => a.push([ev(10)]), StreamOrderError);
  a.push([ev(12)]);
  assert.throws(() => a.push([ev(11)]), /already complete/);
  assert.throws(() => a.completeTo(11), /end at ledger 11/);
});

Deno.test("repeated event ids within a ledger are dropped and counted", () => {
  const a = new LedgerAssembler(1);
  a.push([ev(1), ev(1), ev(1, 1)]);
  const [block] = a.completeTo(1);
  assert.equal(block.events.length, 2);
  assert.equal(a.duplicates, 1);
});

Deno.test("discardOpen forgets a partial ledger so it can be streamed again", () => {
  const a = new LedgerAssembler(1);
  a.push([ev(1), ev(2)]);
  assert.equal(a.discardOpen(), 2);
  assert.equal(a.completeThrough, 1);
  const done = a.push([ev(2), ev(3)]);
  assert.deepEqual(done.map((b) => b.ledger), [2]);
});

Deno.test("the first ledger must be a positive integer", () => {
  assert.throws(() => new LedgerAssembler(0), RangeError);
});

Deno.test("blocks keep slices of the received batches, dropped when rows are dropped", async () => {
  const { eventsToRecordBatch, recordBatchToEvents } = await import(
    "../../shared/schema/ttp_event.ts"
  );
  const a = new LedgerAssembler(1);
  const first = [ev(1), ev(1, 1), ev(2)];
  const second = [ev(2, 1), ev(3), ev(3, 1)];
  const done = [
    ...a.push(first, eventsToRecordBatch(first)),
    ...a.push(second, eventsToRecordBatch(second)),
    ...a.completeTo(3),
  ];
  assert.deepEqual(done.map((b) => b.ledger), [1, 2, 3]);
  for (const block of done) {
    assert.ok(block.batches, `ledger ${block.ledger} has batches`);
    assert.deepEqual(block.batches.flatMap((b) => recordBatchToEvents(b)), block.events);
  }
  assert.deepEqual(done[1].batches!.map((b) => b.numRows), [1, 1], "ledger 2 spans two batches");
  const b = new LedgerAssembler(1);
  const dup = [ev(1), ev(1)];
  b.push(dup, eventsToRecordBatch(dup));
  assert.equal(b.completeTo(1)[0].batches, undefined, "a dropped repeat invalidates the slices");
  const c = new LedgerAssembler(1);
  c.push([ev(1)], eventsToRecordBatch([ev(1)]));
  c.push([ev(1, 1)]);
  assert.equal(c.completeTo(1)[0].batches, undefined, "rows without a batch invalidate the slices");
  assert.throws(() => c.push([ev(2)], eventsToRecordBatch([])), /Expected 1 rows/);
});

Deno.test("pushBatch gives the blocks push gives for the same batches, events read on demand", async () => {
  const { eventsToRecordBatch } = await import("../../shared/schema/ttp_event.ts");
  const streams: TtpEvent[][][] = [
    // Ledgers within and across batches.
    [[ev(1), ev(1, 1), ev(2)], [ev(2, 1), ev(3)], [ev(3, 1), ev(3, 2), ev(5)]],
    // A repeat inside a batch, and one across batches.
    [[ev(1), ev(1, 1), ev(1)], [ev(2), ev(2, 1)], [ev(2, 1), ev(2, 2), ev(4)]],
  ];
  for (const batches of streams) {
    const viaPush = new LedgerAssembler(1);
    const viaBatch = new LedgerAssembler(1);
    const a: LedgerBlock[] = [];
    const b: LedgerBlock[] = [];
    for (const rows of batches) {
      const batch = eventsToRecordBatch(rows);
      a.push(...viaPush.push(rows, batch));
      b.push(...viaBatch.pushBatch(batch));
    }
    a.push(...viaPush.completeTo(9));
    b.push(...viaBatch.completeTo(9));
    assert.equal(viaBatch.duplicates, viaPush.duplicates);
    assert.deepEqual(b.map((x) => x.ledger), a.map((x) => x.ledger));
    for (let i = 0; i < a.length; i++) {
      assert.equal(b[i].rows, a[i].events.length, `rows of ledger ${a[i].ledger}`);
      assert.deepEqual(
        b[i].batches?.map((x) => x.numRows),
        a[i].batches?.map((x) => x.numRows),
        `slices of ledger ${a[i].ledger}`,
      );
      assert.deepEqual(b[i].events, a[i].events, `events of ledger ${a[i].ledger}`);
    }
  }
  const c = new LedgerAssembler(5);
  c.pushBatch(eventsToRecordBatch([ev(6)]));
  assert.throws(() => c.pushBatch(eventsToRecordBatch([ev(5)])), StreamOrderError);
  const d = new LedgerAssembler(5);
  d.pushBatch(eventsToRecordBatch([ev(7), ev(8)]));
  assert.throws(() => d.pushBatch(eventsToRecordBatch([ev(7, 1)])), /already complete/);
  // Rows without a batch after batch rows: the block keeps a list, as with push.
  const e = new LedgerAssembler(1);
  e.pushBatch(eventsToRecordBatch([ev(1)]));
  e.push([ev(1, 1)]);
  e.pushBatch(eventsToRecordBatch([ev(1, 2)]));
  const [only] = e.completeTo(1);
  assert.equal(only.batches, undefined);
  assert.deepEqual(only.events, [ev(1), ev(1, 1), ev(1, 2)]);
  assert.equal(only.rows, 3);
});
