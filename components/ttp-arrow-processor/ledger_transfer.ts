/**
 * Hands ledger XDR to extraction workers without copying it: the views the upstream client
 * yields point into the received message's buffer, which is transferred (moved) to the worker
 * of the first task that uses it. Ledgers of a later task over the same buffer, and ledgers in a
 * buffer too small to be the message's own (Node's `Buffer` pool shares small slabs), are copied
 * into buffers of their own, which are transferred too.
 *
 * @module
 */
import type { TaskLedger } from "./extract_task.ts";

/**
 * Smallest buffer moved to a worker as it is. `Buffer.concat` (how grpc-js assembles a message)
 * uses the shared pool only below 4 KiB; anything from 64 KiB up is the message's own.
 */
export const MIN_TRANSFER_BYTES = 64 * 1024;

/** The ledgers of one task and the buffers to transfer with them. */
export interface TaskTransfer {
  /** The task's ledgers (views into `transfer`'s buffers). */
  ledgers: TaskLedger[];
  /** Buffers to move to the worker, each listed once. */
  transfer: ArrayBuffer[];
}

function movable(buffer: ArrayBufferLike): buffer is ArrayBuffer {
  return buffer instanceof ArrayBuffer && buffer.byteLength >= MIN_TRANSFER_BYTES;
}

/**
 * Prepares runs of ledgers for transfer, all at once (before the first is posted, since posting
 * detaches the buffers): each movable buffer goes with the first run that uses it; every other
 * ledger is copied.
 */
export function prepareTransfers(
  runs: readonly (readonly TaskLedger[])[],
): TaskTransfer[] {
  const owner = new Map<ArrayBufferLike, number>();
  runs.forEach((run, k) => {
    for (const l of run) if (!owner.has(l.xdr.buffer)) owner.set(l.xdr.buffer, k);
  });
  return runs.map((run, k) => {
    const transfer = new Set<ArrayBuffer>();
    const ledgers = run.map((l) => {
      const buffer = l.xdr.buffer;
      if (owner.get(buffer) === k && movable(buffer)) {
        transfer.add(buffer);
        return { sequence: l.sequence, xdr: l.xdr };
      }
      const own = l.xdr.slice();
      transfer.add(own.buffer);
      return { sequence: l.sequence, xdr: own };
    });
    return { ledgers, transfer: [...transfer] };
  });
}
