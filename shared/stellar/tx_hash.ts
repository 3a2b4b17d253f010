/**
 * Transaction hashes.
 *
 * @module
 */
import { networkId, sha256, xdrInt } from "./hash.ts";

/** XDR `EnvelopeType` codes of transaction envelopes. */
export const ENVELOPE_TYPE = { TX_V0: 0, TX: 2, TX_FEE_BUMP: 5 } as const;

const V0_PREFIX = new Uint8Array([0, 0, 0, 2, 0, 0, 0, 0]);

/**
 * Hash of a transaction: SHA-256 of the XDR `TransactionSignaturePayload
 * { networkId, taggedTransaction }`.
 *
 * `txBytes` is the XDR of the envelope's `tx` field (`TransactionV0`, `Transaction` or
 * `FeeBumpTransaction`); `envelopeType` is the envelope's discriminant. A V0 transaction is
 * hashed as the equivalent V1 `Transaction`: tag `ENVELOPE_TYPE_TX`, then a
 * `KEY_TYPE_ED25519` muxed source (discriminant 0) followed by the V0 bytes, which line up
 * with V1 because `TimeBounds*` and `Preconditions` encode identically for `PRECOND_NONE`/`TIME`.
 */
export function transactionHash(
  passphrase: string,
  envelopeType: number,
  txBytes: Uint8Array,
): Uint8Array {
  return sha256(payloadPrefix(passphrase, envelopeType), txBytes);
}

const prefixes = new Map<string, Uint8Array>();

/** The bytes of the signature payload before the transaction: network id and tag (memoised). */
function payloadPrefix(passphrase: string, envelopeType: number): Uint8Array {
  const key = `${envelopeType}\n${passphrase}`;
  let prefix = prefixes.get(key);
  if (prefix === undefined) {
    let tag: Uint8Array;
    if (envelopeType === ENVELOPE_TYPE.TX_V0) tag = V0_PREFIX;
    else if (envelopeType === ENVELOPE_TYPE.TX || envelopeType === ENVELOPE_TYPE.TX_FEE_BUMP) {
      tag = xdrInt(envelopeType);
    } else {
      throw new Error(`transaction hash: expected envelope type 0, 2 or 5, got ${envelopeType}`);
    }
    const id = networkId(passphrase);
    prefix = new Uint8Array(id.length + tag.length);
    prefix.set(id, 0);
    prefix.set(tag, id.length);
    prefixes.set(key, prefix);
  }
  return prefix;
}
