import assert from "node:assert/strict";
import { networkId } from "../../shared/stellar/mod.ts";
import { KNOWN_NETWORKS, knownPassphrase, NetworkError, resolvePassphrase } from "./network.ts";

const PUBNET = KNOWN_NETWORKS.pubnet;
const TESTNET = KNOWN_NETWORKS.testnet;
const PRIVATE = "My Private Network ; 2026";

Deno.test("known network ids map back to their passphrases", () => {
  for (const passphrase of Object.values(KNOWN_NETWORKS)) {
    assert.equal(knownPassphrase(networkId(passphrase)), passphrase);
  }
  assert.equal(knownPassphrase(networkId(PRIVATE)), undefined);
});

Deno.test("resolvePassphrase: ledgers' id against configuration", () => {
  const ok: [Uint8Array, string | undefined, string][] = [
    [networkId(PUBNET), undefined, PUBNET],
    [networkId(TESTNET), undefined, TESTNET],
    [networkId(PUBNET), PUBNET, PUBNET],
    [networkId(PRIVATE), PRIVATE, PRIVATE],
  ];
  for (const [id, configured, expected] of ok) {
    assert.equal(resolvePassphrase(id, configured), expected);
  }
  const bad: [Uint8Array, string | undefined, RegExp][] = [
    [
      networkId(PUBNET),
      TESTNET,
      /NETWORK_PASSPHRASE is testnet \("Test SDF Network ; September 2015"\) but the source's ledgers carry network_id [0-9a-f]{64}, which is pubnet/,
    ],
    [networkId(PRIVATE), PUBNET, /NETWORK_PASSPHRASE is pubnet .* \(not a known network\)/],
    [networkId(PRIVATE), undefined, /not pubnet, testnet or futurenet; set NETWORK_PASSPHRASE/],
    [new Uint8Array(3), undefined, /Expected a 32-byte network_id from the source, got 3 bytes/],
  ];
  for (const [id, configured, re] of bad) {
    assert.throws(() => resolvePassphrase(id, configured), (e: unknown) => {
      assert.ok(e instanceof NetworkError);
      assert.match(e.message, re);
      return true;
    });
  }
});
