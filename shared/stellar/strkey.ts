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

/** Most strkeys remembered by {@linkcode encodeStrkey} before it starts over. */
export const STRKEY_CACHE_SIZE = 65_536;

// Ledgers name the same accounts and contracts over and over (fee sources, SAC contracts,
// exchanges): encoded strkeys are kept by version byte and payload.
const strkeys = new Map<string, string>();

/** A string key for payload bytes: two bytes per UTF-16 unit (16 units for 32 bytes). */
function cacheKey(b: Uint8Array): string {
  if (b.length === 32) {
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
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

/** Encodes `payload` as a strkey of `kind`; the payload length must match the kind. */
export function encodeStrkey(kind: StrkeyKind, payload: Uint8Array): string {
  if (payload.length !== PAYLOAD_LENGTH[kind]) {
    throw new Error(
      `strkey ${kind}: expected a ${PAYLOAD_LENGTH[kind]}-byte payload, got ${payload.length}`,
    );
  }
  const key = String.fromCharCode(VERSION[kind]) + cacheKey(payload);
  let text = strkeys.get(key);
  if (text === undefined) {
    const raw = new Uint8Array(payload.length + 3);
    raw[0] = VERSION[kind];
    raw.set(payload, 1);
    const crc = crc16Xmodem(raw.subarray(0, payload.length + 1));
    raw[payload.length + 1] = crc & 0xff;
    raw[payload.length + 2] = crc >> 8;
    text = base32Encode(raw);
    if (strkeys.size >= STRKEY_CACHE_SIZE) strkeys.clear();
    strkeys.set(key, text);
  }
  return text;
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
