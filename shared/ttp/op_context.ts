/**
 * Shared accessors for classic operation rules.
 *
 * @module
 */
import { type AccountRef, muxedAccountRef } from "./addresses.ts";
import { TtpDataError } from "./errors.ts";
import type { LedgerTx } from "./ledger_tx.ts";
import type { OperationResultXdr, OperationXdr } from "./xdr_shapes.ts";

/** The operation source: the operation's own source account, else the transaction source. */
export function operationSource(tx: LedgerTx, op: OperationXdr): AccountRef {
  return muxedAccountRef(op.sourceAccount ?? tx.source);
}

/**
 * The success value of an operation result: checks `opINNER`, the operation type arm and the
 * result code, and returns the value of the `…_SUCCESS` arm.
 */
export function successValue<T>(
  result: OperationResultXdr | undefined,
  opType: string,
  successArm: string,
): T {
  if (!result) throw new TtpDataError(`missing operation result for ${opType}`);
  if (result.arm !== "opINNER") {
    throw new TtpDataError(`${opType} result is ${String(result.arm)}, expected opINNER`);
  }
  const tr = result.value;
  if (tr.arm !== opType) {
    throw new TtpDataError(`operation result type ${String(tr.arm)} does not match ${opType}`);
  }
  if (tr.value.arm !== successArm) {
    throw new TtpDataError(`${opType} result is ${String(tr.value.arm)}, expected ${successArm}`);
  }
  return tr.value.value as T;
}
