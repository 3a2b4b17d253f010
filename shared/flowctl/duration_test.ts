import assert from "node:assert/strict";
import { formatGoDuration, parseGoDuration } from "./duration.ts";

Deno.test("parseGoDuration accepts Go duration syntax", () => {
  const cases: [string, number][] = [
    ["10s", 10_000],
    ["0", 0],
    ["0s", 0],
    ["250ms", 250],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["2h45m", 9_900_000],
    ["-1.5s", -1500],
    ["+3s", 3000],
    ["1500us", 1.5],
    ["1500\u00b5s", 1.5],
    ["1500\u03bcs", 1.5],
    ["2000000ns", 2],
    [".5s", 500],
    ["1.s", 1000],
    [" 10s ", 10_000],
    ["1h1m1s1ms", 3_661_001],
  ];
  for (const [text, ms] of cases) {
    assert.ok(
      Math.abs(parseGoDuration(text) - ms) < 1e-9,
      `${text} → ${ms}, got ${parseGoDuration(text)}`,
    );
  }
});

Deno.test("parseGoDuration rejects what Go rejects", () => {
  for (const text of ["", "10", "s", "10x", "1.2.3s", "10 s", "-", "ten seconds", "1e3s", "10S"]) {
    assert.throws(() => parseGoDuration(text), SyntaxError, `should reject "${text}"`);
  }
  assert.throws(() => parseGoDuration("10"), /a unit is required/);
});

Deno.test("formatGoDuration round-trips common values", () => {
  const cases: [number, string][] = [
    [10_000, "10s"],
    [90_000, "1m30s"],
    [250, "250ms"],
    [3_600_000, "1h"],
    [0, "0s"],
    [1500, "1.5s"],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatGoDuration(ms), text);
    assert.equal(parseGoDuration(text), ms);
  }
});
