import assert from "node:assert/strict";
import { delay } from "./mod.ts";

Deno.test("delay resolves after its time, with or without a signal", async () => {
  for (const signal of [undefined, new AbortController().signal]) {
    const t0 = performance.now();
    await delay(30, signal);
    assert.ok(performance.now() - t0 >= 25);
  }
});

Deno.test("delay rejects with the abort reason, early, and leaves no timer behind", async () => {
  // The test sanitizers fail this test if a timer is still pending at its end.
  const cases: [string, (c: AbortController) => void][] = [
    ["aborted before", (c) => c.abort(new Error("before"))],
    ["aborted during", (c) => setTimeout(() => c.abort(new Error("during")), 10)],
  ];
  for (const [name, abort] of cases) {
    const c = new AbortController();
    const t0 = performance.now();
    const waiting = delay(60_000, c.signal);
    abort(c);
    await assert.rejects(waiting, (e: Error) => e.message === name.split(" ")[1], name);
    assert.ok(performance.now() - t0 < 1_000, name);
  }
});
