import assert from "node:assert/strict";
import { decodeUnit } from "./decode.ts";
import type { DecodeRequest } from "./decode_types.ts";
import { SourceError } from "./errors.ts";
import { type DecodeFn, streamLedgers } from "./ledger_stream.ts";
import { LakeSource, type LedgerSource, type UnitRef } from "./source.ts";
import { copyLake, lakePath } from "./testing/fixtures.ts";

/** A real lake source that counts fetches. */
async function countingSource(lake: string): Promise<{ source: LedgerSource; fetches: number[] }> {
  const inner = new LakeSource({ url: lakePath(lake) });
  await inner.availableRange();
  const fetches: number[] = [];
  const source: LedgerSource = {
    type: inner.type,
    url: inner.url,
    networkPassphrase: () => inner.networkPassphrase(),
    availableRange: () => inner.availableRange(),
    plan: (s, e) => inner.plan(s, e),
    fetch: (unit: UnitRef, signal?: AbortSignal) => {
      fetches.push(unit.start);
      return inner.fetch(unit, signal);
    },
  };
  return { source, fetches };
}

/** Decodes in-process with a random delay, so that units finish out of order. */
const jittery: DecodeFn = async (req: DecodeRequest) => {
  await new Promise((r) => setTimeout(r, Math.random() * 15));
  return decodeUnit(req);
};

Deno.test("read-ahead is bounded while the consumer is slow; order is kept", async () => {
  const { source, fetches } = await countingSource("pubnet-p26");
  const stream = streamLedgers({
    source,
    decode: jittery,
    start: 63092982,
    end: 63093001,
    readAhead: 3,
    pollIntervalMs: 1000,
  });
  const first = await stream.next();
  assert.equal(first.done, false);
  await new Promise((r) => setTimeout(r, 150)); // a slow client
  assert.ok(fetches.length <= 4, `expected at most 4 units fetched, got ${fetches.length}`);
  const seqs = (first.value as { sequence: number }[]).map((l) => l.sequence);
  for await (const group of stream) seqs.push(...group.map((l) => l.sequence));
  assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => 63092982 + i));
  assert.equal(fetches.length, 20);
});

Deno.test("ranges inside multi-ledger batches are trimmed to the request", async () => {
  const { source, fetches } = await countingSource("testnet-p19");
  const seqs: number[] = [];
  for await (
    const group of streamLedgers({
      source,
      decode: jittery,
      start: 1410110,
      end: 1410113,
      readAhead: 2,
      pollIntervalMs: 1000,
    })
  ) seqs.push(...group.map((l) => l.sequence));
  assert.deepEqual(seqs, [1410110, 1410111, 1410112, 1410113]);
  assert.deepEqual(fetches, [1410048, 1410112]);
});

Deno.test("follow mode: waits at the tip, stops promptly on abort", async () => {
  const { source } = await countingSource("pubnet-p26");
  const controller = new AbortController();
  const seqs: number[] = [];
  const t0 = performance.now();
  await assert.rejects(async () => {
    for await (
      const group of streamLedgers({
        source,
        decode: jittery,
        start: 63092999,
        readAhead: 2,
        pollIntervalMs: 10_000,
        signal: controller.signal,
      })
    ) {
      seqs.push(...group.map((l) => l.sequence));
      // The last ledger must arrive without waiting for a ledger that does not exist yet.
      if (seqs.at(-1) === 63093001) setTimeout(() => controller.abort(new Error("stop")), 50);
    }
  }, /stop/);
  assert.deepEqual(seqs, [63092999, 63093000, 63093001]);
  assert.ok(performance.now() - t0 < 5000, "abort must not wait for the poll interval");
});

Deno.test("follow mode fails as unavailable after repeated failed polls", async () => {
  let polls = 0;
  const source: LedgerSource = {
    type: "datalake",
    url: "test://down",
    networkPassphrase: () => Promise.resolve("x"),
    availableRange: () => {
      polls++;
      return Promise.reject(new SourceError("unavailable", "store unreachable: test://down"));
    },
    plan: function* () {},
    fetch: () => Promise.reject(new Error("not reached")),
  };
  const errors: unknown[] = [];
  await assert.rejects(
    async () => {
      for await (
        const _ of streamLedgers({
          source,
          decode: jittery,
          start: 5,
          readAhead: 1,
          pollIntervalMs: 10,
          maxPollFailures: 3,
          onPollError: (e) => errors.push(e),
        })
      ) { /* nothing arrives */ }
    },
    (err: unknown) => err instanceof SourceError && err.kind === "unavailable",
  );
  assert.equal(polls, 3);
  assert.equal(errors.length, 3);
});

Deno.test("follow mode waits for a batch missing just below the tip (out-of-order writers)", async () => {
  const dir = await copyLake("pubnet-p26");
  const file = `${dir}/FC3E15FF--63040000-63103999/FC3D46F8--63092999.xdr.zst`;
  const bytes = await Deno.readFile(file);
  await Deno.remove(file);
  try {
    const source = new LakeSource({ url: dir });
    await source.availableRange();
    assert.equal(await source.tip(), 63093001);
    const controller = new AbortController();
    const seqs: number[] = [];
    let polls = 0;
    await assert.rejects(async () => {
      for await (
        const group of streamLedgers({
          source,
          decode: jittery,
          start: 63092997,
          readAhead: 2,
          pollIntervalMs: 20,
          maxPollFailures: 50,
          signal: controller.signal,
          onPollError: () => {
            if (++polls === 3) Deno.writeFileSync(file, bytes); // the late writer catches up
          },
        })
      ) {
        seqs.push(...group.map((l) => l.sequence));
        if (seqs.at(-1) === 63093001) controller.abort(new Error("done"));
      }
    }, /done/);
    assert.deepEqual(seqs, [63092997, 63092998, 63092999, 63093000, 63093001]);
    assert.equal(polls, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
