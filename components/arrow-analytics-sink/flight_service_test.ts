import assert from "node:assert/strict";
import {
  FlightClient,
  FlightError,
  FlightServer,
  GrpcStatus,
  pathDescriptor,
} from "../../shared/flight/mod.ts";
import { setupLogging } from "../../shared/log/mod.ts";
import { recordBatchToEvents, type TtpEvent } from "../../shared/schema/ttp_event.ts";
import { CommitWatch } from "./commit_watch.ts";
import { createFlightHandlers } from "./flight_service.ts";
import { EventStore } from "./query/store.ts";
import { makeLedgers } from "./testing/events.ts";
import { DatasetWriter } from "./writers/dataset_writer.ts";

setupLogging({ level: "fatal" });

async function collect(client: FlightClient, ticket: string): Promise<TtpEvent[]> {
  const out: TtpEvent[] = [];
  for await (const b of client.doGet(ticket)) out.push(...recordBatchToEvents(b));
  return out;
}

Deno.test("Flight over stored events: info, ranges, filters, follow, errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-flight-" });
  const writer = new DatasetWriter({
    dataDir: dir,
    formats: ["parquet"],
  });
  const store = await EventStore.open({ format: "parquet", files: [] });
  const committed = new CommitWatch(9);
  let stored = 0;
  const server = new FlightServer(createFlightHandlers({
    store,
    committed,
    firstLedger: () => 10,
    eventsStored: () => stored,
  }));
  const port = await server.listen({ host: "127.0.0.1", port: 0 });
  const client = new FlightClient(`127.0.0.1:${port}`);
  const commit = async (events: TtpEvent[], through: number) => {
    store.addCommit(await writer.write(events), events);
    stored += events.length;
    committed.advance(through);
  };
  try {
    const empty = await client.getFlightInfo(pathDescriptor("ttp_events"));
    assert.equal(new TextDecoder().decode(empty.endpoints[0].ticket), "ttp_events:10:");
    assert.deepEqual(JSON.parse(new TextDecoder().decode(empty.appMetadata)), {
      first_ledger: 10,
      last_ledger: null,
      events: 0,
    });

    const all = makeLedgers(10, 29, 4);
    await commit(all.filter((e) => e.ledger_sequence < 20), 19);
    const info = await client.getFlightInfo(pathDescriptor("ttp_events"));
    assert.equal(new TextDecoder().decode(info.endpoints[0].ticket), "ttp_events:10:19");
    assert.equal(info.totalRecords, 40);

    const range = await collect(client, "ttp_events:12:14");
    assert.deepEqual(
      range.map((e) => e.event_id),
      all.filter((e) => e.ledger_sequence >= 12 && e.ledger_sequence <= 14).map((e) => e.event_id)
        .sort(),
    );
    const fees = await collect(client, "ttp_events::19?event_type=fee");
    assert.ok(fees.length > 0 && fees.every((e) => e.event_type === "fee"));

    // Follow: END beyond what is stored waits for commits.
    const following = collect(client, "ttp_events:18:25");
    await new Promise((r) => setTimeout(r, 100));
    await commit(all.filter((e) => e.ledger_sequence >= 20 && e.ledger_sequence <= 22), 22);
    await commit(all.filter((e) => e.ledger_sequence >= 23), 29);
    const followed = await following;
    assert.deepEqual(
      followed.map((e) => e.event_id),
      all.filter((e) => e.ledger_sequence >= 18 && e.ledger_sequence <= 25).map((e) => e.event_id)
        .sort(),
    );

    const errors: [() => Promise<unknown>, number, RegExp][] = [
      [
        () => collect(client, "ledgers:1:2"),
        GrpcStatus.INVALID_ARGUMENT,
        /Expected a ticket "ttp_events:START:END/,
      ],
      [
        () => collect(client, "ttp_events:1:5"),
        GrpcStatus.NOT_FOUND,
        /stored ledgers start at 10, got START 1/,
      ],
      [
        () => client.getFlightInfo(pathDescriptor("ledgers")),
        GrpcStatus.NOT_FOUND,
        /Expected descriptor path/,
      ],
    ];
    for (const [call, code, re] of errors) {
      await assert.rejects(call, (e: unknown) => {
        assert.ok(e instanceof FlightError, String(e));
        assert.equal(e.code, code);
        assert.match(e.message, re);
        return true;
      });
    }
  } finally {
    client.close();
    await server.close();
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
