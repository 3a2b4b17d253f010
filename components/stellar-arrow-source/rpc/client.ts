/**
 * Stellar RPC client for the methods the source needs: `getLedgers` (cursor paging, limit ≤ 200),
 * `getLatestLedger` and `getHealth`, with retries and exponential backoff on network errors,
 * timeouts, HTTP 429/5xx and transient JSON-RPC errors. Field shapes follow stellar-rpc
 * `get_ledgers.go` / `get_latest_ledger.go` (`ledgerCloseTime` is a string, `headerXdr` of
 * `getLedgers` is a base64 `LedgerHeaderHistoryEntry`, `metadataXdr` a base64 `LedgerCloseMeta`).
 *
 * @module
 */
import { SourceError } from "../errors.ts";
import { delay } from "../../../shared/async/mod.ts";

/** Largest `limit` stellar-rpc accepts by default (`max-ledgers-limit`). */
export const MAX_LEDGERS_LIMIT = 200;

/** One ledger of a `getLedgers` page. */
export interface RpcLedger {
  /** Hex ledger hash. */
  hash: string;
  /** Ledger sequence. */
  sequence: number;
  /** Close time, unix seconds as a decimal string. */
  ledgerCloseTime: string;
  /** Base64 `LedgerHeaderHistoryEntry`. */
  headerXdr: string;
  /** Base64 `LedgerCloseMeta`. */
  metadataXdr: string;
}

/** A `getLedgers` result. */
export interface GetLedgersResult {
  /** The page. */
  ledgers: RpcLedger[];
  /** Newest ledger the server holds. */
  latestLedger: number;
  /** Its close time (unix seconds). */
  latestLedgerCloseTime: number;
  /** Oldest ledger the server holds. */
  oldestLedger: number;
  /** Its close time (unix seconds). */
  oldestLedgerCloseTime: number;
  /** The last returned sequence, as a string; pass it back to get the next page. */
  cursor: string;
}

/** A `getLatestLedger` result (classic fields). */
export interface LatestLedger {
  /** Hex hash. */
  id: string;
  /** Protocol version. */
  protocolVersion: number;
  /** Sequence. */
  sequence: number;
}

/** A `getHealth` result. */
export interface RpcHealth {
  /** `healthy` when the server is in sync. */
  status: string;
  /** Newest ledger held. */
  latestLedger: number;
  /** Oldest ledger held. */
  oldestLedger: number;
  /** Retention window in ledgers. */
  ledgerRetentionWindow: number;
}

/** A JSON-RPC error answer. */
export class RpcError extends Error {
  /** `RpcError`. */
  override name = "RpcError";
  /** JSON-RPC error code. */
  readonly code: number;
  /** Creates the error. */
  constructor(method: string, code: number, message: string) {
    super(`${method}: RPC error ${code}: ${message}`);
    this.code = code;
  }
}

/** Options for {@linkcode RpcClient}. */
export interface RpcClientOptions {
  /** Endpoint URL, e.g. `https://soroban-testnet.stellar.org`. */
  url: string;
  /** Attempts per call (first try included); default 5. */
  attempts?: number;
  /** Delay before the first retry, doubled each time, in ms; default 250. */
  backoffMs?: number;
  /** Per-request timeout in ms; default 30000. */
  timeoutMs?: number;
  /** Extra headers (e.g. an API key). */
  headers?: Record<string, string>;
  /** fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** JSON-RPC error codes worth retrying: internal error and execution-duration exceeded. */
const TRANSIENT_RPC_CODES = new Set([-32603, -32001]);

class Transient extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function expectNumber(obj: Record<string, unknown>, key: string, where: string): number {
  const v = obj[key];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(`${where}: expected "${key}" to be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function expectString(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== "string") {
    throw new Error(`${where}: expected "${key}" to be a string, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Validates a `getLedgers` result object; throws naming the bad field. */
export function parseGetLedgersResult(raw: unknown): GetLedgersResult {
  if (!isObject(raw)) throw new Error(`getLedgers: expected a result object, got ${raw}`);
  if (!Array.isArray(raw.ledgers)) throw new Error(`getLedgers: expected "ledgers" to be an array`);
  const ledgers = raw.ledgers.map((l, i): RpcLedger => {
    const where = `getLedgers ledgers[${i}]`;
    if (!isObject(l)) throw new Error(`${where}: expected an object`);
    return {
      hash: expectString(l, "hash", where),
      sequence: expectNumber(l, "sequence", where),
      ledgerCloseTime: expectString(l, "ledgerCloseTime", where),
      headerXdr: expectString(l, "headerXdr", where),
      metadataXdr: expectString(l, "metadataXdr", where),
    };
  });
  return {
    ledgers,
    latestLedger: expectNumber(raw, "latestLedger", "getLedgers"),
    latestLedgerCloseTime: Number(raw.latestLedgerCloseTime ?? 0),
    oldestLedger: expectNumber(raw, "oldestLedger", "getLedgers"),
    oldestLedgerCloseTime: Number(raw.oldestLedgerCloseTime ?? 0),
    cursor: expectString(raw, "cursor", "getLedgers"),
  };
}

/** A Stellar RPC endpoint. */
export class RpcClient {
  /** Endpoint URL. */
  readonly url: string;
  readonly #opts: RpcClientOptions;
  readonly #fetch: typeof fetch;
  #nextId = 1;

  /** Creates a client; no request is made until used. */
  constructor(opts: RpcClientOptions) {
    this.url = opts.url;
    this.#opts = opts;
    this.#fetch = opts.fetch ?? globalThis.fetch;
  }

  /**
   * Calls a method, retrying transient failures. Rejects with {@linkcode RpcError} for a
   * non-transient JSON-RPC error, or a `SourceError` of kind `unavailable` when retries run out.
   */
  async call(method: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
    const attempts = this.#opts.attempts ?? 5;
    const backoff = this.#opts.backoffMs ?? 250;
    let last: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await delay(backoff * 2 ** (attempt - 1), signal);
      signal?.throwIfAborted();
      try {
        return await this.#once(method, params, signal);
      } catch (err) {
        if (signal?.aborted || err instanceof RpcError) throw err;
        last = err;
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new SourceError(
      "unavailable",
      `RPC ${this.url} unreachable: ${method} failed after ${attempts} attempts: ${why}`,
      { object: this.url, cause: last },
    );
  }

  async #once(method: string, params: unknown, signal?: AbortSignal): Promise<unknown> {
    const ms = this.#opts.timeoutMs ?? 30000;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new Error(`timed out after ${ms} ms`)), ms);
    const id = this.#nextId++;
    try {
      const res = await this.#fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.#opts.headers },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      });
      if (res.status === 429 || res.status >= 500) {
        await res.body?.cancel();
        throw new Transient(`HTTP ${res.status} ${res.statusText}`);
      }
      const text = await res.text();
      if (!res.ok) throw new Transient(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Transient(`expected a JSON-RPC response, got ${text.slice(0, 120)}`);
      }
      if (!isObject(body)) {
        throw new Transient(`expected a JSON-RPC object, got ${text.slice(0, 120)}`);
      }
      if (isObject(body.error)) {
        const code = Number(body.error.code);
        const message = String(body.error.message ?? "");
        if (TRANSIENT_RPC_CODES.has(code)) throw new Transient(`RPC error ${code}: ${message}`);
        throw new RpcError(method, code, message);
      }
      if (!("result" in body)) throw new Transient(`expected "result" in ${text.slice(0, 120)}`);
      return body.result;
    } catch (err) {
      throw timeout.signal.aborted && !(err instanceof RpcError) ? timeout.signal.reason : err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `getLatestLedger`. */
  async getLatestLedger(signal?: AbortSignal): Promise<LatestLedger> {
    const r = await this.call("getLatestLedger", {}, signal);
    if (!isObject(r)) throw new Error(`getLatestLedger: expected a result object, got ${r}`);
    return {
      id: expectString(r, "id", "getLatestLedger"),
      protocolVersion: expectNumber(r, "protocolVersion", "getLatestLedger"),
      sequence: expectNumber(r, "sequence", "getLatestLedger"),
    };
  }

  /** `getNetwork`: the network passphrase (and protocol version). */
  async getNetwork(signal?: AbortSignal): Promise<{ passphrase: string; protocolVersion: number }> {
    const r = await this.call("getNetwork", {}, signal);
    if (!isObject(r)) throw new Error(`getNetwork: expected a result object, got ${r}`);
    return {
      passphrase: expectString(r, "passphrase", "getNetwork"),
      protocolVersion: Number(r.protocolVersion ?? 0),
    };
  }

  /** `getHealth`. */
  async getHealth(signal?: AbortSignal): Promise<RpcHealth> {
    const r = await this.call("getHealth", {}, signal);
    if (!isObject(r)) throw new Error(`getHealth: expected a result object, got ${r}`);
    return {
      status: expectString(r, "status", "getHealth"),
      latestLedger: expectNumber(r, "latestLedger", "getHealth"),
      oldestLedger: expectNumber(r, "oldestLedger", "getHealth"),
      ledgerRetentionWindow: Number(r.ledgerRetentionWindow ?? 0),
    };
  }

  /**
   * `getLedgers` from `startLedger`, or after `cursor` (exactly one of them), at most `limit`
   * ledgers (≤ {@linkcode MAX_LEDGERS_LIMIT}).
   */
  async getLedgers(
    req: { startLedger?: number; cursor?: string; limit: number },
    signal?: AbortSignal,
  ): Promise<GetLedgersResult> {
    if (!Number.isInteger(req.limit) || req.limit < 1 || req.limit > MAX_LEDGERS_LIMIT) {
      throw new RangeError(`expected a limit from 1 to ${MAX_LEDGERS_LIMIT}, got ${req.limit}`);
    }
    if ((req.startLedger === undefined) === (req.cursor === undefined)) {
      throw new Error("getLedgers: expected exactly one of startLedger and cursor");
    }
    const params = req.cursor !== undefined
      ? { pagination: { cursor: req.cursor, limit: req.limit }, xdrFormat: "base64" }
      : { startLedger: req.startLedger, pagination: { limit: req.limit }, xdrFormat: "base64" };
    return parseGetLedgersResult(await this.call("getLedgers", params, signal));
  }

  /**
   * Pages through `[start, end]` with cursors, yielding each page's ledgers (trimmed to `end`).
   * Checks that sequences are consecutive. Ends early when the server has no more ledgers
   * (an empty page).
   */
  async *ledgers(
    range: { start: number; end: number; pageLimit?: number },
    signal?: AbortSignal,
  ): AsyncGenerator<RpcLedger[], void, undefined> {
    const limit = Math.min(range.pageLimit ?? MAX_LEDGERS_LIMIT, MAX_LEDGERS_LIMIT);
    let expected = range.start;
    let cursor: string | undefined;
    while (expected <= range.end) {
      const want = Math.min(limit, range.end - expected + 1);
      const page = await this.getLedgers(
        cursor === undefined ? { startLedger: expected, limit: want } : { cursor, limit: want },
        signal,
      );
      const ledgers = page.ledgers.filter((l) => l.sequence <= range.end);
      if (ledgers.length === 0) return;
      for (const l of ledgers) {
        if (l.sequence !== expected) {
          throw new SourceError(
            "data_loss",
            `ledger ${expected}: RPC ${this.url} getLedgers returned ledger ${l.sequence} instead`,
            { ledger: expected, object: this.url },
          );
        }
        expected++;
      }
      cursor = page.cursor;
      yield ledgers;
      // The server rejects a cursor at its tip: stop there instead of asking past it.
      if (expected > page.latestLedger) return;
    }
  }
}
