/**
 * Real TTP events for tests and benchmarks: the pubnet-p26 fixture lake (ledgers
 * 63092982–63093001) run through the TTP module.
 *
 * @module
 */
import zlib from "node:zlib";
import type { TtpEvent } from "../../../shared/schema/ttp_event.ts";
import { splitLedgerCloseMetaBatch } from "../../../shared/ledger/mod.ts";
import { extractEvents } from "../../../shared/ttp/mod.ts";

/** The fixture lake folder. */
export const PUBNET_P26_LAKE = new URL("../../../testdata/lakes/pubnet-p26/", import.meta.url);
/** First ledger of the fixture. */
export const PUBNET_P26_FIRST = 63092982;
/** Last ledger of the fixture. */
export const PUBNET_P26_LAST = 63093001;

/** Events of one fixture ledger, by ledger. */
export interface FixtureLedgers {
  /** Ledger sequence → its events in reference order. */
  byLedger: Map<number, TtpEvent[]>;
  /** All events in ledger order. */
  events: TtpEvent[];
}

/** Reads and extracts every ledger of the pubnet-p26 lake (a few seconds). */
export async function loadPubnetP26(): Promise<FixtureLedgers> {
  const config = JSON.parse(await Deno.readTextFile(new URL(".config.json", PUBNET_P26_LAKE)));
  const byLedger = new Map<number, TtpEvent[]>();
  for await (const partition of Deno.readDir(PUBNET_P26_LAKE)) {
    if (!partition.isDirectory) continue;
    const dir = new URL(`${partition.name}/`, PUBNET_P26_LAKE);
    for await (const file of Deno.readDir(dir)) {
      if (!/\.xdr\.zstd?$/.test(file.name)) continue;
      const raw = zlib.zstdDecompressSync(await Deno.readFile(new URL(file.name, dir)));
      const batch = splitLedgerCloseMetaBatch(new Uint8Array(raw));
      batch.ledgers.forEach((bytes, i) => {
        byLedger.set(
          batch.startSequence + i,
          extractEvents(bytes, { networkPassphrase: config.networkPassphrase, mode: "auto" }),
        );
      });
    }
  }
  const events: TtpEvent[] = [];
  for (const seq of [...byLedger.keys()].sort((a, b) => a - b)) events.push(...byLedger.get(seq)!);
  return { byLedger, events };
}
