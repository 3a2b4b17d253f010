import assert from "node:assert/strict";
import { eventId, toid, toidDigits } from "./event_id.ts";

Deno.test("toid packs ledger, transaction and operation like Stellar RPC", () => {
  const table: [number, number, number, bigint][] = [
    [1, 0, 0, 4294967296n],
    [63093001, 1, 0, (63093001n << 32n) | 4096n],
    [63093001, 217, 3, (63093001n << 32n) | (217n << 12n) | 3n],
    [2 ** 31 - 1, (1 << 20) - 1, 4095, (2n ** 31n - 1n) * 2n ** 32n + 2n ** 32n - 1n],
  ];
  for (const [l, t, o, expected] of table) assert.equal(toid(l, t, o), expected);
  assert.throws(() => toid(1, 1 << 20, 0), RangeError);
  assert.throws(() => toid(1, 1, 4096), RangeError);
});

Deno.test("event ids are zero-padded, fixed width and sort like (toid, index)", () => {
  assert.equal(
    eventId(63093001, 1, 0, 0),
    `${(63093001n * 2n ** 32n + 4096n).toString().padStart(19, "0")}-0000000000`,
  );
  assert.equal(eventId(1, 0, 0, 12), "0000000004294967296-0000000012");
  const ids = [eventId(5, 2, 1, 1), eventId(5, 1, 3, 0), eventId(5, 2, 1, 0), eventId(4, 9, 9, 9)];
  assert.deepEqual([...ids].sort(), [
    eventId(4, 9, 9, 9),
    eventId(5, 1, 3, 0),
    eventId(5, 2, 1, 0),
    eventId(5, 2, 1, 1),
  ]);
  for (const id of ids) assert.equal(id.length, 30);
});

Deno.test("toidDigits matches the BigInt TOID", () => {
  for (const ledger of [0, 1, 63092982, 2 ** 31, 2 ** 32 - 1]) {
    for (const low of [0, 1, 4095, 4096 * 17 + 3, 2 ** 32 - 1]) {
      const expected = toid(ledger, Math.floor(low / 4096) % 2 ** 20, low % 4096)
        .toString().padStart(19, "0");
      assert.equal(toidDigits(ledger, low % 2 ** 32), expected, `${ledger} ${low}`);
    }
  }
});
