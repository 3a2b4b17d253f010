/**
 * Flight errors: a gRPC status code plus a message, the way Arrow Flight reports failures.
 *
 * Handlers throw {@linkcode FlightError}s (use the static helpers); the server sends their code and
 * message as the gRPC status. Any other thrown value becomes `INTERNAL` with its message. The
 * client turns every failed call back into a {@linkcode FlightError} with the server's code.
 *
 * @module
 */
/**
 * The gRPC status codes (fixed by the gRPC protocol; the same numbers as grpc-js's `status`).
 * Defined here rather than imported so that modules which only encode or decode Flight data
 * (Web Workers among them) do not load grpc-js.
 */
export enum GrpcStatus {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** A gRPC status code (`GrpcStatus.NOT_FOUND`, ...). */
export type GrpcStatusCode = GrpcStatus;

/** Options of {@linkcode FlightError}. */
export interface FlightErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/** A Flight failure: a gRPC status code and a human-readable message. */
export class FlightError extends Error {
  /** The gRPC status code. */
  readonly code: GrpcStatusCode;

  /**
   * @param code gRPC status code, e.g. `GrpcStatus.NOT_FOUND`.
   * @param message what was expected and what came.
   */
  constructor(code: GrpcStatusCode, message: string, options: FlightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FlightError";
    this.code = code;
  }

  /** The symbolic name of {@linkcode FlightError.code}, e.g. `NOT_FOUND`. */
  get codeName(): string {
    return GrpcStatus[this.code] ?? `UNKNOWN_CODE_${this.code}`;
  }

  /** `INVALID_ARGUMENT`: a malformed ticket, descriptor or action body. */
  static invalidArgument(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.INVALID_ARGUMENT, message, options);
  }

  /** `NOT_FOUND`: an unknown path, range or flight. */
  static notFound(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.NOT_FOUND, message, options);
  }

  /** `UNAVAILABLE`: an upstream (data lake, RPC, another Flight server) is down. */
  static unavailable(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.UNAVAILABLE, message, options);
  }

  /** `CANCELLED`: the client went away or cancelled the call. */
  static cancelled(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.CANCELLED, message, options);
  }

  /** `UNIMPLEMENTED`: the call or action is not supported by this server. */
  static unimplemented(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.UNIMPLEMENTED, message, options);
  }

  /** `INTERNAL`: a bug or an unexpected failure on the server. */
  static internal(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.INTERNAL, message, options);
  }

  /** `RESOURCE_EXHAUSTED`: e.g. one row too large for a Flight message. */
  static resourceExhausted(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.RESOURCE_EXHAUSTED, message, options);
  }

  /** `DEADLINE_EXCEEDED`: the call's deadline passed. */
  static deadlineExceeded(message: string, options?: FlightErrorOptions): FlightError {
    return new FlightError(GrpcStatus.DEADLINE_EXCEEDED, message, options);
  }
}

/** True when `err` is a {@linkcode FlightError} with the given code. */
export function isFlightError(err: unknown, code?: GrpcStatusCode): err is FlightError {
  return err instanceof FlightError && (code === undefined || err.code === code);
}

/** The shape of a gRPC error as grpc-js reports it (`ServiceError`). */
interface GrpcErrorLike {
  code: number;
  details?: string;
  message?: string;
}

function isGrpcErrorLike(err: unknown): err is GrpcErrorLike {
  return typeof err === "object" && err !== null && "code" in err &&
    typeof (err as { code: unknown }).code === "number";
}

/**
 * Converts whatever a gRPC call or a handler threw into a {@linkcode FlightError}.
 *
 * A {@linkcode FlightError} is returned as is; a grpc-js `ServiceError` keeps its code and details;
 * anything else becomes `INTERNAL` with its message.
 */
export function toFlightError(err: unknown): FlightError {
  if (err instanceof FlightError) return err;
  if (isGrpcErrorLike(err) && GrpcStatus[err.code] !== undefined) {
    const details = err.details || err.message || GrpcStatus[err.code];
    return new FlightError(err.code, details, { cause: err });
  }
  if (err instanceof Error) return FlightError.internal(err.message || err.name, { cause: err });
  return FlightError.internal(String(err), { cause: err });
}
