import assert from "node:assert/strict";
import type { Buffer } from "node:buffer";
import * as grpc from "@grpc/grpc-js";
import * as arrow from "apache-arrow";
import { FlightClient } from "./client.ts";
import { FlightError, GrpcStatus } from "./errors.ts";
import { flightServiceDefinition } from "./proto.ts";
import { encodeFlightDataFramed } from "./flight_data_codec.ts";
import { FlightDataEncoder } from "./ipc.ts";
import { EncodedFlightData, type FlightStream } from "./server.ts";
import { pathDescriptor } from "./types.ts";
import type { FlightInfo } from "./types.ts";
import {
  deferred,
  eventTable,
  ledgerTable,
  loopback,
  pseudoRandomBytes,
  withTimeout,
} from "./_testing.ts";

const text = new TextDecoder();
const enc = new TextEncoder();

async function expectFlightError(
  promise: Promise<unknown>,
  code: GrpcStatus,
  message: RegExp,
): Promise<FlightError> {
  const err = await promise.then(
    () => assert.fail(`expected ${GrpcStatus[code]}, the call succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof FlightError, `expected a FlightError, got ${err}`);
  assert.equal(err.codeName, GrpcStatus[code], `message: ${err.message}`);
  assert.match(err.message, message);
  return err;
}

function rowsOf(table: arrow.Table): unknown[] {
  return table.toArray().map((r) => r.toJSON());
}

Deno.test("every call round-trips over a loopback server", async () => {
  const events = eventTable(0, 50);
  const info: FlightInfo = {
    schema: events.schema,
    descriptor: pathDescriptor("events", "100-200"),
    endpoints: [{
      ticket: enc.encode("events:100:200"),
      locations: ["grpc+tcp://127.0.0.1:8817"],
      expirationTime: new Date("2030-01-02T03:04:05.678Z"),
    }],
    totalRecords: 50,
    totalBytes: 12345,
    ordered: true,
  };
  const lb = await loopback({
    listFlights: (criteria) => {
      assert.equal(text.decode(criteria), "all");
      return [info, { ...info, descriptor: pathDescriptor("other") }];
    },
    getFlightInfo: (d) => {
      if (d.path?.[0] !== "events") throw FlightError.notFound(`no ${d.path?.join("/")}`);
      return { ...info, descriptor: d };
    },
    doGet: (ticket) => {
      assert.equal(text.decode(ticket), "events:100:200");
      return { schema: events.schema, batches: events.batches };
    },
    doAction: async function* (action) {
      yield enc.encode(`${action.type}:${text.decode(action.body)}`);
      yield enc.encode("second");
    },
    listActions: () => [{ type: "status", description: "Component status as JSON" }],
  });
  try {
    const c = lb.client;
    const flights = [];
    for await (const f of c.listFlights(enc.encode("all"))) flights.push(f);
    assert.equal(flights.length, 2);
    assert.deepEqual(flights[1].descriptor?.path, ["other"]);

    const got = await c.getFlightInfo(pathDescriptor("events", "100-200"));
    assert.equal(String(got.schema), String(events.schema));
    assert.deepEqual(got.descriptor?.path, ["events", "100-200"]);
    assert.equal(got.descriptor?.type, "PATH");
    assert.equal(got.totalRecords, 50);
    assert.equal(got.totalBytes, 12345);
    assert.equal(got.ordered, true);
    assert.equal(text.decode(got.endpoints[0].ticket), "events:100:200");
    assert.deepEqual(got.endpoints[0].locations, ["grpc+tcp://127.0.0.1:8817"]);
    assert.equal(got.endpoints[0].expirationTime?.toISOString(), "2030-01-02T03:04:05.678Z");

    // GetSchema falls back to getFlightInfo(descriptor).schema.
    const schema = await c.getSchema(pathDescriptor("events"));
    assert.equal(String(schema), String(events.schema));
    await expectFlightError(c.getSchema(pathDescriptor("nope")), GrpcStatus.NOT_FOUND, /no nope/);

    const stream = c.doGet("events:100:200");
    const table = await stream.readAll();
    assert.equal(String(await stream.schema), String(events.schema));
    assert.deepEqual(rowsOf(table), rowsOf(events));

    const results = [];
    for await (const r of c.doAction({ type: "echo", body: enc.encode("hi") })) {
      results.push(text.decode(r));
    }
    assert.deepEqual(results, ["echo:hi", "second"]);
    assert.deepEqual(await c.listActions(), [{
      type: "status",
      description: "Component status as JSON",
    }]);

    const hs = await c.handshake({ protocolVersion: 7 });
    assert.equal(hs.protocolVersion, "7");
    assert.equal(hs.payload.byteLength, 0);
  } finally {
    await lb.close();
  }
});

Deno.test("explicit getSchema wins; zero batches still send the schema", async () => {
  const schema = ledgerTable(1, 1, 8).schema;
  const lb = await loopback({
    getSchema: () => schema,
    doGet: () => ({ schema, batches: [] }),
  });
  try {
    assert.equal(String(await lb.client.getSchema(pathDescriptor("x"))), String(schema));
    const stream = lb.client.doGet("empty");
    const table = await stream.readAll();
    assert.equal(table.numRows, 0);
    assert.equal(String(table.schema), String(schema));
    assert.equal(stream.stats.messages, 1, "exactly the schema message");
  } finally {
    await lb.close();
  }
});

Deno.test("ticket errors map to INVALID_ARGUMENT and NOT_FOUND; bugs to INTERNAL", async () => {
  const table = eventTable(0, 3);
  const lb = await loopback({
    doGet: (ticket) => {
      const m = /^events:(\d+):(\d+)$/.exec(text.decode(ticket));
      if (!m) {
        throw FlightError.invalidArgument(
          `Expected a ticket "events:<start>:<end>", got "${text.decode(ticket)}"`,
        );
      }
      if (Number(m[1]) > 100) throw FlightError.notFound(`Range ${m[1]}-${m[2]} is not available`);
      if (Number(m[1]) === 13) throw new TypeError("unlucky handler bug");
      return { schema: table.schema, batches: table.batches };
    },
  });
  try {
    await expectFlightError(
      lb.client.doGet("garbage").readAll(),
      GrpcStatus.INVALID_ARGUMENT,
      /Expected a ticket "events:<start>:<end>", got "garbage"/,
    );
    await expectFlightError(
      lb.client.doGet("events:500:600").readAll(),
      GrpcStatus.NOT_FOUND,
      /Range 500-600 is not available/,
    );
    await expectFlightError(
      lb.client.doGet("events:13:14").schema,
      GrpcStatus.INTERNAL,
      /unlucky handler bug/,
    );
    // The server keeps serving after a handler bug.
    assert.equal((await lb.client.doGet("events:1:2").readAll()).numRows, 3);
    // An error thrown midway by the batch iterator reaches the client too.
    const failing = await loopback({
      doGet: () => ({
        schema: table.schema,
        batches: (async function* () {
          yield table.batches[0];
          throw FlightError.unavailable("upstream data lake is down");
        })(),
      }),
    });
    try {
      const stream = failing.client.doGet("x");
      const seen: number[] = [];
      await expectFlightError(
        (async () => {
          for await (const b of stream) seen.push(b.numRows);
        })(),
        GrpcStatus.UNAVAILABLE,
        /upstream data lake is down/,
      );
      // Batches sent before the error may or may not be delivered before it; never others.
      assert.ok(seen.length <= 1 && seen.every((n) => n === 3), `saw ${seen}`);
    } finally {
      await failing.close();
    }
  } finally {
    await lb.close();
  }
});

Deno.test("missing handlers, DoPut, DoExchange and PollFlightInfo answer UNIMPLEMENTED", async () => {
  const lb = await loopback({});
  try {
    const c = lb.client;
    await expectFlightError(
      c.getFlightInfo(pathDescriptor("a")),
      GrpcStatus.UNIMPLEMENTED,
      /GetFlightInfo/,
    );
    await expectFlightError(
      c.getSchema(pathDescriptor("a")),
      GrpcStatus.UNIMPLEMENTED,
      /GetSchema/,
    );
    await expectFlightError(
      c.pollFlightInfo(pathDescriptor("a")),
      GrpcStatus.UNIMPLEMENTED,
      /PollFlightInfo/,
    );
    await expectFlightError(c.doGet("t").readAll(), GrpcStatus.UNIMPLEMENTED, /DoGet/);
    await expectFlightError(c.doAction("x").next(), GrpcStatus.UNIMPLEMENTED, /DoAction/);
    assert.deepEqual(await c.listActions(), []);

    // DoPut and DoExchange through a raw grpc-js client.
    const raw = new grpc.Client(lb.address, grpc.credentials.createInsecure());
    try {
      for (const name of ["DoPut", "DoExchange"]) {
        const m = flightServiceDefinition[name];
        const call = raw.makeBidiStreamRequest(
          m.path,
          m.requestSerialize,
          m.responseDeserialize,
        );
        const status = await new Promise<grpc.StatusObject>((resolve) => {
          call.on("status", resolve);
          call.on("error", () => {});
          call.on("data", () => {});
          call.write({ data_header: new Uint8Array(0) });
          call.end();
        });
        assert.equal(status.code, GrpcStatus.UNIMPLEMENTED, name);
        assert.match(status.details, new RegExp(`${name} is not implemented`));
      }
    } finally {
      raw.close();
    }
  } finally {
    await lb.close();
  }
});

Deno.test("big batches are split into messages near 2 MiB; large single rows still pass", async () => {
  // 12 rows of 1 MiB in a single batch, like stellar_ledger rows.
  const big = ledgerTable(1000, 12, 1 << 20);
  assert.equal(big.batches.length, 1);
  // One 5 MiB row: above gRPC's 4 MiB default, below our 64 MiB limit.
  const huge = ledgerTable(2000, 1, 5 << 20);
  const lb = await loopback({
    doGet: (ticket) => {
      const t = text.decode(ticket) === "huge" ? huge : big;
      return { schema: t.schema, batches: t.batches };
    },
  });
  try {
    const stream = lb.client.doGet("big");
    const batches: arrow.RecordBatch[] = [];
    for await (const b of stream) batches.push(b);
    assert.ok(
      batches.length >= 6,
      `expected the 12 MiB batch split, got ${batches.length} batches`,
    );
    assert.ok(
      stream.stats.maxMessageBytes <= 2 * 1024 * 1024 + 4096,
      `largest message ${stream.stats.maxMessageBytes} bytes`,
    );
    assert.equal(lb.server.stats().maxMessageBytesSent, stream.stats.maxMessageBytes);
    const table = new arrow.Table(batches);
    assert.equal(table.numRows, 12);
    for (let i = 0; i < 12; i++) {
      assert.equal(table.getChild("ledger_sequence")?.get(i), 1000 + i);
      assert.deepEqual(
        table.getChild("ledger_close_meta_xdr")?.get(i),
        pseudoRandomBytes(1 << 20, 1000 + i),
      );
    }

    const one = lb.client.doGet("huge");
    const t = await one.readAll();
    assert.equal(t.numRows, 1);
    assert.deepEqual(t.getChild("ledger_close_meta_xdr")?.get(0), pseudoRandomBytes(5 << 20, 2000));
    assert.ok(one.stats.maxMessageBytes > 5 << 20);
  } finally {
    await lb.close();
  }
});

Deno.test("a row above the maximum message size fails with RESOURCE_EXHAUSTED", async () => {
  const t = ledgerTable(1, 2, 300_000);
  const lb = await loopback(
    { doGet: () => ({ schema: t.schema, batches: t.batches }) },
    { maxMessageBytes: 256 * 1024 },
  );
  try {
    await expectFlightError(
      lb.client.doGet("x").readAll(),
      GrpcStatus.RESOURCE_EXHAUSTED,
      /1 row\(s\) encodes to \d+ bytes, above the Flight message limit of 262144 bytes/,
    );
  } finally {
    await lb.close();
  }
});

Deno.test("dictionary columns: shared, replaced and differently-numbered dictionaries", async () => {
  // Each eventTable() call builds its own dictionaries (new ids): the server re-labels them with
  // the stream schema and sends replacement dictionaries before the batches that use them.
  const parts = [eventTable(0, 10), eventTable(10, 7), eventTable(17, 1)];
  const lb = await loopback({
    doGet: () => ({
      schema: parts[0].schema,
      batches: (async function* () {
        for (const p of parts) yield* p.batches;
        // The same dictionary again (a slice): no new dictionary message needed.
        yield parts[2].batches[0].slice(0, 1);
      })(),
    }),
  });
  try {
    const stream = lb.client.doGet("e");
    const table = await stream.readAll();
    assert.equal(table.numRows, 19);
    const expected = [...parts.flatMap(rowsOf), rowsOf(parts[2])[0]];
    assert.deepEqual(rowsOf(table), expected);
    assert.ok(
      arrow.DataType.isDictionary(table.schema.fields[1].type),
      "event_type stays a dictionary",
    );
  } finally {
    await lb.close();
  }
});

Deno.test("a batch with another schema fails with a message naming both", async () => {
  const a = eventTable(0, 2);
  const b = ledgerTable(0, 1, 4);
  const lb = await loopback({ doGet: () => ({ schema: a.schema, batches: b.batches }) });
  try {
    await expectFlightError(
      lb.client.doGet("x").readAll(),
      GrpcStatus.INTERNAL,
      /expected \{event_index: Int32.*\}, got \{ledger_sequence: Uint32/,
    );
  } finally {
    await lb.close();
  }
});

function infiniteStream(schema: arrow.Schema, batch: arrow.RecordBatch, probe: {
  pulled: number;
  returned: ReturnType<typeof deferred>;
  signal?: AbortSignal;
}): FlightStream {
  return {
    schema,
    batches: (async function* () {
      try {
        while (true) {
          probe.pulled++;
          yield batch;
        }
      } finally {
        probe.returned.resolve();
      }
    })(),
  };
}

Deno.test("breaking out of the loop cancels the call and stops the server's iterator", async () => {
  const t = ledgerTable(1, 4, 16 * 1024);
  const probe = { pulled: 0, returned: deferred(), signal: undefined as AbortSignal | undefined };
  const lb = await loopback({
    doGet: (_ticket, ctx) => {
      probe.signal = ctx.signal;
      return infiniteStream(t.schema, t.batches[0], probe);
    },
  });
  try {
    let n = 0;
    for await (const _ of lb.client.doGet("forever")) {
      if (++n === 3) break;
    }
    await withTimeout(probe.returned.promise, 5000, "the server to call return() on the iterator");
    assert.ok(probe.signal?.aborted, "ctx.signal aborted");
    assert.equal((probe.signal?.reason as FlightError).code, GrpcStatus.CANCELLED);
    assert.equal(lb.server.stats().activeDoGets, 0);
    assert.equal(lb.server.stats().doGetsCancelled, 1);
  } finally {
    await lb.close();
  }
});

Deno.test("aborting the signal cancels mid-stream with CANCELLED, also while the handler waits", async () => {
  const t = ledgerTable(1, 2, 1024);
  const probe = { pulled: 0, returned: deferred() };
  const stuck = { aborted: deferred(), returned: deferred() };
  const lb = await loopback({
    doGet: (ticket, ctx) => {
      if (text.decode(ticket) === "stuck") {
        return {
          schema: t.schema,
          batches: (async function* () {
            try {
              yield t.batches[0];
              // A handler waiting on an upstream that never answers.
              await new Promise<void>((resolve) =>
                ctx.signal.addEventListener("abort", () => {
                  stuck.aborted.resolve();
                  resolve();
                })
              );
            } finally {
              stuck.returned.resolve();
            }
          })(),
        };
      }
      return infiniteStream(t.schema, t.batches[0], probe);
    },
  });
  try {
    const ac = new AbortController();
    const stream = lb.client.doGet("forever", { signal: ac.signal });
    let n = 0;
    await expectFlightError(
      (async () => {
        for await (const _ of stream) if (++n === 5) ac.abort(new Error("user pressed stop"));
      })(),
      GrpcStatus.CANCELLED,
      /cancelled by the caller: user pressed stop/,
    );
    await withTimeout(probe.returned.promise, 5000, "return() on the iterator");

    const ac2 = new AbortController();
    const s2 = lb.client.doGet("stuck", { signal: ac2.signal });
    const it = s2[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    const pending = it.next();
    ac2.abort();
    await expectFlightError(pending, GrpcStatus.CANCELLED, /cancelled/);
    await withTimeout(stuck.aborted.promise, 5000, "ctx.signal to abort");
    await withTimeout(stuck.returned.promise, 5000, "the stuck iterator to finish");
  } finally {
    await lb.close();
  }
});

Deno.test("20 concurrent DoGets each get their own stream", async () => {
  const lb = await loopback({
    doGet: (ticket) => {
      const start = Number(text.decode(ticket));
      return {
        schema: eventTable(0, 1).schema,
        batches: (async function* () {
          for (let i = 0; i < 5; i++) yield* eventTable(start + i * 40, 40).batches;
        })(),
      };
    },
  });
  try {
    const starts = Array.from({ length: 20 }, (_, i) => i * 1000);
    const tables = await Promise.all(starts.map((s) => lb.client.doGet(String(s)).readAll()));
    for (const [i, table] of tables.entries()) {
      assert.equal(table.numRows, 200);
      const idx = table.getChild("event_index")!.toArray() as Int32Array;
      assert.deepEqual([...idx], Array.from({ length: 200 }, (_, k) => starts[i] + k));
    }
    assert.equal(lb.server.stats().doGetsStarted, 20);
  } finally {
    await lb.close();
  }
});

Deno.test(
  "a slow client pauses the producer: pulled minus delivered stays small",
  async () => {
    const t = ledgerTable(1, 1, 64 * 1024); // ~64 KiB per message
    const probe = { pulled: 0, returned: deferred() };
    const lb = await loopback(
      { doGet: () => infiniteStream(t.schema, t.batches[0], probe) },
      { sendBufferBytes: 512 * 1024 },
      // The gates are under test, not the HTTP/2 window: with the default 4 MiB window another
      // 64 batches of 64 KiB may be in flight (measured: 133 ahead), still bounded in bytes.
      {
        receiveBufferBytes: 512 * 1024,
        channelOptions: { "grpc-node.flow_control_window": 64 * 1024 },
      },
    );
    try {
      let delivered = 0;
      let maxAhead = 0;
      for await (const _ of lb.client.doGet("slow")) {
        delivered++;
        maxAhead = Math.max(maxAhead, probe.pulled - delivered);
        await new Promise((r) => setTimeout(r, 15));
        if (delivered === 60) break;
      }
      // 60 batches delivered over ~1 s; without the send and receive gates the producer ran
      // ~12000 batches ahead (Deno's HTTP/2 buffers without limit). With them, what may sit in
      // between: 512 KiB on each side (8 + 8 batches), grpc-js's stream buffer (16 messages) and
      // the kernel's socket buffers. Measured: 39-44; 64 leaves room for a loaded machine.
      assert.ok(maxAhead <= 64, `producer ran ${maxAhead} batches ahead of the client`);
      await withTimeout(probe.returned.promise, 5000, "return() after the client left");
    } finally {
      await lb.close();
    }
  },
);

Deno.test("close() cancels open streams, also one nobody reads any more", async () => {
  const t = ledgerTable(1, 1, 256 * 1024);
  const probe = { pulled: 0, returned: deferred() };
  const lb = await loopback({ doGet: () => infiniteStream(t.schema, t.batches[0], probe) });
  try {
    const it = lb.client.doGet("abandoned")[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    await new Promise((r) => setTimeout(r, 100)); // let buffers fill; the reader stays idle
    lb.client.close();
    await withTimeout(probe.returned.promise, 5000, "the server's iterator to be returned");
    await expectFlightError(it.next(), GrpcStatus.CANCELLED, /./);
  } finally {
    await lb.close();
  }
});

Deno.test("closeWithoutGoaway drops the connection; the server carries on", async () => {
  const t = ledgerTable(1, 1, 256 * 1024);
  const probe = { pulled: 0, returned: deferred() };
  const lb = await loopback({ doGet: () => infiniteStream(t.schema, t.batches[0], probe) });
  try {
    const rude = new FlightClient(lb.address, { closeWithoutGoaway: true });
    const it = rude.doGet("x")[Symbol.asyncIterator]();
    assert.equal((await it.next()).done, false);
    rude.close();
    await withTimeout(probe.returned.promise, 5000, "the server to notice the dropped client");
    await expectFlightError(it.next(), GrpcStatus.CANCELLED, /./);
    assert.deepEqual(await lb.client.listActions(), []);
  } finally {
    await lb.close();
  }
});

// Last in the file: grpc-js keeps reconnect back-off timers of the closed channel for a while.
Deno.test({
  name: "an unreachable server is UNAVAILABLE",
  // grpc-js keeps reconnect back-off timers of the closed channel running for a moment.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const lb = await loopback({});
  const address = lb.address;
  await lb.close();
  const client = new FlightClient(address);
  try {
    await expectFlightError(client.getFlightInfo(pathDescriptor("a")), GrpcStatus.UNAVAILABLE, /./);
    await expectFlightError(client.doGet("a").readAll(), GrpcStatus.UNAVAILABLE, /./);
    await expectFlightError(client.waitForReady(200), GrpcStatus.UNAVAILABLE, /not reachable/);
  } finally {
    client.close();
  }
});

Deno.test({
  name: "batches sent before a handler error reach the client before the error",
  // grpc-js leaves a subchannel reconnect timer (up to 2 s) behind the previous test's closed
  // client; it fires during this one.
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const lb = await loopback({
    doGet: () => {
      const tables = [1, 2, 3, 4, 5].map((seq) => ledgerTable(seq, 1, 1000));
      return {
        schema: tables[0].schema,
        batches: (async function* () {
          for (const t of tables) yield t.batches[0];
          throw new FlightError(GrpcStatus.DATA_LOSS, "corrupt ledger 6 in object FFFF--6.xdr.zst");
        })(),
      };
    },
  });
  try {
    for (let round = 0; round < 10; round++) {
      const seen: number[] = [];
      const stream = lb.client.doGet("fails-at-6");
      await expectFlightError(
        (async () => {
          for await (const b of stream) seen.push(b.getChild("ledger_sequence")!.get(0));
        })(),
        GrpcStatus.DATA_LOSS,
        /corrupt ledger 6/,
      );
      assert.deepEqual(seen, [1, 2, 3, 4, 5], `round ${round}`);
    }
  } finally {
    await lb.close();
  }
});

Deno.test("app_metadata travels with its batch, also on empty and split batches", async () => {
  const small = ledgerTable(1, 2, 100).batches[0];
  const empty = small.slice(0, 0);
  const big = ledgerTable(10, 4, 1024 * 1024).batches[0]; // split into several messages
  const text = new TextEncoder();
  const lb = await loopback({
    doGet: () => ({
      schema: small.schema,
      batches: [
        small,
        { batch: empty, appMetadata: text.encode('{"complete_through":2}') },
        { batch: big, appMetadata: text.encode('{"complete_through":13}') },
        small,
      ],
    }),
  });
  try {
    const stream = lb.client.doGet("with-metadata");
    const seen: [number, string | undefined][] = [];
    for await (const batch of stream) {
      const m = stream.appMetadataOf(batch);
      seen.push([batch.numRows, m && new TextDecoder().decode(m)]);
    }
    const rows = seen.reduce((n, [r]) => n + r, 0);
    assert.equal(rows, 2 + 0 + 4 + 2);
    const withMeta = seen.filter(([, m]) => m !== undefined);
    assert.deepEqual(withMeta.map(([, m]) => m), [
      '{"complete_through":2}',
      '{"complete_through":13}',
    ]);
    assert.deepEqual(withMeta[0], [0, '{"complete_through":2}'], "the empty batch is delivered");
    // The big batch's metadata comes with its last part, after all its rows.
    const bigIndex = seen.findIndex(([, m]) => m === '{"complete_through":13}');
    assert.equal(seen.slice(2, bigIndex + 1).reduce((n, [r]) => n + r, 0), 4);
    assert.equal(seen[seen.length - 1][1], undefined);
  } finally {
    await lb.close();
  }
});

/** Every DoGet response message as raw protobuf bytes (a grpc-js client without decoding). */
async function rawDoGet(address: string, ticket: string): Promise<Uint8Array[]> {
  const raw = new grpc.Client(address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
  });
  try {
    const m = flightServiceDefinition.DoGet;
    const call = raw.makeServerStreamRequest(
      m.path,
      m.requestSerialize,
      (b: Buffer) => new Uint8Array(b),
      { ticket: enc.encode(ticket) },
    );
    const out: Uint8Array[] = [];
    for await (const message of call) out.push(message as Uint8Array);
    return out;
  } finally {
    raw.close();
  }
}

Deno.test("pre-encoded FlightData goes out byte for byte as the batches would", async () => {
  const ledgers = ledgerTable(500, 5, 700_000); // split into several messages
  const events = eventTable(0, 50);
  const encoder = new FlightDataEncoder(ledgers.schema);
  let written = 0;
  const encoded = ledgers.batches.flatMap((b) =>
    encoder.encode(b).map((f) =>
      new EncodedFlightData(encodeFlightDataFramed(f), { onWritten: () => written++ })
    )
  );
  assert.ok(encoded.length >= 2, `expected split messages, got ${encoded.length}`);
  const lb = await loopback({
    doGet: (ticket) => {
      switch (text.decode(ticket)) {
        case "batches":
          return { schema: ledgers.schema, batches: ledgers.batches };
        case "encoded":
          return { schema: ledgers.schema, batches: encoded };
        default: // mixed with a plain batch, and another schema's stream still encodes itself
          return { schema: events.schema, batches: events.batches };
      }
    },
  });
  try {
    const viaBatches = await rawDoGet(lb.address, "batches");
    const bytesBefore = lb.server.stats().bytesSent;
    const viaEncoded = await rawDoGet(lb.address, "encoded");
    assert.equal(viaEncoded.length, 1 + encoded.length);
    assert.deepEqual(viaEncoded, viaBatches);
    assert.equal(lb.server.stats().bytesSent - bytesBefore, bytesBefore);
    const table = await lb.client.doGet("encoded").readAll();
    assert.deepEqual(rowsOf(table), rowsOf(ledgers));
    assert.equal(written, 2 * encoded.length, "onWritten once per message sent");
    assert.deepEqual(rowsOf(await lb.client.doGet("events").readAll()), rowsOf(events));
  } finally {
    await lb.close();
  }
});

Deno.test("EncodedFlightData refuses bytes without a matching gRPC prefix", () => {
  const framed = encodeFlightDataFramed({ header: Uint8Array.of(1, 2, 3), body: [] });
  assert.equal(new EncodedFlightData(framed).byteLength, framed.byteLength - 5);
  assert.throws(() => new EncodedFlightData(framed.subarray(0, 6)), /length of 1 bytes.*length 5/);
  const compressed = framed.slice();
  compressed[0] = 1;
  assert.throws(() => new EncodedFlightData(compressed), /flag 1/);
  assert.throws(() => new EncodedFlightData(new Uint8Array(2)), /got 2 bytes/);
});
