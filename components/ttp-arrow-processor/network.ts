/**
 * The network passphrase of a stream: mapped back from the ledgers' `network_id`
 * (sha256 of the passphrase) through the known networks, or taken from configuration; a
 * disagreement between the two is an error naming both.
 *
 * @module
 */
import { networkId, toHex } from "../../shared/stellar/mod.ts";

/** The public networks whose passphrases can be recovered from a network id. */
export const KNOWN_NETWORKS: Readonly<Record<string, string>> = Object.freeze({
  pubnet: "Public Global Stellar Network ; September 2015",
  testnet: "Test SDF Network ; September 2015",
  futurenet: "Test SDF Future Network ; October 2022",
});

/** The stream's network does not match the configured passphrase, or cannot be identified. */
export class NetworkError extends Error {
  /** Error name. */
  override name = "NetworkError";
}

/** The passphrase of a known network with this id (32 bytes), or `undefined`. */
export function knownPassphrase(id: Uint8Array): string | undefined {
  const hex = toHex(id);
  for (const passphrase of Object.values(KNOWN_NETWORKS)) {
    if (toHex(networkId(passphrase)) === hex) return passphrase;
  }
  return undefined;
}

/** The short name of a known passphrase (`pubnet`, ...), or the passphrase itself quoted. */
export function describePassphrase(passphrase: string): string {
  const name = Object.entries(KNOWN_NETWORKS).find(([, p]) => p === passphrase)?.[0];
  return name ? `${name} ("${passphrase}")` : `"${passphrase}"`;
}

/**
 * The passphrase to extract with, given the `network_id` the source's ledgers carry and the
 * configured passphrase (if any).
 *
 * @throws {NetworkError} when the configured passphrase hashes to another id than the ledgers',
 * or when none is configured and the id is not one of {@linkcode KNOWN_NETWORKS}.
 */
export function resolvePassphrase(id: Uint8Array, configured: string | undefined): string {
  const hex = toHex(id);
  if (id.length !== 32) {
    throw new NetworkError(`Expected a 32-byte network_id from the source, got ${id.length} bytes`);
  }
  const known = knownPassphrase(id);
  if (configured !== undefined) {
    if (toHex(networkId(configured)) === hex) return configured;
    throw new NetworkError(
      `Network mismatch: NETWORK_PASSPHRASE is ${
        describePassphrase(configured)
      } but the source's ledgers carry network_id ${hex}${
        known ? `, which is ${describePassphrase(known)}` : " (not a known network)"
      }`,
    );
  }
  if (known) return known;
  throw new NetworkError(
    `The source's ledgers carry network_id ${hex}, which is not pubnet, testnet or futurenet; set NETWORK_PASSPHRASE to the network's passphrase`,
  );
}
