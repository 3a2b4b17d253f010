import assert from "node:assert/strict";
import { FlightError, GrpcStatus, pathDescriptor } from "../../shared/flight/mod.ts";
import { ttpEventSchema } from "../../shared/schema/ttp_event.ts";
import { encodeAccountId } from "../../shared/stellar/mod.ts";
import {
  parseEventTicket,
  parseSourceTicket,
  sourceRangeOf,
  sourceTicket,
  startLedger,
  type StreamRequest,
} from "./ticket.ts";

const G1 = encodeAccountId(new Uint8Array(32).fill(1));
const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("parseEventTicket: ranges and filters, over configured defaults", () => {
  const defaults = { event_type: ["fee"], min_amount: 5n };
  const cases: [string, StreamRequest][] = [
    ["ttp_events:63092982:63093001", {
      start: 63092982,
      end: 63093001,
      filters: { event_type: ["fee"], min_amount: 5n },
    }],
    ["ttp_events:63092982:", { start: 63092982, end: undefined, filters: defaults }],
    ["ttp_events::", { start: undefined, end: undefined, filters: defaults }],
    [
      `ttp_events:1:2?event_type=transfer,mint&asset=native&address=${G1}&min_amount=1000000`,
      {
        start: 1,
        end: 2,
        filters: {
          event_type: ["transfer", "mint"],
          asset: ["native"],
          address: [G1],
          min_amount: 1000000n,
        },
      },
    ],
    ["ttp_events:1:1?asset=native", {
      start: 1,
      end: 1,
      filters: { event_type: ["fee"], asset: ["native"], min_amount: 5n },
    }],
  ];
  for (const [ticket, expected] of cases) {
    assert.deepEqual(parseEventTicket(enc(ticket), defaults), expected, ticket);
  }
  assert.deepEqual(parseEventTicket(enc("ttp_events:3:4")), { start: 3, end: 4, filters: {} });
});

Deno.test("parseEventTicket: bad tickets are INVALID_ARGUMENT naming the problem", () => {
  const cases: [Uint8Array, RegExp][] = [
    [enc("stellar_ledgers:1:2"), /Expected a ticket "ttp_events:START:END/],
    [enc("ttp_events:1"), /Expected a ticket/],
    [enc("ttp_events:abc:2"), /expected START to be a ledger number/],
    [enc("ttp_events:5:4"), /START <= END, got 5 > 4/],
    [enc("ttp_events:1:2?colour=red"), /colour: unknown parameter/],
    [enc("ttp_events:1:2?event_type=swap"), /event_type: expected one of transfer, mint/],
    [enc("ttp_events:1:2?min_amount=1.5"), /min_amount: expected an integer amount/],
    [enc("ttp_events:1:2?address=GABC"), /address: expected a valid account/],
    [enc("ttp_events:1:2?asset=USD"), /asset: expected "native" or CODE:ISSUER/],
    [new Uint8Array([0xff, 0xfe]), /Expected a UTF-8 ticket .* invalid UTF-8/],
  ];
  for (const [ticket, re] of cases) {
    assert.throws(() => parseEventTicket(ticket), (e: unknown) => {
      assert.ok(e instanceof FlightError, String(e));
      assert.equal(e.code, GrpcStatus.INVALID_ARGUMENT);
      assert.match(e.message, re);
      return true;
    });
  }
});

Deno.test("source tickets and the source's available range", () => {
  assert.equal(sourceTicket(10, 20), "stellar_ledgers:10:20");
  assert.equal(sourceTicket(10), "stellar_ledgers:10:");
  const parsed: [string, ReturnType<typeof parseSourceTicket>][] = [
    ["stellar_ledgers:10:20", { first: 10, last: 20 }],
    ["stellar_ledgers:10:", undefined],
    ["stellar_ledgers:20:10", undefined],
    ["ttp_events:1:2", undefined],
  ];
  for (const [text, expected] of parsed) assert.deepEqual(parseSourceTicket(text), expected, text);

  const info = (tickets: string[], appMetadata?: string) => ({
    schema: ttpEventSchema,
    descriptor: pathDescriptor("stellar_ledgers"),
    endpoints: tickets.map((t) => ({ ticket: enc(t) })),
    appMetadata: appMetadata ? enc(appMetadata) : undefined,
  });
  assert.deepEqual(sourceRangeOf(info(["stellar_ledgers:5:9"])), { first: 5, last: 9 });
  assert.deepEqual(
    sourceRangeOf(info(["stellar_ledgers:10:19", "stellar_ledgers:1:9"])),
    { first: 1, last: 19 },
  );
  assert.deepEqual(
    sourceRangeOf(info(["stellar_ledgers:7:"], '{"first_ledger":7,"last_ledger":8}')),
    { first: 7, last: 8 },
  );
  assert.throws(
    () => sourceRangeOf(info(["whatever"])),
    (e: unknown) => e instanceof FlightError && e.code === GrpcStatus.UNAVAILABLE,
  );
  assert.equal(startLedger({ filters: {} }, { first: 3, last: 4 }), 3);
  assert.equal(startLedger({ start: 4, filters: {} }, { first: 3, last: 4 }), 4);
});
