/**
 * Ledger watermarks of a `ttp_events` Flight stream: a FlightData `app_metadata` saying that every
 * event of every ledger up to and including `complete_through` has been sent. A consumer can then
 * treat those ledgers as complete (commit them) without waiting for the next ledger's events,
 * which matters when following the tip and for ledgers without events.
 *
 * Wire form: UTF-8 JSON `{"complete_through": N}` (N a ledger sequence), extra keys ignored.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a watermark for `app_metadata`. */
export function encodeWatermark(completeThrough: number): Uint8Array {
  if (!Number.isInteger(completeThrough) || completeThrough < 0 || completeThrough > 0xffffffff) {
    throw new RangeError(`Expected a ledger sequence (uint32), got ${completeThrough}`);
  }
  return encoder.encode(JSON.stringify({ complete_through: completeThrough }));
}

/**
 * Reads a watermark from `app_metadata`; undefined when the metadata is absent or is not a
 * watermark (other metadata is allowed on the same stream).
 */
export function decodeWatermark(appMetadata: Uint8Array | undefined): number | undefined {
  if (!appMetadata?.byteLength) return undefined;
  try {
    const value = JSON.parse(decoder.decode(appMetadata)) as { complete_through?: unknown };
    const n = value?.complete_through;
    return typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 0xffffffff
      ? n
      : undefined;
  } catch {
    return undefined;
  }
}
