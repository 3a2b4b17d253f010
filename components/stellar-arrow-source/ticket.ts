/**
 * Flight tickets of the source: UTF-8 `stellar_ledgers:START:END` (END inclusive; an empty END
 * follows the live tip). Pure functions.
 *
 * @module
 */

/** The Flight path and ticket prefix of the ledger stream. */
export const STREAM_NAME = "stellar_ledgers";

/** A parsed ticket. */
export interface LedgerTicket {
  /** First ledger. */
  start: number;
  /** Last ledger (inclusive); undefined follows the live tip. */
  end?: number;
}

const MAX_U32 = 0xffffffff;

function parseSequence(text: string, what: string, ticket: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) > MAX_U32) {
    throw new Error(
      `malformed ticket "${ticket}": expected ${what} to be a ledger sequence (0 to ${MAX_U32}), ` +
        `got "${text}"`,
    );
  }
  return Number(text);
}

/**
 * Parses ticket bytes or text. Throws an Error whose message quotes the ticket and says what was
 * expected (`stellar_ledgers:START:END`, END ≥ START or empty).
 */
export function parseTicket(ticket: Uint8Array | string): LedgerTicket {
  let text: string;
  try {
    text = typeof ticket === "string"
      ? ticket
      : new TextDecoder("utf-8", { fatal: true }).decode(ticket);
  } catch {
    throw new Error(`malformed ticket: expected UTF-8 text "${STREAM_NAME}:START:END", got bytes`);
  }
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  const parts = text.split(":");
  if (parts.length !== 3 || parts[0] !== STREAM_NAME) {
    throw new Error(
      `malformed ticket "${shown}": expected "${STREAM_NAME}:START:END" (END empty to follow the tip)`,
    );
  }
  const start = parseSequence(parts[1], "START", shown);
  if (parts[2] === "") return { start };
  const end = parseSequence(parts[2], "END", shown);
  if (end < start) {
    throw new Error(`malformed ticket "${shown}": expected END >= START, got ${end} < ${start}`);
  }
  return { start, end };
}

/** Formats a ticket: `stellar_ledgers:START:END`, or `stellar_ledgers:START:` to follow. */
export function formatTicket(ticket: LedgerTicket): string {
  return `${STREAM_NAME}:${ticket.start}:${ticket.end ?? ""}`;
}
