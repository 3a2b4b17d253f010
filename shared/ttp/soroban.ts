/**
 * Contract events per operation, by transaction meta version.
 *
 * @module
 */
import { parseTokenEvent } from "./contract_events.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { ExtractionStats } from "./operations.ts";
import type { TokenEvent } from "./token_event.ts";
import type { ContractEventXdr, TransactionMetaBodyXdr } from "./xdr_shapes.ts";

/** Contract events of operation `opIndex`: v3 `sorobanMeta.events`, v4 `operations[i].events`. */
export function rawContractEvents(tx: LedgerTx, opIndex: number): ContractEventXdr[] {
  const meta = tx.meta;
  if (meta.arm === 3) return (meta.value as TransactionMetaBodyXdr).sorobanMeta?.events ?? [];
  if (meta.arm === 4) {
    return (meta.value as TransactionMetaBodyXdr).operations[opIndex]?.events ?? [];
  }
  return [];
}

/** Token events of operation `opIndex` parsed from its contract events; malformed ones counted. */
export function contractEventsOfOperation(
  tx: LedgerTx,
  opIndex: number,
  stats: ExtractionStats,
): TokenEvent[] {
  const out: TokenEvent[] = [];
  for (const ev of rawContractEvents(tx, opIndex)) {
    const parsed = parseTokenEvent(tx, opIndex, ev, tx.meta.arm as number);
    if (parsed) out.push(parsed);
    else stats.skippedContractEvents++;
  }
  return out;
}
