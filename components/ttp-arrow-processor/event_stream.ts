/**
 * The TTP event stream of one request: ledgers from the source, extracted in the worker pool
 * with bounded read-ahead, out as `ttp_event` record batches in ledger order.
 *
 * Each source record batch becomes one or more extraction tasks (runs of consecutive ledgers up
 * to {@linkcode MAX_TASK_BYTES} of XDR); a task's output is sent as soon as it and every task
 * before it are done, so live ledgers are never held back waiting for more input. In a bounded
 * range, small outputs (filtered streams) are merged into batches near `batchBytes`, waiting at
 * most {@linkcode COALESCE_DELAY_MS}.
 *
 * @module
 */
import type * as arrow from "apache-arrow";
import {
  EncodedFlightData,
  encodeFlightDataFramed,
  FlightDataEncoder,
  FlightError,
  GrpcStatus,
  isFlightError,
} from "../../shared/flight/mod.ts";
import { eventsToRecordBatch, ttpEventSchema } from "../../shared/schema/mod.ts";
import { encodeWatermark } from "../../shared/ttp_stream/mod.ts";
import { chunkBySize } from "../../shared/collections/mod.ts";
import { getLogger } from "../../shared/log/mod.ts";
import { toHex } from "../../shared/stellar/mod.ts";
import type { TtpMode } from "../../shared/ttp/mod.ts";
import { mapOrdered, type WorkerPool, WorkerTaskError } from "../../shared/worker_pool/mod.ts";
import { batchesOfResult, type ExtractResult, type ExtractTask } from "./extract_task.ts";
import { BatchCoalescer } from "./batch_coalescer.ts";
import { prepareTransfers } from "./ledger_transfer.ts";
import { NetworkError, resolvePassphrase } from "./network.ts";
import type { ProcessorStats } from "./stats.ts";
import type { StreamRequest } from "./ticket.ts";
import type { SourceClient, UpstreamLedger } from "./upstream.ts";

const log = getLogger(["processor", "stream"]);

/** Largest XDR size of one extraction task: 4 MiB. */
export const MAX_TASK_BYTES = 4 * 1024 * 1024;

/** Largest number of ledgers in one extraction task. */
export const MAX_TASK_LEDGERS = 64;

/** Longest time a small batch of a range waits to be merged with the next ones. */
export const COALESCE_DELAY_MS = 1_000;

/** What every stream shares. */
export interface StreamContext {
  /** The source client. */
  source: SourceClient;
  /** The extraction workers. */
  pool: WorkerPool<ExtractTask, ExtractResult>;
  /** Metrics and status. */
  stats: ProcessorStats;
  /** Configured passphrase, if any (checked against the ledgers' network_id). */
  networkPassphrase?: string;
  /** TTP extraction mode. */
  mode: TtpMode;
  /** Verify every transaction. */
  verify: boolean;
  /** Target output batch size in bytes. */
  batchBytes: number;
  /** Extraction tasks in flight per stream. */
  readAhead: number;
}

interface PendingTask {
  task: ExtractTask;
  /** Buffers of the task's ledgers, moved to the worker. */
  transfer: ArrayBuffer[];
  receivedAt: number;
}

/** Splits a run of ledgers into task-sized runs (by XDR bytes and count). */
export function chunkLedgers<T extends { xdr: Uint8Array }>(
  ledgers: readonly T[],
  maxBytes: number = MAX_TASK_BYTES,
  maxLedgers: number = MAX_TASK_LEDGERS,
): T[][] {
  return chunkBySize(ledgers, (l) => l.xdr.byteLength, { maxSize: maxBytes, maxCount: maxLedgers });
}

function toStreamError(err: unknown): FlightError {
  if (err instanceof FlightError) return err;
  if (err instanceof NetworkError) {
    return new FlightError(GrpcStatus.FAILED_PRECONDITION, err.message, { cause: err });
  }
  if (err instanceof WorkerTaskError) {
    return FlightError.internal(`TTP extraction failed: ${err.name}: ${err.message}`, {
      cause: err,
    });
  }
  if (err instanceof Error) return FlightError.internal(err.message, { cause: err });
  return FlightError.internal(String(err));
}

/**
 * An empty `ttp_event` batch carrying a ledger watermark (see shared/ttp_stream/watermark.ts),
 * encoded here: the same bytes the server makes of `{ batch: <empty>, appMetadata }`, without
 * encoding the empty batch again for every ledger.
 */
function watermark(completeThrough: number): EncodedFlightData {
  return new EncodedFlightData(
    encodeFlightDataFramed({
      ...EMPTY_EVENTS_FRAME,
      appMetadata: encodeWatermark(completeThrough),
    }),
  );
}

const EMPTY_EVENTS_FRAME = (() => {
  const frames = new FlightDataEncoder(ttpEventSchema).encode(eventsToRecordBatch([]));
  if (frames.length !== 1) {
    throw new Error(`Expected one message for an empty batch, got ${frames.length}`);
  }
  return frames[0];
})();

/**
 * Streams the `ttp_event` batches of `request` (whose start is resolved already).
 *
 * @throws {FlightError} `UNAVAILABLE` (source down past the retry budget), `FAILED_PRECONDITION`
 * (network mismatch), `INTERNAL` (extraction failure naming the ledger), the source's own
 * status (e.g. `NOT_FOUND`), `CANCELLED` when `signal` aborts.
 */
export async function* eventBatches(
  ctx: StreamContext,
  request: StreamRequest & { start: number },
  signal: AbortSignal,
): AsyncGenerator<arrow.RecordBatch | EncodedFlightData> {
  const { stats } = ctx;
  stats.streamStarted();
  // Stops the upstream pull when this stream ends for any reason, not only when the client goes.
  const stop = new AbortController();
  const upstreamSignal = AbortSignal.any([signal, stop.signal]);
  // Ranges coalesce small batches (up to a second); live tails send each ledger's at once.
  const coalescer = new BatchCoalescer({
    targetBytes: ctx.batchBytes,
    maxDelayMs: request.end === undefined ? 0 : COALESCE_DELAY_MS,
  });
  // A task's output of at least the coalescer's "small" size in total comes back from the worker
  // as Flight messages ready to send (no decoding and re-encoding here); smaller outputs come
  // back as IPC for the coalescer to merge.
  const framesFromBytes = request.end === undefined ? 0 : coalescer.smallBytes;
  let passphrase: string | undefined;
  let networkHex: string | undefined;
  const tasks = async function* (): AsyncGenerator<PendingTask> {
    for await (
      const rows of ctx.source.ledgers({
        start: request.start,
        end: request.end,
        signal: upstreamSignal,
      })
    ) {
      const receivedAt = performance.now();
      for (const row of rows) {
        const hex = toHex(row.networkId);
        if (hex === networkHex) continue;
        if (networkHex !== undefined) {
          throw new NetworkError(
            `Ledger ${row.sequence} carries network_id ${hex}, expected ${networkHex} like the ledgers before it`,
          );
        }
        passphrase = resolvePassphrase(row.networkId, ctx.networkPassphrase);
        networkHex = hex;
        stats.setPassphrase(passphrase);
      }
      // All runs of the batch are prepared before the first is posted: posting moves buffers.
      for (const { ledgers, transfer } of prepareTransfers(chunkLedgers<UpstreamLedger>(rows))) {
        yield {
          receivedAt,
          transfer,
          task: {
            ledgers,
            networkPassphrase: passphrase!,
            mode: ctx.mode,
            verify: ctx.verify,
            filters: request.filters,
            batchBytes: ctx.batchBytes,
            framesFromBytes,
          },
        };
      }
    }
  };
  let processedThrough: number | undefined;
  try {
    const results = mapOrdered(
      tasks(),
      async (p) => {
        const result = await ctx.pool.run(p.task, p.transfer);
        return { result, receivedAt: p.receivedAt };
      },
      { concurrency: ctx.readAhead },
    );
    for await (const { result, receivedAt } of results) {
      stats.recordTask(result.ledgers, performance.now() - receivedAt);
      for (const l of result.ledgers) {
        for (const f of l.verifyFailures) {
          log.error("TTP verification failed in ledger {ledger}, tx {txHash}: {message}", {
            ledger: f.ledger,
            txHash: f.txHash,
            message: f.message,
          });
        }
      }
      if (result.frames) {
        for (const batch of coalescer.flush()) {
          yield batch;
          stats.batchesSent(1);
        }
        for (const frame of result.frames) yield new EncodedFlightData(frame);
        stats.batchesSent(result.frames.length);
      } else {
        for (const batch of coalescer.push(batchesOfResult(result))) {
          yield batch;
          stats.batchesSent(1);
        }
      }
      const last = result.ledgers[result.ledgers.length - 1]?.sequence;
      if (last !== undefined) {
        processedThrough = last;
        // Every event through `last` is out (nothing held back): tell the client, so that it
        // can complete those ledgers now instead of when the next ledger's events arrive.
        if (coalescer.pendingBytes === 0) yield watermark(last);
      }
    }
    for (const batch of coalescer.flush()) {
      yield batch;
      stats.batchesSent(1);
    }
  } catch (err) {
    if (signal.aborted && !isFlightError(err, GrpcStatus.FAILED_PRECONDITION)) {
      throw FlightError.cancelled("Client went away", { cause: err });
    }
    const error = toStreamError(err);
    // Events of the ledgers before the failure still go out (clients resume after them).
    for (const batch of coalescer.flush()) {
      yield batch;
      stats.batchesSent(1);
    }
    if (processedThrough !== undefined) yield watermark(processedThrough);
    stats.streamFailed();
    log.warn("Stream {start}..{end} failed: {code} {message}", {
      start: request.start,
      end: request.end ?? "tip",
      code: error.codeName,
      message: error.message,
    });
    throw error;
  } finally {
    stop.abort();
    stats.streamEnded();
  }
}
