/**
 * An abortable delay.
 *
 * @module
 */

/**
 * Waits `ms`, rejecting with `signal.reason` when `signal` aborts: at once when it is aborted
 * already, without starting a timer, and otherwise clearing the timer, so that nothing is left
 * pending after an abort.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
