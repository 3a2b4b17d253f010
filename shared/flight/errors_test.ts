import assert from "node:assert/strict";
import { status } from "@grpc/grpc-js";
import { FlightError, GrpcStatus, toFlightError } from "./errors.ts";

Deno.test("GrpcStatus has grpc-js's status codes, name for name and number for number", () => {
  const names = (e: Record<string, string | number>) =>
    Object.entries(e).filter(([, v]) => typeof v === "number").sort(([a], [b]) => a < b ? -1 : 1);
  const ours = names(GrpcStatus as unknown as Record<string, string | number>);
  assert.equal(ours.length, 17);
  assert.deepEqual(ours, names(status as unknown as Record<string, string | number>));
  for (const [name, code] of ours) assert.equal(GrpcStatus[code as number], name);
});

Deno.test("a grpc-js error keeps its code and details; a FlightError names its code", () => {
  const err = Object.assign(new Error("5 NOT_FOUND: no such flight"), {
    code: status.NOT_FOUND,
    details: "no such flight",
  });
  const fe = toFlightError(err);
  assert.equal(fe.code, GrpcStatus.NOT_FOUND);
  assert.equal(fe.message, "no such flight");
  assert.equal(FlightError.unavailable("down").codeName, "UNAVAILABLE");
});
