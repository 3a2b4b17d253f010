/**
 * Checks an arrow-analytics-sink data directory (read-only): checkpoint, temp files, files beyond
 * the checkpoint, and per format the committed events (each exactly once, within the checkpoint's
 * ledgers, the same count in every format). Exits 1 when it finds a problem.
 *
 * Run: `deno run -A scripts/sink_verify.ts [DATA_DIR]` (default `./data`).
 *
 * @module
 */
import { verifyDataset } from "../components/arrow-analytics-sink/verify.ts";

const dir = Deno.args[0] ?? "./data";
const report = await verifyDataset(dir);
const c = report.checkpoint;
console.log(`${dir}: checkpoint ${c ? `${c.first_ledger}-${c.last_ledger}` : "none"}`);
for (const f of report.formats) {
  console.log(
    `  ${
      f.format.padEnd(7)
    } ${f.files} committed files, ${f.events} events, ${f.distinctIds} distinct ids`,
  );
}
if (report.tempFiles.length) {
  console.log(`  ${report.tempFiles.length} temp files (removed on the next start)`);
}
if (report.uncommittedFiles.length) {
  console.log(
    `  ${report.uncommittedFiles.length} files beyond the checkpoint (removed on the next start)`,
  );
}
for (const p of report.problems) console.log(`  PROBLEM: ${p}`);
console.log(report.problems.length ? "dataset has problems" : "dataset is consistent");
Deno.exit(report.problems.length ? 1 : 0);
