import assert from "node:assert/strict";
import { chunkBySize } from "./mod.ts";

Deno.test("chunkBySize keeps order, fills runs to the budget, gives oversize items their own run", () => {
  const cases: {
    name: string;
    sizes: number[];
    maxSize: number;
    maxCount?: number;
    runs: number[][];
  }[] = [
    { name: "empty", sizes: [], maxSize: 10, runs: [] },
    { name: "all fit", sizes: [1, 2, 3], maxSize: 10, runs: [[1, 2, 3]] },
    { name: "exact budget", sizes: [5, 5, 5], maxSize: 10, runs: [[5, 5], [5]] },
    { name: "oversize alone", sizes: [2, 30, 2], maxSize: 10, runs: [[2], [30], [2]] },
    { name: "oversize first", sizes: [30, 1], maxSize: 10, runs: [[30], [1]] },
    {
      name: "count limit",
      sizes: [1, 1, 1, 1, 1],
      maxSize: 100,
      maxCount: 2,
      runs: [[1, 1], [1, 1], [1]],
    },
    { name: "zero sizes", sizes: [0, 0, 0], maxSize: 0, runs: [[0, 0, 0]] },
  ];
  for (const c of cases) {
    const runs = chunkBySize(c.sizes, (s) => s, { maxSize: c.maxSize, maxCount: c.maxCount });
    assert.deepEqual(runs, c.runs, c.name);
  }
});
