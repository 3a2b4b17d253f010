import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { FlightClient, pathDescriptor } from "../../shared/flight/mod.ts";
import { setupLogging } from "../../shared/log/mod.ts";
import {
  eventFromJson,
  recordBatchToEvents,
  type TtpEvent,
} from "../../shared/schema/ttp_event.ts";
import type { SinkConfig } from "./config.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { DataDirLockedError } from "./data_lock.ts";
import { startSink } from "./sink.ts";
import { loadPubnetP26, PUBNET_P26_FIRST, PUBNET_P26_LAST } from "./testing/fixture_events.ts";
import { loopbackSinkConfig } from "./testing/config.ts";
import { startProcessorStub } from "./testing/processor_stub.ts";
import { parseCsv } from "./writers/csv.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";
import type { FileFormat } from "./writers/partition.ts";

setupLogging({ level: "error" });
const fixture = await loadPubnetP26();

function testConfig(
  dataDir: string,
  endpoint: string,
  extra: Partial<SinkConfig> = {},
): SinkConfig {
  return loopbackSinkConfig({ processorEndpoint: endpoint, dataDir }, {
    startLedger: PUBNET_P26_FIRST,
    endLedger: PUBNET_P26_LAST,
    outputs: ["parquet", "jsonl", "csv", "websocket", "api"],
    fileFormats: ["parquet", "jsonl", "csv"],
    parquetMaxRows: 3000,
    maxWsConnections: 10,
    ...extra,
  });
}

async function readFormat(dataDir: string, format: FileFormat): Promise<TtpEvent[]> {
  const writer = new DatasetWriter({ dataDir, formats: [] });
  const out: TtpEvent[] = [];
  for (const file of await writer.list(format)) {
    const text = format === "parquet" ? "" : await Deno.readTextFile(file.path);
    if (format === "jsonl") {
      for (const line of text.trimEnd().split("\n")) out.push(eventFromJson(JSON.parse(line)));
    } else if (format === "csv") {
      const [header, ...records] = parseCsv(text);
      for (const r of records) {
        const o = Object.fromEntries(header.map((h, i) => [h!, r[i]]));
        out.push(eventFromJson({
          ...o,
          ledger_sequence: Number(o.ledger_sequence),
          transaction_index: Number(o.transaction_index),
          operation_index: o.operation_index === null ? null : Number(o.operation_index),
        } as never));
      }
    }
  }
  return out;
}

function byId(events: readonly TtpEvent[]): TtpEvent[] {
  return [...events].sort((a, b) => a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);
}

Deno.test("real pubnet-p26 events over Flight land in Parquet, JSONL and CSV exactly once; DuckDB agrees", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sink-e2e-" });
  // Two broken streams exercise reconnection in the middle of ledgers.
  const stub = await startProcessorStub({
    events: fixture.events,
    breakStreams: 2,
    breakAfterBatches: 3,
  });
  const sink = await startSink(testConfig(dataDir, stub.endpoint));
  try {
    await sink.done;
    const expected = byId(fixture.events);
    assert.equal(expected.length, 12861);
    for (const format of ["jsonl", "csv"] as const) {
      const got = byId(await readFormat(dataDir, format));
      assert.equal(got.length, expected.length, `${format} count`);
      assert.deepEqual(got, expected, `${format} rows`);
    }
    const checkpoint = await readCheckpoint(dataDir);
    assert.equal(checkpoint?.last_ledger, PUBNET_P26_LAST);
    await assert.rejects(
      () => startSink(testConfig(dataDir, stub.endpoint)),
      DataDirLockedError,
      "a second sink on the same data directory",
    );
    assert.equal(checkpoint?.events_written, expected.length);
    assert.ok(stub.tickets.length >= 3, `reconnected: ${stub.tickets.join(" ")}`);

    // DuckDB over the Parquet dataset as a whole.
    const instance = await DuckDBInstance.create(":memory:");
    const c = await instance.connect();
    const glob = `read_parquet('${dataDir}/parquet/**/*.parquet', hive_partitioning = true)`;
    const rows = (await c.runAndReadAll(
      `SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM ${glob}`,
    )).getRowObjectsJS();
    assert.deepEqual(rows, [{ n: 12861n, ids: 12861n }]);
    const kinds = (await c.runAndReadAll(
      `SELECT event_type, count(*)::INTEGER AS n FROM ${glob} GROUP BY 1 ORDER BY 1`,
    )).getRowObjectsJS();
    const expectedKinds: Record<string, number> = {};
    for (const e of expected) expectedKinds[e.event_type] = (expectedKinds[e.event_type] ?? 0) + 1;
    assert.deepEqual(Object.fromEntries(kinds.map((r) => [r.event_type, r.n])), expectedKinds);
    const sums = (await c.runAndReadAll(
      `SELECT coalesce(asset, contract_address) AS k, sum(CAST(amount AS HUGEINT))::VARCHAR AS s
       FROM ${glob} GROUP BY 1`,
    )).getRowObjectsJS();
    const expectedSums = new Map<string, bigint>();
    for (const e of expected) {
      const k = e.asset ?? e.contract_address;
      expectedSums.set(k, (expectedSums.get(k) ?? 0n) + BigInt(e.amount));
    }
    assert.equal(sums.length, expectedSums.size);
    for (const r of sums) {
      assert.equal(r.s, expectedSums.get(r.k as string)!.toString(), String(r.k));
    }
    const parquetRows = (await c.runAndReadAll(
      `SELECT * EXCLUDE (closed_at, date), epoch_ms(closed_at) AS closed_at FROM ${glob} ORDER BY event_id`,
    )).getRowObjectsJS();
    assert.deepEqual(
      parquetRows.map((r) => ({ ...r, closed_at: Number(r.closed_at) })),
      expected.map((e) => ({ ...e })),
      "parquet rows equal the extracted events",
    );
    c.closeSync();
    instance.closeSync();

    // REST and Flight over the stored dataset.
    const stats = await (await fetch(`http://127.0.0.1:${sink.ports.http}/api/stats`)).json();
    assert.deepEqual(stats.events_by_type, expectedKinds);
    assert.equal(stats.first_ledger, PUBNET_P26_FIRST);
    assert.equal(stats.last_ledger, PUBNET_P26_LAST);
    assert.equal(stats.lag_ledgers, 0);
    const client = new FlightClient(`127.0.0.1:${sink.ports.flight}`);
    try {
      const info = await client.getFlightInfo(pathDescriptor("ttp_events"));
      assert.equal(
        new TextDecoder().decode(info.endpoints[0].ticket),
        `ttp_events:${PUBNET_P26_FIRST}:${PUBNET_P26_LAST}`,
      );
      const table = await client.doGet(`ttp_events:${PUBNET_P26_FIRST}:${PUBNET_P26_LAST}`)
        .readAll();
      const served = table.batches.flatMap((b) => recordBatchToEvents(b));
      assert.deepEqual(served, expected);
      const fees = await client.doGet(`ttp_events:63092990:63092991?event_type=fee`).readAll();
      assert.equal(
        fees.numRows,
        expected.filter((e) =>
          e.event_type === "fee" && e.ledger_sequence >= 63092990 && e.ledger_sequence <= 63092991
        ).length,
      );
    } finally {
      client.close();
    }
    const health = await (await fetch(`http://127.0.0.1:${sink.ports.health}/health`)).json();
    assert.equal(health.status, "healthy", JSON.stringify(health));
    const metrics = await (await fetch(`http://127.0.0.1:${sink.ports.health}/metrics`)).text();
    assert.match(metrics, /analytics_sink_events_written_total 12861/);
    assert.match(metrics, /analytics_sink_events_written_by_format_total\{format="csv"\} 12861/);
  } finally {
    await sink.stop();
    await stub.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("follows the tip from the first offered ledger; degraded while the processor is down", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "sink-follow-" });
  const firstHalf = fixture.events.filter((e) => e.ledger_sequence <= 63092991);
  const secondHalf = fixture.events.filter((e) => e.ledger_sequence > 63092991);
  // The processor is down when the sink starts: its port is held by a listener that drops every
  // connection (so that no other test's server can take the port meanwhile) until the stub
  // replaces it.
  const holder = holdPort();
  const port = holder.port;
  const sink = await startSink(testConfig(dataDir, `127.0.0.1:${port}`, {
    startLedger: undefined,
    endLedger: undefined,
    outputs: ["parquet", "websocket", "api"],
    fileFormats: ["parquet"],
    parquetMaxRows: 100_000,
    flushIntervalMs: 100,
  }));
  const base = `127.0.0.1:${sink.ports.http}`;
  let stub: Awaited<ReturnType<typeof startProcessorStub>> | undefined;
  const ws = new WebSocket(`ws://${base}/ws?event_type=transfer`);
  const received: Record<string, unknown>[] = [];
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    if (!("type" in m)) received.push(m);
  };
  await new Promise((r) => (ws.onopen = r));
  const client = new FlightClient(`127.0.0.1:${sink.ports.flight}`);
  const followed: TtpEvent[] = [];
  const stopFollow = new AbortController();
  const follow = (async () => {
    const stream = client.doGet("ttp_events::", { signal: stopFollow.signal });
    for await (const batch of stream) followed.push(...recordBatchToEvents(batch));
  })();
  follow.catch(() => {});
  const waitFor = async (check: () => Promise<boolean> | boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    const down = await (await fetch(`http://127.0.0.1:${sink.ports.health}/health`)).json();
    assert.equal(down.status, "degraded");
    assert.match(down.reasons.join(" "), /processor 127\.0\.0\.1:\d+ unavailable/);
    const empty = await (await fetch(`http://${base}/api/stats`)).json();
    assert.equal(empty.events_total, 0);
    assert.equal(empty.last_ledger, null);

    await holder.release();
    stub = await startProcessorStub({ events: firstHalf, port });
    // Ledger 63092991 stays open until a later ledger's event arrives.
    await waitFor(() => sink.checkpoint()?.last_ledger === 63092990, "ledgers through 63092990");
    assert.equal(
      sink.checkpoint()?.first_ledger,
      PUBNET_P26_FIRST,
      "started at the first offered ledger",
    );
    await waitFor(
      async () =>
        (await (await fetch(`http://127.0.0.1:${sink.ports.health}/health`)).json()).status ===
          "healthy",
      "healthy",
    );

    stub.append(secondHalf, PUBNET_P26_LAST);
    await waitFor(
      () => sink.checkpoint()?.last_ledger === PUBNET_P26_LAST - 1,
      "ledgers through 63093000",
    );
    const committed = fixture.events.filter((e) => e.ledger_sequence < PUBNET_P26_LAST);
    const transfers = committed.filter((e) => e.event_type === "transfer");
    await waitFor(
      () => received.length === transfers.length,
      `${transfers.length} WebSocket transfers`,
    );
    assert.deepEqual(
      received.map((e) => e.event_id),
      transfers.map((e) => e.event_id),
      "in commit order, once each",
    );
    await waitFor(() => followed.length === committed.length, "Flight follow stream");
    assert.deepEqual(followed.map((e) => e.event_id), byId(committed).map((e) => e.event_id));
    const page =
      await (await fetch(`http://${base}/api/ledgers/${PUBNET_P26_LAST - 1}/events?limit=1000`))
        .json();
    assert.equal(page.events.length, fixture.byLedger.get(PUBNET_P26_LAST - 1)!.length);
    const open = await fetch(`http://${base}/api/ledgers/${PUBNET_P26_LAST}/events`);
    assert.equal(open.status, 404, "the open ledger is not stored yet");
    await open.body?.cancel();
  } finally {
    ws.close();
    stopFollow.abort();
    await follow.catch(() => {});
    client.close();
    await sink.stop();
    await stub?.close();
    await holder.release();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** A TCP listener on a free loopback port that accepts and at once closes every connection. */
function holdPort(): { port: number; release(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    try {
      for await (const conn of listener) conn.close();
    } catch {
      // closed by release()
    }
  })();
  let released: Promise<void> | undefined;
  return {
    port: listener.addr.port,
    release() {
      if (!released) {
        listener.close();
        released = accepting;
      }
      return released;
    },
  };
}

Deno.test("registers with the flowctl control plane and heartbeats the sink metrics", async () => {
  const { startControlPlane } = await import("../flowctl-control-plane/server.ts");
  const { flowctlConfigFrom, flowctlOptionSpec } = await import("../../shared/flowctl/mod.ts");
  const { parseConfig } = await import("../../shared/config/mod.ts");
  const cp = await startControlPlane({ port: 0, address: "127.0.0.1", janitorIntervalMs: 1000 });
  const dataDir = await Deno.makeTempDir({ prefix: "sink-flowctl-" });
  const stub = await startProcessorStub({ events: fixture.events });
  const parsed = parseConfig(flowctlOptionSpec, {
    name: "test",
    args: [],
    env: {
      ENABLE_FLOWCTL: "true",
      FLOWCTL_ENDPOINT: `127.0.0.1:${cp.port}`,
      FLOWCTL_HEARTBEAT_INTERVAL: "100ms",
      FLOWCTL_ADVERTISE_HOST: "127.0.0.1",
    },
  });
  const sink = await startSink(testConfig(dataDir, stub.endpoint, {
    endLedger: PUBNET_P26_FIRST + 1,
    flowctl: flowctlConfigFrom(parsed.config!),
  }));
  try {
    await sink.done;
    const expected = fixture.events.filter((e) => e.ledger_sequence <= PUBNET_P26_FIRST + 1).length;
    type Service = {
      service_type: string;
      metrics: Record<string, number>;
      metadata: Record<string, string>;
    };
    let service: Service | undefined;
    const deadline = Date.now() + 15_000;
    while (!service) {
      const services = (await (await fetch(`http://127.0.0.1:${cp.port}/api/services`)).json())
        .services as Service[];
      service = services.find((s) => s.metrics?.events_written === expected);
      if (!service) {
        assert.ok(
          Date.now() < deadline,
          `no heartbeat with events_written=${expected}: ${JSON.stringify(services)}`,
        );
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.equal(service.metrics.events_consumed, expected);
    assert.equal(service.metrics.events_written_by_format_parquet, expected);
    assert.match(service.metadata.endpoints ?? "", /ws:\/\/127\.0\.0\.1:\d+\/ws/);
    const health = await (await fetch(`http://127.0.0.1:${sink.ports.health}/health`)).json();
    assert.equal(health.flowctl.state, "registered");
  } finally {
    await sink.stop();
    await stub.close();
    await cp.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
