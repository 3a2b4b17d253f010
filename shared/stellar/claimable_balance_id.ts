/**
 * Claimable balance ids created when a trustline revocation pulls liquidity pool shares
 * (CAP-38).
 *
 * @module
 */
import { type Asset, encodeAssetXdr } from "./asset.ts";
import { sha256, xdrInt } from "./hash.ts";

const ENVELOPE_TYPE_POOL_REVOKE_OP_ID = 7;

/** Inputs of {@link claimableBalanceIdFromRevocation}. */
export interface RevocationIdInput {
  /** Transaction source account (32-byte ed25519 key; not the operation source). */
  sourceAccount: Uint8Array;
  /** Transaction sequence number. */
  seqNum: bigint;
  /** 0-based operation index within the transaction. */
  opIndex: number;
  /** 32-byte liquidity pool id. */
  liquidityPoolId: Uint8Array;
  /** The pool asset the balance holds. */
  asset: Asset;
}

/**
 * Hash of the V0 claimable balance id: SHA-256 of the XDR `HashIdPreimage`
 * `ENVELOPE_TYPE_POOL_REVOKE_OP_ID { sourceAccount, seqNum, opNum, liquidityPoolID, asset }`.
 */
export function claimableBalanceIdFromRevocation(input: RevocationIdInput): Uint8Array {
  const seq = new Uint8Array(8);
  new DataView(seq.buffer).setBigInt64(0, input.seqNum, false);
  return sha256(
    xdrInt(ENVELOPE_TYPE_POOL_REVOKE_OP_ID),
    xdrInt(0), // PUBLIC_KEY_TYPE_ED25519
    input.sourceAccount,
    seq,
    xdrInt(input.opIndex),
    input.liquidityPoolId,
    encodeAssetXdr(input.asset),
  );
}
