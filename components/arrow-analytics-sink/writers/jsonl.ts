/**
 * JSON Lines encoding of events: one {@linkcode eventToJson} object per line, `\n`-terminated.
 *
 * @module
 */
import { eventToJson, type TtpEvent } from "../../../shared/schema/ttp_event.ts";

/** Encodes events as JSON Lines text. */
export function encodeJsonl(events: readonly TtpEvent[]): string {
  let out = "";
  for (const e of events) out += JSON.stringify(eventToJson(e)) + "\n";
  return out;
}
