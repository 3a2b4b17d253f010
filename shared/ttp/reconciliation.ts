/**
 * Pre-protocol-8 XLM reconciliation (CAP-67 "Pre-protocol 8 bug"): before protocol 8 some
 * operations moved XLM without a matching operation effect; the difference between the source
 * account's XLM delta in the operation's changes and in its events becomes a mint or burn.
 *
 * @module
 */
import { NATIVE } from "../stellar/asset.ts";
import { addChangeDeltas, addEventDeltas, deltaKey, type DeltaMap } from "./balances.ts";
import { operationChanges } from "./changes.ts";
import { assetEvent } from "./issuer_rule.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { TokenEvent } from "./token_event.ts";

/**
 * Adds the reconciliation event to `events` of operation `opIndex` whose source is `source`:
 * a mint (placed first) when the changes show more XLM than the events, a burn (placed last)
 * when they show less. Returns the (possibly) extended list.
 */
export function reconcileXlm(
  tx: LedgerTx,
  opIndex: number,
  source: string,
  events: TokenEvent[],
): TokenEvent[] {
  const changes: DeltaMap = new Map();
  addChangeDeltas(changes, operationChanges(tx, opIndex));
  const fromEvents: DeltaMap = new Map();
  addEventDeltas(fromEvents, events);
  const key = deltaKey(source, "native");
  const diff = (changes.get(key) ?? 0n) - (fromEvents.get(key) ?? 0n);
  if (diff === 0n) return events;
  const base = { asset: NATIVE, operationIndex: opIndex + 1 };
  if (diff > 0n) {
    return [
      assetEvent(tx, { ...base, type: "mint", from: null, to: source, amount: String(diff) }),
      ...events,
    ];
  }
  return [
    ...events,
    assetEvent(tx, { ...base, type: "burn", from: source, to: null, amount: String(-diff) }),
  ];
}
