/**
 * Destination muxing information for classic events (CAP-67 "multiplexing support").
 *
 * @module
 */
import { toHex } from "../stellar/hash.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { MuxedInfo } from "./token_event.ts";
import type { MemoXdr } from "./xdr_shapes.ts";
import { TtpDataError } from "./errors.ts";

/** Muxed info from a transaction memo: none → null, id → id, text → text, hash/return → hash. */
export function memoMuxedInfo(memo: MemoXdr): MuxedInfo | null {
  switch (memo.arm) {
    case "MEMO_NONE":
      return null;
    case "MEMO_ID":
      return { type: "id", value: String(memo.value as bigint) };
    case "MEMO_TEXT":
      return { type: "text", value: memo.value as string };
    case "MEMO_HASH":
    case "MEMO_RETURN":
      return { type: "hash", value: toHex(memo.value as Uint8Array) };
    default:
      throw new TtpDataError(`unknown memo type ${String(memo.arm)}`);
  }
}

/**
 * Muxed info of a classic destination: only for account (`G…`) destinations; none for Soroban
 * transactions before protocol 23; an `M…` destination's id takes precedence over the memo.
 */
export function destinationMuxedInfo(
  tx: LedgerTx,
  to: string,
  toMuxId: bigint | null,
): MuxedInfo | null {
  if (to.charCodeAt(0) !== 71 /* G */) return null;
  if (tx.isSoroban && tx.ledger.protocolVersion < 23) return null;
  if (toMuxId !== null) return { type: "id", value: String(toMuxId) };
  return memoMuxedInfo(tx.memo);
}
