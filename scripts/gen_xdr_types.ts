/**
 * Generates `shared/xdr/stellar_types.ts`, the Stellar XDR type table, by introspecting the
 * js-xdr schemas shipped with `@stellar/stellar-sdk` (the `xdr` namespace: every generated class
 * has a static `schema` built from js-xdr's struct/union/enum/... factories).
 *
 * The SDK renames things for JavaScript: enum members are camelCase (`assetTypeNative`), some
 * types are renamed (`ScVal` for `SCVal`). The original XDR spellings are recovered from the
 * ```xdr``` blocks the SDK embeds in its generated `.d.ts` JSDoc; the SDK names are kept as
 * aliases.
 *
 * Run: `deno run -A scripts/gen_xdr_types.ts` (then `deno fmt shared/xdr/stellar_types.ts`).
 *
 * @module
 */
import { xdr } from "@stellar/stellar-sdk";
import type { XdrTypeDef, XdrTypeRef, XdrUnionCase } from "../shared/xdr/table.ts";

interface Schema {
  kind: string;
  name?: string;
  entries?: [string, Schema][];
  element?: Schema;
  length?: number;
  maxLength?: number;
  nameByValue?: Map<number, string>;
  switchOn?: Schema;
  cases?: { name: string; discriminant: number; arm: Schema | ArmField }[];
  defaultArm?: Schema | ArmField;
  getSchema?: () => Schema;
}
interface ArmField {
  kind: "field";
  name: string;
  schema: Schema;
}

const OUT = new URL("../shared/xdr/stellar_types.ts", import.meta.url);
const sdkMain = import.meta.resolve("@stellar/stellar-sdk");
const GEN_DIR = new URL("./xdr/generated/", sdkMain.replace(/index\.js$/, ""));

/** XDR names found in the SDK's embedded XDR source, keyed by lowercase name. */
const xdrNameByLower = new Map<string, string>();
/** enum XDR name -> (normalized member name -> original member name). */
const enumMembers = new Map<string, Map<string, string>>();
/** typedef pairs `[target, name]` from the XDR source (simple `typedef X Y;` only). */
const typedefs: [string, string][] = [];

const norm = (s: string) => s.replaceAll("_", "").toLowerCase();

function parseXdrSources(): void {
  const dir = GEN_DIR.pathname.endsWith("/") ? GEN_DIR : new URL(GEN_DIR.href + "/");
  let blocks = 0;
  for (const entry of Deno.readDirSync(dir)) {
    if (!entry.name.endsWith(".d.ts")) continue;
    const text = Deno.readTextFileSync(new URL(entry.name, dir));
    for (const m of text.matchAll(/```xdr\n([\s\S]*?)```/g)) {
      blocks++;
      const src = m[1].split("\n").map((l) => l.replace(/^\s*\*\s?/, "")).join("\n")
        .replace(/\/\/[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
      for (const d of src.matchAll(/\b(struct|union|enum)\s+([A-Za-z_]\w*)/g)) {
        xdrNameByLower.set(d[2].toLowerCase(), d[2]);
      }
      for (const d of src.matchAll(/\btypedef\s+(?:unsigned\s+)?(\w+)\s*\*?\s*(\w+)\s*([[<]?)/g)) {
        xdrNameByLower.set(d[2].toLowerCase(), d[2]);
        if (d[3] === "") typedefs.push([d[1], d[2]]);
      }
      for (const e of src.matchAll(/\benum\s+(\w+)\s*\{([^}]*)\}/g)) {
        const members = new Map<string, string>();
        for (const mm of e[2].matchAll(/(\w+)\s*=/g)) members.set(norm(mm[1]), mm[1]);
        enumMembers.set(e[1], members);
      }
    }
  }
  if (blocks < 300) throw new Error(`expected hundreds of xdr blocks in ${dir}, found ${blocks}`);
}

function xdrName(sdkName: string): string {
  return xdrNameByLower.get(sdkName.toLowerCase()) ?? sdkName;
}

const table = new Map<string, XdrTypeDef>();
const aliases = new Map<string, string>();
const visiting = new Set<Schema>();
const warnings: string[] = [];

function ref(s: Schema): XdrTypeRef {
  if (s.kind === "lazy") return ref(s.getSchema!());
  switch (s.kind) {
    case "int32":
      return "int";
    case "uint32":
      return "uint";
    case "int64":
      return "hyper";
    case "uint64":
      return "uhyper";
    case "bool":
      return "bool";
    case "void":
      return "void";
  }
  const def = () => define(s);
  if (
    s.name && (s.kind === "struct" || s.kind === "union" || s.kind === "enum" ||
      s.kind === "opaque" || s.kind === "varOpaque")
  ) {
    const name = xdrName(s.name);
    if (name !== s.name) aliases.set(s.name, name);
    if (!table.has(name) && !visiting.has(s)) {
      visiting.add(s);
      table.set(name, def());
    }
    return name;
  }
  return def();
}

function armCase(d: number, a: Schema | ArmField): XdrUnionCase {
  if (a.kind === "field") return [d, ref((a as ArmField).schema), (a as ArmField).name];
  return [d, ref(a as Schema)];
}

function define(s: Schema): XdrTypeDef {
  switch (s.kind) {
    case "opaque":
      return { kind: "opaque", length: s.length! };
    case "varOpaque":
      return { kind: "varOpaque", max: s.maxLength! };
    case "string":
      return { kind: "string", max: s.maxLength! };
    case "fixedArray":
      return { kind: "fixedArray", elem: ref(s.element!), length: s.length! };
    case "array":
      return { kind: "array", elem: ref(s.element!), max: s.maxLength! };
    case "option":
      return { kind: "option", elem: ref(s.element!) };
    case "struct":
      return { kind: "struct", fields: s.entries!.map(([f, t]) => [f, ref(t)] as const) };
    case "enum": {
      const name = xdrName(s.name!);
      const members = enumMembers.get(name);
      if (!members) warnings.push(`no XDR source for enum ${name}: camelCase names kept`);
      const cases = [...s.nameByValue!.entries()].map(([v, n]) => {
        const orig = members?.get(norm(n));
        if (members && !orig) warnings.push(`enum ${name}: member ${n} not in XDR source`);
        return [v, orig ?? n] as const;
      });
      return { kind: "enum", cases };
    }
    case "union": {
      const sw = ref(s.switchOn!);
      if (
        sw !== "int" && sw !== "uint" && (typeof sw !== "string" || s.switchOn!.kind !== "enum")
      ) {
        throw new Error(`union ${s.name}: unsupported switch kind ${s.switchOn!.kind}`);
      }
      const cases = s.cases!.map((c) => armCase(c.discriminant, c.arm));
      if (!s.defaultArm) return { kind: "union", switch: sw, cases };
      const [, t, armName] = armCase(0, s.defaultArm);
      return armName === undefined
        ? { kind: "union", switch: sw, cases, default: t }
        : { kind: "union", switch: sw, cases, default: t, defaultName: armName };
    }
  }
  throw new Error(`unsupported schema kind ${s.kind} (${s.name ?? "anonymous"})`);
}

parseXdrSources();
const ns = xdr as unknown as Record<string, { schema?: Schema }>;
for (const [key, value] of Object.entries(ns)) {
  const s = value?.schema;
  if (!s || typeof s !== "object" || typeof s.kind !== "string") continue;
  if (s.name !== key) continue; // arm subclasses inherit their union's schema
  ref(s);
}
for (const [target, name] of typedefs) {
  const t = table.has(target) ? target : aliases.get(target) ?? xdrName(target);
  if (table.has(t) && !table.has(name) && name !== t) aliases.set(name, t);
}
/**
 * Typedefs the SDK flattens away (its schemas inline them), from Stellar-types.x,
 * Stellar-contract.x and Stellar-ledger.x. They become aliases so `decode("SCMap", ...)` works;
 * typedefs are transparent, so they cannot be lazy on their own (use the element type).
 */
const INLINE_TYPEDEFS: Record<string, XdrTypeRef> = {
  uint256: "Uint256Bytes",
  int32: "int",
  uint32: "uint",
  int64: "hyper",
  uint64: "uhyper",
  TimePoint: "uhyper",
  Duration: "uhyper",
  SequenceNumber: "hyper",
  AccountID: "PublicKey",
  NodeID: "PublicKey",
  string32: { kind: "string", max: 32 },
  string64: { kind: "string", max: 64 },
  SCString: { kind: "string", max: 0xffffffff },
  SCSymbol: { kind: "string", max: 32 },
  SCVec: { kind: "array", elem: "SCVal", max: 0xffffffff },
  SCMap: { kind: "array", elem: "SCMapEntry", max: 0xffffffff },
  LedgerEntryChanges: { kind: "array", elem: "LedgerEntryChange", max: 0xffffffff },
  DependentTxCluster: { kind: "array", elem: "TransactionEnvelope", max: 0xffffffff },
  ParallelTxExecutionStage: {
    kind: "array",
    elem: { kind: "array", elem: "TransactionEnvelope", max: 0xffffffff },
    max: 0xffffffff,
  },
};
const extraAliases: [string, XdrTypeRef][] = [];
for (const [name, target] of Object.entries(INLINE_TYPEDEFS)) {
  if (table.has(name) || aliases.has(name)) continue;
  if (typeof target === "string" && !table.has(target) && !/^u?(int|hyper)$/.test(target)) {
    throw new Error(`typedef ${name}: unknown target ${target}`);
  }
  extraAliases.push([name, target]);
}

const names = [...table.keys()].sort();
const lines: string[] = [];
lines.push(
  "// GENERATED by scripts/gen_xdr_types.ts from @stellar/stellar-sdk's js-xdr schemas. DO NOT EDIT.",
  "// Regenerate: deno run -A scripts/gen_xdr_types.ts && deno fmt shared/xdr/stellar_types.ts",
  "",
  'import type { XdrTypeTable } from "./table.ts";',
  "",
  "/** Stellar XDR (protocol 26, as shipped by @stellar/stellar-sdk 17.2.0), keyed by XDR name. */",
  "export const STELLAR_TYPES: XdrTypeTable = {",
);
for (const n of names) lines.push(`  ${JSON.stringify(n)}: ${JSON.stringify(table.get(n))},`);
for (const [a, t] of extraAliases) {
  lines.push(`  ${JSON.stringify(a)}: {"kind":"alias","target":${JSON.stringify(t)}},`);
}
for (const [a, t] of [...aliases.entries()].sort()) {
  if (!table.has(a)) {
    lines.push(`  ${JSON.stringify(a)}: {"kind":"alias","target":${JSON.stringify(t)}},`);
  }
}
lines.push("};", "");
Deno.writeTextFileSync(OUT, lines.join("\n"));
for (const w of warnings) console.warn("warning:", w);
console.log(`wrote ${OUT.pathname}: ${names.length} types, ${aliases.size} aliases`);
