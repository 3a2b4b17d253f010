/**
 * Ledger-entry change access: per-operation and per-transaction change lists, and pairing of
 * `STATE` entries with the change that follows them.
 *
 * @module
 */
import { TtpDataError } from "./errors.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import { decodeSpan } from "../xdr/mod.ts";
import type {
  DecodedLedgerEntryChange,
  LedgerEntryChangeXdr,
  LedgerEntryXdr,
  OperationMetaXdr,
  TransactionMetaBodyXdr,
} from "./xdr_shapes.ts";

/** A change with its entry before and after (either may be absent). */
export interface EntryChange {
  /** `LedgerEntryType` case name, e.g. `CLAIMABLE_BALANCE`. */
  entryType: string;
  /** `LedgerEntryChangeType` case name of the change that closed the pair. */
  changeType: string;
  /** The entry before (from the preceding `STATE`), if any. */
  pre: LedgerEntryXdr | null;
  /** The entry after, if any. */
  post: LedgerEntryXdr | null;
}

function operationMetas(tx: LedgerTx): OperationMetaXdr[] {
  const meta = tx.meta;
  if (meta.arm === 0) return meta.value as OperationMetaXdr[];
  return (meta.value as TransactionMetaBodyXdr).operations;
}

/** Changes of operation `opIndex` (0-based); throws if the meta has no such operation. */
export function operationChanges(tx: LedgerTx, opIndex: number): LedgerEntryChangeXdr[] {
  const ops = operationMetas(tx);
  const op = ops[opIndex];
  if (!op) {
    throw new TtpDataError(
      `transaction meta has ${ops.length} operations, expected operation index ${opIndex}`,
    );
  }
  return op.changes;
}

/** All transaction changes: before (or v1 txChanges), per operation, after. */
export function transactionChanges(tx: LedgerTx): LedgerEntryChangeXdr[] {
  const meta = tx.meta;
  const out: LedgerEntryChangeXdr[] = [];
  if (meta.arm === 0) {
    for (const op of meta.value as OperationMetaXdr[]) out.push(...op.changes);
    return out;
  }
  const body = meta.value as TransactionMetaBodyXdr;
  if (body.txChanges) out.push(...body.txChanges);
  if (body.txChangesBefore) out.push(...body.txChangesBefore);
  for (const op of body.operations) out.push(...op.changes);
  if (body.txChangesAfter) out.push(...body.txChangesAfter);
  return out;
}

const CHANGE_TYPES = [
  "LEDGER_ENTRY_CREATED",
  "LEDGER_ENTRY_UPDATED",
  "LEDGER_ENTRY_REMOVED",
  "LEDGER_ENTRY_STATE",
  "LEDGER_ENTRY_RESTORED",
];

const ENTRY_TYPES = [
  "ACCOUNT",
  "TRUSTLINE",
  "OFFER",
  "DATA",
  "CLAIMABLE_BALANCE",
  "LIQUIDITY_POOL",
  "CONTRACT_DATA",
  "CONTRACT_CODE",
  "CONFIG_SETTING",
  "TTL",
];

/** Entries TTP never reads inside a change: left as spans when a change is decoded. */
const CHANGE_LAZY: ReadonlySet<string> = new Set([
  "ContractDataEntry",
  "ContractCodeEntry",
  "ConfigSettingEntry",
  "TTLEntry",
  "LedgerKeyContractData",
  "LedgerKeyContractCode",
  "OfferEntry",
  "DataEntry",
]);

function int32At(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/**
 * Change type and entry type of an undecoded change, read from its discriminants: the change
 * arm, then the entry data arm (after `lastModifiedLedgerSeq`) or, for removals, the key arm.
 */
export function peekChange(
  change: LedgerEntryChangeXdr,
): { changeType: string; entryType: string } {
  const b = change.bytes;
  const o = change.offset;
  const c = int32At(b, o);
  const changeType = CHANGE_TYPES[c];
  if (changeType === undefined) throw new TtpDataError(`unknown LedgerEntryChangeType ${c}`);
  const e = int32At(b, c === 2 ? o + 4 : o + 8);
  const entryType = ENTRY_TYPES[e];
  if (entryType === undefined) throw new TtpDataError(`unknown LedgerEntryType ${e}`);
  return { changeType, entryType };
}

/** Decodes one change (contract data/code and other unused entries stay spans). */
export function decodeChange(change: LedgerEntryChangeXdr): DecodedLedgerEntryChange {
  return decodeSpan<DecodedLedgerEntryChange>(change, { lazy: CHANGE_LAZY });
}

/**
 * Pairs changes like the reference ingest library: a `STATE` entry is the `pre` of the
 * `UPDATED`/`REMOVED` change that follows it; `CREATED` and `RESTORED` have no `pre`.
 * When `entryType` is given, only changes of that entry type are decoded and returned.
 */
export function pairChanges(changes: LedgerEntryChangeXdr[], entryType?: string): EntryChange[] {
  const out: EntryChange[] = [];
  let pending: LedgerEntryXdr | null = null;
  for (const span of changes) {
    const { changeType, entryType: type } = peekChange(span);
    if (entryType !== undefined && type !== entryType) continue;
    if (changeType === "LEDGER_ENTRY_REMOVED") {
      out.push({ entryType: type, changeType, pre: pending, post: null });
      pending = null;
      continue;
    }
    const entry = decodeChange(span).value as LedgerEntryXdr;
    switch (changeType) {
      case "LEDGER_ENTRY_STATE":
        pending = entry;
        break;
      case "LEDGER_ENTRY_CREATED":
      case "LEDGER_ENTRY_RESTORED":
        out.push({ entryType: type, changeType, pre: null, post: entry });
        pending = null;
        break;
      default: // LEDGER_ENTRY_UPDATED
        out.push({ entryType: type, changeType, pre: pending, post: entry });
        pending = null;
    }
  }
  return out;
}
