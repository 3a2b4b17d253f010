/**
 * The source's live state: available range, store reachability, ledgers served, last error.
 * Feeds `GET /health`, the `get_status` action and the metrics.
 *
 * @module
 */
import type { HealthReport } from "../../shared/health/mod.ts";
import { type Counter, type Gauge, type Histogram, Registry } from "../../shared/metrics/mod.ts";
import { errorMessage, SourceError } from "./errors.ts";
import type { SequenceRange } from "./lake/mod.ts";
import type { SourceType } from "./source.ts";

/** The counters flowctl reports: names as in the integration plan. */
export interface SourceMetrics {
  /** The registry (rendered at `/metrics`). */
  registry: Registry;
  /** Ledgers decoded and sent to clients. */
  ledgersProcessed: Counter;
  /** Raw LedgerCloseMeta bytes sent to clients. */
  totalBytes: Counter;
  /** Last ledger sequence sent. */
  lastSequence: Gauge;
  /** Fetch + decode time per ledger (unit time / ledgers in the unit), ms. */
  processingLatencyMs: Histogram;
  /** Ledgers fetched and decoded successfully. */
  successCount: Counter;
  /** Failed streams and failed store checks. */
  errorCount: Counter;
  /** DoGet streams open now. */
  activeStreams: Gauge;
}

/** Creates the source's metrics in a new registry. */
export function createSourceMetrics(registry = new Registry()): SourceMetrics {
  return {
    registry,
    ledgersProcessed: registry.counter("ledgers_processed", "Ledgers decoded and sent to clients"),
    totalBytes: registry.counter("total_bytes", "Raw LedgerCloseMeta bytes sent to clients"),
    lastSequence: registry.gauge("last_sequence", "Last ledger sequence sent"),
    processingLatencyMs: registry.histogram(
      "processing_latency_ms",
      "Fetch and decode time per ledger (batch object or RPC page time / its ledgers), ms",
    ),
    successCount: registry.counter("success_count", "Ledgers fetched and decoded successfully"),
    errorCount: registry.counter("error_count", "Failed streams and failed store checks"),
    activeStreams: registry.gauge("active_streams", "DoGet streams open now"),
  };
}

/** The last error seen. */
export interface LastError {
  /** Message (names ledger and object when known). */
  message: string;
  /** ISO time. */
  at: string;
  /** Error kind. */
  kind: string;
  /** Ledger concerned. */
  ledger?: number;
  /** Object concerned. */
  object?: string;
}

/** Errors younger than this make the service `degraded`. */
export const RECENT_ERROR_MS = 5 * 60_000;

/** Mutable state of a running source. */
export class SourceStatus {
  /** Source kind. */
  readonly sourceType: SourceType;
  /** Lake URL or RPC endpoint. */
  readonly sourceUrl: string;
  /** Decode workers. */
  readonly workers: number;
  /** Last known available range (null: none or not yet known). */
  availableRange: SequenceRange | null = null;
  /** Network passphrase once known. */
  networkPassphrase: string | undefined;
  /** Whether the last store check succeeded; undefined before the first. */
  storeReachable: boolean | undefined;
  /** Why the last store check failed. */
  storeError: string | undefined;
  /** Ledgers served since start. */
  ledgersServed = 0;
  /** Last sequence served. */
  lastSequence: number | undefined;
  /** Streams open now. */
  activeStreams = 0;
  /** Last error of any stream or check. */
  lastError: LastError | undefined;
  readonly #now: () => number;
  #lastErrorAt = 0;

  /** Creates the state. */
  constructor(
    opts: { sourceType: SourceType; sourceUrl: string; workers: number; now?: () => number },
  ) {
    this.sourceType = opts.sourceType;
    this.sourceUrl = opts.sourceUrl;
    this.workers = opts.workers;
    this.#now = opts.now ?? Date.now;
  }

  /** True when the store refuses listings (the range is unknown; ranges are read by name). */
  rangeUnknown = false;

  /** Records a successful store check; `undefined`: the store cannot list its range. */
  storeOk(range: SequenceRange | null | undefined): void {
    this.configError = undefined;
    this.availableRange = range ?? null;
    this.rangeUnknown = range === undefined;
    this.storeReachable = true;
    this.storeError = undefined;
  }

  /** Why the configuration does not fit the store (e.g. passphrase mismatch); unhealthy. */
  configError: string | undefined;

  /** Records a configuration error found after startup (the store was down at startup). */
  configFailed(err: unknown): void {
    this.configError = errorMessage(err);
    this.error(err);
  }

  /** Records a failed store check. */
  storeFailed(err: unknown): void {
    this.storeReachable = false;
    this.storeError = errorMessage(err);
    this.error(err);
  }

  /** Records an error. */
  error(err: unknown): void {
    this.#lastErrorAt = this.#now();
    this.lastError = {
      message: errorMessage(err),
      at: new Date(this.#lastErrorAt).toISOString(),
      kind: err instanceof SourceError ? err.kind : "internal",
      ledger: err instanceof SourceError ? err.ledger : undefined,
      object: err instanceof SourceError ? err.object : undefined,
    };
  }

  /** Records ledgers sent. */
  served(count: number, lastSequence: number): void {
    this.ledgersServed += count;
    this.lastSequence = lastSequence;
  }

  /** Health: unhealthy when the store is unreachable, degraded after a recent error. */
  health(): HealthReport {
    const details = {
      source_type: this.sourceType,
      source_url: this.sourceUrl,
      last_sequence: this.lastSequence ?? null,
      ledgers_served: this.ledgersServed,
      available_range: this.availableRange,
      active_streams: this.activeStreams,
    };
    if (this.configError !== undefined) {
      return {
        status: "unhealthy",
        reasons: [`configuration error: ${this.configError}`],
        details,
      };
    }
    if (this.storeReachable === false) {
      return {
        status: "unhealthy",
        reasons: [`store unreachable: ${this.storeError}`],
        details,
      };
    }
    if (this.storeReachable === undefined) {
      return { status: "degraded", reasons: ["store not checked yet"], details };
    }
    if (this.lastError && this.#now() - this.#lastErrorAt < RECENT_ERROR_MS) {
      return {
        status: "degraded",
        reasons: [`recent error (${this.lastError.at}): ${this.lastError.message}`],
        details,
      };
    }
    return { status: "healthy", details };
  }

  /** The `get_status` action's JSON. */
  toJSON(): Record<string, unknown> {
    return {
      source_type: this.sourceType,
      source_url: this.sourceUrl,
      network_passphrase: this.networkPassphrase ?? null,
      available_range: this.availableRange,
      range_unknown: this.rangeUnknown,
      store_reachable: this.storeReachable ?? null,
      ledgers_served: this.ledgersServed,
      last_sequence: this.lastSequence ?? null,
      active_streams: this.activeStreams,
      workers: this.workers,
      last_error: this.lastError ?? null,
      health: this.health().status,
    };
  }
}
