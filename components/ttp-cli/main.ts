/**
 * `deno task ttp -- --datalake PATH [--start N] [--end M] [--mode auto|unified|derived] [--verify]`
 *
 * Prints the TTP events of a local SEP-54 data lake as JSON Lines (one `ttp_event` row per line,
 * `closed_at` as RFC 3339 UTC, amounts as strings). Errors go to stderr with exit code 1.
 *
 * @module
 */
import zlib from "node:zlib";
import { DataLake } from "../stellar-arrow-source/lake/mod.ts";
import { ConfigError, opt, parseConfig } from "../../shared/config/mod.ts";
import { splitLedgerCloseMetaBatch } from "../../shared/ledger/mod.ts";
import { eventToJson } from "../../shared/schema/mod.ts";
import {
  extractEvents,
  extractLedger,
  type TtpEvent,
  type TtpMode,
  verifyLedger,
} from "../../shared/ttp/mod.ts";

const spec = {
  datalake: opt.string({
    env: "TTP_DATALAKE",
    flag: "datalake",
    description: "Path of a local SEP-54 data lake",
  }),
  start: opt.optionalInt({
    env: "TTP_START",
    flag: "start",
    min: 2,
    max: 2 ** 32 - 1,
    description: "First ledger; unset: the oldest in the lake",
  }),
  end: opt.optionalInt({
    env: "TTP_END",
    flag: "end",
    min: 2,
    max: 2 ** 32 - 1,
    description: "Last ledger; unset: the newest in the lake",
  }),
  mode: opt.oneOf<TtpMode>({
    env: "TTP_MODE",
    flag: "mode",
    choices: ["auto", "unified", "derived"],
    default: "auto",
    description: "auto: unified for meta v4 with fee events, derived otherwise",
  }),
  verify: opt.bool({
    env: "TTP_VERIFY",
    flag: "verify",
    default: false,
    description: "Check event balance deltas against ledger changes",
  }),
  networkPassphrase: opt.optionalString({
    env: "NETWORK_PASSPHRASE",
    flag: "network-passphrase",
    description: "Network passphrase; needed only for a lake without .config.json",
  }),
};

/** Runs the CLI with `args`; returns the exit code. Output goes to `out`, errors to `err`. */
export async function main(
  args: string[],
  out: (chunk: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(spec, {
      name: "deno task ttp --",
      summary:
        "Prints the TTP events (transfer, mint, burn, clawback, fee) of a local SEP-54 data " +
        "lake as JSON Lines, one ttp_event row per line.",
      args: args[0] === "--" ? args.slice(1) : args,
      env: Deno.env.toObject(),
    });
  } catch (e) {
    err(`ttp: ${(e as Error).message}`);
    return 2;
  }
  if (parsed.config === undefined) {
    out(parsed.help + "\n");
    return 0;
  }
  const config = parsed.config;
  try {
    const lake = await DataLake.open(config.datalake, {
      networkPassphrase: config.networkPassphrase,
    });
    const available = await lake.availableRange();
    if (!available) throw new Error(`no ledger batches found in ${config.datalake}`);
    const start = config.start ?? available.start;
    const end = config.end ?? available.end;
    if (end < start) throw new ConfigError(`--end ${end} is before --start ${start}`);
    if (start < available.start || end > available.end) {
      throw new Error(
        `range ${start}-${end} is outside the lake's ${available.start}-${available.end}`,
      );
    }
    const opts = { networkPassphrase: lake.networkPassphrase, mode: config.mode };
    let seq = start;
    while (seq <= end) {
      const batch = await lake.readBatch(seq);
      const raw = zlib.zstdDecompressSync(batch.bytes);
      const parts = splitLedgerCloseMetaBatch(
        new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
      );
      for (let i = 0; i < parts.ledgers.length; i++) {
        const ledgerSeq = parts.startSequence + i;
        if (ledgerSeq < seq || ledgerSeq > end) continue;
        let events: TtpEvent[];
        if (config.verify) {
          // Verification needs the general path's intermediate results.
          const x = extractLedger(parts.ledgers[i], opts);
          verifyLedger(x);
          events = x.events;
        } else events = extractEvents(parts.ledgers[i], opts);
        let text = "";
        for (const e of events) text += JSON.stringify(eventToJson(e)) + "\n";
        out(text);
      }
      seq = parts.endSequence + 1;
    }
    return 0;
  } catch (e) {
    err(`ttp: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) {
  const encoder = new TextEncoder();
  const write = (s: string) => {
    const bytes = encoder.encode(s);
    let n = 0;
    while (n < bytes.length) n += Deno.stdout.writeSync(bytes.subarray(n));
  };
  try {
    const code = await main(Deno.args, write, (line) => console.error(line));
    Deno.exit(code);
  } catch (e) {
    // A closed stdout (e.g. `| head`) ends the run quietly.
    if (e instanceof Deno.errors.BrokenPipe) Deno.exit(0);
    throw e;
  }
}
