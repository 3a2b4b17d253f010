/**
 * The processor in-process against a loopback stand-in of the source (real Flight servers and
 * clients on loopback, real fixture ledgers, real worker pool).
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../shared/config/mod.ts";
import {
  cmdDescriptor,
  FlightClient,
  FlightError,
  GrpcStatus,
  isFlightError,
  pathDescriptor,
} from "../../shared/flight/mod.ts";
import { setupLogging } from "../../shared/log/mod.ts";
import {
  recordBatchToEvents,
  type TtpEvent,
  ttpEventSchema,
} from "../../shared/schema/ttp_event.ts";
import { extractEvents, extractLedger } from "../../shared/ttp/mod.ts";
import { configSpec } from "./config.ts";
import { KNOWN_NETWORKS } from "./network.ts";
import { type RunningProcessor, startProcessor } from "./processor.ts";
import type { ProcessorStatus } from "./stats.ts";
import { fixtureLedgerRows, LoopbackSource } from "./testing/loopback_source.ts";
import { tamperFeeBalance } from "./testing/tamper.ts";

setupLogging({ level: "error" });

const PUBNET = KNOWN_NETWORKS.pubnet;
const ROWS = fixtureLedgerRows("pubnet-p26", PUBNET).slice(0, 6);
const FIRST = ROWS[0].sequence;
const EXPECTED = new Map<number, TtpEvent[]>(
  ROWS.map((r) => [r.sequence, extractLedger(r.ledger_xdr, { networkPassphrase: PUBNET }).events]),
);
const expectedRange = (a: number, b: number) =>
  ROWS.filter((r) => r.sequence >= a && r.sequence <= b).flatMap((r) => EXPECTED.get(r.sequence)!);

async function withProcessor(
  source: LoopbackSource,
  env: Record<string, string>,
  fn: (client: FlightClient, processor: RunningProcessor) => Promise<void>,
): Promise<void> {
  const parsed = parseConfig(configSpec, {
    name: "test",
    args: [],
    env: {
      SOURCE_ENDPOINT: source.address,
      FLIGHT_HOST: "127.0.0.1",
      FLIGHT_PORT: "0",
      HEALTH_PORT: "0",
      WORKERS: "1",
      SOURCE_CONNECT_TIMEOUT_MS: "1000",
      SOURCE_RETRY_TIMEOUT_MS: "10000",
      ...env,
    },
  });
  const processor = await startProcessor(parsed.config!, { probeIntervalMs: 60_000 });
  const client = new FlightClient(`127.0.0.1:${processor.flightPort}`);
  try {
    await fn(client, processor);
  } finally {
    client.close();
    await processor.close();
  }
}

async function readEvents(client: FlightClient, ticket: string): Promise<TtpEvent[]> {
  const out: TtpEvent[] = [];
  for await (const batch of client.doGet(ticket)) out.push(...recordBatchToEvents(batch));
  return out;
}

async function status(client: FlightClient): Promise<ProcessorStatus> {
  for await (const body of client.doAction("get_status")) {
    return JSON.parse(new TextDecoder().decode(body));
  }
  throw new Error("get_status returned nothing");
}

async function rejectsWith(p: Promise<unknown>, code: number, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof FlightError, String(e));
    assert.equal(e.codeName, GrpcStatus[code]);
    assert.match(e.message, re);
    return true;
  });
}

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms = 30_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a range is served as the extraction module's events, in order, with metadata calls", async () => {
  const source = new LoopbackSource({ rows: ROWS });
  await source.start();
  try {
    await withProcessor(source, { WORKERS: "2" }, async (client) => {
      const last = ROWS[4].sequence;
      const stream = client.doGet(`ttp_events:${FIRST}:${last}`);
      const events: TtpEvent[] = [];
      for await (const b of stream) events.push(...recordBatchToEvents(b));
      assert.equal((await stream.schema).fields.length, ttpEventSchema.fields.length);
      const want = expectedRange(FIRST, last);
      assert.equal(events.length, want.length);
      assert.deepEqual(events, want);
      // ids unique; increasing from one ledger to the next.
      assert.equal(new Set(events.map((e) => e.event_id)).size, events.length);
      for (let i = 1; i < events.length; i++) {
        if (events[i].ledger_sequence !== events[i - 1].ledger_sequence) {
          assert.ok(events[i].ledger_sequence > events[i - 1].ledger_sequence);
          assert.ok(events[i].event_id > events[i - 1].event_id);
        }
      }

      // Several clients at once, ranges overlapping: each gets its own complete, ordered stream.
      const [a, b, c] = await Promise.all([
        readEvents(client, `ttp_events:${FIRST + 1}:${FIRST + 2}`),
        readEvents(client, `ttp_events:${FIRST}:${FIRST + 1}?event_type=fee`),
        readEvents(client, `ttp_events::${FIRST}`),
      ]);
      assert.deepEqual(a, expectedRange(FIRST + 1, FIRST + 2));
      assert.deepEqual(b, expectedRange(FIRST, FIRST + 1).filter((e) => e.event_type === "fee"));
      assert.deepEqual(c, expectedRange(FIRST, FIRST));

      const info = await client.getFlightInfo(pathDescriptor("ttp_events"));
      assert.equal(
        new TextDecoder().decode(info.endpoints[0].ticket),
        `ttp_events:${FIRST}:${ROWS[ROWS.length - 1].sequence}`,
      );
      assert.equal(
        info.schema.fields.map((f) => f.name).join(),
        ttpEventSchema.fields.map((f) => f.name).join(),
      );
      const cmd = await client.getFlightInfo(
        cmdDescriptor(`ttp_events::${FIRST + 1}?event_type=fee`),
      );
      assert.equal(
        new TextDecoder().decode(cmd.endpoints[0].ticket),
        `ttp_events::${FIRST + 1}?event_type=fee`,
      );
      assert.deepEqual(JSON.parse(new TextDecoder().decode(cmd.appMetadata)), {
        first_ledger: FIRST,
        last_ledger: FIRST + 1,
        available: { first_ledger: FIRST, last_ledger: ROWS[ROWS.length - 1].sequence },
        filters: { event_type: ["fee"] },
      });
      const schema = await client.getSchema(pathDescriptor("ttp_events"));
      assert.equal(schema.metadata.get("name"), "ttp_event");
      const flights = [];
      for await (const f of client.listFlights()) flights.push(f);
      assert.deepEqual(flights.map((f) => f.descriptor?.path), [["ttp_events"]]);
      assert.deepEqual((await client.listActions()).map((a) => a.type), ["get_status"]);

      const s = await status(client);
      assert.equal(s.ledgers_consumed, 5 + 2 + 2 + 1);
      const extracted = want.length + a.length + expectedRange(FIRST, FIRST + 1).length + c.length;
      assert.equal(s.events_extracted, extracted);
      assert.equal(s.events_emitted, want.length + a.length + b.length + c.length);
      assert.equal(s.events_filtered, extracted - (want.length + a.length + b.length + c.length));
      assert.equal(s.streams_started, 4);
      assert.equal(s.last_ledger, last);
      assert.equal(s.mode, "auto");
      assert.equal(s.network_passphrase, PUBNET);
      assert.equal(s.verification_failures, 0);
      const all = [...want, ...a, ...expectedRange(FIRST, FIRST + 1), ...c];
      for (const [type, n] of Object.entries(s.events_extracted_by_type)) {
        assert.equal(n, all.filter((e) => e.event_type === type).length, type);
      }
    });
  } finally {
    await source.stop();
  }
});

Deno.test("ticket filters and configured defaults select events", async () => {
  const source = new LoopbackSource({ rows: ROWS });
  await source.start();
  try {
    await withProcessor(source, { EVENT_TYPES: "fee", VERIFY_EVENTS: "true" }, async (client) => {
      const all = expectedRange(FIRST, FIRST + 1);
      // Default filter from config.
      const fees = await readEvents(client, `ttp_events:${FIRST}:${FIRST + 1}`);
      assert.deepEqual(fees, all.filter((e) => e.event_type === "fee"));
      // Ticket filters replace the default of the same name.
      const rich = all.find((e) => e.event_type === "transfer" && e.asset === "native")!;
      const address = rich.to_address!;
      const ticket = `ttp_events:${FIRST}:${
        FIRST + 1
      }?event_type=transfer,mint&asset=native&address=${address}&min_amount=${rich.amount}`;
      const got = await readEvents(client, ticket);
      const want = all.filter((e) =>
        (e.event_type === "transfer" || e.event_type === "mint") && e.asset === "native" &&
        (e.from_address === address || e.to_address === address) &&
        BigInt(e.amount) >= BigInt(rich.amount)
      );
      assert.ok(want.length >= 1);
      assert.deepEqual(got, want);
      // A filtered range keeps a few events per ledger: they arrive coalesced in one batch.
      const mintBatches = [];
      for await (const b of client.doGet(`ttp_events:${FIRST}:${FIRST + 4}?event_type=mint`)) {
        mintBatches.push(b);
      }
      const mints = expectedRange(FIRST, FIRST + 4).filter((e) => e.event_type === "mint");
      const mintLedgers = new Set(mints.map((e) => e.ledger_sequence)).size;
      assert.ok(mintLedgers > 2, `${mintLedgers} ledgers with mints`);
      // One batch unless a ledger took longer than COALESCE_DELAY_MS on a busy machine.
      assert.ok(mintBatches.length < mintLedgers, `${mintBatches.length} batches`);
      assert.deepEqual(mintBatches.flatMap(recordBatchToEvents), mints);

      const s = await status(client);
      assert.equal(s.events_extracted, 2 * all.length + expectedRange(FIRST, FIRST + 4).length);
      assert.equal(
        s.events_filtered,
        2 * all.length - fees.length - got.length + expectedRange(FIRST, FIRST + 4).length -
          mints.length,
      );
      assert.equal(s.verify_events, true);
      assert.equal(s.verification_failures, 0);
    });
  } finally {
    await source.stop();
  }
});

Deno.test("bad tickets, descriptors and actions get clear status codes", async () => {
  const source = new LoopbackSource({ rows: ROWS });
  await source.start();
  try {
    await withProcessor(source, {}, async (client) => {
      const bad: [string, RegExp][] = [
        ["nope", /Expected a ticket "ttp_events:START:END/],
        [`ttp_events:${FIRST}:x`, /expected END/],
        [`ttp_events:${FIRST + 2}:${FIRST}`, /START <= END/],
        [`ttp_events:${FIRST}:${FIRST}?colour=red`, /colour: unknown parameter/],
        [`ttp_events:${FIRST}:${FIRST}?min_amount=abc`, /min_amount: expected an integer/],
      ];
      for (const [ticket, re] of bad) {
        await rejectsWith(readEvents(client, ticket), GrpcStatus.INVALID_ARGUMENT, re);
      }
      await rejectsWith(
        readEvents(client, `ttp_events:1:2`),
        GrpcStatus.NOT_FOUND,
        /not held/,
      );
      await rejectsWith(
        client.getFlightInfo(pathDescriptor("ledgers")),
        GrpcStatus.NOT_FOUND,
        /Expected the descriptor PATH \[ttp_events\] or a CMD .*, got PATH \[ledgers\]/,
      );
      await rejectsWith(
        client.getFlightInfo(cmdDescriptor("ttp_events:9:1")),
        GrpcStatus.INVALID_ARGUMENT,
        /START <= END/,
      );
      await rejectsWith(
        status(client).then(() => client.doAction("reboot").next()),
        GrpcStatus.INVALID_ARGUMENT,
        /Unknown action "reboot"; expected one of get_status/,
      );
    });
  } finally {
    await source.stop();
  }
});

Deno.test("a network passphrase that disagrees with the ledgers is FAILED_PRECONDITION naming both", async () => {
  const source = new LoopbackSource({ rows: ROWS });
  await source.start();
  try {
    await withProcessor(source, { NETWORK_PASSPHRASE: KNOWN_NETWORKS.testnet }, async (client) => {
      await rejectsWith(
        readEvents(client, `ttp_events:${FIRST}:${FIRST}`),
        GrpcStatus.FAILED_PRECONDITION,
        /NETWORK_PASSPHRASE is testnet .* network_id [0-9a-f]{64}, which is pubnet/,
      );
    });
  } finally {
    await source.stop();
  }
});

Deno.test("source down: clients get UNAVAILABLE; once it is up, streams work", async () => {
  const source = new LoopbackSource({ rows: ROWS });
  await source.start();
  await source.stop();
  // 3 s to connect: after the failed calls grpc-js backs off reconnecting, which on a loaded
  // machine can take longer than the 1 s the other tests allow.
  await withProcessor(source, { SOURCE_CONNECT_TIMEOUT_MS: "3000" }, async (client) => {
    await rejectsWith(
      readEvents(client, `ttp_events:${FIRST}:${FIRST}`),
      GrpcStatus.UNAVAILABLE,
      /unavailable/i,
    );
    await rejectsWith(
      client.getFlightInfo(pathDescriptor("ttp_events")),
      GrpcStatus.UNAVAILABLE,
      /Source/,
    );
    await source.start();
    try {
      // grpc-js may still be backing off its reconnects when the source comes back (longer on a
      // loaded machine): like any client, retry UNAVAILABLE for a while.
      const until = Date.now() + 20_000;
      let events: TtpEvent[] | undefined;
      while (events === undefined) {
        try {
          events = await readEvents(client, `ttp_events:${FIRST}:${FIRST}`);
        } catch (err) {
          if (!isFlightError(err, GrpcStatus.UNAVAILABLE) || Date.now() > until) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      assert.deepEqual(events, expectedRange(FIRST, FIRST));
    } finally {
      await source.stop();
    }
  });
});

Deno.test("follow mode, source restart mid-stream (no gap, no duplicate) and client cancel", async () => {
  const source = new LoopbackSource({ rows: ROWS, visible: 2 });
  await source.start();
  try {
    await withProcessor(source, {}, async (client, processor) => {
      const controller = new AbortController();
      const seen: TtpEvent[] = [];
      const maxLedger = () => seen.length ? seen[seen.length - 1].ledger_sequence : 0;
      const reading = (async () => {
        for await (const b of client.doGet(`ttp_events:${FIRST}:`, { signal: controller.signal })) {
          seen.push(...recordBatchToEvents(b));
        }
      })();
      reading.catch(() => {});
      // Live: the two visible ledgers arrive without waiting for more.
      await waitFor("the visible ledgers", () => maxLedger() === FIRST + 1);
      source.release(1);
      await waitFor("a released ledger", () => maxLedger() === FIRST + 2);
      // Restart the source while the stream follows the tip.
      await source.stop();
      await new Promise((r) => setTimeout(r, 300));
      await source.start();
      source.release(3);
      await waitFor("the ledgers after the restart", () => maxLedger() === ROWS[5].sequence);
      assert.deepEqual(seen, expectedRange(FIRST, ROWS[5].sequence));
      assert.ok(
        source.tickets.includes(`stellar_ledgers:${FIRST + 3}:`),
        `expected a resume at ${FIRST + 3}, got ${source.tickets.join(", ")}`,
      );
      assert.ok(processor.stats.status().source.reconnects >= 1);
      // Client goes away: the upstream pull stops.
      assert.equal(source.activeStreams, 1);
      controller.abort();
      await assert.rejects(reading);
      await waitFor("the upstream stream to close", () => source.activeStreams === 0);
      await waitFor("the processor stream to close", () => processor.stats.activeStreams === 0);
      const served = source.rowsServed;
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(source.rowsServed, served);
    });
  } finally {
    await source.stop();
  }
});

Deno.test("registers with flowctl and heartbeats the processor metrics", async () => {
  const { startControlPlane } = await import("../flowctl-control-plane/server.ts");
  const cp = await startControlPlane({ port: 0, address: "127.0.0.1", janitorIntervalMs: 1000 });
  const source = new LoopbackSource({ rows: ROWS });
  await source.start();
  try {
    await withProcessor(source, {
      ENABLE_FLOWCTL: "true",
      FLOWCTL_ENDPOINT: `127.0.0.1:${cp.port}`,
      FLOWCTL_HEARTBEAT_INTERVAL: "100ms",
    }, async (client) => {
      await readEvents(client, `ttp_events:${FIRST}:${FIRST}`);
      type Service = {
        service_type: string;
        metrics: Record<string, number>;
        metadata: Record<string, string>;
      };
      let service: Service | undefined;
      await waitFor("a heartbeat with the ledger", async () => {
        const res = await fetch(`http://127.0.0.1:${cp.port}/api/services`);
        const services = (await res.json()).services as Service[];
        service = services.find((s) => s.metrics?.ledgers_consumed === 1);
        return service !== undefined;
      });
      const m = service!.metrics;
      for (
        const name of [
          "ledgers_consumed",
          "events_extracted",
          "events_filtered",
          "batches_generated",
          "last_ledger_sequence",
          "success_count",
          "error_count",
        ]
      ) assert.ok(name in m, `heartbeat lacks ${name}: ${Object.keys(m).join(", ")}`);
      assert.equal(m.events_extracted, EXPECTED.get(FIRST)!.length);
      assert.equal(m.last_ledger_sequence, FIRST);
      assert.ok(Object.keys(m).some((k) => k.startsWith("processing_latency_ms")));
    });
  } finally {
    await source.stop();
    await cp.close();
  }
});

Deno.test("/health shows the flowctl state: disabled, then registered with id and heartbeat", async () => {
  const { startControlPlane } = await import("../flowctl-control-plane/server.ts");
  const cp = await startControlPlane({ port: 0, address: "127.0.0.1", janitorIntervalMs: 1000 });
  const source = new LoopbackSource({ rows: ROWS });
  await source.start();
  const health = async (p: RunningProcessor) =>
    (await (await fetch(`http://127.0.0.1:${p.healthPort}/health`)).json()).flowctl;
  try {
    await withProcessor(source, {}, async (_client, processor) => {
      const fc = await health(processor);
      assert.equal(fc?.enabled, false, JSON.stringify(fc));
      assert.equal(fc.state, "disabled");
    });
    await withProcessor(source, {
      ENABLE_FLOWCTL: "true",
      FLOWCTL_ENDPOINT: `127.0.0.1:${cp.port}`,
      FLOWCTL_HEARTBEAT_INTERVAL: "100ms",
    }, async (_client, processor) => {
      let fc: Record<string, unknown> | undefined;
      await waitFor("a heartbeat in /health", async () => {
        fc = await health(processor);
        return fc?.lastHeartbeatAt != null;
      });
      assert.equal(fc!.state, "registered");
      assert.match(String(fc!.serviceId), /^COMPONENT_TYPE_PROCESSOR-\d+$/);
      assert.equal(fc!.consecutiveFailures, 0);
    });
  } finally {
    await source.stop();
    await cp.close();
  }
});

Deno.test("VERIFY_EVENTS: a mismatch is logged with ledger and hash, counted, and the events served", async () => {
  const tampered = { ...ROWS[0], ledger_xdr: tamperFeeBalance(ROWS[0].ledger_xdr) };
  const source = new LoopbackSource({ rows: [tampered, ...ROWS.slice(1)] });
  await source.start();
  const lines: string[] = [];
  setupLogging({ level: "error", write: (line) => lines.push(line) });
  try {
    await withProcessor(source, { VERIFY_EVENTS: "true" }, async (client) => {
      const events = await readEvents(client, `ttp_events:${FIRST}:${FIRST + 1}`);
      const want = [
        ...extractEvents(tampered.ledger_xdr, { networkPassphrase: PUBNET }),
        ...EXPECTED.get(FIRST + 1)!,
      ];
      assert.deepEqual(events, want);
      const s = await status(client);
      assert.equal(s.verification_failures, 1);
      const txHash = want.find((e) => e.transaction_index === 1)!.tx_hash;
      const logged = lines.filter((l) => l.includes("TTP verification failed"));
      assert.equal(logged.length, 1, lines.join(""));
      assert.ok(logged[0].includes(String(FIRST)) && logged[0].includes(txHash), logged[0]);
    });
  } finally {
    setupLogging({ level: "error" });
    await source.stop();
  }
});
