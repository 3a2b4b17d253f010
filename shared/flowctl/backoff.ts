/**
 * Retry schedule for registration: exponential backoff with jitter, capped.
 *
 * @module
 */

/** Parameters of {@linkcode backoffDelay}. */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms. Default 500. */
  initialMs?: number;
  /** Growth factor per failed attempt. Default 2. */
  factor?: number;
  /** Upper bound of any delay, in ms, jitter included. Default 60 000. */
  maxMs?: number;
  /** Relative jitter: the delay is scaled by a factor in [1 - jitter, 1 + jitter]. Default 0.2. */
  jitter?: number;
}

/** The defaults of {@linkcode BackoffPolicy}. */
export const DEFAULT_BACKOFF: Required<BackoffPolicy> = {
  initialMs: 500,
  factor: 2,
  maxMs: 60_000,
  jitter: 0.2,
};

/**
 * Delay before retry number `attempt` (0 = the first retry after the first failure).
 *
 * `random` is a number in [0, 1) (pass `Math.random()`); 0.5 gives the un-jittered delay.
 * The result is `min(maxMs, initialMs * factor^attempt * (1 + jitter * (2 * random - 1)))`.
 *
 * @throws {RangeError} when `attempt` is negative or not an integer, or `random` is outside [0, 1).
 */
export function backoffDelay(attempt: number, random: number, policy: BackoffPolicy = {}): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`Expected a non-negative integer attempt number, got ${attempt}`);
  }
  if (!(random >= 0 && random < 1)) {
    throw new RangeError(`Expected a random number in [0, 1), got ${random}`);
  }
  const p = { ...DEFAULT_BACKOFF, ...policy };
  // Cap the exponent so huge attempt numbers don't overflow to Infinity * 0 = NaN.
  const base = Math.min(p.maxMs, p.initialMs * Math.pow(p.factor, Math.min(attempt, 64)));
  const jittered = base * (1 + p.jitter * (2 * random - 1));
  return Math.round(Math.min(p.maxMs, Math.max(0, jittered)));
}
