/**
 * SHA-256 helpers and the network id.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

const networkIds = new Map<string, Uint8Array>();

/** Network id: SHA-256 of the network passphrase (memoised). */
export function networkId(passphrase: string): Uint8Array {
  let id = networkIds.get(passphrase);
  if (!id) {
    id = sha256(new TextEncoder().encode(passphrase));
    networkIds.set(passphrase, id);
  }
  return id;
}

/**
 * Lowercase hex of `bytes`, as a flat string (one `String.fromCharCode` call; see
 * `base32Encode` in `strkey.ts` for why).
 */
export function toHex(bytes: Uint8Array): string {
  const codes: number[] = new Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    codes[2 * i] = HEX_CODES[bytes[i] >> 4];
    codes[2 * i + 1] = HEX_CODES[bytes[i] & 15];
  }
  // Chunked: `apply` passes every code as an argument, and engines cap argument counts.
  if (codes.length <= 8192) return String.fromCharCode.apply(null, codes);
  let out = "";
  for (let i = 0; i < codes.length; i += 8192) {
    out += String.fromCharCode.apply(null, codes.slice(i, i + 8192));
  }
  return out;
}

const HEX_CODES = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** Big-endian XDR int32 bytes of `n`. */
export function xdrInt(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n, false);
  return b;
}
