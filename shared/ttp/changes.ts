/**
 * Ledger-entry change access: per-operation and per-transaction change lists, and pairing of
 * `STATE` entries with the change that follows them.
 *
 * @module
 */
import { TtpDataError } from "./errors.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type {
  LedgerEntryChangeXdr,
  LedgerEntryXdr,
  OperationMetaXdr,
  TransactionMetaBodyXdr,
  XdrUnion,
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

/** Entry type of a change (from the entry data, or the key for removals). */
export function changeEntryType(change: LedgerEntryChangeXdr): string {
  const v = change.value;
  if (change.arm === "LEDGER_ENTRY_REMOVED") return String((v as XdrUnion).arm);
  return String((v as LedgerEntryXdr).data.arm);
}

/**
 * Pairs changes like the reference ingest library: a `STATE` entry is the `pre` of the
 * `UPDATED`/`REMOVED` change that follows it; `CREATED` and `RESTORED` have no `pre`.
 * When `entryType` is given, only changes of that entry type are returned.
 */
export function pairChanges(changes: LedgerEntryChangeXdr[], entryType?: string): EntryChange[] {
  const out: EntryChange[] = [];
  let pending: LedgerEntryXdr | null = null;
  for (const change of changes) {
    const type = changeEntryType(change);
    if (entryType !== undefined && type !== entryType) continue;
    switch (change.arm) {
      case "LEDGER_ENTRY_STATE":
        pending = change.value as LedgerEntryXdr;
        break;
      case "LEDGER_ENTRY_CREATED":
      case "LEDGER_ENTRY_RESTORED":
        out.push({
          entryType: type,
          changeType: change.arm,
          pre: null,
          post: change.value as LedgerEntryXdr,
        });
        pending = null;
        break;
      case "LEDGER_ENTRY_UPDATED":
        out.push({
          entryType: type,
          changeType: change.arm,
          pre: pending,
          post: change.value as LedgerEntryXdr,
        });
        pending = null;
        break;
      case "LEDGER_ENTRY_REMOVED":
        out.push({ entryType: type, changeType: change.arm, pre: pending, post: null });
        pending = null;
        break;
      default:
        throw new TtpDataError(`unknown LedgerEntryChangeType ${String(change.arm)}`);
    }
  }
  return out;
}
