// Baseline: one TextEncoder.encode per value, then a copy into the column buffer (the first
// implementation). Candidate: utf8Data writing straight into one buffer.
import { utf8Data } from "./columns.ts";

const values = Array.from(
  { length: 20_000 },
  (_, i) =>
    i % 3 === 0
      ? `0270988095627${String(i).padStart(6, "0")}-0000000000`
      : i % 3 === 1
      ? "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"
      : "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
);
const encoder = new TextEncoder();

Deno.bench("encode per value (baseline)", { group: "utf8", baseline: true }, () => {
  const parts = values.map((v) => encoder.encode(v));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
});

Deno.bench("utf8Data", { group: "utf8" }, () => {
  utf8Data(values);
});
