// The launcher as a user runs it: four real processes on loopback, the bundled real lake, a
// bounded range so that every ledger completes, Ctrl-C, and a second run that resumes.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { readFixtureBatches } from "../../shared/ledger/testdata.ts";
import { splitLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { extractEvents } from "../../shared/ttp/mod.ts";
import { DEFAULT_PORTS } from "./plan.ts";
import { freePortOffset, getJson } from "./testing/harness.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const PUBNET = "Public Global Stellar Network ; September 2015";
const LAST = 63093001;

function expectedCounts(): { total: number; byType: Record<string, number> } {
  const byType: Record<string, number> = {};
  let total = 0;
  for (const batch of readFixtureBatches("pubnet-p26")) {
    for (const lcm of splitLedgerCloseMetaBatch(batch.bytes).ledgers) {
      for (const e of extractEvents(lcm, { networkPassphrase: PUBNET, mode: "auto" })) {
        byType[e.event_type] = (byType[e.event_type] ?? 0) + 1;
        total++;
      }
    }
  }
  return { total, byType };
}

async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

function launch(dataDir: string, offset: number, follow: boolean) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--data-dir",
      dataDir,
      "--port-offset",
      String(offset),
      ...(follow ? [] : ["--end-ledger", String(LAST)]),
      "--progress-interval-ms",
      "1000",
      "--log-level",
      "info",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { child, output };
}

async function stop(
  run: ReturnType<typeof launch>,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  run.child.kill("SIGINT");
  const status = await run.child.status;
  const [stdout, stderr] = await run.output;
  return { code: status.code, stdout, stderr, ms: Date.now() - started };
}

Deno.test({
  name:
    "deno task start: following the tip stores every event once, all services registered, Ctrl-C in order, rerun resumes",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const expected = expectedCounts();
  const dataDir = await Deno.makeTempDir({ prefix: "pipeline-test-" });
  const offset = freePortOffset();
  const api = `http://127.0.0.1:${DEFAULT_PORTS.sinkHttp + offset}/api`;
  const controlPlane = `http://127.0.0.1:${DEFAULT_PORTS.controlPlane + offset}/api/services`;
  // First run follows the tip (the default): the last ledger must still be committed, through
  // the processor's ledger watermarks, not wait for a ledger that never comes.
  let run = launch(dataDir, offset, true);
  try {
    const stats = await until("all events stored", 120_000, async () => {
      const s = await getJson(`${api}/stats`);
      return s && s.events_total === expected.total && s.last_ledger === LAST ? s : undefined;
    });
    assert.deepEqual(stats.events_by_type, expected.byType);

    const services = await until("three healthy services with metrics", 60_000, async () => {
      const body = await getJson(controlPlane);
      const list = (body?.services ?? []) as Record<string, unknown>[];
      const healthy = list.filter((s) => s.healthy === true);
      return healthy.length === 3 ? healthy : undefined;
    });
    assert.deepEqual(services.map((s) => s.type).sort(), ["processor", "sink", "source"]);

    const page = await getJson(`${api}/events?limit=3&ledger_from=${LAST}`);
    assert.equal((page?.events as unknown[]).length, 3);

    const first = await stop(run);
    assert.equal(first.code, 0, first.stderr.slice(-2000));
    assert.ok(first.ms < 20_000, `stopping took ${first.ms} ms`);
    assert.match(first.stdout, /Pipeline running\. Where to look:/);
    assert.match(first.stdout, /Summary: 20 ledgers and \d+ events/);
    const order = [...first.stderr.matchAll(/"(control-plane|source|processor|sink)" stopped/g)]
      .map((m) => m[1]);
    assert.deepEqual(
      order,
      ["sink", "processor", "source", "control-plane"],
      first.stderr.slice(-2000),
    );

    // The second run resumes from the checkpoint: nothing is written twice.
    run = launch(dataDir, offset, false);
    const again = await until("the sink to answer after restart", 120_000, async () => {
      const s = await getJson(`${api}/stats`);
      return s && s.last_ledger === LAST ? s : undefined;
    });
    await new Promise((r) => setTimeout(r, 3000)); // room for a wrong re-write to show up
    const after = await getJson(`${api}/stats`);
    assert.equal(again.events_total, expected.total);
    assert.equal(after?.events_total, expected.total);
    const second = await stop(run);
    assert.equal(second.code, 0, second.stderr.slice(-2000));
  } finally {
    try {
      run.child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await Deno.remove(dataDir, { recursive: true });
  }
});
