import assert from "node:assert/strict";
import { TransactionBuilder, xdr } from "@stellar/stellar-sdk";
import { fixtureLedgers } from "../ttp/testing_fixtures.ts";
import { toHex } from "./hash.ts";
import { transactionHash } from "./tx_hash.ts";

Deno.test("transactionHash matches the SDK for V0, V1 and fee-bump envelopes of real ledgers", () => {
  const seen = new Set<string>();
  for (const seq of [1410100, 51000294, 63093001, 997]) {
    const l = fixtureLedgers().find((x) => x.sequence === seq)!;
    // deno-lint-ignore no-explicit-any
    const lcm = xdr.LedgerCloseMeta.fromXDR(l.bytes as never) as any;
    const body = lcm.value;
    // deno-lint-ignore no-explicit-any
    const envelopes: any[] = [];
    if (lcm.type === "v0" || body.txSet.txs) envelopes.push(...body.txSet.txs);
    else {
      for (const phase of body.txSet.value.phases) {
        if (Array.isArray(phase.value)) {
          for (const c of phase.value) envelopes.push(...c.value.txs);
        } else {for (const stage of phase.value.executionStages) {
            for (const cl of stage) envelopes.push(...cl);
          }}
      }
    }
    assert.ok(envelopes.length > 0);
    for (const env of envelopes.slice(0, 60)) {
      const type = env.type as string;
      seen.add(type);
      const code = type === "envelopeTypeTxV0" ? 0 : type === "envelopeTypeTx" ? 2 : 5;
      const txBytes = env.value.tx.toXDR() as Uint8Array;
      const sdkHash = toHex(
        TransactionBuilder.fromXDR(env.toXDR("base64"), l.passphrase).hash() as Uint8Array,
      );
      assert.equal(toHex(transactionHash(l.passphrase, code, new Uint8Array(txBytes))), sdkHash);
    }
  }
  assert.ok(seen.has("envelopeTypeTx") && seen.has("envelopeTypeTxFeeBump"), [...seen].join());
});
