// Worker used by mod_test.ts: squares numbers, fails on negative input, crashes on NaN.
import { serveWorker } from "./mod.ts";

class NegativeInputError extends Error {
  override name = "NegativeInputError";
  constructor(readonly input: number) {
    super(`Expected a number >= 0, got ${input}`);
  }
}

type Req = { n: number; delayMs?: number; bytes?: Uint8Array };
type Res = { square: number; bytes?: Uint8Array };

serveWorker<Req, Res>(async (request) => {
  if (Number.isNaN(request.n)) {
    setTimeout(() => {
      throw new Error("boom");
    });
    await new Promise(() => {});
  }
  if (request.n < 0) throw new NegativeInputError(request.n);
  if (request.delayMs) await new Promise((r) => setTimeout(r, request.delayMs));
  if (request.bytes) {
    const out = new Uint8Array(request.bytes.length).fill(request.n);
    return { result: { square: request.n * request.n, bytes: out }, transfer: [out.buffer] };
  }
  return { square: request.n * request.n };
});
