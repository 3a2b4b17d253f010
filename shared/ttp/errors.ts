/**
 * Errors raised by the TTP extraction.
 *
 * @module
 */

/** Ledger data that breaks a TTP rule (missing entry, impossible amount, bad arm...). */
export class TtpDataError extends Error {
  /** Creates the error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "TtpDataError";
  }
}

/** Where in a ledger an error happened. */
export interface TtpErrorLocation {
  /** Ledger sequence, if known. */
  ledger?: number;
  /** Transaction hash (hex), if known. */
  txHash?: string;
  /** 1-based transaction index in apply order, if known. */
  txIndex?: number;
  /** 1-based operation index, if known. */
  opIndex?: number;
}

/**
 * An extraction failure with its location: the message names the ledger, and where known
 * the transaction and operation. No partial event list is ever returned with it.
 */
export class TtpExtractionError extends Error {
  /** Where the failure happened. */
  readonly location: TtpErrorLocation;
  /** Wraps `cause` with `location`. */
  constructor(location: TtpErrorLocation, cause: unknown) {
    const parts: string[] = [];
    if (location.ledger !== undefined) parts.push(`ledger ${location.ledger}`);
    if (location.txIndex !== undefined) parts.push(`transaction #${location.txIndex}`);
    if (location.txHash !== undefined) parts.push(`tx ${location.txHash}`);
    if (location.opIndex !== undefined) parts.push(`operation ${location.opIndex}`);
    const reason = cause instanceof Error ? cause.message : String(cause);
    const where = parts.length > 0 ? parts.join(", ") : "an unknown ledger (header unreadable)";
    super(`TTP extraction failed at ${where}: ${reason}`, { cause });
    this.name = "TtpExtractionError";
    this.location = location;
  }
}
