/**
 * Conversion of ordered {@link TokenEvent}s to `ttp_event` rows with event ids.
 *
 * @module
 */
import { TTP_EVENT_SCHEMA_VERSION, type TtpEvent } from "../schema/ttp_event.ts";
import { type Asset, assetString } from "../stellar/asset.ts";
import { eventId } from "./event_id.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { OrderedEvent } from "./ordering.ts";
import type { TokenEvent } from "./token_event.ts";

/** The `asset`, `asset_code` and `asset_issuer` columns of an asset (or of none). */
export interface AssetColumns {
  /** `native` or `CODE:ISSUER`. */
  asset: string | null;
  /** `XLM` for native. */
  code: string | null;
  /** The issuer strkey; null for native. */
  issuer: string | null;
}

const NO_ASSET: AssetColumns = Object.freeze({ asset: null, code: null, issuer: null });

/** The asset columns of a row for `asset` (all null for a token that is not a SAC). */
export function assetColumns(asset: Asset | null): AssetColumns {
  if (asset === null) return NO_ASSET;
  return asset.type === "native"
    ? { asset: "native", code: "XLM", issuer: null }
    : { asset: assetString(asset), code: asset.code, issuer: asset.issuer };
}

/** The `ttp_event` row of `event` of transaction `tx`, with its event id. */
export function toRow(tx: LedgerTx, event: TokenEvent, id: string): TtpEvent {
  const asset = assetColumns(event.asset);
  return {
    event_id: id,
    ledger_sequence: tx.ledger.sequence,
    closed_at: tx.ledger.closedAtMs,
    tx_hash: tx.hash,
    transaction_index: tx.index,
    operation_index: event.operationIndex,
    event_type: event.type,
    from_address: event.from,
    to_address: event.to,
    asset: asset.asset,
    asset_code: asset.code,
    asset_issuer: asset.issuer,
    amount: event.amount,
    contract_address: event.contractAddress,
    to_muxed_type: event.toMuxed?.type ?? null,
    to_muxed_value: event.toMuxed?.value ?? null,
    schema_version: TTP_EVENT_SCHEMA_VERSION,
  };
}

/**
 * Rows of a ledger's ordered events. The event id's index counts events sharing a TOID
 * (ledger, transaction, operation; operation 0 for fees) in output order.
 */
export function toRows(txs: LedgerTx[], ordered: OrderedEvent[]): TtpEvent[] {
  const counters = new Map<number, number>();
  const rows: TtpEvent[] = new Array(ordered.length);
  for (let i = 0; i < ordered.length; i++) {
    const { tx: t, event } = ordered[i];
    const tx = txs[t];
    const op = event.operationIndex ?? 0;
    const key = tx.index * 4096 + op;
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    rows[i] = toRow(tx, event, eventId(tx.ledger.sequence, tx.index, op, n));
  }
  return rows;
}
