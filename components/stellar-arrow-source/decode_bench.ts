// deno bench -A components/stellar-arrow-source/decode_bench.ts
// What a decode worker does per unit, against zstd decompression alone (the baseline).
import zlib from "node:zlib";
import { decodeUnit } from "./decode.ts";
import { lakePath } from "./testing/fixtures.ts";

const P26 = `${lakePath("pubnet-p26")}/FC3E15FF--63040000-63103999/FC3D4706--63092985.xdr.zst`;
const P19 = `${
  lakePath("testnet-p19")
}/FFEA7C7F--1409920-1410559/FFEA7BFF--1410048-1410111.xdr.zst`;
const p26 = await Deno.readFile(P26);
const p19 = await Deno.readFile(P19);

Deno.bench("p26 1-ledger batch: zstd only", { group: "p26", baseline: true }, () => {
  zlib.zstdDecompressSync(p26);
});
Deno.bench("p26 1-ledger batch: decodeUnit (zstd, split, summary, hash)", { group: "p26" }, () => {
  decodeUnit({ kind: "lake", object: P26, start: 63092985, end: 63092985, bytes: p26 });
});
Deno.bench("p19 64-ledger batch: zstd only", { group: "p19", baseline: true }, () => {
  zlib.zstdDecompressSync(p19);
});
Deno.bench("p19 64-ledger batch: decodeUnit", { group: "p19" }, () => {
  decodeUnit({ kind: "lake", object: P19, start: 1410048, end: 1410111, bytes: p19 });
});
