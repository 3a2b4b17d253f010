import assert from "node:assert/strict";
import { Registry } from "./mod.ts";

Deno.test("counters, gauges and histograms render as Prometheus text and snapshot flat", () => {
  const registry = new Registry({ prefix: "stellar_source_" });
  const ledgers = registry.counter("ledgers_processed", "Ledgers served");
  const written = registry.counter("events_written", "Events written", ["format"]);
  const lag = registry.gauge("lag", "Ledgers behind");
  let inflight = 3;
  registry.gauge("inflight", "Requests in flight", { collect: () => inflight });
  const latency = registry.histogram("processing_latency_ms", "Latency", [1, 10]);

  ledgers.inc();
  ledgers.inc(2);
  written.inc(5, { format: "parquet" });
  written.inc(7, { format: "csv" });
  lag.set(4);
  inflight = 9;
  latency.observe(0.5);
  latency.observe(20);

  const text = registry.render();
  for (
    const line of [
      "# TYPE stellar_source_ledgers_processed_total counter",
      "stellar_source_ledgers_processed_total 3",
      'stellar_source_events_written_total{format="parquet"} 5',
      "stellar_source_lag 4",
      "stellar_source_inflight 9",
      'stellar_source_processing_latency_ms_bucket{le="1"} 1',
      'stellar_source_processing_latency_ms_bucket{le="+Inf"} 2',
      "stellar_source_processing_latency_ms_sum 20.5",
    ]
  ) assert.ok(text.includes(line + "\n"), `missing ${line} in\n${text}`);

  assert.deepEqual(registry.snapshot(), {
    ledgers_processed: 3,
    events_written_parquet: 5,
    events_written_csv: 7,
    lag: 4,
    inflight: 9,
    processing_latency_ms: 20,
  });
});

Deno.test("misuse is refused with a clear message", () => {
  const registry = new Registry();
  const c = registry.counter("a", "A", ["kind"]);
  assert.throws(() => registry.counter("a", "again"), /already registered/);
  assert.throws(() => c.inc(-1, { kind: "x" }), /expected an increment >= 0, got -1/);
  assert.throws(() => c.inc(1), /Expected label "kind"/);
});

Deno.test("extra text providers are appended", () => {
  const registry = new Registry();
  registry.addTextProvider(() => "flowctl_registered 1");
  assert.ok(registry.render().endsWith("flowctl_registered 1\n"));
});
