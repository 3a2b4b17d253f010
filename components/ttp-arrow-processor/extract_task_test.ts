import assert from "node:assert/strict";
import { readFixtureBatches } from "../../shared/ledger/testdata.ts";
import { recordBatchToEvents, type TtpEvent } from "../../shared/schema/ttp_event.ts";
import { summarizeLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { extractEvents } from "../../shared/ttp/mod.ts";
import {
  batchesOfResult,
  eventBytes,
  LedgerSequenceError,
  runExtractTask,
  splitByBytes,
} from "./extract_task.ts";
import { KNOWN_NETWORKS } from "./network.ts";
import { tamperFeeBalance } from "./testing/tamper.ts";

const PUBNET = KNOWN_NETWORKS.pubnet;
const ledgers = readFixtureBatches("pubnet-p26")
  .flatMap((b) => summarizeLedgerCloseMetaBatch(b.bytes).ledgers)
  .map((l) => ({ sequence: l.summary.sequence, xdr: l.bytes }))
  .sort((a, b) => a.sequence - b.sequence).slice(0, 2);
const expected = ledgers.flatMap((l) => extractEvents(l.xdr, { networkPassphrase: PUBNET }));

const task = (over: Partial<Parameters<typeof runExtractTask>[0]> = {}) => ({
  ledgers,
  networkPassphrase: PUBNET,
  mode: "auto" as const,
  verify: false,
  filters: {},
  batchBytes: 1024 * 1024,
  ...over,
});

Deno.test("a task returns the extraction module's events, counted by kind, in order", () => {
  const result = runExtractTask(task());
  const events = batchesOfResult(result).flatMap(recordBatchToEvents);
  assert.equal(events.length, expected.length);
  assert.deepEqual(events, expected);
  assert.deepEqual(result.ledgers.map((l) => l.sequence), ledgers.map((l) => l.sequence));
  for (const report of result.ledgers) {
    const mine = expected.filter((e) => e.ledger_sequence === report.sequence);
    assert.equal(report.kept, mine.length);
    for (const [type, n] of Object.entries(report.extracted)) {
      assert.equal(n, mine.filter((e) => e.event_type === type).length, type);
    }
    assert.deepEqual(report.verifyFailures, []);
  }
});

Deno.test("filters apply in the task; batches stay under the byte target", () => {
  const result = runExtractTask(task({
    filters: { event_type: ["transfer"], min_amount: 10_000_000n },
    batchBytes: 16 * 1024,
  }));
  const batches = batchesOfResult(result);
  assert.ok(batches.length > 1, `expected several batches, got ${batches.length}`);
  assert.equal(result.batchCount, batches.length);
  const events = batches.flatMap(recordBatchToEvents);
  const want = expected.filter((e) =>
    e.event_type === "transfer" && BigInt(e.amount) >= 10_000_000n
  );
  assert.ok(want.length > 0);
  assert.deepEqual(events, want);
  for (const b of batches) {
    const bytes = recordBatchToEvents(b).reduce((n, e) => n + eventBytes(e), 0);
    assert.ok(bytes <= 16 * 1024, `batch of ${bytes} estimated bytes`);
  }
  const none = runExtractTask(
    task({ filters: { asset: ["ZZZ:GDUKMGUGDZQK6YHYA5Z6AY2G4XDSZPSZ3SW5UN3ARVMO6QSRDWP5YLEX"] } }),
  );
  assert.equal(none.ipc, null);
  assert.deepEqual(batchesOfResult(none), []);
  assert.equal(none.ledgers.reduce((n, l) => n + l.kept, 0), 0);
});

Deno.test("verification runs on every transaction when asked", () => {
  const result = runExtractTask(task({ verify: true, ledgers: ledgers.slice(0, 1) }));
  assert.deepEqual(result.ledgers[0].verifyFailures, []);
});

Deno.test("a row whose XDR is another ledger is an error naming both", () => {
  assert.throws(
    () => runExtractTask(task({ ledgers: [{ sequence: 5, xdr: ledgers[0].xdr }] })),
    (e: unknown) =>
      e instanceof LedgerSequenceError &&
      e.message.includes(`ledger 5`) && e.message.includes(`got ledger ${ledgers[0].sequence}`),
  );
});

Deno.test("splitByBytes keeps order and puts one oversized event alone", () => {
  const e = expected[0];
  const size = eventBytes(e);
  const groups = splitByBytes([e, e, e, e, e] as TtpEvent[], size * 2);
  assert.deepEqual(groups.map((g) => g.length), [2, 2, 1]);
  assert.deepEqual(splitByBytes([e], 1).map((g) => g.length), [1]);
  assert.deepEqual(splitByBytes([], 100), []);
});

Deno.test("a verification mismatch names ledger and transaction; the events are still returned", () => {
  const bad = { sequence: ledgers[0].sequence, xdr: tamperFeeBalance(ledgers[0].xdr) };
  const result = runExtractTask(task({ verify: true, ledgers: [bad] }));
  const failures = result.ledgers[0].verifyFailures;
  assert.equal(failures.length, 1);
  assert.equal(failures[0].ledger, bad.sequence);
  const firstTx = expected.find((e) =>
    e.ledger_sequence === bad.sequence && e.transaction_index === 1
  )!;
  assert.equal(failures[0].txHash, firstTx.tx_hash);
  assert.match(
    failures[0].message,
    /balance deltas differ .*native: events -?\d+, ledger changes -?\d+/s,
  );
  assert.deepEqual(
    batchesOfResult(result).flatMap(recordBatchToEvents),
    extractEvents(bad.xdr, { networkPassphrase: PUBNET }),
  );
  // Without VERIFY_EVENTS nothing is checked.
  assert.deepEqual(runExtractTask(task({ ledgers: [bad] })).ledgers[0].verifyFailures, []);
});
