/**
 * End to end over real loopback processes: stellar-arrow-source (subprocess, fixture lake) →
 * ttp-arrow-processor (subprocess) → a Flight client here.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { FlightClient, FlightError, GrpcStatus, pathDescriptor } from "../../shared/flight/mod.ts";
import { summarizeLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { readFixtureBatches } from "../../shared/ledger/testdata.ts";
import { recordBatchToEvents, type TtpEvent } from "../../shared/schema/ttp_event.ts";
import { extractEvents, extractLedger } from "../../shared/ttp/mod.ts";
import { KNOWN_NETWORKS } from "./network.ts";
import type { ProcessorStatus } from "./stats.ts";
import { startProcessorProcess, startSourceProcess } from "./testing/processes.ts";

const LAKE = fileURLToPath(new URL("../../testdata/lakes/pubnet-p26", import.meta.url));
const LEDGERS = readFixtureBatches("pubnet-p26")
  .flatMap((b) => summarizeLedgerCloseMetaBatch(b.bytes).ledgers)
  .map((l) => ({ sequence: l.summary.sequence, xdr: l.bytes }))
  .sort((a, b) => a.sequence - b.sequence);
const FIRST = LEDGERS[0].sequence;
const LAST = LEDGERS[LEDGERS.length - 1].sequence;
const expectedCache = new Map<number, TtpEvent[]>();
function expected(from: number, to: number): TtpEvent[] {
  return LEDGERS.filter((l) => l.sequence >= from && l.sequence <= to).flatMap((l) => {
    let events = expectedCache.get(l.sequence);
    if (!events) {
      events = extractLedger(l.xdr, { networkPassphrase: KNOWN_NETWORKS.pubnet }).events;
      expectedCache.set(l.sequence, events);
    }
    return events;
  });
}

async function actionJson<T>(client: FlightClient, action: string): Promise<T> {
  for await (const body of client.doAction(action)) {
    return JSON.parse(new TextDecoder().decode(body));
  }
  throw new Error(`${action} returned nothing`);
}

function countsByLedgerAndKind(events: readonly TtpEvent[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of events) {
    const k = `${e.ledger_sequence}/${e.event_type}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function assertIdOrder(events: readonly TtpEvent[]): void {
  assert.equal(new Set(events.map((e) => e.event_id)).size, events.length, "event ids unique");
  for (let i = 1; i < events.length; i++) {
    const [a, b] = [events[i - 1], events[i]];
    if (a.ledger_sequence !== b.ledger_sequence) {
      assert.ok(b.ledger_sequence > a.ledger_sequence, "ledger order");
      assert.ok(b.event_id > a.event_id, `${b.event_id} after ${a.event_id}`);
    }
  }
}

/**
 * Protocol 23+ canonical order within a ledger: every fee charge first, then the operations'
 * events, then the fee refunds (negative fee events), so ids need not increase inside a ledger.
 */
function assertP23LedgerOrder(events: readonly TtpEvent[]): void {
  const byLedger = new Map<number, string>();
  for (const e of events) {
    const kind = e.event_type !== "fee" ? "o" : e.amount.startsWith("-") ? "R" : "F";
    byLedger.set(e.ledger_sequence, (byLedger.get(e.ledger_sequence) ?? "") + kind);
  }
  for (const [ledger, kinds] of byLedger) {
    assert.match(kinds, /^F+o*R*$/, `ledger ${ledger}: fees first, refunds last`);
  }
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("pubnet-p26 through source and processor equals the extraction module's output", async () => {
  const source = await startSourceProcess(LAKE);
  const processor = await startProcessorProcess(`127.0.0.1:${source.port}`, { WORKERS: "2" });
  const client = new FlightClient(`127.0.0.1:${processor.flightPort}`);
  try {
    const info = await client.getFlightInfo(pathDescriptor("ttp_events"));
    assert.equal(new TextDecoder().decode(info.endpoints[0].ticket), `ttp_events:${FIRST}:${LAST}`);
    const events: TtpEvent[] = [];
    for await (const b of client.doGet(`ttp_events:${FIRST}:${LAST}`)) {
      events.push(...recordBatchToEvents(b));
    }
    const want = expected(FIRST, LAST);
    assert.deepEqual(countsByLedgerAndKind(events), countsByLedgerAndKind(want));
    assert.deepEqual(events, want);
    assertIdOrder(events);
    assertP23LedgerOrder(events);

    // Filters and bad tickets over the wire.
    const fees = [];
    for await (const b of client.doGet(`ttp_events:${FIRST}:${FIRST + 1}?event_type=fee`)) {
      fees.push(...recordBatchToEvents(b));
    }
    assert.deepEqual(
      fees,
      want.filter((e) => e.ledger_sequence <= FIRST + 1 && e.event_type === "fee"),
    );
    await assert.rejects(
      client.doGet(`ttp_events:${FIRST}:${LAST}?chain=eth`).readAll(),
      (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.INVALID_ARGUMENT,
    );
    await assert.rejects(
      client.doGet(`ttp_events:${LAST + 1}:${LAST + 5}`).readAll(),
      (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.NOT_FOUND,
    );

    const status = await actionJson<ProcessorStatus>(client, "get_status");
    assert.equal(status.last_ledger, LAST);
    assert.equal(status.events_extracted, want.length + expected(FIRST, FIRST + 1).length);
    const health = await fetch(`http://127.0.0.1:${processor.healthPort}/health`).then((r) =>
      r.json()
    );
    assert.equal(health.status, "healthy");
    const metrics = await fetch(`http://127.0.0.1:${processor.healthPort}/metrics`).then((r) =>
      r.text()
    );
    assert.match(metrics, new RegExp(`ttp_processor_last_ledger_sequence ${LAST}`));
  } finally {
    client.close();
    await processor.process.stop("SIGTERM");
    await source.process.stop("SIGTERM");
  }
});

async function tempLake(
  visible: number,
): Promise<{ dir: string; release: (n: number) => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "processor-follow-lake-" });
  await Deno.copyFile(`${LAKE}/.config.json`, `${dir}/.config.json`);
  const partition = [...Deno.readDirSync(LAKE)].find((e) => e.isDirectory)!.name;
  await Deno.mkdir(`${dir}/${partition}`);
  // Files in ledger order (their names sort in reverse).
  const files = [...Deno.readDirSync(`${LAKE}/${partition}`)].map((e) => e.name)
    .sort((a, b) =>
      Number(a.split("--")[1].split(".")[0]) - Number(b.split("--")[1].split(".")[0])
    );
  let next = 0;
  const release = async (n: number) => {
    for (const f of files.slice(next, next + n)) {
      await Deno.copyFile(`${LAKE}/${partition}/${f}`, `${dir}/${partition}/${f}`);
    }
    next += n;
  };
  await release(visible);
  return { dir, release };
}

Deno.test("follow mode over a growing lake, source killed and restarted mid-stream, client cancel", async () => {
  const lake = await tempLake(4);
  let source = await startSourceProcess(lake.dir);
  const port = source.port;
  const processor = await startProcessorProcess(`127.0.0.1:${port}`, {
    SOURCE_RETRY_TIMEOUT_MS: "20000",
  });
  const client = new FlightClient(`127.0.0.1:${processor.flightPort}`);
  const controller = new AbortController();
  const seen: TtpEvent[] = [];
  const top = () => seen.length ? seen[seen.length - 1].ledger_sequence : 0;
  try {
    const reading = (async () => {
      for await (const b of client.doGet(`ttp_events:${FIRST}:`, { signal: controller.signal })) {
        seen.push(...recordBatchToEvents(b));
      }
    })();
    reading.catch(() => {});
    await waitFor("the first ledgers", () => top() === FIRST + 3);
    await lake.release(2); // a batch file added mid-stream
    await waitFor("ledgers added mid-stream", () => top() === FIRST + 5);

    // Crash the source; restart it on the same port; more ledgers arrive meanwhile.
    await source.process.stop("SIGKILL");
    await lake.release(3);
    await new Promise((r) => setTimeout(r, 500));
    source = await startSourceProcess(lake.dir, { port });
    await waitFor("ledgers after the restart", () => top() === FIRST + 8);
    const want = expected(FIRST, FIRST + 8);
    assert.deepEqual(countsByLedgerAndKind(seen), countsByLedgerAndKind(want));
    assert.deepEqual(seen, want);
    assertIdOrder(seen);
    const status = await actionJson<ProcessorStatus>(client, "get_status");
    assert.ok(status.source.reconnects >= 1, `reconnects ${status.source.reconnects}`);
    assert.equal(status.active_streams, 1);

    // The client goes away: the processor's stream and its pull from the source stop.
    const sourceClient = new FlightClient(`127.0.0.1:${port}`);
    try {
      assert.equal(
        (await actionJson<{ active_streams: number }>(sourceClient, "get_status")).active_streams,
        1,
      );
      controller.abort();
      await assert.rejects(reading);
      await waitFor(
        "the processor stream to end",
        async () => (await actionJson<ProcessorStatus>(client, "get_status")).active_streams === 0,
      );
      await waitFor(
        "the source stream to end",
        async () =>
          (await actionJson<{ active_streams: number }>(sourceClient, "get_status"))
            .active_streams === 0,
      );
    } finally {
      sourceClient.close();
    }

    // Source down: new streams get UNAVAILABLE, health says degraded.
    await source.process.stop("SIGKILL");
    await assert.rejects(
      client.doGet(`ttp_events:${FIRST}:${FIRST}`).readAll(),
      (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAVAILABLE,
    );
    await waitFor("health to report the source down", async () => {
      const h = await fetch(`http://127.0.0.1:${processor.healthPort}/health`).then((r) =>
        r.json()
      );
      return h.status === "degraded";
    });
  } finally {
    controller.abort();
    client.close();
    await processor.process.stop("SIGTERM");
    await source.process.stop("SIGTERM");
    await Deno.remove(lake.dir, { recursive: true });
  }
});

Deno.test("testnet-p19 (LedgerCloseMeta v0, 64 ledgers per batch file) is served like the extraction module's output", async () => {
  const lake = fileURLToPath(new URL("../../testdata/lakes/testnet-p19", import.meta.url));
  const ledgers = readFixtureBatches("testnet-p19")
    .flatMap((b) => summarizeLedgerCloseMetaBatch(b.bytes).ledgers)
    .sort((a, b) => a.summary.sequence - b.summary.sequence);
  const first = ledgers[0].summary.sequence;
  const last = ledgers[ledgers.length - 1].summary.sequence;
  const want = ledgers.flatMap((l) =>
    extractEvents(l.bytes, { networkPassphrase: KNOWN_NETWORKS.testnet })
  );
  const source = await startSourceProcess(lake);
  const processor = await startProcessorProcess(`127.0.0.1:${source.port}`, { WORKERS: "2" });
  const client = new FlightClient(`127.0.0.1:${processor.flightPort}`);
  try {
    const events: TtpEvent[] = [];
    for await (const b of client.doGet(`ttp_events:${first}:${last}`)) {
      events.push(...recordBatchToEvents(b));
    }
    assert.ok(want.length > 0);
    assert.deepEqual(countsByLedgerAndKind(events), countsByLedgerAndKind(want));
    assert.deepEqual(events, want);
    assertIdOrder(events);
    const status = await actionJson<ProcessorStatus>(client, "get_status");
    assert.equal(status.network_passphrase, KNOWN_NETWORKS.testnet);
    assert.equal(status.ledgers_consumed, last - first + 1);
  } finally {
    client.close();
    await processor.process.stop("SIGTERM");
    await source.process.stop("SIGTERM");
  }
});
