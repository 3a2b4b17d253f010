/**
 * Test helpers: synthetic `ttp_event` rows with valid strkeys, for unit tests of the writers,
 * filters and hub (end-to-end tests use real events from the TTP module).
 *
 * @module
 */
import type { TtpEvent, TtpEventType } from "../../../shared/schema/ttp_event.ts";
import { TTP_EVENT_SCHEMA_VERSION } from "../../../shared/schema/ttp_event.ts";
import { encodeAccountId, encodeContractId } from "../../../shared/stellar/mod.ts";
import { eventId } from "../../../shared/ttp/mod.ts";

/** A deterministic account strkey for a small number. */
export function account(n: number): string {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setUint32(0, n);
  return encodeAccountId(key);
}

/** A deterministic contract strkey for a small number. */
export function contract(n: number): string {
  const key = new Uint8Array(32);
  new DataView(key.buffer).setUint32(28, n);
  return encodeContractId(key);
}

/** The event id of ledger/tx/op/index as `%019d-%010d` (the extraction module's own). */
export { eventId };

/** Options of {@linkcode makeEvent}. */
export interface MakeEventOptions {
  ledger: number;
  tx?: number;
  op?: number | null;
  index?: number;
  type?: TtpEventType;
  asset?: string | null;
  amount?: string;
  from?: string | null;
  to?: string | null;
  closedAt?: number;
  contract?: string;
}

/** One synthetic event; close time defaults to 5 s per ledger from 2026-01-01T00:00:00Z. */
export function makeEvent(o: MakeEventOptions): TtpEvent {
  const asset = o.asset === undefined ? "native" : o.asset;
  const [code, issuer] = asset === null
    ? [null, null]
    : asset === "native"
    ? ["XLM", null]
    : asset.split(":");
  const type = o.type ?? "transfer";
  return {
    event_id: eventId(o.ledger, o.tx ?? 1, o.op ?? 0, o.index ?? 0),
    ledger_sequence: o.ledger,
    closed_at: o.closedAt ?? Date.UTC(2026, 0, 1) + o.ledger * 5000,
    tx_hash: o.ledger.toString(16).padStart(64, "0"),
    transaction_index: o.tx ?? 1,
    operation_index: type === "fee" ? null : o.op ?? 1,
    event_type: type,
    from_address: o.from === undefined ? (type === "mint" ? null : account(1)) : o.from,
    to_address: o.to === undefined
      ? (["burn", "clawback", "fee"].includes(type) ? null : account(2))
      : o.to,
    asset,
    asset_code: code,
    asset_issuer: issuer,
    amount: o.amount ?? "100",
    contract_address: o.contract ?? contract(1),
    to_muxed_type: null,
    to_muxed_value: null,
    schema_version: TTP_EVENT_SCHEMA_VERSION,
  };
}

/** `perLedger` events for each ledger in [from, to], with varied kinds and amounts. */
export function makeLedgers(from: number, to: number, perLedger: number): TtpEvent[] {
  const types: TtpEventType[] = ["transfer", "mint", "burn", "fee", "clawback"];
  const out: TtpEvent[] = [];
  for (let ledger = from; ledger <= to; ledger++) {
    for (let i = 0; i < perLedger; i++) {
      const type = types[(ledger + i) % types.length];
      out.push(makeEvent({
        ledger,
        tx: i + 1,
        op: type === "fee" ? 0 : 1,
        type,
        asset: i % 3 === 0 ? `USDC:${account(9)}` : "native",
        amount: type === "fee" && i % 4 === 0
          ? `-${i + 1}`
          : String(BigInt(ledger) * 1_000_000n + BigInt(i)),
        from: type === "mint" ? null : account(i % 4),
        to: ["burn", "clawback", "fee"].includes(type) ? null : account(10 + (i % 3)),
      }));
    }
  }
  return out;
}
