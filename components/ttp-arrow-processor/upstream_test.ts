import assert from "node:assert/strict";
import { FlightError, GrpcStatus } from "../../shared/flight/mod.ts";
import { setupLogging } from "../../shared/log/mod.ts";
import { KNOWN_NETWORKS } from "./network.ts";
import { fixtureLedgerRows, LoopbackSource } from "./testing/loopback_source.ts";
import { SourceClient, type UpstreamLedger } from "./upstream.ts";

setupLogging({ level: "error" });

const ROWS = fixtureLedgerRows("pubnet-p26", KNOWN_NETWORKS.pubnet).slice(0, 5);
const FIRST = ROWS[0].sequence;

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a followed stream idle longer than the retry budget still resumes after an outage", async () => {
  const source = new LoopbackSource({ rows: ROWS, visible: 2 });
  await source.start();
  const client = new SourceClient({
    endpoint: source.address,
    connectTimeoutMs: 500,
    retryTimeoutMs: 500,
    backoff: { initialMs: 20, maxMs: 100 },
  });
  const controller = new AbortController();
  const got: UpstreamLedger[] = [];
  const reading = (async () => {
    for await (const rows of client.ledgers({ start: FIRST, signal: controller.signal })) {
      got.push(...rows);
    }
  })();
  reading.catch(() => {});
  try {
    await waitFor("the visible ledgers", () => got.length === 2);
    await new Promise((r) => setTimeout(r, 700)); // idle: no new ledger for longer than the budget
    await source.stop();
    await new Promise((r) => setTimeout(r, 200)); // an outage shorter than the budget
    await source.start();
    source.release(3);
    await waitFor("the ledgers after the outage", () => got.length === 5);
    assert.deepEqual(got.map((l) => l.sequence), ROWS.map((r) => r.sequence));
    assert.deepEqual(got.map((l) => l.xdr), ROWS.map((r) => r.ledger_xdr));
    assert.ok(client.stats.reconnects >= 1);
    assert.equal(client.stats.duplicatesSkipped, 0);
    assert.equal(source.tickets.at(-1), `stellar_ledgers:${FIRST + 2}:`);
  } finally {
    controller.abort();
    await reading.catch(() => {});
    client.close();
    await source.stop();
  }
});

Deno.test("an outage longer than the budget ends the stream with UNAVAILABLE naming the ledger", async () => {
  // Two ledgers visible, the stream follows the tip: nothing more can be in flight (a 16 MiB
  // HTTP/2 window holds a whole bounded range of these ledgers) when the source goes down.
  const source = new LoopbackSource({ rows: ROWS, visible: 2 });
  await source.start();
  const client = new SourceClient({
    endpoint: source.address,
    connectTimeoutMs: 300,
    retryTimeoutMs: 300,
    backoff: { initialMs: 20, maxMs: 50 },
  });
  try {
    const got: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const rows of client.ledgers({ start: FIRST })) {
          got.push(...rows.map((r) => r.sequence));
          if (got.length === 2) await source.stop();
        }
      })(),
      (e: unknown) => {
        assert.ok(e instanceof FlightError, String(e));
        assert.equal(e.code, GrpcStatus.UNAVAILABLE, e.message);
        assert.match(
          e.message,
          new RegExp(`unavailable for \\d+ ms .* at ledger ${got[got.length - 1] + 1}`),
        );
        return true;
      },
    );
    assert.equal(got.length, 2, `got ${got.length} ledgers`);
    assert.deepEqual(got, ROWS.slice(0, got.length).map((r) => r.sequence));
    assert.equal(client.stats.connected, false);
  } finally {
    client.close();
    await source.stop();
    // grpc-js keeps its reconnect backoff timer (at most maxMs) running after close().
    await new Promise((r) => setTimeout(r, 150));
  }
});
