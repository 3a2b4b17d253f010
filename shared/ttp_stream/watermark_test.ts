import assert from "node:assert/strict";
import { decodeWatermark, encodeWatermark } from "./watermark.ts";

Deno.test("watermarks round-trip; other metadata is not a watermark", () => {
  assert.equal(decodeWatermark(encodeWatermark(63093001)), 63093001);
  assert.equal(decodeWatermark(encodeWatermark(0)), 0);
  const t = new TextEncoder();
  const cases: [Uint8Array | undefined, number | undefined][] = [
    [undefined, undefined],
    [new Uint8Array(0), undefined],
    [t.encode("not json"), undefined],
    [t.encode('{"first_ledger":5}'), undefined],
    [t.encode('{"complete_through":"5"}'), undefined],
    [t.encode('{"complete_through":-1}'), undefined],
    [t.encode('{"complete_through":7,"extra":true}'), 7],
  ];
  for (const [bytes, want] of cases) assert.equal(decodeWatermark(bytes), want);
  assert.throws(() => encodeWatermark(1.5), /Expected a ledger sequence \(uint32\), got 1.5/);
});
