/**
 * The in-memory TTP event produced by every extraction rule, before ledger/transaction
 * metadata and event ids are attached (see `rows.ts`).
 *
 * @module
 */
import type { Asset } from "../stellar/asset.ts";

/** The five TTP event kinds. */
export type TtpEventType = "transfer" | "mint" | "burn" | "clawback" | "fee";

/** Destination muxing information (CAP-67): an id, a text or a hash. */
export interface MuxedInfo {
  /** Which kind of value. */
  type: "id" | "text" | "hash";
  /** Decimal string for `id`, the text for `text`, lowercase hex for `hash`. */
  value: string;
}

/** One token movement of a transaction. */
export interface TokenEvent {
  /** Event kind. */
  type: TtpEventType;
  /** Source strkey (transfer, burn, clawback, fee), else null. */
  from: string | null;
  /** Destination strkey (transfer, mint), else null. */
  to: string | null;
  /** The asset, or null for a non-SAC (custom SEP-41) token. */
  asset: Asset | null;
  /** Raw integer amount as a decimal string (negative for fee refunds). */
  amount: string;
  /** `C…` address: the SAC of the asset, the emitting contract, or the XLM SAC for fees. */
  contractAddress: string;
  /** 1-based operation index; null for fee events. */
  operationIndex: number | null;
  /** Destination muxing information, if any. */
  toMuxed: MuxedInfo | null;
}

/** Events of one transaction, split as the ordering rules need them. */
export interface TransactionEvents {
  /** The fee charged (exactly one event). */
  fee: TokenEvent;
  /** The fee refund (a negative fee event), if any. */
  refund: TokenEvent | null;
  /** Operation events in operation order. */
  operations: TokenEvent[];
}
