/**
 * Assets: the decoded XDR `Asset` shape, SEP-11 asset strings and the XDR encoding.
 *
 * @module
 */
import { decodeStrkey, encodeAccountId } from "./strkey.ts";

/** Decoded XDR `PublicKey`/`AccountID` as produced by the XDR walker. */
export interface AccountIdXdr {
  /** XDR field `arm`. */
  arm: string | number;
  /** XDR field `value`. */
  value: Uint8Array;
}

/** Decoded XDR `AlphaNum4`/`AlphaNum12`. */
export interface AlphaNumXdr {
  /** XDR field `assetCode`. */
  assetCode: Uint8Array;
  /** XDR field `issuer`. */
  issuer: AccountIdXdr;
}

/** Decoded XDR `Asset` (also the non-pool arms of `TrustLineAsset`/`ChangeTrustAsset`). */
export interface AssetXdr {
  /** XDR field `arm`. */
  arm: string | number;
  /** XDR field `value`. */
  value?: AlphaNumXdr | Uint8Array | null | undefined;
}

/** A token asset: native XLM or an issued (credit) asset. */
export type Asset =
  | { readonly type: "native" }
  | { readonly type: "credit"; readonly code: string; readonly issuer: string };

/** The native asset (XLM). */
export const NATIVE: Asset = Object.freeze({ type: "native" });

/** Asset code bytes to text, trailing NULs trimmed. */
export function assetCodeText(code: Uint8Array): string {
  let end = code.length;
  while (end > 0 && code[end - 1] === 0) end--;
  let s = "";
  for (let i = 0; i < end; i++) s += String.fromCharCode(code[i]);
  return s;
}

/** Converts a decoded XDR `Asset` to an {@link Asset}; throws on pool shares or unknown arms. */
export function assetFromXdr(xdr: AssetXdr): Asset {
  switch (xdr.arm) {
    case "ASSET_TYPE_NATIVE":
      return NATIVE;
    case "ASSET_TYPE_CREDIT_ALPHANUM4":
    case "ASSET_TYPE_CREDIT_ALPHANUM12": {
      const v = xdr.value as AlphaNumXdr;
      return {
        type: "credit",
        code: assetCodeText(v.assetCode),
        issuer: encodeAccountId(v.issuer.value),
      };
    }
    default:
      throw new Error(`expected a native or credit asset, got arm ${String(xdr.arm)}`);
  }
}

/** SEP-11 string of an asset: `native` or `CODE:ISSUER`. */
export function assetString(asset: Asset): string {
  return asset.type === "native" ? "native" : `${asset.code}:${asset.issuer}`;
}

const ASSET_CODE = /^[A-Za-z0-9]{1,12}$/;

/**
 * Parses a SEP-11 asset string (`native` or `CODE:ISSUER`); returns null when it is not one
 * (the code must be 1-12 alphanumerics and the issuer a valid `G…` strkey).
 */
export function parseAssetString(text: string): Asset | null {
  if (text === "native") return NATIVE;
  const colon = text.indexOf(":");
  if (colon < 0 || text.indexOf(":", colon + 1) >= 0) return null;
  const code = text.slice(0, colon);
  const issuer = text.slice(colon + 1);
  if (!ASSET_CODE.test(code)) return null;
  try {
    decodeStrkey("account", issuer);
  } catch {
    return null;
  }
  return { type: "credit", code, issuer };
}

/**
 * XDR encoding of an `Asset`: alphanum4 for codes of up to 4 characters, alphanum12 otherwise
 * (stellar-core rejects any other combination, so this is canonical).
 */
export function encodeAssetXdr(asset: Asset): Uint8Array {
  if (asset.type === "native") return new Uint8Array(4);
  const codeLength = asset.code.length <= 4 ? 4 : 12;
  const out = new Uint8Array(4 + codeLength + 36);
  out[3] = codeLength === 4 ? 1 : 2;
  for (let i = 0; i < asset.code.length; i++) out[4 + i] = asset.code.charCodeAt(i);
  // AccountID: PUBLIC_KEY_TYPE_ED25519 (0) then the key.
  out.set(decodeStrkey("account", asset.issuer), 4 + codeLength + 4);
  return out;
}
