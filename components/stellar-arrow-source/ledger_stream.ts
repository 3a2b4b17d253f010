/**
 * Range and follow iteration over a {@linkcode LedgerSource}: units are fetched and decoded
 * concurrently (bounded read-ahead through `mapOrdered`) and yielded in ledger order. Nothing is
 * read ahead of the consumer beyond `readAhead` units, so a slow client cannot cause unbounded
 * buffering. Follow mode streams up to the tip, then polls the source every `pollIntervalMs`.
 *
 * @module
 */
import { mapOrdered, WorkerTaskError } from "../../shared/worker_pool/mod.ts";
import { errorMessage, SourceError, type SourceErrorKind } from "./errors.ts";
import type { DecodedLedger, DecodeRequest, DecodeResult, EncodeRequest } from "./decode_types.ts";
import { delay } from "../../shared/async/mod.ts";
import type { LedgerSource, UnitRef } from "./source.ts";

/** Decodes one unit (in a worker pool, or inline in tests). */
export type DecodeFn = (request: DecodeRequest) => Promise<DecodeResult>;

/** Timing of one unit, for metrics. */
export interface UnitTiming {
  /** The unit. */
  unit: UnitRef;
  /** The decode result. */
  result: DecodeResult;
  /** Fetch + decode wall time in ms. */
  elapsedMs: number;
}

/** Options of {@linkcode streamLedgers}. */
export interface LedgerStreamOptions {
  /** Where the ledgers come from. */
  source: LedgerSource;
  /** Decoder. */
  decode: DecodeFn;
  /** First ledger. */
  start: number;
  /** Last ledger (inclusive); undefined follows the tip. */
  end?: number;
  /** Units fetched/decoded ahead of the consumer (≥ 1). */
  readAhead: number;
  /** Follow mode: delay between tip polls in ms. */
  pollIntervalMs: number;
  /** Follow mode: consecutive failed polls tolerated before the stream fails (default 5). */
  maxPollFailures?: number;
  /** Follow mode: largest sub-range streamed before the tip is re-read (default 1000). */
  maxChunk?: number;
  /**
   * Have the decoder build the Flight messages too (see `EncodeRequest`; the range is each
   * streamed sub-range): yielded ledgers then carry them in `encoded` and have empty `xdr`.
   */
  encode?: Omit<EncodeRequest, "start" | "end" | "recycle">;
  /** With `encode`: buffers to hand to the decoder for reuse (see `EncodeRequest.recycle`). */
  recycled?: () => ArrayBuffer[];
  /** Stops the stream. */
  signal?: AbortSignal;
  /** Called after each unit is decoded. */
  onUnit?: (timing: UnitTiming) => void;
  /** Called when a follow-mode poll fails (the stream keeps polling). */
  onPollError?: (err: unknown) => void;
}

const KINDS: readonly SourceErrorKind[] = [
  "invalid_argument",
  "failed_precondition",
  "not_found",
  "unavailable",
  "data_loss",
  "resource_exhausted",
  "internal",
];

/** Turns a worker failure back into a {@linkcode SourceError} (kind, ledger, object kept). */
export function fromWorkerError(err: unknown, unit: UnitRef): SourceError {
  if (err instanceof SourceError) return err;
  if (err instanceof WorkerTaskError) {
    const d = err.details;
    const kind = KINDS.includes(d.kind as SourceErrorKind) ? d.kind as SourceErrorKind : "internal";
    return new SourceError(kind, err.message, {
      ledger: typeof d.ledger === "number" ? d.ledger : unit.start,
      object: typeof d.object === "string" ? d.object : undefined,
    });
  }
  return new SourceError(
    "internal",
    `ledgers ${unit.start}-${unit.end}: ${errorMessage(err)}`,
    { ledger: unit.start, cause: err },
  );
}

async function* streamRange(
  opts: LedgerStreamOptions,
  start: number,
  end: number,
): AsyncGenerator<DecodedLedger[]> {
  const { source, decode, signal } = opts;
  const work = async (unit: UnitRef): Promise<DecodedLedger[]> => {
    const t0 = performance.now();
    let result: DecodeResult;
    try {
      const request = await source.fetch(unit, signal);
      if (opts.encode) {
        request.encode = { ...opts.encode, start, end, recycle: opts.recycled?.() };
      }
      result = await decode(request);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw fromWorkerError(err, unit);
    }
    opts.onUnit?.({ unit, result, elapsedMs: performance.now() - t0 });
    return result.ledgers;
  };
  let expected = start;
  for await (
    const ledgers of mapOrdered(source.plan(start, end), work, {
      concurrency: Math.max(1, opts.readAhead),
      signal,
    })
  ) {
    const inRange = ledgers.filter((l) => l.sequence >= start && l.sequence <= end);
    for (const l of inRange) {
      if (l.sequence !== expected) {
        throw new SourceError(
          "data_loss",
          `ledger ${expected}: expected next, but ${l.object} holds ledger ${l.sequence} there`,
          { ledger: expected, object: l.object },
        );
      }
      expected++;
    }
    if (inRange.length > 0) yield inRange;
  }
  if (expected !== end + 1) {
    throw new SourceError("data_loss", `ledger ${expected}: missing from the source's units`, {
      ledger: expected,
    });
  }
}

/**
 * Yields the ledgers of `[start, end]` (or from `start` on, following the tip) in order, grouped
 * as decoded (one group per unit). Throws a {@linkcode SourceError} naming the ledger and object
 * on the first bad unit; groups before it have been yielded.
 */
export async function* streamLedgers(
  opts: LedgerStreamOptions,
): AsyncGenerator<DecodedLedger[], void, undefined> {
  if (opts.end !== undefined) {
    yield* streamRange(opts, opts.start, opts.end);
    return;
  }
  const maxChunk = opts.maxChunk ?? 1000;
  const maxFailures = opts.maxPollFailures ?? 5;
  let next = opts.start;
  let failures = 0;
  const failed = (err: unknown): void => {
    failures++;
    opts.onPollError?.(err);
    if (failures >= maxFailures) {
      throw err instanceof SourceError ? err : new SourceError(
        "unavailable",
        `following from ledger ${next}: ${failures} polls of ${opts.source.url} failed: ${
          errorMessage(err)
        }`,
        { ledger: next, object: opts.source.url, cause: err },
      );
    }
  };
  while (true) {
    opts.signal?.throwIfAborted();
    let tip: number | undefined;
    try {
      tip = await (opts.source.tip?.(opts.signal, next) ??
        opts.source.availableRange(opts.signal).then((r) => r?.end));
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      failed(err);
    }
    if (tip !== undefined && tip >= next) {
      const end = Math.min(tip, next + maxChunk - 1);
      try {
        for await (const group of streamRange(opts, next, end)) {
          next = group[group.length - 1].sequence + 1;
          failures = 0;
          yield group;
        }
        next = end + 1;
        failures = 0;
        continue;
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason;
        // Near the tip a batch may not be written yet (parallel writers): retry a few polls.
        if (!(err instanceof SourceError && err.kind === "not_found")) throw err;
        failed(err);
      }
    } else if (tip !== undefined) {
      failures = 0;
    }
    await delay(opts.pollIntervalMs, opts.signal);
  }
}
