import assert from "node:assert/strict";
import { account } from "../../components/arrow-analytics-sink/testing/events.ts";
import { formatTicket, parseTicket, TicketError } from "./ticket.ts";

Deno.test("tickets parse START, END and filters", () => {
  assert.deepEqual(parseTicket("ttp_events:100:200"), { start: 100, end: 200, filters: {} });
  assert.deepEqual(parseTicket("ttp_events::"), { start: undefined, end: undefined, filters: {} });
  assert.deepEqual(parseTicket("ttp_events:5:"), { start: 5, end: undefined, filters: {} });
  assert.deepEqual(
    parseTicket(
      `ttp_events:1:2?event_type=transfer,mint&asset=native&address=${
        account(1)
      }&min_amount=1000000`,
    ),
    {
      start: 1,
      end: 2,
      filters: {
        event_type: ["transfer", "mint"],
        asset: ["native"],
        address: [account(1)],
        min_amount: 1000000n,
      },
    },
  );
});

Deno.test("bad tickets say which part is wrong", () => {
  const cases: [string, RegExp][] = [
    ["ledgers:1:2", /Expected a ticket "ttp_events:START:END/],
    ["ttp_events:1", /Expected a ticket/],
    ["ttp_events:x:2", /expected START to be a ledger number/],
    ["ttp_events:1:99999999999", /expected END/],
    ["ttp_events:0:2", /expected START/],
    ["ttp_events:3:2", /START <= END, got 3 > 2/],
    ["ttp_events:1:2?event_type=swap", /filter event_type: expected one of/],
    ["ttp_events:1:2?colour=red", /filter colour: unknown parameter/],
  ];
  for (const [ticket, re] of cases) {
    assert.throws(() => parseTicket(ticket), (e: unknown) => {
      assert.ok(e instanceof TicketError);
      assert.match(e.message, re);
      return true;
    }, ticket);
  }
});

Deno.test("formatTicket round-trips and drops filters the peer does not take", () => {
  const text = `ttp_events:7:9?event_type=fee,burn&asset=native&min_amount=-5`;
  const ticket = parseTicket(text);
  assert.equal(formatTicket(ticket), text);
  assert.deepEqual(parseTicket(formatTicket(ticket)), ticket);
  assert.equal(
    formatTicket({ ...ticket, end: undefined }, ["asset"]),
    "ttp_events:7:?asset=native",
  );
  assert.equal(formatTicket({ filters: {} }), "ttp_events::");
});
