import assert from "node:assert/strict";
import { backoffDelay } from "./backoff.ts";

Deno.test("backoffDelay grows exponentially and is capped at 60 s", () => {
  const cases: [attempt: number, random: number, ms: number][] = [
    [0, 0.5, 500],
    [1, 0.5, 1000],
    [2, 0.5, 2000],
    [3, 0.5, 4000],
    [6, 0.5, 32_000],
    [7, 0.5, 60_000],
    [20, 0.5, 60_000],
    [10_000, 0.5, 60_000],
    [0, 0, 400], // -20 % jitter
    [0, 0.999999, 600], // +20 % jitter (rounded)
    [3, 0, 3200],
    [7, 0.999999, 60_000], // jitter never exceeds the cap
    [7, 0, 48_000],
  ];
  for (const [attempt, random, ms] of cases) {
    assert.equal(backoffDelay(attempt, random), ms, `attempt ${attempt}, random ${random}`);
  }
});

Deno.test("backoffDelay honours a custom policy", () => {
  const policy = { initialMs: 10, factor: 3, maxMs: 100, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 4].map((a) => backoffDelay(a, 0.3, policy)), [
    10,
    30,
    90,
    100,
    100,
  ]);
});

Deno.test("backoffDelay rejects bad input", () => {
  assert.throws(() => backoffDelay(-1, 0.5), RangeError);
  assert.throws(() => backoffDelay(1.5, 0.5), RangeError);
  assert.throws(() => backoffDelay(0, 1), RangeError);
  assert.throws(() => backoffDelay(0, Number.NaN), RangeError);
});
