/**
 * Stellar strkeys (SEP-23): base32 text with a version byte and a CRC16-XModem checksum.
 *
 * Supported kinds: `G` accounts, `M` muxed accounts, `C` contracts, `L` liquidity pools and
 * `B` claimable balances.
 *
 * @module
 */

/** The strkey kinds this module encodes and decodes. */
export type StrkeyKind = "account" | "muxed" | "contract" | "liquidityPool" | "claimableBalance";

const VERSION: Record<StrkeyKind, number> = {
  account: 6 << 3, // G
  muxed: 12 << 3, // M
  contract: 2 << 3, // C
  liquidityPool: 11 << 3, // L
  claimableBalance: 1 << 3, // B
};

const PAYLOAD_LENGTH: Record<StrkeyKind, number> = {
  account: 32,
  muxed: 40,
  contract: 32,
  liquidityPool: 32,
  claimableBalance: 33,
};

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const DECODE_TABLE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i;

const CRC_TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c = i << 8;
  for (let j = 0; j < 8; j++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  CRC_TABLE[i] = c;
}

/** CRC16-XModem (polynomial 0x1021, initial value 0) of `bytes`. */
export function crc16Xmodem(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ bytes[i]) & 0xff];
  }
  return crc;
}

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/**
 * Base32 without padding. The text is made with one `String.fromCharCode` call, so it is a flat
 * string: a string grown with `+=` is a rope, and every later join or encode of it (one per Arrow
 * column) pays for walking the rope.
 */
function base32Encode(bytes: Uint8Array): string {
  const codes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = (buffer << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      codes.push(ALPHABET_CODES[(buffer >>> bits) & 31]);
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) codes.push(ALPHABET_CODES[(buffer << (5 - bits)) & 31]);
  return String.fromCharCode.apply(null, codes);
}

function base32Decode(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? DECODE_TABLE[code] : -1;
    if (v < 0) throw new Error(`invalid strkey: unexpected character ${JSON.stringify(text[i])}`);
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (buffer >>> bits) & 0xff;
    }
  }
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) {
    throw new Error("invalid strkey: non-canonical base32 padding bits");
  }
  return out;
}

/** Entries of {@linkcode encodeStrkey}'s cache (two-way set-associative: a new key replaces the older of its set's two). */
export const STRKEY_CACHE_SIZE = 65_536;

// Ledgers name the same accounts and contracts over and over (fee sources, SAC contracts,
// exchanges): encoded strkeys are kept in a table keyed by version byte and payload bytes. A
// lookup hashes and compares bytes in place: it allocates nothing, where a string key (one per
// lookup) cost more than the cache saved. Each key has a set of two slots, so that two busy keys
// with the same hash do not keep evicting each other.
const SLOT_BYTES = 1 + 40; // version byte, then the longest payload (muxed)
const slotKeys = new Uint8Array(STRKEY_CACHE_SIZE * SLOT_BYTES);
const slotTexts: (string | undefined)[] = new Array(STRKEY_CACHE_SIZE).fill(undefined);

function read32(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

function slotHolds(slot: number, version: number, b: Uint8Array, o: number, len: number): boolean {
  const at = slot * SLOT_BYTES;
  if (slotTexts[slot] === undefined || slotKeys[at] !== version) return false;
  for (let i = 0; i < len; i++) if (slotKeys[at + 1 + i] !== b[o + i]) return false;
  return true;
}

/**
 * Encodes the payload of `kind` that starts at `offset` in `bytes` (its length is the kind's:
 * 32 bytes, 40 for muxed, 33 for claimable balances) as a strkey, without copying it.
 */
export function encodeStrkeyAt(kind: StrkeyKind, bytes: Uint8Array, offset: number): string {
  const len = PAYLOAD_LENGTH[kind];
  if (offset < 0 || offset + len > bytes.length) {
    throw new Error(
      `strkey ${kind}: expected a ${len}-byte payload at offset ${offset}, got ${
        Math.max(0, bytes.length - offset)
      } bytes`,
    );
  }
  const version = VERSION[kind];
  // Payloads are hashes and keys (uniform bytes); a muxed payload ends with its id.
  const h = read32(bytes, offset + 1) ^ read32(bytes, offset + len - 4) ^
    Math.imul(version, 0x9e3779b1);
  const first = (h ^ (h >>> 16)) & (STRKEY_CACHE_SIZE - 2);
  if (slotHolds(first, version, bytes, offset, len)) return slotTexts[first]!;
  if (slotHolds(first + 1, version, bytes, offset, len)) return slotTexts[first + 1]!;
  const raw = new Uint8Array(len + 3);
  raw[0] = version;
  raw.set(bytes.subarray(offset, offset + len), 1);
  const crc = crc16Xmodem(raw.subarray(0, len + 1));
  raw[len + 1] = crc & 0xff;
  raw[len + 2] = crc >> 8;
  const encoded = base32Encode(raw);
  // The set's first slot holds the newest key; the one it held moves to the second.
  const at = first * SLOT_BYTES;
  slotKeys.copyWithin(at + SLOT_BYTES, at, at + SLOT_BYTES);
  slotTexts[first + 1] = slotTexts[first];
  slotKeys.set(raw.subarray(0, len + 1), at);
  slotTexts[first] = encoded;
  return encoded;
}

/** Encodes `payload` as a strkey of `kind`; the payload length must match the kind. */
export function encodeStrkey(kind: StrkeyKind, payload: Uint8Array): string {
  if (payload.length !== PAYLOAD_LENGTH[kind]) {
    throw new Error(
      `strkey ${kind}: expected a ${PAYLOAD_LENGTH[kind]}-byte payload, got ${payload.length}`,
    );
  }
  return encodeStrkeyAt(kind, payload, 0);
}

/** Decodes a strkey of `kind` to its payload; throws on a wrong kind, length or checksum. */
export function decodeStrkey(kind: StrkeyKind, text: string): Uint8Array {
  const raw = base32Decode(text);
  const expected = PAYLOAD_LENGTH[kind] + 3;
  if (raw.length !== expected || base32Encode(raw) !== text) {
    throw new Error(`invalid ${kind} strkey ${JSON.stringify(text)}: wrong length`);
  }
  if (raw[0] !== VERSION[kind]) {
    throw new Error(`invalid ${kind} strkey ${JSON.stringify(text)}: wrong version byte`);
  }
  const crc = crc16Xmodem(raw.subarray(0, raw.length - 2));
  if ((raw[raw.length - 2] | (raw[raw.length - 1] << 8)) !== crc) {
    throw new Error(`invalid ${kind} strkey ${JSON.stringify(text)}: checksum mismatch`);
  }
  return raw.slice(1, raw.length - 2);
}

/** `G…` strkey of a 32-byte ed25519 public key. */
export function encodeAccountId(ed25519: Uint8Array): string {
  return encodeStrkey("account", ed25519);
}

/** `M…` strkey of an ed25519 key plus a 64-bit muxed id (SEP-23: key then big-endian id). */
export function encodeMuxedAccount(ed25519: Uint8Array, id: bigint): string {
  const payload = new Uint8Array(40);
  payload.set(ed25519, 0);
  new DataView(payload.buffer).setBigUint64(32, id, false);
  return encodeStrkey("muxed", payload);
}

/** Splits an `M…` strkey into its ed25519 key and muxed id. */
export function decodeMuxedAccount(text: string): { ed25519: Uint8Array; id: bigint } {
  const payload = decodeStrkey("muxed", text);
  return {
    ed25519: payload.slice(0, 32),
    id: new DataView(payload.buffer, payload.byteOffset).getBigUint64(32, false),
  };
}

/** `C…` strkey of a 32-byte contract id. */
export function encodeContractId(id: Uint8Array): string {
  return encodeStrkey("contract", id);
}

/** `L…` strkey of a 32-byte liquidity pool id. */
export function encodeLiquidityPoolId(id: Uint8Array): string {
  return encodeStrkey("liquidityPool", id);
}

/** `B…` strkey of a V0 claimable balance id (32-byte hash; the type byte 0 is prepended). */
export function encodeClaimableBalanceId(hash: Uint8Array): string {
  const payload = new Uint8Array(33);
  payload.set(hash, 1);
  return encodeStrkey("claimableBalance", payload);
}
