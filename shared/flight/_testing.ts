/**
 * Helpers for this folder's tests: loopback servers and Arrow tables shaped like the ones the
 * components stream (a ledger-like binary column, TTP-like utf8 columns).
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { FlightClient, type FlightClientOptions } from "./client.ts";
import { type FlightHandlers, FlightServer, type FlightServerOptions } from "./server.ts";

/** A server on 127.0.0.1 (free port) and a client connected to it. */
export interface Loopback {
  server: FlightServer;
  client: FlightClient;
  /** `127.0.0.1:port`. */
  address: string;
  close(): Promise<void>;
}

/** Starts a {@linkcode FlightServer} on a free loopback port with a client for it. */
export async function loopback(
  handlers: FlightHandlers,
  options: FlightServerOptions = {},
  clientOptions: FlightClientOptions = {},
): Promise<Loopback> {
  const server = new FlightServer(handlers, options);
  const port = await server.listen({ host: "127.0.0.1", port: 0 });
  const address = `127.0.0.1:${port}`;
  const client = new FlightClient(address, clientOptions);
  return {
    server,
    client,
    address,
    close: async () => {
      client.close();
      await server.close(500);
    },
  };
}

/** Deterministic bytes: `seed` mixed into a simple LCG. */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1664525 + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Rows like `stellar_ledger`: sequence, hash-like utf8, and a large binary payload per row. */
export function ledgerTable(firstSeq: number, rows: number, bytesPerRow: number): arrow.Table {
  const seq = new arrow.Uint32Builder({ type: new arrow.Uint32() });
  const hash = arrow.makeBuilder({ type: new arrow.Utf8() });
  const xdr = arrow.makeBuilder({ type: new arrow.Binary() });
  for (let i = 0; i < rows; i++) {
    seq.append(firstSeq + i);
    hash.append(`hash-${firstSeq + i}`);
    xdr.append(pseudoRandomBytes(bytesPerRow, firstSeq + i));
  }
  return new arrow.Table({
    ledger_sequence: seq.finish().toVector(),
    ledger_hash: hash.finish().toVector(),
    ledger_close_meta_xdr: xdr.finish().toVector(),
  });
}

/** Rows like `ttp_event`: dictionary-encoded event_type/asset, plain utf8 accounts and amounts. */
export function eventTable(first: number, rows: number): arrow.Table {
  const kinds = ["transfer", "mint", "burn", "clawback", "fee"];
  const assets = ["native", "USDC:GA5Z", "EURC:GDHU"];
  return arrow.tableFromArrays({
    event_index: Int32Array.from({ length: rows }, (_, i) => first + i),
    event_type: Array.from({ length: rows }, (_, i) => kinds[(first + i) % kinds.length]),
    asset: Array.from({ length: rows }, (_, i) => assets[(first + i) % assets.length]),
    from: Array.from({ length: rows }, (_, i) => `G${String(first + i).padStart(55, "A")}`),
    amount: Array.from({ length: rows }, (_, i) => String(BigInt(first + i) * 10_000_000n)),
  });
}

/** Resolves `promise` or rejects after `ms` with a message naming `what`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: number | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise with its resolve function. */
export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

/** A promise with its resolve function. */
export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
