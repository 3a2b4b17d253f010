/**
 * Stellar Asset Contract (SAC) ids.
 *
 * @module
 */
import { type Asset, encodeAssetXdr } from "./asset.ts";
import { networkId, sha256, xdrInt } from "./hash.ts";
import { encodeContractId } from "./strkey.ts";

const ENVELOPE_TYPE_CONTRACT_ID = 8;
const CONTRACT_ID_PREIMAGE_FROM_ASSET = 1;

/**
 * SAC contract id of `asset` on the network of `passphrase`: SHA-256 of the XDR
 * `HashIdPreimage` `ENVELOPE_TYPE_CONTRACT_ID { networkID, CONTRACT_ID_PREIMAGE_FROM_ASSET asset }`.
 */
export function sacContractId(asset: Asset, passphrase: string): Uint8Array {
  return sha256(
    xdrInt(ENVELOPE_TYPE_CONTRACT_ID),
    networkId(passphrase),
    xdrInt(CONTRACT_ID_PREIMAGE_FROM_ASSET),
    encodeAssetXdr(asset),
  );
}

const addressCache = new Map<string, Map<string, string>>();

/** `C…` address of the SAC of `asset` on the network of `passphrase` (memoised). */
export function sacContractAddress(asset: Asset, passphrase: string): string {
  let byAsset = addressCache.get(passphrase);
  if (byAsset === undefined) {
    byAsset = new Map();
    addressCache.set(passphrase, byAsset);
  }
  const key = asset.type === "native" ? "native" : `${asset.code}:${asset.issuer}`;
  let address = byAsset.get(key);
  if (address === undefined) {
    address = encodeContractId(sacContractId(asset, passphrase));
    if (byAsset.size > 100_000) byAsset.clear();
    byAsset.set(key, address);
  }
  return address;
}
