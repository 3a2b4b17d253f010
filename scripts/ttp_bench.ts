/**
 * TTP extraction throughput on `pubnet-p26` (20 ledgers, ~1 MB of XDR each, decompressed in
 * memory, one core), against the SDK full-decode baseline measured in the same run, with a
 * breakdown of where the time goes.
 *
 * Run: `deno run -A scripts/ttp_bench.ts [rounds]`
 *
 * @module
 */
import { xdr } from "@stellar/stellar-sdk";
import { decode } from "../shared/xdr/mod.ts";
import { extractEvents, extractLedger } from "../shared/ttp/mod.ts";
import { readLedger } from "../shared/ttp/ledger_reader.ts";
import { transactionEvents } from "../shared/ttp/transaction_events.ts";
import { orderLedgerEvents } from "../shared/ttp/ordering.ts";
import { toRows } from "../shared/ttp/rows.ts";
import { verifyLedger } from "../shared/ttp/verify.ts";
import { fixtureLedgers } from "../shared/ttp/testing_fixtures.ts";

const rounds = Number(Deno.args[0] ?? 5);
const ledgers = fixtureLedgers("pubnet-p26");
const passphrase = ledgers[0].passphrase;
const mb = ledgers.reduce((n, l) => n + l.bytes.length, 0) / 1e6;

function measure(name: string, fn: (bytes: Uint8Array) => unknown, r = rounds): number {
  for (const l of ledgers.slice(0, 3)) fn(l.bytes); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < r; i++) for (const l of ledgers) fn(l.bytes);
  const ms = (performance.now() - t0) / (r * ledgers.length);
  console.log(
    `${name.padEnd(44)} ${ms.toFixed(2).padStart(8)} ms/ledger ${
      (1000 / ms).toFixed(1).padStart(8)
    } ledgers/s`,
  );
  return ms;
}

console.log(`pubnet-p26: ${ledgers.length} ledgers, ${mb.toFixed(1)} MB XDR, ${rounds} rounds\n`);
const sdk = measure(
  "SDK LedgerCloseMeta.fromXDR (baseline)",
  (b) => xdr.LedgerCloseMeta.fromXDR(b as never),
  Math.max(1, Math.ceil(rounds / 5)),
);
const walker = measure(
  "walker full decode (reference point)",
  (b) => decode("LedgerCloseMeta", b, 0),
);
const auto = measure(
  "extractEvents auto",
  (b) => extractEvents(b, { networkPassphrase: passphrase }),
);
const derived = measure(
  "extractEvents derived",
  (b) => extractEvents(b, { networkPassphrase: passphrase, mode: "derived" }),
);
measure(
  "extractLedger auto + verifyLedger",
  (b) => verifyLedger(extractLedger(b, { networkPassphrase: passphrase })),
);

console.log("\nwhere the time goes (auto mode):");
const phases = { read: 0, rules: 0, rows: 0 };
for (let i = 0; i < rounds; i++) {
  for (const l of ledgers) {
    let t = performance.now();
    const { info, transactions } = readLedger(l.bytes, passphrase);
    phases.read += performance.now() - t;
    t = performance.now();
    const stats = { skippedContractEvents: 0 };
    const per = transactions.map((tx) => transactionEvents(tx, "auto", stats));
    phases.rules += performance.now() - t;
    t = performance.now();
    toRows(transactions, orderLedgerEvents(per, info.protocolVersion));
    phases.rows += performance.now() - t;
  }
}
const total = phases.read + phases.rules + phases.rows;
for (const [k, v] of Object.entries(phases)) {
  const label = {
    read: "readLedger (lazy decode, hashing, joins)",
    rules: "event rules",
    rows: "ordering + rows + ids",
  }[k];
  console.log(
    `  ${label!.padEnd(42)} ${(v / (rounds * ledgers.length)).toFixed(2).padStart(7)} ms/ledger  ${
      (100 * v / total).toFixed(0).padStart(3)
    }%`,
  );
}
console.log(
  `\nauto is ${(sdk / auto).toFixed(1)}x the SDK baseline, derived ${
    (sdk / derived).toFixed(1)
  }x; walker full decode ${(sdk / walker).toFixed(1)}x`,
);
