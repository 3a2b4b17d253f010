/**
 * Test helper: a copy of a real protocol 20+ `LedgerCloseMeta` (v1 or v2) whose first
 * transaction's fee-processing "updated" account balance is off by `delta` stroops, so TTP
 * verification of that transaction fails while extraction still succeeds.
 *
 * @module
 */
import { fieldOffset, skip, unionArm } from "../../../shared/xdr/mod.ts";

/**
 * Returns a copy of `lcm` with the first transaction's fee-processing balance shifted.
 *
 * @throws {Error} when the ledger has no such change (e.g. no transactions).
 */
export function tamperFeeBalance(lcm: Uint8Array, delta = 1n): Uint8Array {
  const out = lcm.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const arm = unionArm("LedgerCloseMeta", out, 0);
  const txProcessing = fieldOffset(arm.type, "txProcessing", out, arm.offset);
  if (view.getUint32(txProcessing) === 0) throw new Error("Expected a ledger with transactions");
  const first = txProcessing + 4;
  const elem = arm.arm === 2 || arm.arm === "2"
    ? "TransactionResultMetaV1"
    : "TransactionResultMeta";
  const fees = fieldOffset(elem, "feeProcessing", out, first);
  let at = fees + 4;
  for (let i = 0; i < view.getUint32(fees); i++) {
    // LedgerEntryChange: type (UPDATED = 1), LedgerEntry: lastModified, data type (ACCOUNT = 0),
    // AccountEntry: accountID (key type + 32 bytes), balance.
    if (view.getUint32(at) === 1 && view.getUint32(at + 8) === 0) {
      view.setBigInt64(at + 48, view.getBigInt64(at + 48) + delta);
      return out;
    }
    at = skip("LedgerEntryChange", out, at);
  }
  throw new Error("Expected an updated account entry in the first transaction's fee processing");
}
