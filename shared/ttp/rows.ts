/**
 * Conversion of ordered {@link TokenEvent}s to `ttp_event` rows with event ids.
 *
 * @module
 */
import { TTP_EVENT_SCHEMA_VERSION, type TtpEvent } from "../schema/ttp_event.ts";
import { assetString } from "../stellar/asset.ts";
import { eventId } from "./event_id.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { OrderedEvent } from "./ordering.ts";
import type { TokenEvent } from "./token_event.ts";

/** The `ttp_event` row of `event` of transaction `tx`, with its event id. */
export function toRow(tx: LedgerTx, event: TokenEvent, id: string): TtpEvent {
  const asset = event.asset;
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
    asset: asset === null ? null : assetString(asset),
    asset_code: asset === null ? null : asset.type === "native" ? "XLM" : asset.code,
    asset_issuer: asset === null || asset.type === "native" ? null : asset.issuer,
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
