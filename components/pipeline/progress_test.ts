import assert from "node:assert/strict";
import { formatProgress, parsePrometheus, rates, sampleFrom } from "./progress.ts";

Deno.test("Prometheus text parses, summing labelled series", () => {
  const text = [
    "# HELP x_events_written_total Events",
    "# TYPE x_events_written_total counter",
    'x_events_written_total{format="parquet"} 10',
    'x_events_written_total{format="csv"} 5',
    "x_last_ledger 63093001",
    "garbage line",
    "x_nan NaN",
  ].join("\n");
  const m = parsePrometheus(text);
  assert.equal(m.get("x_events_written_total"), 15);
  assert.equal(m.get("x_last_ledger"), 63093001);
  assert.equal(m.has("x_nan"), false);
});

Deno.test("rates and the progress line come from two samples", () => {
  const before = sampleFrom(1000, {
    processor: new Map([["ttp_processor_ledgers_consumed_total", 10]]),
    sink: new Map([["sink_events_consumed_total", 1000]]),
  });
  const after = sampleFrom(3000, {
    source: new Map([["src_last_sequence", 63093001]]),
    processor: new Map([["ttp_processor_ledgers_consumed_total", 30]]),
    sink: new Map([["sink_events_consumed_total", 5000], ["sink_last_ledger", 63092999]]),
  });
  const r = rates(before, after);
  assert.equal(r.ledgersPerSecond, 10);
  assert.equal(r.eventsPerSecond, 2000);
  assert.equal(r.lag, 2);
  assert.equal(
    formatProgress(after, r),
    "ledgers 30 (10.0/s) | events 5,000 (2,000/s) | last ledger 63092999 | lag 2",
  );
});
