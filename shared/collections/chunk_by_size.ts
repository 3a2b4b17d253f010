/**
 * Splitting a sequence into consecutive runs under a size budget.
 *
 * @module
 */

/** Limits of one run in {@linkcode chunkBySize}. */
export interface ChunkLimits {
  /** Most total size of a run; an item larger than this gets a run of its own. */
  maxSize: number;
  /** Most items in a run; default unlimited. */
  maxCount?: number;
}

/**
 * Splits `items`, in order, into runs whose sizes (by `sizeOf`) add up to at most
 * `limits.maxSize` and that hold at most `limits.maxCount` items. Every run has at least one
 * item, so an item over the budget is a run of its own; no item is dropped or reordered.
 */
export function chunkBySize<T>(
  items: Iterable<T>,
  sizeOf: (item: T) => number,
  limits: ChunkLimits,
): T[][] {
  const maxCount = limits.maxCount ?? Infinity;
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const s = sizeOf(item);
    if (current.length > 0 && (size + s > limits.maxSize || current.length >= maxCount)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += s;
  }
  if (current.length > 0) out.push(current);
  return out;
}
