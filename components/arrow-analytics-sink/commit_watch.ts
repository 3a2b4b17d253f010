/**
 * A watermark of the committed ledger that readers can wait on (Flight `DoGet` following the
 * tip waits here for the next commit).
 *
 * @module
 */

/** The last committed ledger, with waiting. */
export class CommitWatch {
  #ledger: number;
  #waiters = new Set<() => void>();

  /** @param ledger committed ledger at start */
  constructor(ledger: number) {
    this.#ledger = ledger;
  }

  /** The last committed ledger. */
  get ledger(): number {
    return this.#ledger;
  }

  /** Moves the watermark forward and wakes waiters. */
  advance(ledger: number): void {
    if (ledger <= this.#ledger) return;
    this.#ledger = ledger;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves once the watermark is beyond `ledger`.
   *
   * @throws the signal's reason when it aborts first.
   */
  async waitBeyond(ledger: number, signal?: AbortSignal): Promise<number> {
    while (this.#ledger <= ledger) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          this.#waiters.delete(wake);
          reject(signal!.reason);
        };
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        this.#waiters.add(wake);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    return this.#ledger;
  }
}
