import assert from "node:assert/strict";
import { main } from "./main.ts";

const COLUMNS = [
  "event_id",
  "ledger_sequence",
  "closed_at",
  "tx_hash",
  "transaction_index",
  "operation_index",
  "event_type",
  "from_address",
  "to_address",
  "asset",
  "asset_code",
  "asset_issuer",
  "amount",
  "contract_address",
  "to_muxed_type",
  "to_muxed_value",
  "schema_version",
];

async function run(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  let out = "";
  const err: string[] = [];
  const code = await main(args, (s) => out += s, (l) => err.push(l));
  return { code, out, err };
}

Deno.test("cli prints JSON Lines with exactly the ttp_event columns, verified", async () => {
  const lake = new URL("../../testdata/lakes/pubnet-mixed", import.meta.url).pathname;
  const r = await run([
    "--",
    "--datalake",
    lake,
    "--start",
    "51000294",
    "--end",
    "51000294",
    "--verify",
  ]);
  assert.deepEqual(r.err, []);
  assert.equal(r.code, 0);
  const lines = r.out.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 968);
  for (const row of lines) assert.deepEqual(Object.keys(row), COLUMNS);
  assert.equal(lines[0].closed_at, "2024-03-29T09:31:27Z");
  assert.equal(typeof lines[0].amount, "string");
  assert.ok(lines.every((l) => l.ledger_sequence === 51000294));
});

Deno.test("cli covers a range across batches of a 64-ledger lake", async () => {
  const lake = new URL("../../testdata/lakes/testnet-p19", import.meta.url).pathname;
  const r = await run([
    "--datalake",
    lake,
    "--start",
    "1410110",
    "--end",
    "1410113",
    "--mode",
    "derived",
  ]);
  assert.equal(r.code, 0, r.err.join("\n"));
  const seqs = new Set(r.out.trimEnd().split("\n").map((l) => JSON.parse(l).ledger_sequence));
  assert.deepEqual([...seqs], [1410110, 1410111, 1410112, 1410113].filter((s) => seqs.has(s)));
  assert.ok(seqs.size >= 2);
});

Deno.test("cli errors go to stderr with a non-zero exit code", async () => {
  const lake = new URL("../../testdata/lakes/testnet-p19", import.meta.url).pathname;
  const unified = await run([
    "--datalake",
    lake,
    "--start",
    "1410300",
    "--end",
    "1410300",
    "--mode",
    "unified",
  ]);
  assert.equal(unified.code, 1);
  assert.match(
    unified.err[0],
    /ledger 1410300, transaction #1, tx [0-9a-f]{64}: unified mode needs transaction meta v4/,
  );
  const outside = await run(["--datalake", lake, "--start", "5", "--end", "6"]);
  assert.equal(outside.code, 1);
  assert.match(outside.err[0], /outside the lake's 1410048-1410367/);
  const badMode = await run(["--datalake", lake, "--mode", "fast"]);
  assert.equal(badMode.code, 2);
  assert.match(badMode.err[0], /expected one of auto, unified, derived/);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /--datalake/);
});
