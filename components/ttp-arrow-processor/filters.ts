/**
 * The processor's view of the event filters. The filter model and matching are the single
 * implementation in `shared/ttp_stream/` (`event_type`, `asset`, `address` (from or
 * to), `contract_address`, `min_amount` as BigInt), shared so that Flight tickets, WebSocket and
 * REST filters mean the same thing; this module only combines ticket filters with the
 * configured defaults.
 *
 * @module
 */
import {
  compileFilters,
  type EventFilters,
  type EventPredicate,
  FILTER_NAMES,
  FilterError,
  filtersToJson,
  isEmptyFilters,
  parseFilterValue,
} from "../../shared/ttp_stream/mod.ts";

export {
  compileFilters,
  type EventFilters,
  type EventPredicate,
  FILTER_NAMES,
  FilterError,
  filtersToJson,
  isEmptyFilters,
  parseFilterValue,
};

/**
 * The filters a stream applies: each filter named in the ticket replaces the configured default
 * of the same name; the others keep their default.
 */
export function effectiveFilters(defaults: EventFilters, ticket: EventFilters): EventFilters {
  const out: EventFilters = {};
  for (const name of FILTER_NAMES) {
    const value = ticket[name] ?? defaults[name];
    if (value !== undefined) (out as Record<string, unknown>)[name] = value;
  }
  return out;
}
