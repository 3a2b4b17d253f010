import assert from "node:assert/strict";
import { getLogger, parseLogLevel, setupLogging } from "./mod.ts";

Deno.test("parseLogLevel accepts names case-insensitively and rejects unknown ones", () => {
  const cases: [string, string][] = [["INFO", "info"], ["warn", "warning"], ["Debug", "debug"]];
  for (const [input, want] of cases) assert.equal(parseLogLevel(input), want);
  assert.throws(() => parseLogLevel("loud"), /Expected a log level .* got "loud"/);
});

Deno.test("setupLogging filters by level and formats text and JSON", () => {
  const lines: string[] = [];
  setupLogging({ level: "warning", write: (l) => lines.push(l) });
  const log = getLogger(["test"]);
  log.info("hidden {n}", { n: 1 });
  log.warn("shown {n}", { n: 2 });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /WRN.*ttp-pipeline\.test.*shown 2/);

  lines.length = 0;
  setupLogging({ level: "info", format: "json", write: (l) => lines.push(l) });
  log.info("ledger {seq} done", { seq: 7 });
  const record = JSON.parse(lines[0]);
  assert.equal(record.properties.seq, 7);
  assert.match(record.message, /ledger 7 done/);
});
