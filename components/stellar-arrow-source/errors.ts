/**
 * Error kinds of the source, each mapped to one gRPC status by the Flight service. Messages name
 * the ledger and the object (or URL) involved.
 *
 * @module
 */

/**
 * What went wrong, in terms a client can act on. `failed_precondition` is a configuration that
 * does not fit the store (passphrase mismatch, bad or missing manifest, bad URL);
 * `resource_exhausted` a ledger too large for a Flight message.
 */
export type SourceErrorKind =
  | "invalid_argument"
  | "failed_precondition"
  | "not_found"
  | "unavailable"
  | "data_loss"
  | "resource_exhausted"
  | "internal";

/** An error with a kind; `ledger` and `object` are set when the error concerns one. */
export class SourceError extends Error {
  /** `SourceError`. */
  override name = "SourceError";
  /** The error kind (maps to a gRPC status). */
  readonly kind: SourceErrorKind;
  /** The ledger sequence concerned, when known. */
  readonly ledger?: number;
  /** The object key or URL concerned, when known. */
  readonly object?: string;

  /** Creates an error of `kind`; `details` names the ledger/object and the cause. */
  constructor(
    kind: SourceErrorKind,
    message: string,
    details: { ledger?: number; object?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.ledger = details.ledger;
    this.object = details.object;
  }
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `not_found`: none of the candidate names of the batch object holding `ledger` exists. */
export function batchNotFound(ledger: number, objects: readonly string[]): SourceError {
  return new SourceError(
    "not_found",
    `ledger ${ledger}: batch object ${objects[0]} not found (also tried ${
      objects.length - 1
    } other name(s))`,
    { ledger, object: objects[0] },
  );
}

/** `unavailable`: the file at `path` exists but cannot be read. */
export function unreadableFile(path: string, err: unknown, ledger?: number): SourceError {
  return new SourceError("unavailable", `cannot read ${path}: ${errorMessage(err)}`, {
    ledger,
    object: path,
    cause: err,
  });
}
