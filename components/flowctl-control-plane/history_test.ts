import assert from "node:assert/strict";
import { MetricHistory, rates, sparklineSvg, throughputCounter } from "./history.ts";

Deno.test("MetricHistory keeps the last N numeric samples", () => {
  const h = new MetricHistory(3);
  for (let i = 0; i < 5; i++) h.add("a", i * 1000, { n: i * 10, s: "text" });
  assert.deepEqual(h.get("a").map((s) => s.t), [2000, 3000, 4000]);
  assert.deepEqual(h.get("a")[0].values, { n: 20 });
  assert.deepEqual(h.get("b"), []);
  h.delete("a");
  assert.deepEqual(h.get("a"), []);
});

Deno.test("rates and throughputCounter", () => {
  const samples = [
    { t: 0, values: { ledgers_processed: 0 } },
    { t: 2000, values: { ledgers_processed: 10 } },
    { t: 3000, values: { ledgers_processed: 30 } },
    { t: 4000, values: { ledgers_processed: 5 } }, // restarted
    { t: 4000, values: { ledgers_processed: 6 } }, // same time: skipped
  ];
  assert.deepEqual(rates(samples, "ledgers_processed"), [5, 20, 5]);
  assert.equal(throughputCounter("source", samples), "ledgers_processed");
  assert.equal(throughputCounter("sink", samples), null);
  assert.equal(
    throughputCounter("processor", [{
      t: 0,
      values: { ledgers_consumed: 1, events_extracted: 2 },
    }]),
    "events_extracted",
  );
});

Deno.test("sparklineSvg draws one point per value, scaled to the maximum", () => {
  const svg = sparklineSvg([0, 5, 10], 104, 24);
  assert.match(svg, /^<svg /);
  assert.match(svg, /points="2.0,22.0 52.0,12.0 102.0,2.0"/);
  assert.doesNotMatch(sparklineSvg([1]), /polyline/);
});
