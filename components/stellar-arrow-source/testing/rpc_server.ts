/**
 * Test helper: a Stellar RPC (JSON-RPC 2.0) server on loopback serving fixture lake ledgers in
 * stellar-rpc's response shapes (`getLedgers` with cursor paging and limit ≤ 200,
 * `getLatestLedger`, `getHealth`). Responses are built with `@stellar/stellar-sdk` as an
 * independent oracle. The tip can be moved to simulate new ledgers; failures can be injected.
 *
 * @module
 */
import zlib from "node:zlib";
import { xdr } from "@stellar/stellar-sdk";
import { lakePath } from "./fixtures.ts";

/** A ledger in RPC's `getLedgers` shape. */
export interface RpcLedgerJson {
  hash: string;
  sequence: number;
  ledgerCloseTime: string;
  headerXdr: string;
  metadataXdr: string;
}

/** Loads every ledger of a fixture lake (read directly from its files) in RPC's shape. */
export async function rpcLedgersOf(lake: string): Promise<RpcLedgerJson[]> {
  const out: RpcLedgerJson[] = [];
  const root = lakePath(lake);
  const files: string[] = [];
  for await (const e of Deno.readDir(root)) {
    if (e.isDirectory) {
      for await (const f of Deno.readDir(`${root}/${e.name}`)) {
        files.push(`${root}/${e.name}/${f.name}`);
      }
    } else if (e.name.includes(".xdr.")) files.push(`${root}/${e.name}`);
  }
  for (const f of files) {
    const raw = zlib.zstdDecompressSync(await Deno.readFile(f));
    const batch = xdr.LedgerCloseMetaBatch.fromXdr(raw);
    for (const lcm of batch.ledgerCloseMetas) {
      const entry = lcm.value.ledgerHeader;
      const header = entry.header;
      out.push({
        hash: entry.hash.toString(),
        sequence: header.ledgerSeq,
        ledgerCloseTime: header.scpValue.closeTime.toString(),
        headerXdr: entry.toXdr("base64"),
        metadataXdr: lcm.toXdr("base64"),
      });
    }
  }
  return out.sort((a, b) => a.sequence - b.sequence);
}

/** Options for {@linkcode startRpcServer}. */
export interface RpcServerOptions {
  /** Ledgers served, ascending and contiguous. */
  ledgers: RpcLedgerJson[];
  /** Network passphrase answered by `getNetwork`. */
  passphrase: string;
  /** Newest ledger visible at first; default the last one. */
  tip?: number;
  /** Answer this many requests with HTTP 503 first. */
  failFirst?: number;
  /** Delay the first this-many requests by `delayMs` (to trigger client timeouts). */
  slowFirst?: number;
  /** Delay for `slowFirst`, in ms. */
  delayMs?: number;
  /** Replace the metadataXdr of this sequence with these base64 bytes. */
  corrupt?: { sequence: number; metadataXdr: string };
}

/** A running server. */
export interface RpcServer {
  /** Endpoint URL. */
  url: string;
  /** Calls per method; `failed` counts injected failures. */
  calls: Record<string, number>;
  /** `getLedgers` requests as received (params). */
  getLedgersParams: unknown[];
  /** Moves the visible tip. */
  setTip(seq: number): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts the server on an ephemeral loopback port. */
export function startRpcServer(options: RpcServerOptions): RpcServer {
  const ledgers = options.ledgers;
  const oldest = ledgers[0].sequence;
  let tip = options.tip ?? ledgers[ledgers.length - 1].sequence;
  let failFirst = options.failFirst ?? 0;
  let slowFirst = options.slowFirst ?? 0;
  const calls: Record<string, number> = { failed: 0 };
  const getLedgersParams: unknown[] = [];
  const bySeq = new Map(ledgers.map((l) => [l.sequence, l]));
  const closeTime = (seq: number) => Number(bySeq.get(seq)!.ledgerCloseTime);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (failFirst > 0) {
      failFirst--;
      calls.failed++;
      return new Response("overloaded", { status: 503 });
    }
    if (slowFirst > 0) {
      slowFirst--;
      await new Promise((r) => setTimeout(r, options.delayMs ?? 1000));
    }
    type Body = { id: number; method: string; params?: Record<string, unknown> };
    let body: Body;
    try {
      body = await req.json() as Body;
    } catch {
      return new Response("bad request body", { status: 400 }); // client gave up mid-request
    }
    calls[body.method] = (calls[body.method] ?? 0) + 1;
    const reply = (result: unknown) => Response.json({ jsonrpc: "2.0", id: body.id, result });
    const fail = (code: number, message: string) =>
      Response.json({ jsonrpc: "2.0", id: body.id, error: { code, message } });
    switch (body.method) {
      case "getNetwork":
        return reply({ passphrase: options.passphrase, protocolVersion: 26 });
      case "getHealth":
        return reply({
          status: "healthy",
          latestLedger: tip,
          oldestLedger: oldest,
          ledgerRetentionWindow: 120960,
        });
      case "getLatestLedger":
        return reply({
          id: bySeq.get(tip)!.hash,
          protocolVersion: 0,
          sequence: tip,
        });
      case "getLedgers": {
        const p = body.params ?? {};
        getLedgersParams.push(p);
        const pagination = (p.pagination ?? {}) as { cursor?: string; limit?: number };
        const limit = pagination.limit ?? 50;
        if (limit > 200) return fail(-32602, "limit must not exceed 200");
        if (pagination.cursor !== undefined && p.startLedger !== undefined) {
          return fail(-32602, "startLedger and cursor cannot both be set");
        }
        const start = pagination.cursor !== undefined
          ? Number(pagination.cursor) + 1
          : Number(p.startLedger);
        if (!(start >= oldest && start <= tip)) {
          return fail(
            -32600,
            `start must be between the oldest ledger: ${oldest} and the latest ledger: ${tip} ` +
              `for this rpc instance`,
          );
        }
        const page: RpcLedgerJson[] = [];
        for (let s = start; s <= tip && page.length < limit; s++) {
          const l = bySeq.get(s)!;
          page.push(
            options.corrupt?.sequence === s
              ? { ...l, metadataXdr: options.corrupt.metadataXdr }
              : l,
          );
        }
        return reply({
          ledgers: page,
          latestLedger: tip,
          latestLedgerCloseTime: closeTime(tip),
          oldestLedger: oldest,
          oldestLedgerCloseTime: closeTime(oldest),
          cursor: String(page.length ? page[page.length - 1].sequence : start - 1),
        });
      }
      default:
        return fail(-32601, `method not found: ${body.method}`);
    }
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    calls,
    getLedgersParams,
    setTip: (seq) => {
      tip = seq;
    },
    close: () => server.shutdown(),
  };
}
