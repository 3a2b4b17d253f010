import assert from "node:assert/strict";
import { extractLedger, TtpVerificationError, verifyEvents, verifyLedger } from "./mod.ts";
import { fixtureLedgers } from "./testing_fixtures.ts";

const [ledger] = fixtureLedgers("pubnet-p26").filter((l) => l.sequence === 63092999);
const opts = { networkPassphrase: ledger.passphrase };

Deno.test("verifyEvents passes on a real ledger", () => {
  verifyEvents(ledger.bytes, opts);
  verifyEvents(ledger.bytes, { ...opts, mode: "derived" });
});

Deno.test("a tampered amount fails verification naming ledger, transaction and holders", () => {
  const x = extractLedger(ledger.bytes, opts);
  const i = x.perTransaction.findIndex((t) =>
    t.operations.some((e) => e.type === "transfer" && e.asset)
  );
  const event = x.perTransaction[i].operations.find((e) => e.type === "transfer" && e.asset)!;
  event.amount = String(BigInt(event.amount) + 1n);
  let err: unknown;
  try {
    verifyLedger(x);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof TtpVerificationError);
  assert.equal(err.ledger, 63092999);
  assert.equal(err.txHash, x.transactions[i].hash);
  assert.deepEqual(
    err.differences.map((d) => d.holder).sort(),
    [event.from, event.to].filter((h) => !h!.startsWith("C")).sort(),
  );
  assert.match(err.message, new RegExp(`ledger 63092999, tx ${err.txHash}`));
  for (const d of err.differences) {
    assert.equal(d.events - d.changes, d.holder === event.to ? 1n : -1n);
  }
});

Deno.test("a dropped fee event fails verification for the fee payer", () => {
  const x = extractLedger(ledger.bytes, opts);
  const fee = x.perTransaction[0].fee;
  fee.amount = "0";
  assert.throws(() => verifyLedger(x), (e: unknown) => {
    assert.ok(e instanceof TtpVerificationError);
    assert.deepEqual(e.differences.map((d) => [d.holder, d.asset]), [[fee.from, "native"]]);
    return true;
  });
});
