/**
 * Ordered concurrent mapping for live streams: like shared/worker_pool's `mapOrdered` (bounded
 * read-ahead, results in input order), but the input is pulled by a separate loop, so a result
 * is yielded as soon as it and those before it are ready, even while the next input has not
 * arrived yet. `mapOrdered` awaits the next input before yielding the previous result, which
 * would hold a followed ledger's events back until the following ledger closes.
 *
 * @module
 */

/** Options of {@linkcode mapOrderedLive}. */
export interface MapOrderedLiveOptions {
  /** Maximum calls of `fn` in flight or done but not yet consumed, at least 1. */
  concurrency: number;
}

/**
 * Maps `source` through `fn` with at most `concurrency` results pending, yielding them in input
 * order as soon as each is ready. An error of `fn` is thrown at its item's turn; an error of
 * `source` after every earlier result. Stopping the consumer stops pulling and calls `return()`
 * on the source without waiting for it (abort the source's own signal to interrupt a pending
 * pull).
 */
export async function* mapOrderedLive<T, R>(
  source: AsyncIterable<T>,
  fn: (item: T) => Promise<R>,
  options: MapOrderedLiveOptions,
): AsyncGenerator<R, void, undefined> {
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`Expected concurrency >= 1, got ${options.concurrency}`);
  }
  const iterator = source[Symbol.asyncIterator]();
  const queue: Promise<R>[] = [];
  let finished = false;
  let failed = false;
  let failure: unknown;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (which: "consumer" | "producer") => {
    const f = which === "consumer" ? wakeConsumer : wakeProducer;
    if (which === "consumer") wakeConsumer = undefined;
    else wakeProducer = undefined;
    f?.();
  };

  const producer = async () => {
    try {
      while (!stopped) {
        while (queue.length >= options.concurrency && !stopped) {
          await new Promise<void>((resolve) => wakeProducer = resolve);
        }
        if (stopped) break;
        const next = await iterator.next();
        if (next.done || stopped) break;
        const task = fn(next.value);
        task.catch(() => {}); // surfaced in order by the consumer
        queue.push(task);
        wake("consumer");
      }
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      finished = true;
      wake("consumer");
    }
  };
  void producer();

  try {
    while (true) {
      if (queue.length > 0) {
        const result = await queue[0];
        queue.shift();
        wake("producer");
        yield result;
        continue;
      }
      if (finished) {
        if (failed) throw failure;
        return;
      }
      await new Promise<void>((resolve) => wakeConsumer = resolve);
    }
  } finally {
    stopped = true;
    wake("producer");
    if (!finished) iterator.return?.(undefined)?.catch?.(() => {});
  }
}
