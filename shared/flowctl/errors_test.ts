import assert from "node:assert/strict";
import { status } from "@grpc/grpc-js";
import { describeCallError, isServiceNotFound, isUnimplemented } from "./errors.ts";

Deno.test("isServiceNotFound recognises both servers' answers", () => {
  const cases: [object, boolean][] = [
    [{ code: status.NOT_FOUND, details: "service x not found" }, true],
    [{ code: status.NOT_FOUND, details: "" }, true],
    [{ code: status.UNKNOWN, details: "service SERVICE_TYPE_SOURCE-1 not found" }, true],
    [{ code: status.UNKNOWN, details: "", message: "2 UNKNOWN: service a Not Found" }, true],
    [{ code: status.UNKNOWN, details: "boom" }, false],
    [{ code: status.UNAVAILABLE, details: "not found" }, false],
    [{ code: status.DEADLINE_EXCEEDED }, false],
    [{}, false],
  ];
  for (const [err, expected] of cases) {
    assert.equal(isServiceNotFound(err), expected, JSON.stringify(err));
  }
});

Deno.test("isUnimplemented and describeCallError", () => {
  assert.equal(isUnimplemented({ code: status.UNIMPLEMENTED }), true);
  assert.equal(isUnimplemented({ code: status.NOT_FOUND }), false);
  assert.equal(
    describeCallError({ code: status.UNAVAILABLE, details: "No connection established" }),
    "UNAVAILABLE: No connection established",
  );
  assert.equal(describeCallError(new Error("bad")), "bad");
  assert.equal(describeCallError("x"), "x");
});
