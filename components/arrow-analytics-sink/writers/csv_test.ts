import assert from "node:assert/strict";
import { eventToJson } from "../../../shared/schema/ttp_event.ts";
import { makeEvent } from "../testing/events.ts";
import { CSV_COLUMNS, CSV_HEADER, csvField, encodeCsv, parseCsv } from "./csv.ts";

Deno.test("csvField follows RFC 4180 and keeps null apart from the empty string", () => {
  const cases: [string | number | null, string][] = [
    [null, ""],
    ["", '""'],
    ["plain", "plain"],
    [42, "42"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["cr\r", '"cr\r"'],
  ];
  for (const [value, expected] of cases) assert.equal(csvField(value), expected, String(value));
});

Deno.test("encodeCsv writes the ttp_event header and round-trips through parseCsv", () => {
  const events = [
    makeEvent({ ledger: 10, type: "fee", amount: "-5" }),
    {
      ...makeEvent({ ledger: 10, index: 1 }),
      to_muxed_type: "text" as const,
      to_muxed_value: 'memo, "quoted"\r\nnext',
    },
    { ...makeEvent({ ledger: 11 }), to_muxed_type: "text" as const, to_muxed_value: "" },
  ];
  const text = encodeCsv(events);
  assert.ok(text.startsWith(CSV_HEADER));
  assert.equal(CSV_HEADER, CSV_COLUMNS.join(",") + "\r\n");
  const [header, ...records] = parseCsv(text);
  assert.deepEqual(header, [...CSV_COLUMNS]);
  assert.equal(records.length, events.length);
  records.forEach((record, i) => {
    const json = eventToJson(events[i]) as unknown as Record<string, unknown>;
    CSV_COLUMNS.forEach((column, c) => {
      const value = json[column];
      assert.equal(record[c], value === null ? null : String(value), `${i}.${column}`);
    });
  });
});

Deno.test("parseCsv rejects broken quoting", () => {
  assert.throws(() => parseCsv('"open'), /Unterminated/);
  assert.throws(() => parseCsv('"a"b'), /Expected a comma/);
});
