import assert from "node:assert/strict";
import { eventToJson, type TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { EventStore } from "../query/store.ts";
import { account, makeLedgers } from "../testing/events.ts";
import { DatasetWriter } from "../writers/dataset_writer.ts";
import type { FileFormat } from "../writers/partition.ts";
import { createApiHandler, MAX_LIMIT } from "./router.ts";

interface Fixture {
  base: string;
  events: TtpEvent[];
  close(): Promise<void>;
}

/** Ledgers 100-139 with 25 events each, committed 3 ledgers a time (14 files, so pages span
 * several read chunks); ledgers 140-141 are empty. */
async function fixture(format: FileFormat): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "sink-api-" });
  const writer = new DatasetWriter({
    dataDir: dir,
    formats: [format],
  });
  const events = makeLedgers(100, 139, 25);
  const files = [];
  for (let from = 100; from < 140; from += 10) {
    files.push(
      ...await writer.write(
        events.filter((e) => e.ledger_sequence >= from && e.ledger_sequence < from + 10),
      ),
    );
  }
  const store = await EventStore.open({ format, files });
  const handler = createApiHandler({
    store,
    range: () => ({ first_ledger: 100, last_ledger: 141 }),
    tip: () => 150,
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    events: [...events].sort((a, b) => a.event_id < b.event_id ? -1 : 1),
    async close() {
      await server.shutdown();
      store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url);
  return { status: r.status, body: await r.json() };
}

async function walk(base: string, query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const { status, body } = await get(
      `${base}/api/events?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    const events = body.events as { event_id: string }[];
    assert.ok(events.length <= limit);
    ids.push(...events.map((e) => e.event_id));
    cursor = body.next_cursor as string | null;
    if (cursor === null) return ids;
    assert.equal(cursor, events.at(-1)!.event_id);
  }
  throw new Error("pagination did not end");
}

for (const format of ["parquet", "jsonl", "csv"] as const) {
  Deno.test(`${format}: pagination walks the whole range with no gap or repeat`, async () => {
    const f = await fixture(format);
    try {
      const all = await walk(f.base, "", 37);
      assert.deepEqual(all, f.events.map((e) => e.event_id));
      const usdc = `USDC:${account(9)}`;
      const filtered = await walk(
        f.base,
        `event_type=transfer,fee&asset=${
          encodeURIComponent(usdc)
        }&ledger_from=105&ledger_to=131&min_amount=-1`,
        11,
      );
      assert.deepEqual(
        filtered,
        f.events.filter((e) =>
          ["transfer", "fee"].includes(e.event_type) && e.asset === usdc &&
          e.ledger_sequence >= 105 &&
          e.ledger_sequence <= 131 && BigInt(e.amount) >= -1n
        ).map((e) => e.event_id),
      );
      assert.ok(filtered.length > 10);
      const { body } = await get(`${f.base}/api/events?limit=${MAX_LIMIT}`);
      assert.deepEqual(
        body.events,
        f.events.slice(0, MAX_LIMIT).map(eventToJson),
        "full rows round-trip",
      );
    } finally {
      await f.close();
    }
  });
}

Deno.test("single event, ledger events, stats and 404s", async () => {
  const f = await fixture("parquet");
  try {
    const target = f.events[333];
    const one = await get(`${f.base}/api/events/${target.event_id}`);
    const cors = await fetch(`${f.base}/api/stats`);
    assert.equal(cors.headers.get("access-control-allow-origin"), "*");
    await cors.body?.cancel();
    assert.equal(one.status, 200);
    assert.deepEqual(one.body, eventToJson(target));
    const missing = await get(`${f.base}/api/events/${target.event_id.slice(0, -1)}9`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error as string, /not found/);

    const ledger = await get(`${f.base}/api/ledgers/120/events?limit=1000`);
    assert.equal(ledger.status, 200);
    assert.equal(ledger.body.ledger, 120);
    assert.deepEqual(
      (ledger.body.events as TtpEvent[]).map((e) => e.event_id),
      f.events.filter((e) => e.ledger_sequence === 120).map((e) => e.event_id),
    );
    const empty = await get(`${f.base}/api/ledgers/141/events`);
    assert.equal(empty.status, 200, "a stored ledger without events");
    assert.deepEqual(empty.body.events, []);
    assert.equal((await get(`${f.base}/api/ledgers/142/events`)).status, 404);
    assert.equal((await get(`${f.base}/api/ledgers/99/events`)).status, 404);

    const stats = await get(`${f.base}/api/stats`);
    assert.equal(stats.status, 200);
    const byType: Record<string, number> = {};
    for (const e of f.events) byType[e.event_type] = (byType[e.event_type] ?? 0) + 1;
    assert.deepEqual(stats.body.events_by_type, byType);
    assert.equal(stats.body.events_total, f.events.length);
    const volumes = new Map<string, bigint>();
    for (const e of f.events) {
      if (e.event_type === "fee" || e.asset === null) continue;
      volumes.set(e.asset, (volumes.get(e.asset) ?? 0n) + BigInt(e.amount));
    }
    const top = stats.body.top_assets_by_volume as { asset: string; volume: string }[];
    assert.deepEqual(
      top.map((t) => [t.asset, t.volume]),
      [...volumes].sort((a, b) => (b[1] > a[1] ? 1 : -1)).map(([a, v]) => [a, v.toString()]),
    );
    assert.equal(stats.body.first_ledger, 100);
    assert.equal(stats.body.last_ledger, 141);
    assert.equal(stats.body.first_event_ledger, 100);
    assert.equal(stats.body.last_event_ledger, 139);
    assert.equal(stats.body.lag_ledgers, 9);
    const unknown = await get(`${f.base}/api/nothing`);
    assert.equal(unknown.status, 404);
    const post = await fetch(`${f.base}/api/events`, { method: "POST" });
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await f.close();
  }
});

Deno.test("every bad parameter gives 400 naming the parameter", async () => {
  const f = await fixture("jsonl");
  try {
    const cases: [string, string, RegExp][] = [
      ["/api/events?limit=0", "limit", /integer from 1 to 1000/],
      ["/api/events?limit=1001", "limit", /integer from 1 to 1000/],
      ["/api/events?limit=ten", "limit", /got "ten"/],
      ["/api/events?limit=5&limit=6", "limit", /more than once/],
      ["/api/events?cursor=abc", "cursor", /expected a next_cursor value/],
      ["/api/events?ledger_from=-1", "ledger_from", /integer from 1/],
      ["/api/events?ledger_to=4294967296", "ledger_to", /integer from 1 to 4294967295/],
      [
        "/api/events?ledger_from=10&ledger_to=9",
        "ledger_to",
        /ledger_to >= ledger_from \(10\), got 9/,
      ],
      ["/api/events?event_type=swap", "event_type", /expected one of transfer/],
      ["/api/events?asset=USD", "asset", /"native" or CODE:ISSUER/],
      ["/api/events?address=GNOPE", "address", /valid account/],
      ["/api/events?contract_address=" + account(1), "contract_address", /contract strkey/],
      ["/api/events?min_amount=1.5", "min_amount", /integer amount/],
      ["/api/events?colour=red", "colour", /unknown parameter/],
      ["/api/events/123", "event_id", /19 digits, a dash and 10 digits/],
      ["/api/ledgers/abc/events", "seq", /ledger number/],
      ["/api/ledgers/120/events?ledger_from=1", "ledger_from", /unknown parameter/],
      ["/api/ledgers/120/events?limit=2000", "limit", /1 to 1000/],
      ["/api/stats?x=1", "x", /takes none/],
    ];
    for (const [path, parameter, re] of cases) {
      const { status, body } = await get(f.base + path);
      assert.equal(status, 400, path);
      assert.equal(body.parameter, parameter, path);
      assert.match(body.error as string, re, path);
    }
  } finally {
    await f.close();
  }
});
