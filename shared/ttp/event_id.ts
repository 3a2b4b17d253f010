/**
 * Event ids following Stellar RPC's convention: the 19-digit zero-padded TOID
 * (`ledger << 32 | transaction index << 12 | operation index`), a dash, and the 10-digit
 * zero-padded index of the event within that TOID.
 *
 * @module
 */

function checkRanges(txIndex: number, opIndex: number): void {
  if (txIndex < 0 || txIndex >= 1 << 20) {
    throw new RangeError(`transaction index ${txIndex} out of TOID range`);
  }
  if (opIndex < 0 || opIndex >= 1 << 12) {
    throw new RangeError(`operation index ${opIndex} out of TOID range`);
  }
}

/** TOID of (ledger, 1-based transaction index, 1-based operation index or 0). */
export function toid(ledger: number, txIndex: number, opIndex: number): bigint {
  checkRanges(txIndex, opIndex);
  return (BigInt(ledger) << 32n) | (BigInt(txIndex) << 12n) | BigInt(opIndex);
}

/**
 * The 19-digit zero-padded decimal of the TOID `ledger << 32 | low` (`low` < 2^32), in doubles:
 * 2^32 = 42949 * 10^5 + 67296, and each partial sum stays below 2^53.
 */
export function toidDigits(ledger: number, low: number): string {
  const x = ledger * 67296 + low;
  const high = ledger * 42949 + Math.floor(x / 100000);
  const rest = String(x % 100000);
  if (high === 0) return rest.padStart(19, "0");
  return (String(high) + "00000".slice(rest.length) + rest).padStart(19, "0");
}

/**
 * The part of an event id before its index, `TOID(19 digits)-`, shared by the events of one
 * (ledger, transaction, operation). Throws a `RangeError` for indexes outside the TOID.
 */
export function eventIdPrefix(ledger: number, txIndex: number, opIndex: number): string {
  checkRanges(txIndex, opIndex);
  return toidDigits(ledger, txIndex * 4096 + opIndex) + "-";
}

/** The 10-digit zero-padded index that ends an event id. */
export function eventIndexDigits(index: number): string {
  return index < 10 ? "000000000" + index : String(index).padStart(10, "0");
}

/** Event id string `TOID(19 digits)-index(10 digits)`. */
export function eventId(ledger: number, txIndex: number, opIndex: number, index: number): string {
  return eventIdPrefix(ledger, txIndex, opIndex) + eventIndexDigits(index);
}
