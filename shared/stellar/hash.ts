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

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Big-endian XDR int32 bytes of `n`. */
export function xdrInt(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, n, false);
  return b;
}
