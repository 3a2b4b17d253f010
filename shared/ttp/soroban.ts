/**
 * Contract events per operation, by transaction meta version.
 *
 * @module
 */
import { parseTokenEvent } from "./contract_events.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { ExtractionStats } from "./operations.ts";
import type { TokenEvent } from "./token_event.ts";
import { decodeSpan } from "../xdr/mod.ts";
import type {
  ContractEventSpan,
  ContractEventXdr,
  TransactionEventXdr,
  TransactionMetaBodyXdr,
} from "./xdr_shapes.ts";

function decodeEvent(span: ContractEventSpan): ContractEventXdr {
  return decodeSpan<ContractEventXdr>(span);
}

/** Contract events of operation `opIndex`: v3 `sorobanMeta.events`, v4 `operations[i].events`. */
export function rawContractEvents(tx: LedgerTx, opIndex: number): ContractEventXdr[] {
  const meta = tx.meta;
  let spans: ContractEventSpan[] = [];
  if (meta.arm === 3) spans = (meta.value as TransactionMetaBodyXdr).sorobanMeta?.events ?? [];
  else if (meta.arm === 4) {
    spans = (meta.value as TransactionMetaBodyXdr).operations[opIndex]?.events ?? [];
  }
  return spans.map(decodeEvent);
}

// The last meta's decoded events: a transaction's rules ask for them a few times in a row. (A
// WeakMap over every meta would do the same with more work for the GC.)
let lastBody: object | undefined;
let lastEvents: TransactionEventXdr[] = [];

/** Transaction-level events of a v4 meta (fees), decoded once per transaction. */
export function transactionLevelEvents(tx: LedgerTx): TransactionEventXdr[] {
  const body = tx.meta.value as TransactionMetaBodyXdr;
  if (body !== lastBody) {
    lastEvents = (body.events ?? []).map((e) => ({ stage: e.stage, event: decodeEvent(e.event) }));
    lastBody = body;
  }
  return lastEvents;
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
