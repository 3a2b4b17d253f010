import assert from "node:assert/strict";
import { readFixtureBatches } from "../../shared/ledger/testdata.ts";
import {
  recordBatchToEvents,
  type TtpEvent,
  ttpEventSchema,
} from "../../shared/schema/ttp_event.ts";
import { FlightDataEncoder, GRPC_PREFIX_BYTES } from "../../shared/flight/mod.ts";
import { decodeFlightData } from "../../shared/flight/flight_data_codec.ts";
import { readFlightData } from "../../shared/flight/ipc.ts";
import { summarizeLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { extractEvents, extractLedger } from "../../shared/ttp/mod.ts";
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
// The general path is the reference: the task reads these ledgers with the fast path.
const expected = ledgers.flatMap((l) => extractLedger(l.xdr, { networkPassphrase: PUBNET }).events);

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

Deno.test("framesFromBytes: a large output comes back as ready Flight messages, a small one as IPC", async () => {
  const framed = runExtractTask(task({ framesFromBytes: 0, batchBytes: 64 * 1024 }));
  assert.equal(framed.ipc, null);
  assert.ok(framed.frames && framed.frames.length > 1, "split by batchBytes into several messages");
  assert.equal(framed.batchCount, framed.frames.length);
  // Decoded the way a Flight client does: the stream's Schema message, then these messages.
  const schema = new FlightDataEncoder(ttpEventSchema).schemaFrame();
  async function* messages() {
    yield { header: schema.header, bodyBytes: new Uint8Array(0) };
    for (const f of framed.frames!) {
      const m = decodeFlightData(f.subarray(GRPC_PREFIX_BYTES));
      yield { header: m.header, bodyBytes: m.bodyBytes };
    }
  }
  const events: TtpEvent[] = [];
  for await (const batch of await readFlightData(messages())) {
    events.push(...recordBatchToEvents(batch));
  }
  assert.deepEqual(events, expected);
  // Each message owns its buffer (transferable), prefix included.
  for (const f of framed.frames) assert.equal(f.byteLength, f.buffer.byteLength);

  const small = runExtractTask(task({ framesFromBytes: Number.MAX_SAFE_INTEGER }));
  assert.equal(small.frames, null);
  assert.deepEqual(batchesOfResult(small).flatMap(recordBatchToEvents), expected);
});
