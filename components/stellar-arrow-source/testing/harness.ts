/**
 * Test helper: starts the source in-process on loopback ports 0 with a config built from flags,
 * and reads `stellar_ledger` rows back through a real Flight client.
 *
 * @module
 */
import { FlightClient } from "../../../shared/flight/mod.ts";
import { recordBatchToLedgerRows, type StellarLedgerRow } from "../../../shared/schema/mod.ts";
import { parseSourceConfig } from "../config.ts";
import { type RunningSource, startSource } from "../server.ts";

/** A started source and a client connected to it. */
export interface Harness {
  /** The service. */
  source: RunningSource;
  /** A Flight client. */
  client: FlightClient;
  /** Stops both. */
  close(): Promise<void>;
}

/** Starts the source with `flags` (e.g. `["--datalake-url", dir]`) and connects a client. */
export async function startHarness(
  flags: string[],
  env: Record<string, string> = {},
): Promise<Harness> {
  const { config } = parseSourceConfig(
    ["--flight-host", "127.0.0.1", "--flight-port", "0", "--health-port", "0", ...flags],
    env,
  );
  if (!config) throw new Error("expected a config, got --help");
  const source = await startSource(config, {
    env,
    checkIntervalMs: 200,
    retry: { attempts: 2, backoffMs: 5, timeoutMs: 3000 },
  });
  const client = new FlightClient(`127.0.0.1:${source.flightPort}`);
  return {
    source,
    client,
    async close() {
      client.close();
      await source.close();
    },
  };
}

/** Reads a DoGet stream completely into rows. */
export async function readRows(client: FlightClient, ticket: string): Promise<StellarLedgerRow[]> {
  const rows: StellarLedgerRow[] = [];
  for await (const batch of client.doGet(ticket)) rows.push(...recordBatchToLedgerRows(batch));
  return rows;
}

/** Reads rows until the stream fails; returns the rows and the error. */
export async function readUntilError(
  client: FlightClient,
  ticket: string,
): Promise<{ rows: StellarLedgerRow[]; error: unknown }> {
  const rows: StellarLedgerRow[] = [];
  try {
    for await (const batch of client.doGet(ticket)) rows.push(...recordBatchToLedgerRows(batch));
  } catch (error) {
    return { rows, error };
  }
  return { rows, error: undefined };
}

/** Lower-case hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
