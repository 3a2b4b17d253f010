/**
 * Conversions from decoded XDR account/address shapes to strkeys.
 *
 * @module
 */
import {
  type AlphaNumXdr,
  type Asset,
  assetCodeText,
  type AssetXdr,
  NATIVE,
} from "../stellar/asset.ts";
import {
  encodeAccountId,
  encodeClaimableBalanceId,
  encodeContractId,
  encodeLiquidityPoolId,
  encodeMuxedAccount,
} from "../stellar/strkey.ts";
import type {
  AccountIdXdr,
  ClaimableBalanceIdXdr,
  MuxedAccountXdr,
  ScAddressXdr,
} from "./xdr_shapes.ts";
import { TtpDataError } from "./errors.ts";

/** An account reference split into its `G…` address and optional muxed id. */
export interface AccountRef {
  /** `G…` strkey. */
  address: string;
  /** Muxed id when the XDR was a `KEY_TYPE_MUXED_ED25519` account. */
  muxId: bigint | null;
}

/** `G…` strkey of a raw 32-byte ed25519 key (`encodeAccountId` remembers recurring ones). */
export function accountAddress(ed25519: Uint8Array): string {
  return encodeAccountId(ed25519);
}

/** `G…` strkey of a decoded `AccountID`/`PublicKey`. */
export function accountIdAddress(id: AccountIdXdr): string {
  if (id.arm !== "PUBLIC_KEY_TYPE_ED25519") {
    throw new TtpDataError(`expected PUBLIC_KEY_TYPE_ED25519, got ${String(id.arm)}`);
  }
  return accountAddress(id.value);
}

/** Splits a decoded `MuxedAccount` into its `G…` address and muxed id. */
export function muxedAccountRef(m: MuxedAccountXdr): AccountRef {
  if (m.arm === "KEY_TYPE_ED25519") {
    return { address: accountAddress(m.value as Uint8Array), muxId: null };
  }
  if (m.arm === "KEY_TYPE_MUXED_ED25519") {
    const v = m.value as { id: bigint; ed25519: Uint8Array };
    return { address: accountAddress(v.ed25519), muxId: v.id };
  }
  throw new TtpDataError(`expected a MuxedAccount arm, got ${String(m.arm)}`);
}

/** The raw ed25519 key of a decoded `MuxedAccount`. */
export function muxedAccountKey(m: MuxedAccountXdr): Uint8Array {
  if (m.arm === "KEY_TYPE_ED25519") return m.value as Uint8Array;
  if (m.arm === "KEY_TYPE_MUXED_ED25519") return (m.value as { ed25519: Uint8Array }).ed25519;
  throw new TtpDataError(`expected a MuxedAccount arm, got ${String(m.arm)}`);
}

/** `B…` strkey of a decoded `ClaimableBalanceID`. */
export function claimableBalanceAddress(id: ClaimableBalanceIdXdr): string {
  if (id.arm !== "CLAIMABLE_BALANCE_ID_TYPE_V0") {
    throw new TtpDataError(`expected CLAIMABLE_BALANCE_ID_TYPE_V0, got ${String(id.arm)}`);
  }
  return encodeClaimableBalanceId(id.value);
}

/** `L…` strkey of a 32-byte pool id. */
export function liquidityPoolAddress(id: Uint8Array): string {
  return encodeLiquidityPoolId(id);
}

/** `C…` strkey of a 32-byte contract id (`encodeContractId` remembers recurring ones). */
export function contractAddress(id: Uint8Array): string {
  return encodeContractId(id);
}

/**
 * Strkey of a decoded `SCAddress` (`G`, `C`, `M`, `B` or `L`); null for an unknown arm.
 */
export function scAddressString(a: ScAddressXdr): string | null {
  switch (a.arm) {
    case "SC_ADDRESS_TYPE_ACCOUNT":
      return accountIdAddress(a.value as AccountIdXdr);
    case "SC_ADDRESS_TYPE_CONTRACT":
      return contractAddress(a.value as Uint8Array);
    case "SC_ADDRESS_TYPE_MUXED_ACCOUNT": {
      const v = a.value as { id: bigint; ed25519: Uint8Array };
      return encodeMuxedAccount(v.ed25519, v.id);
    }
    case "SC_ADDRESS_TYPE_CLAIMABLE_BALANCE":
      return claimableBalanceAddress(a.value as ClaimableBalanceIdXdr);
    case "SC_ADDRESS_TYPE_LIQUIDITY_POOL":
      return liquidityPoolAddress(a.value as Uint8Array);
    default:
      return null;
  }
}

/**
 * Converts a decoded XDR `Asset` to an {@link Asset} (issuer strkeys memoised); throws on pool
 * shares or unknown arms.
 */
export function assetOf(xdr: AssetXdr): Asset {
  switch (xdr.arm) {
    case "ASSET_TYPE_NATIVE":
      return NATIVE;
    case "ASSET_TYPE_CREDIT_ALPHANUM4":
    case "ASSET_TYPE_CREDIT_ALPHANUM12": {
      const v = xdr.value as AlphaNumXdr;
      return {
        type: "credit",
        code: assetCodeText(v.assetCode),
        issuer: accountIdAddress(v.issuer),
      };
    }
    default:
      throw new TtpDataError(`expected a native or credit asset, got arm ${String(xdr.arm)}`);
  }
}
