import assert from "node:assert/strict";
import { mapOrdered, WorkerPool, WorkerTaskError } from "./mod.ts";

type Req = { n: number; delayMs?: number; bytes?: Uint8Array };
type Res = { square: number; bytes?: Uint8Array };
const url = new URL("./test_worker.ts", import.meta.url);

Deno.test("worker pool runs tasks, transfers buffers and rebuilds errors", async () => {
  using pool = new WorkerPool<Req, Res>({ url, size: 2, name: "squares" });
  const results = await Promise.all([1, 2, 3, 4].map((n) => pool.run({ n })));
  assert.deepEqual(results.map((r) => r.square), [1, 4, 9, 16]);

  const bytes = new Uint8Array(1024);
  const res = await pool.run({ n: 7, bytes }, [bytes.buffer]);
  assert.equal(bytes.byteLength, 0, "request buffer was transferred");
  assert.equal(res.bytes?.[1023], 7);

  await assert.rejects(pool.run({ n: -2 }), (e) => {
    assert.ok(e instanceof WorkerTaskError);
    assert.equal(e.name, "NegativeInputError");
    assert.equal(e.details.input, -2);
    return /Expected a number >= 0, got -2/.test(e.message);
  });
});

Deno.test("a crashed worker fails its task and is replaced", async () => {
  using pool = new WorkerPool<Req, Res>({ url, size: 1, name: "fragile" });
  await assert.rejects(pool.run({ n: NaN }), /Worker fragile-0 crashed/);
  assert.equal((await pool.run({ n: 3 })).square, 9);
});

Deno.test("mapOrdered keeps input order with bounded read-ahead", async () => {
  using pool = new WorkerPool<Req, Res>({ url, size: 2 });
  let pulled = 0;
  let maxAhead = 0;
  let yielded = 0;
  async function* source() {
    for (let n = 0; n < 12; n++) {
      pulled++;
      maxAhead = Math.max(maxAhead, pulled - yielded);
      yield n;
    }
  }
  const out: number[] = [];
  for await (
    const r of mapOrdered(source(), (n) => pool.run({ n, delayMs: (12 - n) * 3 }), {
      concurrency: 3,
    })
  ) {
    out.push(r.square);
    yielded++;
  }
  assert.deepEqual(out, Array.from({ length: 12 }, (_, n) => n * n));
  assert.ok(maxAhead <= 4, `read-ahead ${maxAhead} exceeds concurrency + 1`);
});

Deno.test("mapOrdered surfaces errors in order and closes the source on early exit", async () => {
  const seen: number[] = [];
  const gen = mapOrdered([1, 2, -1, 4], async (n) => {
    await new Promise((r) => setTimeout(r, 1));
    if (n < 0) throw new RangeError(`negative ${n}`);
    return n;
  }, { concurrency: 2 });
  await assert.rejects(async () => {
    for await (const n of gen) seen.push(n);
  }, /negative -1/);
  assert.deepEqual(seen, [1, 2]);

  let closed = false;
  async function* endless() {
    try {
      for (let i = 0;; i++) yield i;
    } finally {
      closed = true;
    }
  }
  for await (const n of mapOrdered(endless(), (n) => Promise.resolve(n), { concurrency: 2 })) {
    if (n === 3) break;
  }
  assert.ok(closed, "source closed after break");
});

Deno.test("worker URLs fall back to a bundled .js beside a missing .ts", async () => {
  const { resolveWorkerUrl } = await import("./mod.ts");
  const dir = await Deno.makeTempDir();
  try {
    const missingTs = new URL(`file://${dir}/extract_worker.ts`);
    assert.equal(resolveWorkerUrl(missingTs), missingTs, "nothing to fall back to");
    await Deno.writeTextFile(`${dir}/extract_worker.js`, "");
    assert.equal(String(resolveWorkerUrl(missingTs)), `file://${dir}/extract_worker.js`);
    await Deno.writeTextFile(`${dir}/extract_worker.ts`, "");
    assert.equal(resolveWorkerUrl(missingTs), missingTs, "an existing .ts wins");
    assert.equal(resolveWorkerUrl("https://example.com/w.ts"), "https://example.com/w.ts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mapOrdered yields a ready result without waiting for the next source item", async () => {
  const gate = Promise.withResolvers<void>();
  async function* liveTail() {
    yield 1;
    await gate.promise; // the next ledger has not closed yet
    yield 2;
  }
  const it = mapOrdered(liveTail(), (n) => Promise.resolve(n * 10), { concurrency: 4 });
  let timer: number | undefined;
  const first = await Promise.race([
    it.next(),
    new Promise((r) => timer = setTimeout(() => r("held back"), 500)),
  ]);
  clearTimeout(timer);
  assert.deepEqual(first, { value: 10, done: false });
  gate.resolve();
  assert.deepEqual(await it.next(), { value: 20, done: false });
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

Deno.test("mapOrdered surfaces a source error after the results before it", async () => {
  async function* failing() {
    yield 1;
    yield 2;
    throw new Error("store unreachable");
  }
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const n of mapOrdered(failing(), (n) => Promise.resolve(n), { concurrency: 2 })) {
      seen.push(n);
    }
  }, /store unreachable/);
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("mapOrdered stops on abort", async () => {
  const controller = new AbortController();
  async function* endless() {
    for (let i = 0;; i++) {
      await new Promise((r) => setTimeout(r, 1));
      yield i;
    }
  }
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (
      const n of mapOrdered(endless(), (n) => Promise.resolve(n), {
        concurrency: 2,
        signal: controller.signal,
      })
    ) {
      seen.push(n);
      if (n === 2) controller.abort(new Error("client went away"));
    }
  }, /client went away/);
  assert.ok(seen.length >= 3 && seen.length < 10, `seen ${seen}`);
});

Deno.test("mapOrdered returns promptly when the consumer stops during a pending pull", async () => {
  const gate = Promise.withResolvers<void>();
  async function* tail() {
    yield 1;
    await gate.promise; // never resolved before the consumer stops
    yield 2;
  }
  const started = Date.now();
  for await (const n of mapOrdered(tail(), (n) => Promise.resolve(n), { concurrency: 2 })) {
    assert.equal(n, 1);
    break;
  }
  assert.ok(Date.now() - started < 1000, "break did not wait for the pending pull");
  gate.resolve();
});
