import assert from "node:assert/strict";
import { MIN_TRANSFER_BYTES, prepareTransfers } from "./ledger_transfer.ts";

const big = () => new Uint8Array(MIN_TRANSFER_BYTES + 100).map((_, i) => i & 0xff);

Deno.test("prepareTransfers moves a large message buffer with its first task only", () => {
  const message = big();
  const a = { sequence: 1, xdr: message.subarray(10, 60) };
  const b = { sequence: 2, xdr: message.subarray(60, 200) };
  const c = { sequence: 3, xdr: message.subarray(200, 300) };
  const [first, second] = prepareTransfers([[a, b], [c]]);
  assert.deepEqual(first.transfer, [message.buffer]);
  assert.equal(first.ledgers[0].xdr, a.xdr, "not copied");
  assert.equal(first.ledgers[1].xdr, b.xdr, "not copied");
  // The second task gets a copy in a buffer of its own, moved too.
  assert.notEqual(second.ledgers[0].xdr.buffer, message.buffer);
  assert.deepEqual(second.ledgers[0].xdr, c.xdr);
  assert.deepEqual(second.transfer, [second.ledgers[0].xdr.buffer]);
  assert.equal(second.ledgers[0].xdr.byteOffset, 0);
  assert.equal(second.ledgers[0].sequence, 3);
});

Deno.test("prepareTransfers copies ledgers in small (possibly pooled) buffers", () => {
  const pooled = new Uint8Array(4096);
  const l = { sequence: 7, xdr: pooled.subarray(100, 200) };
  const [task] = prepareTransfers([[l]]);
  assert.notEqual(task.ledgers[0].xdr.buffer, pooled.buffer);
  assert.deepEqual(task.ledgers[0].xdr, l.xdr);
  assert.deepEqual(task.transfer, [task.ledgers[0].xdr.buffer]);
});

Deno.test("prepareTransfers: a transferred buffer really moves and the worker-side view still reads", () => {
  const message = big();
  const l = { sequence: 1, xdr: message.subarray(5, 25) };
  const expected = l.xdr.slice();
  const [task] = prepareTransfers([[l]]);
  const cloned = structuredClone(task.ledgers, { transfer: task.transfer });
  assert.equal(message.byteLength, 0, "detached on this side");
  assert.deepEqual(cloned[0].xdr, expected);
});
