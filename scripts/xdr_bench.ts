/**
 * XDR walker and ledger summary throughput on the pubnet-p26 fixture ledgers (~1 MB each),
 * against @stellar/stellar-sdk's `fromXDR` measured in the same run.
 *
 * Run: `deno run -A scripts/xdr_bench.ts [rounds]` (default 5 rounds). Reports per-ledger process
 * CPU time (user+system, best round: the machine is shared and CPU time is less disturbed by
 * other processes than wall time) and wall time (median round), each with its ratio to the SDK.
 *
 * @module
 */
import process from "node:process";
import { xdr } from "@stellar/stellar-sdk";
import {
  splitLedgerCloseMetaBatch,
  summarizeLedger,
  summarizeLedgerCloseMetaBatch,
} from "../shared/ledger/mod.ts";
import { readFixtureBatches } from "../shared/ledger/testdata.ts";
import { STELLAR_TYPES, XdrTypeSystem } from "../shared/xdr/mod.ts";

const rounds = Number(Deno.args[0] ?? 5);
const batches = readFixtureBatches("pubnet-p26").map((b) => b.bytes);
const ledgers = batches.map((b) => splitLedgerCloseMetaBatch(b).ledgers[0]);
const mb = ledgers.reduce((a, l) => a + l.length, 0) / ledgers.length / 1e6;

const fast = new XdrTypeSystem(STELLAR_TYPES);
const interp = new XdrTypeSystem(STELLAR_TYPES, { codegen: false });
/** What TTP extraction typically needs decoded: envelopes, results, events; not state. */
const TTP_LAZY: ReadonlySet<string> = new Set([
  "LedgerEntry",
  "LedgerKey",
  "DiagnosticEvent",
  "SCPHistoryEntry",
  "UpgradeEntryMeta",
  "SorobanTransactionData",
  "SorobanAuthorizationEntry",
]);
const MAX_LAZY: ReadonlySet<string> = new Set([...TTP_LAZY, "ContractEvent", "SCVal"]);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Returns [best CPU ms/ledger, median wall ms/ledger]. */
function measure(f: (lcm: Uint8Array, i: number) => unknown, r = rounds): [number, number] {
  for (let w = 0; w < 3; w++) ledgers.forEach(f); // warm-up (JIT, code generation)
  const wall: number[] = [];
  let cpu = Infinity;
  for (let k = 0; k < r; k++) {
    const c = process.cpuUsage();
    const t = performance.now();
    ledgers.forEach(f);
    wall.push((performance.now() - t) / ledgers.length);
    const d = process.cpuUsage(c);
    cpu = Math.min(cpu, (d.user + d.system) / 1000 / ledgers.length);
  }
  return [cpu, median(wall)];
}

const sdk = measure((l) => xdr.LedgerCloseMeta.fromXDR(l), Math.min(rounds, 2));
const rows: [string, [number, number]][] = [
  ["sdk LedgerCloseMeta.fromXDR (baseline)", sdk],
  ["skip (codegen)", measure((l) => fast.skip("LedgerCloseMeta", l))],
  ["skip (interpreter)", measure((l) => interp.skip("LedgerCloseMeta", l))],
  ["decode full (codegen)", measure((l) => fast.decode("LedgerCloseMeta", l))],
  ["decode full (interpreter)", measure((l) => interp.decode("LedgerCloseMeta", l))],
  [
    "decode lazy TTP set (codegen)",
    measure((l) => fast.decode("LedgerCloseMeta", l, 0, { lazy: TTP_LAZY })),
  ],
  [
    "decode lazy max set (codegen)",
    measure((l) => fast.decode("LedgerCloseMeta", l, 0, { lazy: MAX_LAZY })),
  ],
  ["summarizeLedger", measure((l) => summarizeLedger(l))],
  [
    "split + summarizeLedger",
    measure((_, i) => summarizeLedger(splitLedgerCloseMetaBatch(batches[i]).ledgers[0])),
  ],
  ["summarizeLedgerCloseMetaBatch", measure((_, i) => summarizeLedgerCloseMetaBatch(batches[i]))],
];
console.log(
  `pubnet-p26: ${ledgers.length} ledgers, ${mb.toFixed(2)} MB XDR each, ${rounds} rounds`,
);
console.log(
  "case".padEnd(40),
  "cpu ms".padStart(8),
  "ledgers/s".padStart(10),
  "vs sdk".padStart(8),
  "wall ms".padStart(9),
  "vs sdk".padStart(8),
);
for (const [name, [cpu, wall]] of rows) {
  console.log(
    name.padEnd(40),
    cpu.toFixed(2).padStart(8),
    (1000 / cpu).toFixed(0).padStart(10),
    `${(sdk[0] / cpu).toFixed(1)}x`.padStart(8),
    wall.toFixed(2).padStart(9),
    `${(sdk[1] / wall).toFixed(1)}x`.padStart(8),
  );
}
