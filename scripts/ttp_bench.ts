/**
 * TTP extraction throughput on `pubnet-p26` (20 ledgers, ~1 MB of XDR each, decompressed in
 * memory, one core), against the SDK full-decode baseline measured in the same run, with a
 * breakdown of where the time goes.
 *
 * The candidates run interleaved, one pass over the 20 ledgers each per round, and the median
 * round is reported. Times are process CPU time (user + system, `process.cpuUsage()`), which
 * other processes on a shared machine do not inflate the way they inflate wall time; wall time
 * is printed too.
 *
 * Run: `deno run -A scripts/ttp_bench.ts [rounds]`
 *
 * @module
 */
import process from "node:process";
import { xdr } from "@stellar/stellar-sdk";
import { decode } from "../shared/xdr/mod.ts";
import { extractEvents, extractLedger } from "../shared/ttp/mod.ts";
import { readLedger } from "../shared/ttp/ledger_reader.ts";
import { transactionEvents } from "../shared/ttp/transaction_events.ts";
import { orderLedgerEvents } from "../shared/ttp/ordering.ts";
import { toRows } from "../shared/ttp/rows.ts";
import { verifyLedger } from "../shared/ttp/verify.ts";
import { fixtureLedgers } from "../shared/ttp/testing_fixtures.ts";

const rounds = Number(Deno.args[0] ?? 7);
const ledgers = fixtureLedgers("pubnet-p26");
const networkPassphrase = ledgers[0].passphrase;
const mb = ledgers.reduce((n, l) => n + l.bytes.length, 0) / 1e6;

const candidates: [string, (bytes: Uint8Array) => unknown][] = [
  ["SDK LedgerCloseMeta.fromXDR (baseline)", (b) => xdr.LedgerCloseMeta.fromXDR(b as never)],
  ["walker full decode (reference point)", (b) => decode("LedgerCloseMeta", b, 0)],
  ["extractEvents auto (fast path)", (b) => extractEvents(b, { networkPassphrase })],
  ["extractLedger auto (general path)", (b) => extractLedger(b, { networkPassphrase })],
  ["extractEvents derived", (b) => extractEvents(b, { networkPassphrase, mode: "derived" })],
  [
    "extractLedger auto + verifyLedger",
    (b) => verifyLedger(extractLedger(b, { networkPassphrase })),
  ],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Process CPU time in milliseconds. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const perRound = candidates.map(() => [] as number[]);
const wallPerRound = candidates.map(() => [] as number[]);
for (const [, fn] of candidates) for (const l of ledgers.slice(0, 3)) fn(l.bytes); // warm-up
for (let r = 0; r < rounds; r++) {
  candidates.forEach(([, fn], i) => {
    const c0 = cpu();
    const t0 = performance.now();
    for (const l of ledgers) fn(l.bytes);
    wallPerRound[i].push((performance.now() - t0) / ledgers.length);
    perRound[i].push((cpu() - c0) / ledgers.length);
  });
}

console.log(
  `pubnet-p26: ${ledgers.length} ledgers, ${
    mb.toFixed(1)
  } MB XDR, ${rounds} interleaved rounds (median)\n`,
);
const ms = perRound.map(median);
const wall = wallPerRound.map(median);
console.log(`${"".padEnd(40)} CPU ms/ledger  ledgers/s  vs SDK  wall ms/ledger`);
candidates.forEach(([name], i) => {
  const cols = [
    ms[i].toFixed(2).padStart(13),
    (1000 / ms[i]).toFixed(1).padStart(10),
    `${(ms[0] / ms[i]).toFixed(1)}x`.padStart(7),
    wall[i].toFixed(2).padStart(15),
  ];
  console.log(`${name.padEnd(40)} ${cols.join(" ")}`);
});

console.log("\nwhere the general path's time goes (auto mode, median round, CPU time):");
const phases: Record<string, number[]> = { read: [], rules: [], rows: [] };
for (let r = 0; r < rounds; r++) {
  const acc = { read: 0, rules: 0, rows: 0 };
  for (const l of ledgers) {
    let t = cpu();
    const { info, transactions } = readLedger(l.bytes, networkPassphrase);
    acc.read += cpu() - t;
    t = cpu();
    const stats = { skippedContractEvents: 0 };
    const per = transactions.map((tx) => transactionEvents(tx, "auto", stats));
    acc.rules += cpu() - t;
    t = cpu();
    toRows(transactions, orderLedgerEvents(per, info.protocolVersion));
    acc.rows += cpu() - t;
  }
  for (const k of Object.keys(acc) as (keyof typeof acc)[]) phases[k].push(acc[k] / ledgers.length);
}
const labels: Record<string, string> = {
  read: "readLedger (one lazy pass, tx hashing, join)",
  rules: "event rules (fees, operations, contract events)",
  rows: "ordering, rows, event ids",
};
const total = Object.values(phases).reduce((n, xs) => n + median(xs), 0);
for (const [k, xs] of Object.entries(phases)) {
  console.log(
    `  ${labels[k].padEnd(48)} ${median(xs).toFixed(2).padStart(7)} ms/ledger ${
      (100 * median(xs) / total).toFixed(0).padStart(4)
    }%`,
  );
}
