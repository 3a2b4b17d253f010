/**
 * Test double of stellar-arrow-source for in-process tests: a real Flight server on loopback
 * serving real `stellar_ledger` rows of a fixture lake (summarized with shared/ledger, like the
 * source) under the source's contract:
 * path `["stellar_ledgers"]`, tickets `stellar_ledgers:START:END` (empty END follows the tip),
 * one record batch per ledger, `NOT_FOUND` for ledgers it does not hold.
 *
 * Failure injection for resilience tests: {@linkcode LoopbackSource.stop} /
 * {@linkcode LoopbackSource.start} (same port: a restart), {@linkcode LoopbackSource.release}
 * to make more fixture ledgers visible to followers, and counters of what was served.
 *
 * @module
 */
import {
  FlightError,
  type FlightHandlers,
  FlightServer,
  pathDescriptor,
} from "../../../shared/flight/mod.ts";
import { summarizeLedgerCloseMetaBatch } from "../../../shared/ledger/mod.ts";
import { readFixtureBatches } from "../../../shared/ledger/testdata.ts";
import {
  ledgerRowsToRecordBatch,
  type StellarLedgerRow,
  stellarLedgerSchema,
} from "../../../shared/schema/stellar_ledger.ts";
import { networkId } from "../../../shared/stellar/mod.ts";

/** The rows of a fixture lake, in sequence order, summarized like the source does. */
export function fixtureLedgerRows(lake: string, passphrase: string): StellarLedgerRow[] {
  const rows: StellarLedgerRow[] = [];
  for (const batch of readFixtureBatches(lake)) {
    for (const { bytes, summary: s } of summarizeLedgerCloseMetaBatch(batch.bytes).ledgers) {
      rows.push({
        sequence: s.sequence,
        hash: s.hash,
        previous_hash: s.previousHash,
        close_time: s.closeTime * 1000,
        ingestion_time: Date.now(),
        protocol_version: s.protocolVersion,
        network_id: networkId(passphrase),
        transaction_count: s.txCount,
        successful_transaction_count: s.successfulTxCount,
        failed_transaction_count: s.failedTxCount,
        operation_count: s.operationCount,
        total_fees: s.totalFees,
        fee_pool: s.feePool,
        base_fee: s.baseFee,
        base_reserve: s.baseReserve,
        max_tx_set_size: s.maxTxSetSize,
        ledger_xdr: bytes,
        source_type: "datalake",
        source_url: `testdata/lakes/${lake}/${batch.file}`,
        schema_version: "1.0.0",
      });
    }
  }
  return rows.sort((a, b) => a.sequence - b.sequence);
}

/** Options of {@linkcode LoopbackSource}. */
export interface LoopbackSourceOptions {
  /** All rows the source may serve, in order. */
  rows: StellarLedgerRow[];
  /** How many rows are visible at first (the rest come with {@linkcode LoopbackSource.release}). */
  visible?: number;
}

/** A loopback stand-in for stellar-arrow-source. */
export class LoopbackSource {
  readonly #rows: StellarLedgerRow[];
  #visible: number;
  #server: FlightServer | undefined;
  #port = 0;
  #waiters = new Set<() => void>();
  /** Rows sent, over all streams. */
  rowsServed = 0;
  /** Streams currently open. */
  activeStreams = 0;
  /** DoGet tickets received, in order. */
  readonly tickets: string[] = [];

  /** Creates the source; call {@linkcode LoopbackSource.start} to serve. */
  constructor(options: LoopbackSourceOptions) {
    this.#rows = options.rows;
    this.#visible = options.visible ?? options.rows.length;
  }

  /** `127.0.0.1:port`. */
  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  /** Makes `n` more rows visible (wakes followers). */
  release(n: number): void {
    this.#visible = Math.min(this.#rows.length, this.#visible + n);
    for (const wake of this.#waiters) wake();
  }

  #range() {
    const rows = this.#rows.slice(0, this.#visible);
    return { first: rows[0].sequence, last: rows[rows.length - 1].sequence };
  }

  #handlers(): FlightHandlers {
    const encoder = new TextEncoder();
    const info = () => {
      const r = this.#range();
      return {
        schema: stellarLedgerSchema,
        descriptor: pathDescriptor("stellar_ledgers"),
        endpoints: [{ ticket: encoder.encode(`stellar_ledgers:${r.first}:${r.last}`) }],
      };
    };
    return {
      getFlightInfo: () => info(),
      listFlights: () => [info()],
      doAction: () => [encoder.encode(JSON.stringify({ ...this.#range() }))],
      doGet: (ticketBytes, ctx) => {
        const ticket = new TextDecoder().decode(ticketBytes);
        this.tickets.push(ticket);
        const m = /^stellar_ledgers:(\d+):(\d*)$/.exec(ticket);
        if (!m) {
          throw FlightError.invalidArgument(`Expected stellar_ledgers:START:END, got ${ticket}`);
        }
        const start = Number(m[1]);
        const end = m[2] === "" ? undefined : Number(m[2]);
        const r = this.#range();
        if (start < r.first || (end !== undefined && end > r.last)) {
          throw FlightError.notFound(
            `ledgers ${start}-${end ?? "(live)"} not held: ${r.first}-${r.last}`,
          );
        }
        return { schema: stellarLedgerSchema, batches: this.#serve(start, end, ctx.signal) };
      },
    };
  }

  async *#serve(start: number, end: number | undefined, signal: AbortSignal) {
    this.activeStreams++;
    try {
      let i = this.#rows.findIndex((row) => row.sequence === start);
      while (end === undefined || (i < this.#rows.length && this.#rows[i].sequence <= end)) {
        if (i >= this.#visible) {
          await new Promise<void>((resolve) => {
            const wake = () => {
              this.#waiters.delete(wake);
              signal.removeEventListener("abort", wake);
              resolve();
            };
            this.#waiters.add(wake);
            signal.addEventListener("abort", wake, { once: true });
          });
          signal.throwIfAborted();
          continue;
        }
        const row = this.#rows[i++];
        yield ledgerRowsToRecordBatch([row]);
        this.rowsServed++;
      }
    } finally {
      this.activeStreams--;
    }
  }

  /** Starts serving (again on the same port after {@linkcode stop}). */
  async start(): Promise<void> {
    this.#server = new FlightServer(this.#handlers(), { name: "loopback-source" });
    this.#port = await this.#server.listen({ host: "127.0.0.1", port: this.#port });
  }

  /** Stops serving abruptly (open streams are cut). */
  async stop(): Promise<void> {
    for (const wake of this.#waiters) wake();
    await this.#server?.close(0);
    this.#server = undefined;
  }
}
