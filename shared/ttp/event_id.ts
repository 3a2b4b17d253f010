/**
 * Event ids following Stellar RPC's convention: the 19-digit zero-padded TOID
 * (`ledger << 32 | transaction index << 12 | operation index`), a dash, and the 10-digit
 * zero-padded index of the event within that TOID.
 *
 * @module
 */

/** TOID of (ledger, 1-based transaction index, 1-based operation index or 0). */
export function toid(ledger: number, txIndex: number, opIndex: number): bigint {
  if (txIndex < 0 || txIndex >= 1 << 20) {
    throw new RangeError(`transaction index ${txIndex} out of TOID range`);
  }
  if (opIndex < 0 || opIndex >= 1 << 12) {
    throw new RangeError(`operation index ${opIndex} out of TOID range`);
  }
  return (BigInt(ledger) << 32n) | (BigInt(txIndex) << 12n) | BigInt(opIndex);
}

/** Event id string `TOID(19 digits)-index(10 digits)`. */
export function eventId(ledger: number, txIndex: number, opIndex: number, index: number): string {
  return `${toid(ledger, txIndex, opIndex).toString().padStart(19, "0")}-${
    String(index).padStart(10, "0")
  }`;
}
