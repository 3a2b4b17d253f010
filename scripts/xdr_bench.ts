/**
 * XDR walker and ledger summary throughput on the pubnet-p26 fixture ledgers (~1 MB each),
 * against @stellar/stellar-sdk's `fromXDR` measured in the same run.
 *
 * Run: `deno run -A scripts/xdr_bench.ts [rounds]` (default 5 rounds; median per-ledger time).
 *
 * @module
 */
import { xdr } from "@stellar/stellar-sdk";
import { splitLedgerCloseMetaBatch, summarizeLedger } from "../shared/ledger/mod.ts";
import { readFixtureBatches } from "../shared/ledger/testdata.ts";
import { STELLAR_TYPES, XdrTypeSystem } from "../shared/xdr/mod.ts";

const rounds = Number(Deno.args[0] ?? 5);
const batches = readFixtureBatches("pubnet-p26").map((b) => b.bytes);
const ledgers = batches.map((b) => splitLedgerCloseMetaBatch(b).ledgers[0]);
const mb = ledgers.reduce((a, l) => a + l.length, 0) / ledgers.length / 1e6;

const fast = new XdrTypeSystem(STELLAR_TYPES);
const interp = new XdrTypeSystem(STELLAR_TYPES, { codegen: false });
/** What TTP extraction needs decoded: envelopes, results, events; not state or diagnostics. */
export const TTP_LAZY: ReadonlySet<string> = new Set([
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

function measure(f: (lcm: Uint8Array) => unknown, r = rounds): number {
  for (let w = 0; w < 3; w++) for (const l of ledgers) f(l); // warm-up (JIT, code generation)
  const per: number[] = [];
  for (let k = 0; k < r; k++) {
    const t = performance.now();
    for (const l of ledgers) f(l);
    per.push((performance.now() - t) / ledgers.length);
  }
  return median(per);
}

const sdk = measure((l) => xdr.LedgerCloseMeta.fromXDR(l), Math.min(rounds, 2));
const rows: [string, number][] = [
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
    measure((_, i = ledgers.indexOf(_)) => {
      summarizeLedger(splitLedgerCloseMetaBatch(batches[i]).ledgers[0]);
    }),
  ],
];
console.log(
  `pubnet-p26: ${ledgers.length} ledgers, ${mb.toFixed(2)} MB XDR each, ${rounds} rounds`,
);
console.log(
  "case".padEnd(42),
  "ms/ledger".padStart(10),
  "ledgers/s".padStart(10),
  "vs sdk".padStart(8),
);
for (const [name, ms] of rows) {
  console.log(
    name.padEnd(42),
    ms.toFixed(2).padStart(10),
    (1000 / ms).toFixed(0).padStart(10),
    `${(sdk / ms).toFixed(1)}x`.padStart(8),
  );
}
