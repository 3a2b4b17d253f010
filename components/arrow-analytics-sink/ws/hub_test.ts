import assert from "node:assert/strict";
import { eventToJson, type TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { setupLogging } from "../../../shared/log/mod.ts";
import { account, makeEvent, makeLedgers } from "../testing/events.ts";
import { SLOW_CLIENT_CLOSE_CODE, WsHub, type WsHubOptions } from "./hub.ts";

setupLogging({ level: "error" });

function serveHub(options: Partial<WsHubOptions> = {}) {
  const hub = new WsHub({ maxConnections: 10, maxBufferedBytes: 256 * 1024, ...options });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => hub.handle(req),
  );
  return {
    hub,
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    http: `http://127.0.0.1:${server.addr.port}/ws`,
    server,
  };
}

/** A client that records messages and lets tests wait for a count or a predicate. */
class Client {
  readonly messages: Record<string, unknown>[] = [];
  /** Events (messages without a `type`) received. */
  eventCount = 0;
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  #waiters: (() => void)[] = [];
  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.onopen = () => resolve();
      this.socket.onerror = (e) => reject(e);
    });
    this.closed = new Promise((resolve) => (this.socket.onclose = resolve));
    this.socket.onmessage = (e) => {
      const message = JSON.parse(e.data);
      this.messages.push(message);
      if (!("type" in message)) this.eventCount++;
      for (const w of this.#waiters.splice(0)) w();
    };
  }
  events(): Record<string, unknown>[] {
    return this.messages.filter((m) => !("type" in m));
  }
  controls(): Record<string, unknown>[] {
    return this.messages.filter((m) => "type" in m);
  }
  async until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(done, 50);
        function done() {
          clearTimeout(timer);
          r();
        }
        this.#waiters.push(done);
      });
    }
  }
  send(message: unknown) {
    this.socket.send(JSON.stringify(message));
  }
  async close() {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    await this.closed;
  }
}

const USDC = `USDC:${account(9)}`;
const sample: TtpEvent[] = [
  makeEvent({
    ledger: 1,
    index: 0,
    type: "transfer",
    asset: "native",
    amount: "5",
    from: account(1),
    to: account(2),
  }),
  makeEvent({
    ledger: 1,
    index: 1,
    type: "mint",
    asset: USDC,
    amount: "170141183460469231731687303715884105727",
    from: null,
    to: account(3),
  }),
  makeEvent({
    ledger: 1,
    index: 2,
    type: "fee",
    asset: "native",
    amount: "-20",
    from: account(3),
    to: null,
  }),
  makeEvent({
    ledger: 2,
    index: 0,
    type: "burn",
    asset: USDC,
    amount: "9007199254740993",
    from: account(2),
    to: null,
  }),
];

Deno.test("query-string filters, subscribe, unsubscribe and ping", async () => {
  const { hub, url, server } = serveHub();
  const all = new Client(url);
  const filtered = new Client(`${url}?event_type=mint,burn&min_amount=9007199254740993`);
  const byAddress = new Client(`${url}?address=${account(2)}`);
  try {
    await Promise.all([all.opened, filtered.opened, byAddress.opened]);
    await filtered.until(() => filtered.controls().length === 1, "greeting");
    assert.deepEqual(filtered.controls()[0], {
      type: "subscribed",
      filters: { event_type: ["mint", "burn"], min_amount: "9007199254740993" },
    });
    assert.equal(hub.connections, 3);
    hub.publish(sample);
    await all.until(() => all.events().length === 4, "all events");
    await filtered.until(() => filtered.events().length === 2, "filtered events");
    await byAddress.until(() => byAddress.events().length === 2, "address events");
    assert.deepEqual(all.events(), sample.map((e) => JSON.parse(JSON.stringify(eventToJson(e)))));
    assert.deepEqual(filtered.events().map((e) => e.event_type), ["mint", "burn"]);
    assert.deepEqual(byAddress.events().map((e) => e.event_type), ["transfer", "burn"]);

    filtered.send({ type: "subscribe", filters: { asset: ["native"], event_type: "fee" } });
    await filtered.until(() => filtered.controls().length === 2, "subscribed");
    assert.deepEqual(filtered.controls()[1], {
      type: "subscribed",
      filters: { event_type: ["fee"], asset: ["native"] },
    });
    all.send({ type: "unsubscribe" });
    await all.until(() => all.controls().length === 2, "unsubscribed");
    assert.deepEqual(all.controls()[1], { type: "unsubscribed" });
    hub.publish(sample);
    await filtered.until(() => filtered.events().length === 3, "fee after resubscribe");
    assert.equal(filtered.events()[2].event_type, "fee");
    all.send({ type: "ping" });
    await all.until(() => all.controls().length === 3, "pong");
    assert.equal(all.controls()[2].type, "pong");
    assert.equal(all.events().length, 4, "nothing after unsubscribe");

    for (
      const [message, re] of [
        [{ type: "subscribe", filters: { event_type: "swap" } }, /event_type: expected one of/],
        [{ type: "subscribe", filters: { colour: "red" } }, /colour: unknown filter/],
        [{ type: "dance" }, /expected "type" to be subscribe, unsubscribe or ping/],
      ] as const
    ) {
      const before = byAddress.controls().length;
      byAddress.send(message);
      await byAddress.until(() => byAddress.controls().length === before + 1, "error");
      assert.equal(byAddress.controls()[before].type, "error");
      assert.match(byAddress.controls()[before].error as string, re);
    }
    byAddress.socket.send("not json");
    await byAddress.until(() => byAddress.controls().length === 5, "json error");
    assert.match(byAddress.controls()[4].error as string, /JSON text message/);
  } finally {
    await Promise.all([all.close(), filtered.close(), byAddress.close()]);
    await server.shutdown();
  }
});

Deno.test("bad query filters are 400 and the connection limit is 503", async () => {
  const { url, http, server } = serveHub({ maxConnections: 1 });
  const headers = {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
  };
  try {
    const noKey = await fetch(http, { headers: { upgrade: "websocket", connection: "Upgrade" } });
    assert.equal(noKey.status, 400);
    assert.match((await noKey.json()).error, /valid WebSocket upgrade/);
    const plain = await fetch(http);
    assert.equal(plain.status, 400);
    assert.match((await plain.json()).error, /Upgrade: websocket/);
    const bad = await fetch(`${http}?min_amount=lots`, { headers });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).parameter, "min_amount");
    const first = new Client(url);
    await first.opened;
    const full = await fetch(http, { headers });
    assert.equal(full.status, 503);
    assert.match((await full.json()).error, /the limit is 1/);
    await first.close();
  } finally {
    await server.shutdown();
  }
});

Deno.test("a client that never reads is cut off; a normal client receives everything", async () => {
  let slowCut = 0;
  const { hub, url, server } = serveHub({
    maxBufferedBytes: 256 * 1024,
    onSlowClient: () => slowCut++,
  });
  const normal = new Client(url);
  await normal.opened;
  // A raw TCP client: completes the WebSocket handshake, then never reads a byte.
  const port = Number(new URL(url).port);
  const raw = await Deno.connect({ hostname: "127.0.0.1", port });
  await raw.write(new TextEncoder().encode(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  try {
    const deadline = Date.now() + 5000;
    while (hub.connections < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(hub.connections, 2);
    const events = makeLedgers(1, 400, 50); // 20 000 events, ~15 MB of JSON per client
    // Two large commits in a row: the hub slices them so that readers keep up.
    const published = Promise.all([
      hub.publish(events.slice(0, 12_000)),
      hub.publish(events.slice(12_000)),
    ]);
    await normal.until(() => normal.eventCount === events.length, "every event", 30_000);
    await published;
    assert.deepEqual(normal.events().map((e) => e.event_id), events.map((e) => e.event_id));
    assert.equal(slowCut, 1, "the reader that never reads was cut off");
    assert.equal(hub.slowDisconnects, 1);
    assert.equal(hub.connections, 1);
    assert.equal(normal.socket.readyState, WebSocket.OPEN);
    assert.ok(SLOW_CLIENT_CLOSE_CODE === 1008);
  } finally {
    raw.close();
    await normal.close();
    await server.shutdown();
  }
});
