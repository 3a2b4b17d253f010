import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { utf8Data } from "./columns.ts";

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
