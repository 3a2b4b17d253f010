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

const accountCache = new Map<string, string>();

/** A string key for 32 raw bytes (16 UTF-16 code units, two bytes each). */
function keyOf(b: Uint8Array): string {
  if (b.length !== 32) return String.fromCharCode.apply(null, b as unknown as number[]);
  return String.fromCharCode(
    (b[0] << 8) | b[1],
    (b[2] << 8) | b[3],
    (b[4] << 8) | b[5],
    (b[6] << 8) | b[7],
    (b[8] << 8) | b[9],
    (b[10] << 8) | b[11],
    (b[12] << 8) | b[13],
    (b[14] << 8) | b[15],
    (b[16] << 8) | b[17],
    (b[18] << 8) | b[19],
    (b[20] << 8) | b[21],
    (b[22] << 8) | b[23],
    (b[24] << 8) | b[25],
    (b[26] << 8) | b[27],
    (b[28] << 8) | b[29],
    (b[30] << 8) | b[31],
  );
}

/** `G…` strkey of a raw 32-byte ed25519 key (memoised: the same accounts recur). */
export function accountAddress(ed25519: Uint8Array): string {
  const k = keyOf(ed25519);
  let a = accountCache.get(k);
  if (a === undefined) {
    a = encodeAccountId(ed25519);
    if (accountCache.size > 200_000) accountCache.clear();
    accountCache.set(k, a);
  }
  return a;
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

const contractCache = new Map<string, string>();

/** `C…` strkey of a 32-byte contract id (memoised). */
export function contractAddress(id: Uint8Array): string {
  const k = keyOf(id);
  let a = contractCache.get(k);
  if (a === undefined) {
    a = encodeContractId(id);
    if (contractCache.size > 100_000) contractCache.clear();
    contractCache.set(k, a);
  }
  return a;
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
