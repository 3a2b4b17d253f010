/**
 * Event filters shared by the WebSocket feed, the REST API and Flight tickets: `event_type`,
 * `asset`, `address` (from or to), `contract_address` (each a list; an event matches when its
 * value is in the list) and `min_amount` (compared as BigInt). Filters are AND-ed.
 *
 * @module
 */
import { TTP_EVENT_TYPES, type TtpEvent } from "../schema/ttp_event.ts";
import { decodeStrkey, parseAssetString, type StrkeyKind } from "../stellar/mod.ts";

/** Parsed filters; an absent field does not filter. */
export interface EventFilters {
  event_type?: string[];
  asset?: string[];
  address?: string[];
  contract_address?: string[];
  min_amount?: bigint;
}

/** Filter names accepted in query strings, tickets and subscribe messages. */
export const FILTER_NAMES = [
  "event_type",
  "asset",
  "address",
  "contract_address",
  "min_amount",
] as const;

/** A bad filter value: names the parameter and says why. */
export class FilterError extends Error {
  override name = "FilterError";
  /** The offending parameter. */
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super(`${parameter}: ${message}`);
    this.parameter = parameter;
  }
}

const INTEGER_RE = /^-?\d+$/;
const I128_MIN = -(1n << 127n);
const I128_MAX = (1n << 127n) - 1n;
const STRKEY_KINDS: Record<string, StrkeyKind> = { G: "account", M: "muxed", C: "contract" };

function isAddress(text: string, prefixes: string): boolean {
  const kind = STRKEY_KINDS[text[0]];
  if (!kind || !prefixes.includes(text[0])) return false;
  try {
    decodeStrkey(kind, text);
    return true;
  } catch {
    return false;
  }
}

function splitList(raw: string): string[] {
  return raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Parses one filter value given as a string (comma-separated for lists).
 *
 * @throws {FilterError} naming the parameter, what was expected and what came.
 */
export function parseFilterValue(
  name: string,
  raw: string,
): string[] | bigint {
  if (name === "min_amount") {
    const s = raw.trim();
    if (!INTEGER_RE.test(s)) {
      throw new FilterError(
        name,
        `expected an integer amount in stroops, got ${JSON.stringify(raw)}`,
      );
    }
    const v = BigInt(s);
    if (v < I128_MIN || v > I128_MAX) {
      throw new FilterError(name, `expected an amount within i128, got ${s}`);
    }
    return v;
  }
  const items = splitList(raw);
  if (items.length === 0) {
    throw new FilterError(name, `expected a comma-separated list, got ${JSON.stringify(raw)}`);
  }
  for (const item of items) {
    if (name === "event_type" && !(TTP_EVENT_TYPES as readonly string[]).includes(item)) {
      throw new FilterError(
        name,
        `expected one of ${TTP_EVENT_TYPES.join(", ")}, got ${JSON.stringify(item)}`,
      );
    }
    if (name === "asset" && parseAssetString(item) === null) {
      throw new FilterError(name, `expected "native" or CODE:ISSUER, got ${JSON.stringify(item)}`);
    }
    if (name === "address" && !isAddress(item, "GMC")) {
      throw new FilterError(
        name,
        `expected a valid account (G...), muxed (M...) or contract (C...) strkey, got ${
          JSON.stringify(item)
        }`,
      );
    }
    if (name === "contract_address" && !isAddress(item, "C")) {
      throw new FilterError(
        name,
        `expected a valid contract strkey (C...), got ${JSON.stringify(item)}`,
      );
    }
  }
  return items;
}

/** Sets one parsed filter value on `filters`. */
function setFilter(filters: EventFilters, name: string, value: string[] | bigint): void {
  if (name === "min_amount") filters.min_amount = value as bigint;
  else filters[name as Exclude<keyof EventFilters, "min_amount">] = value as string[];
}

/**
 * Parses filters from URL search parameters, ignoring names in `otherNames`.
 *
 * @throws {FilterError} for an unknown parameter or a bad value.
 */
export function filtersFromParams(
  params: URLSearchParams,
  otherNames: readonly string[] = [],
): EventFilters {
  const filters: EventFilters = {};
  for (const [name, raw] of params) {
    if (otherNames.includes(name)) continue;
    if (!(FILTER_NAMES as readonly string[]).includes(name)) {
      throw new FilterError(
        name,
        `unknown parameter; expected one of ${[...FILTER_NAMES, ...otherNames].join(", ")}`,
      );
    }
    if (params.getAll(name).length > 1) {
      throw new FilterError(name, "given more than once; use one comma-separated value");
    }
    setFilter(filters, name, parseFilterValue(name, raw));
  }
  return filters;
}

/**
 * Parses filters from a JSON object (WebSocket `subscribe` messages): lists as arrays or
 * comma-separated strings, `min_amount` as an integer string or a safe integer number.
 *
 * @throws {FilterError} for an unknown key or a bad value.
 */
export function filtersFromJson(value: unknown): EventFilters {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new FilterError("filters", `expected a JSON object, got ${JSON.stringify(value)}`);
  }
  const filters: EventFilters = {};
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!(FILTER_NAMES as readonly string[]).includes(name)) {
      throw new FilterError(name, `unknown filter; expected one of ${FILTER_NAMES.join(", ")}`);
    }
    let text: string;
    if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) text = raw.join(",");
    else if (typeof raw === "string") text = raw;
    else if (name === "min_amount" && typeof raw === "number" && Number.isSafeInteger(raw)) {
      text = String(raw);
    } else {
      throw new FilterError(
        name,
        `expected ${
          name === "min_amount" ? "an integer string" : "a string or an array of strings"
        }, got ${JSON.stringify(raw)}`,
      );
    }
    setFilter(filters, name, parseFilterValue(name, text));
  }
  return filters;
}

/** Renders filters as JSON-safe values (`min_amount` as a string). */
export function filtersToJson(filters: EventFilters): Record<string, string[] | string> {
  const out: Record<string, string[] | string> = {};
  for (const name of FILTER_NAMES) {
    const v = filters[name];
    if (v === undefined) continue;
    out[name] = typeof v === "bigint" ? v.toString() : v;
  }
  return out;
}

/** True when no filter is set. */
export function isEmptyFilters(filters: EventFilters): boolean {
  return FILTER_NAMES.every((name) => filters[name] === undefined);
}

/** A compiled predicate for a set of filters. */
export type EventPredicate = (e: TtpEvent) => boolean;

/** Compiles filters to a predicate (sets for list membership, BigInt for amounts). */
export function compileFilters(filters: EventFilters): EventPredicate {
  const types = filters.event_type ? new Set(filters.event_type) : undefined;
  const assets = filters.asset ? new Set(filters.asset) : undefined;
  const addresses = filters.address ? new Set(filters.address) : undefined;
  const contracts = filters.contract_address ? new Set(filters.contract_address) : undefined;
  const min = filters.min_amount;
  return (e) => {
    if (types && !types.has(e.event_type)) return false;
    if (assets && (e.asset === null || !assets.has(e.asset))) return false;
    if (
      addresses &&
      !((e.from_address !== null && addresses.has(e.from_address)) ||
        (e.to_address !== null && addresses.has(e.to_address)))
    ) return false;
    if (contracts && !contracts.has(e.contract_address)) return false;
    if (min !== undefined && BigInt(e.amount) < min) return false;
    return true;
  };
}
