import assert from "node:assert/strict";
import { formatTicket, type LedgerTicket, parseTicket } from "./ticket.ts";

Deno.test("parseTicket: valid tickets", () => {
  const cases: [string, LedgerTicket][] = [
    ["stellar_ledgers:63092982:63093001", { start: 63092982, end: 63093001 }],
    ["stellar_ledgers:5:5", { start: 5, end: 5 }],
    ["stellar_ledgers:100:", { start: 100 }],
    ["stellar_ledgers:0:4294967295", { start: 0, end: 4294967295 }],
  ];
  for (const [text, want] of cases) {
    assert.deepEqual(parseTicket(text), want, text);
    assert.deepEqual(parseTicket(new TextEncoder().encode(text)), want, text);
    assert.equal(formatTicket(want), text);
  }
});

Deno.test("parseTicket: malformed tickets say what was expected", () => {
  const cases: [string | Uint8Array, RegExp][] = [
    ["", /expected "stellar_ledgers:START:END"/],
    ["stellar_ledger:1:2", /expected "stellar_ledgers:START:END"/],
    ["stellar_ledgers:1", /expected "stellar_ledgers:START:END"/],
    ["stellar_ledgers:1:2:3", /expected "stellar_ledgers:START:END"/],
    ["stellar_ledgers::2", /expected START to be a ledger sequence.*got ""/],
    ["stellar_ledgers:-1:2", /START.*got "-1"/],
    ["stellar_ledgers:1.5:2", /START.*got "1.5"/],
    ["stellar_ledgers:4294967296:", /START.*got "4294967296"/],
    ["stellar_ledgers:1:x", /END.*got "x"/],
    ["stellar_ledgers:10:9", /expected END >= START, got 9 < 10/],
    [new Uint8Array([0xff, 0xfe]), /expected UTF-8 text/],
  ];
  for (const [input, re] of cases) assert.throws(() => parseTicket(input), re, String(input));
});
