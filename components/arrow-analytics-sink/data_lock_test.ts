import assert from "node:assert/strict";
import { DataDirLockedError, LOCK_FILE, lockDataDir } from "./data_lock.ts";

Deno.test({
  name: "a data directory can be held by one sink at a time",
  // The refused attempt leaves its blocking flock pending in Deno's thread pool (it cannot be
  // cancelled); it settles when the first lock is released, at a moment the test cannot await.
  sanitizeOps: false,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "sink-lock-" });
  try {
    const first = await lockDataDir(dir);
    assert.equal((await Deno.readTextFile(`${dir}/${LOCK_FILE}`)).trim(), String(Deno.pid));
    await assert.rejects(() => lockDataDir(dir, 100), (e: unknown) => {
      assert.ok(e instanceof DataDirLockedError);
      assert.match(e.message, /in use by another arrow-analytics-sink/);
      return true;
    });
    first.release();
    const second = await lockDataDir(dir, 1000);
    second.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
