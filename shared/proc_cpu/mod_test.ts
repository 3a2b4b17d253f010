import assert from "node:assert/strict";
import { procCpuMs, threadCpuDelta, threadCpuMs } from "./mod.ts";

Deno.test("procCpuMs and threadCpuMs see a `deno run` process's work on its main thread", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "const t = performance.now() + 400; let x = 0; while (performance.now() < t) x += Math.sqrt(x + 1);" +
      "console.log('done'); await new Promise((r) => setTimeout(r, 5000));",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  try {
    const before = threadCpuMs(child.pid);
    const reader = child.stdout.getReader();
    const { value } = await reader.read(); // "done": the busy loop is over
    assert.match(new TextDecoder().decode(value), /done/);
    const d = threadCpuDelta(before, threadCpuMs(child.pid));
    assert.ok(d.main >= 200, `the busy loop runs on the main thread: ${JSON.stringify(d)}`);
    assert.ok(procCpuMs(child.pid) >= d.main + d.workers, "the process total covers its threads");
    reader.releaseLock();
  } finally {
    child.kill();
    await child.status;
    await child.stdout.cancel().catch(() => {});
  }
});
