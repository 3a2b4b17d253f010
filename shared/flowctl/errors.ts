/**
 * Classification of control-plane call failures (pure functions over the gRPC status).
 *
 * @module
 */
import { status as GrpcStatus } from "@grpc/grpc-js";

/** The parts of a gRPC error the classifiers look at. */
export interface CallError {
  /** gRPC status code. */
  code?: number;
  /** Status details (server's message). */
  details?: string;
  /** Error message. */
  message?: string;
}

/**
 * True when the control plane no longer knows the service: status NOT_FOUND, or UNKNOWN with
 * "not found" in the text (how flowctl ≤ v0.0.6 reports `service <id> not found`).
 */
export function isServiceNotFound(err: CallError): boolean {
  if (err.code === GrpcStatus.NOT_FOUND) return true;
  const text = `${err.details ?? ""} ${err.message ?? ""}`;
  return err.code === GrpcStatus.UNKNOWN && /not found/i.test(text);
}

/** True when the server does not implement the method or service (e.g. a legacy-only server). */
export function isUnimplemented(err: CallError): boolean {
  return err.code === GrpcStatus.UNIMPLEMENTED;
}

/** Short description for logs and status: `UNAVAILABLE: No connection established`. */
export function describeCallError(err: unknown): string {
  if (err !== null && typeof err === "object") {
    const e = err as CallError;
    if (typeof e.code === "number") {
      const name = GrpcStatus[e.code] ?? `code ${e.code}`;
      return `${name}: ${e.details || e.message || "(no details)"}`;
    }
    if (typeof e.message === "string") return e.message;
  }
  return String(err);
}
