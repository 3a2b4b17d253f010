import assert from "node:assert/strict";
import { mapOrderedLive } from "./ordered_pipeline.ts";

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("results come in input order with bounded read-ahead", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const out: number[] = [];
  async function* input() {
    for (let i = 0; i < 20; i++) yield i;
  }
  for await (
    const r of mapOrderedLive(input(), async (i) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await delay((20 - i) % 5);
      inFlight--;
      return i * 2;
    }, { concurrency: 3 })
  ) out.push(r);
  assert.deepEqual(out, Array.from({ length: 20 }, (_, i) => i * 2));
  assert.ok(maxInFlight <= 3 && maxInFlight >= 2, `max in flight ${maxInFlight}`);
});

Deno.test("a result is yielded while the next input has not arrived (live tail)", async () => {
  const gate = Promise.withResolvers<void>();
  async function* input() {
    yield 1;
    await gate.promise; // the next ledger has not closed yet
    yield 2;
  }
  const it = mapOrderedLive(input(), (i) => Promise.resolve(i * 10), { concurrency: 4 });
  let timer: number | undefined;
  const first = await Promise.race([
    it.next(),
    new Promise((r) => timer = setTimeout(() => r("held back"), 1000)),
  ]);
  clearTimeout(timer);
  assert.deepEqual(first, { value: 10, done: false });
  gate.resolve();
  assert.deepEqual(await it.next(), { value: 20, done: false });
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

Deno.test("errors surface in order: fn's at its turn, the source's after earlier results", async () => {
  async function* failing() {
    yield 1;
    yield 2;
    throw new Error("source broke");
  }
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (
      const r of mapOrderedLive(failing(), (i) => Promise.resolve(i), { concurrency: 2 })
    ) {
      got.push(r);
    }
  }, /source broke/);
  assert.deepEqual(got, [1, 2]);

  async function* three() {
    yield 1;
    yield 2;
    yield 3;
  }
  const got2: number[] = [];
  await assert.rejects(async () => {
    for await (
      const r of mapOrderedLive(three(), async (i) => {
        if (i === 2) throw new Error("task 2 failed");
        await delay(5);
        return i;
      }, { concurrency: 3 })
    ) got2.push(r);
  }, /task 2 failed/);
  assert.deepEqual(got2, [1]);
});

Deno.test("stopping the consumer stops pulling and closes the source", async () => {
  let pulled = 0;
  let closed = false;
  async function* input() {
    try {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  for await (const r of mapOrderedLive(input(), (i) => Promise.resolve(i), { concurrency: 2 })) {
    if (r === 3) break;
  }
  await delay(10);
  assert.ok(pulled <= 7, `pulled ${pulled}`);
  assert.ok(closed);
  await assert.rejects(
    mapOrderedLive(input(), (i) => Promise.resolve(i), { concurrency: 0 }).next(),
    /Expected concurrency >= 1, got 0/,
  );
});
