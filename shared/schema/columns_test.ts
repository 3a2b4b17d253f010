import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { timestampUsData, utf8Data } from "./columns.ts";

Deno.test("utf8Data writes ASCII, multi-byte and null values exactly", () => {
  const cases: (string | null)[][] = [
    [],
    ["", null, ""],
    ["GABC", "native", "0270988095627628544-0000000000"],
    ["héllo", "日本語", "emoji 🚀 end", "a".repeat(1000) + "é"],
    ["x".repeat(10), "ü".repeat(50), null, "plain"],
    // Lone surrogates in neighbouring values must not pair up across the boundary.
    ["end\uD83D", "\uDE80start", undefined as unknown as null],
  ];
  for (const values of cases) {
    const vector = arrow.makeVector(utf8Data(values));
    const decoded = values.map((v) =>
      v == null ? null : new TextDecoder().decode(new TextEncoder().encode(v))
    );
    assert.deepEqual(vector.toArray(), decoded, JSON.stringify(values));
    const bytes = values.reduce((n, v) => n + new TextEncoder().encode(v ?? "").length, 0);
    assert.equal(vector.data[0].values.length, bytes);
  }
});

Deno.test("timestampUsData writes exact microseconds, also negative and beyond 2^53", () => {
  const millis = [0, 1, 1_700_000_000_123, -86_400_000, 2 ** 53 / 1000 + 7, 9_007_199_254_741];
  const vector = arrow.makeVector(timestampUsData(millis));
  assert.deepEqual(
    Array.from(vector.data[0].values as BigInt64Array),
    millis.map((m) => BigInt(Math.round(m * 1000))),
  );
});
