/**
 * The error type of the XDR walker.
 *
 * @module
 */

/** Details carried by an {@link XdrError}. */
export interface XdrErrorDetails {
  /** Type path to the failing value, e.g. `LedgerCloseMeta.v2.txProcessing[17].result`. */
  readonly path: string;
  /** Byte offset (in the buffer passed to the walker) where the failing item starts. */
  readonly offset: number;
  /** What the walker expected, e.g. `4 bytes for uint`, `bool 0 or 1`. */
  readonly expected: string;
  /** What it found, e.g. `2 bytes left`, `7`. */
  readonly actual: string;
}

/**
 * Malformed or truncated XDR: truncated input, unknown union arm or enum value, bool not 0/1,
 * nonzero padding, length over the declared maximum. The message names the type path, the byte
 * offset, what was expected and what came.
 */
export class XdrError extends Error implements XdrErrorDetails {
  /** Type path to the failing value. */
  readonly path: string;
  /** Byte offset where the failing item starts. */
  readonly offset: number;
  /** What was expected. */
  readonly expected: string;
  /** What came instead. */
  readonly actual: string;

  /** Builds the error; the message is derived from the details. */
  constructor(details: XdrErrorDetails) {
    super(
      `XDR error at ${
        details.path || "<root>"
      } (byte offset ${details.offset}): expected ${details.expected}, got ${details.actual}`,
    );
    this.name = "XdrError";
    this.path = details.path;
    this.offset = details.offset;
    this.expected = details.expected;
    this.actual = details.actual;
  }
}
