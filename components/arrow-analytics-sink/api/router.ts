/**
 * REST API over the stored dataset:
 *
 * - `GET /api/events?event_type=&asset=&address=&contract_address=&min_amount=&ledger_from=&ledger_to=&limit=&cursor=`
 *   → `{"events": [...], "next_cursor": "..." | null}` ordered by `event_id`; pass `next_cursor`
 *   back as `cursor` for the next page (`limit` 1–1000, default 100);
 * - `GET /api/events/{event_id}` → the event, or 404;
 * - `GET /api/ledgers/{seq}/events` → `{"ledger", "events", "next_cursor"}` (same filters and
 *   paging), 404 when the ledger is outside the stored range;
 * - `GET /api/stats` → counts by kind, top assets by count and volume, stored range, lag.
 *
 * Bad parameters give 400 with `{"error": "...", "parameter": "..."}`.
 *
 * @module
 */
import { eventToJson } from "../../../shared/schema/ttp_event.ts";
import { FilterError, filtersFromParams } from "../../../shared/ttp_stream/mod.ts";
import { EVENT_ID_RE, type EventQuery, type EventStore } from "../query/store.ts";

/** Largest page. */
export const MAX_LIMIT = 1000;
/** Page size when `limit` is absent. */
export const DEFAULT_LIMIT = 100;

/** What the API needs besides the store. */
export interface ApiContext {
  /** The stored dataset. */
  store: EventStore;
  /** Committed ledger range: every ledger in [first, last] is stored (last < first: none). */
  range(): { first_ledger: number; last_ledger: number };
  /** Latest ledger known upstream, if known. */
  tip(): number | undefined;
  /** Called once per request with the route pattern, status and duration. */
  onRequest?: (route: string, status: number, ms: number) => void;
}

class BadRequest extends Error {
  constructor(readonly parameter: string, message: string) {
    super(`${parameter}: ${message}`);
  }
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    // Read-only public data: browsers on any origin may read it (dashboards).
    headers: { "content-type": "application/json", "access-control-allow-origin": "*" },
  });
}

const PAGE_PARAMS = ["ledger_from", "ledger_to", "limit", "cursor"];

function intParam(
  params: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (params.getAll(name).length > 1) throw new BadRequest(name, "given more than once");
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new BadRequest(
      name,
      `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

function pageQuery(params: URLSearchParams, allowLedgers: boolean): EventQuery {
  let filters;
  try {
    filters = filtersFromParams(params, allowLedgers ? PAGE_PARAMS : ["limit", "cursor"]);
  } catch (error) {
    if (error instanceof FilterError) {
      throw new BadRequest(error.parameter, error.message.slice(error.parameter.length + 2));
    }
    throw error;
  }
  const limit = intParam(params, "limit", 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
  const cursor = params.get("cursor") ?? undefined;
  if (cursor !== undefined && !EVENT_ID_RE.test(cursor)) {
    throw new BadRequest(
      "cursor",
      `expected a next_cursor value (an event_id like 0270980546429448192-0000000001), got ${
        JSON.stringify(cursor)
      }`,
    );
  }
  const q: EventQuery = { filters, limit, after: cursor };
  if (allowLedgers) {
    q.ledgerFrom = intParam(params, "ledger_from", 1, 0xffffffff);
    q.ledgerTo = intParam(params, "ledger_to", 1, 0xffffffff);
    if (q.ledgerFrom !== undefined && q.ledgerTo !== undefined && q.ledgerFrom > q.ledgerTo) {
      throw new BadRequest(
        "ledger_to",
        `expected ledger_to >= ledger_from (${q.ledgerFrom}), got ${q.ledgerTo}`,
      );
    }
  }
  return q;
}

async function page(store: EventStore, q: EventQuery) {
  const rows = await store.query({ ...q, limit: q.limit + 1 });
  const more = rows.length > q.limit;
  const events = more ? rows.slice(0, q.limit) : rows;
  return {
    events: events.map(eventToJson),
    next_cursor: more ? events[events.length - 1].event_id : null,
  };
}

/** Creates the `/api/*` request handler. */
export function createApiHandler(ctx: ApiContext): (request: Request) => Promise<Response> {
  async function route(request: Request, url: URL): Promise<[string, Response]> {
    const path = url.pathname.replace(/\/+$/, "");
    const parts = path.split("/").slice(2); // after "/api"
    if (request.method !== "GET" && request.method !== "HEAD") {
      return ["other", json(405, { error: `expected GET, got ${request.method}` })];
    }
    if (parts.length === 1 && parts[0] === "events") {
      return ["/api/events", json(200, await page(ctx.store, pageQuery(url.searchParams, true)))];
    }
    if (parts.length === 2 && parts[0] === "events") {
      const id = decodeURIComponent(parts[1]);
      if (!EVENT_ID_RE.test(id)) {
        throw new BadRequest(
          "event_id",
          `expected 19 digits, a dash and 10 digits, got ${JSON.stringify(id)}`,
        );
      }
      const event = await ctx.store.get(id);
      return [
        "/api/events/{event_id}",
        event ? json(200, eventToJson(event)) : json(404, { error: `event ${id} not found` }),
      ];
    }
    if (parts.length === 3 && parts[0] === "ledgers" && parts[2] === "events") {
      const raw = decodeURIComponent(parts[1]);
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 0xffffffff) {
        throw new BadRequest(
          "seq",
          `expected a ledger number from 1 to 4294967295, got ${JSON.stringify(raw)}`,
        );
      }
      const seq = Number(raw);
      const { first_ledger, last_ledger } = ctx.range();
      if (seq < first_ledger || seq > last_ledger) {
        const stored = last_ledger < first_ledger
          ? "nothing is stored yet"
          : `stored ledgers are ${first_ledger}-${last_ledger}`;
        return [
          "/api/ledgers/{seq}/events",
          json(404, { error: `ledger ${seq} is not stored: ${stored}` }),
        ];
      }
      const q = pageQuery(url.searchParams, false);
      const result = await page(ctx.store, { ...q, ledgerFrom: seq, ledgerTo: seq });
      return ["/api/ledgers/{seq}/events", json(200, { ledger: seq, ...result })];
    }
    if (parts.length === 1 && parts[0] === "stats") {
      for (const name of url.searchParams.keys()) {
        throw new BadRequest(name, "unknown parameter; /api/stats takes none");
      }
      const stats = await ctx.store.stats();
      const { first_ledger, last_ledger } = ctx.range();
      const tip = ctx.tip();
      const stored = last_ledger >= first_ledger;
      return [
        "/api/stats",
        json(200, {
          ...stats,
          first_ledger: stored ? first_ledger : null,
          last_ledger: stored ? last_ledger : null,
          tip_ledger: tip ?? null,
          lag_ledgers: tip === undefined
            ? null
            : Math.max(0, tip - (stored ? last_ledger : first_ledger - 1)),
        }),
      ];
    }
    return [
      "other",
      json(404, {
        error:
          `no route for ${path}; expected /api/events, /api/events/{event_id}, /api/ledgers/{seq}/events or /api/stats`,
      }),
    ];
  }

  return async (request) => {
    const started = performance.now();
    const url = new URL(request.url);
    let name = "other";
    let response: Response;
    try {
      [name, response] = await route(request, url);
    } catch (error) {
      if (error instanceof BadRequest) {
        response = json(400, { error: error.message, parameter: error.parameter });
      } else {
        response = json(500, {
          error: `query failed: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    ctx.onRequest?.(name, response.status, performance.now() - started);
    return response;
  };
}
