/**
 * Fast path of the XDR walker: generates one specialized JavaScript function per compiled type
 * node (skip and decode), with lazy types baked in, and evaluates them with `new Function`.
 *
 * The generated code throws {@link XdrError}s without a type path; the type system then re-runs
 * the reference interpreter on the same bytes to produce the error with its full path.
 *
 * @module
 */
import { XdrError } from "./errors.ts";
import { decodeString } from "./interpreter.ts";
import {
  K_ARRAY,
  K_BOOL,
  K_ENUM,
  K_FARRAY,
  K_HYPER,
  K_INT,
  K_OPAQUE,
  K_OPTION,
  K_STRING,
  K_STRUCT,
  K_UHYPER,
  K_UINT,
  K_UNION,
  K_VAROPAQUE,
  K_VOID,
  XdrSpan,
  type XdrType,
  type XdrValue,
} from "./types.ts";

/** A compiled walker: skip/decode entry points by node. */
export interface CompiledWalker {
  /** Skips a value of `t` at `offset`; returns the end offset. */
  skip(t: XdrType, bytes: Uint8Array, offset: number): number;
  /** Decodes a value of `t` at `offset` (root never lazy). Returns value and sets `end`. */
  decode(t: XdrType, bytes: Uint8Array, offset: number): XdrValue;
  /** End offset of the last decode. */
  readonly end: number;
  /** Size of the generated source, for diagnostics. */
  readonly sourceLength: number;
}

const PRIMITIVE = new Set([K_INT, K_UINT, K_HYPER, K_UHYPER, K_BOOL, K_VOID]);

const RUNTIME = `
"use strict";
let b = EMPTY, n = 0, p = 0, dv = new DataView(EMPTY.buffer), buf = EMPTY.buffer, bo = 0;
function fail(at, expected, actual) { throw E(at, expected, actual); }
function u32() {
  const q = p;
  if (q + 4 > n) fail(q, "4 bytes", (n - q) + " bytes left");
  p = q + 4;
  return ((b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3]) >>> 0;
}
function i32() {
  const q = p;
  if (q + 4 > n) fail(q, "4 bytes", (n - q) + " bytes left");
  p = q + 4;
  return (b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3];
}
function h64() {
  const q = p;
  if (q + 8 > n) fail(q, "8 bytes", (n - q) + " bytes left");
  p = q + 8;
  return dv.getBigInt64(q);
}
function uh64() {
  const q = p;
  if (q + 8 > n) fail(q, "8 bytes", (n - q) + " bytes left");
  p = q + 8;
  return dv.getBigUint64(q);
}
function bool() {
  const at = p;
  const v = u32();
  if (v > 1) fail(at, "bool 0 or 1", "" + v);
  return v === 1;
}
function pad(len) {
  const k = (4 - (len & 3)) & 3;
  for (let i = 0; i < k; i++) if (b[p + i] !== 0) fail(p + i, "zero padding byte", "" + b[p + i]);
  p += k;
}
function vlen(max, unit) {
  const at = p;
  const len = u32();
  if (len > max) fail(at, "length <= " + max, "" + len);
  if (p + len * unit > n) fail(at, (len * unit) + " bytes", (n - p) + " bytes left");
  return len;
}
function opq(len) {
  if (p + len > n) fail(p, len + " bytes", (n - p) + " bytes left");
  const v = new Uint8Array(buf, bo + p, len);
  p += len;
  pad(len);
  return v;
}
function vopq(max) {
  const len = vlen(max, 1);
  const v = new Uint8Array(buf, bo + p, len);
  p += len;
  pad(len);
  return v;
}
function str(max) {
  const len = vlen(max, 1);
  const v = decodeString(b, p, len);
  p += len;
  pad(len);
  return v;
}
function rd(q) {
  if (q + 4 > n) fail(q, "4 bytes", (n - q) + " bytes left");
  return ((b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3]) >>> 0;
}
function rdi(q) {
  if (q + 4 > n) fail(q, "4 bytes", (n - q) + " bytes left");
  return (b[q] << 24) | (b[q + 1] << 16) | (b[q + 2] << 8) | b[q + 3];
}
function sopq(q, max) {
  const len = rd(q);
  if (len > max) fail(q, "length <= " + max, "" + len);
  let e = q + 4 + len;
  if (e > n) fail(q, len + " bytes", (n - q - 4) + " bytes left");
  switch (len & 3) {
    case 1: if (b[e++] !== 0) fail(e - 1, "zero padding byte", "" + b[e - 1]);
    // falls through
    case 2: if (b[e++] !== 0) fail(e - 1, "zero padding byte", "" + b[e - 1]);
    // falls through
    case 3: if (b[e++] !== 0) fail(e - 1, "zero padding byte", "" + b[e - 1]);
  }
  return e;
}
function alen(q, max, unit) {
  const len = rd(q);
  if (len > max) fail(q, "length <= " + max, "" + len);
  if (q + 4 + len * unit > n) fail(q, (len * unit) + " bytes", (n - q - 4) + " bytes left");
  return len;
}
function sflag(q) {
  const f = rd(q);
  if (f > 1) fail(q, "optional flag 0 or 1", "" + f);
  return f;
}
function flag() {
  const at = p;
  const f = u32();
  if (f > 1) fail(at, "optional flag 0 or 1", "" + f);
  return f;
}
function fixed(k) {
  if (p + k > n) fail(p, k + " bytes", (n - p) + " bytes left");
  p += k;
}
`;

/**
 * Generates and evaluates the walker for `nodes`, with `lazy[id] === 1` types left as spans.
 * With `strict`, skip checks every enum value and bool as decode does, instead of jumping over
 * fixed-size values that hold them (see `XdrTypeSystem.check`); a strict walker has no decode.
 */
export function compileWalker(
  nodes: readonly XdrType[],
  lazy: Uint8Array | null,
  strict = false,
): CompiledWalker {
  const out: string[] = [RUNTIME];
  const isLazy = (t: XdrType) => lazy !== null && t.name !== "" && lazy[t.id] === 1;

  /** Whether a value of `t` holds an enum or bool (memoised; recursion only via variable sizes). */
  const checkMemo = new Map<number, boolean>();
  const holdsChecked = (t: XdrType): boolean => {
    let r = checkMemo.get(t.id);
    if (r !== undefined) return r;
    checkMemo.set(t.id, false);
    switch (t.kind) {
      case K_ENUM:
      case K_BOOL:
        r = true;
        break;
      case K_OPAQUE: // its padding bytes
        r = (t.len & 3) !== 0;
        break;
      case K_STRUCT:
        r = t.fieldTypes.some(holdsChecked);
        break;
      case K_UNION:
        r = armsOf(t).some(([, a]) => holdsChecked(a)) || (t.def !== null && holdsChecked(t.def));
        break;
      case K_FARRAY:
      case K_ARRAY:
      case K_OPTION:
        r = holdsChecked(t.elem!);
        break;
      default:
        r = false;
    }
    checkMemo.set(t.id, r);
    return r;
  };
  /** A fixed-size value skipped by jumping over it. */
  const jumpable = (t: XdrType): boolean => t.size >= 0 && !(strict && holdsChecked(t));
  /** Whether `t` gets a skip function `s<id>`. */
  const hasSkipFn = (t: XdrType): boolean =>
    !PRIMITIVE.has(t.kind) && t.kind !== K_VAROPAQUE && t.kind !== K_STRING &&
    (t.size < 0 || !jumpable(t));

  /** Statement advancing position variable `v` past a value of `t`. */
  const skipStmt = (t: XdrType, v = "q"): string => {
    if (t.size === 0) return "";
    if (t.kind === K_BOOL && strict) {
      return `{ const x = rd(${v}); if (x > 1) fail(${v}, "bool 0 or 1", "" + x); ${v} += 4; }`;
    }
    if (jumpable(t)) return `${v} += ${t.size};`;
    if (t.kind === K_VAROPAQUE || t.kind === K_STRING) return `${v} = sopq(${v}, ${t.len});`;
    if (t.kind === K_UNION && simpleUnion(t)) return inlineUnionSkip(t, v);
    if (t.kind === K_OPTION && jumpable(t.elem!)) {
      return `${v} += sflag(${v}) === 1 ? ${4 + t.elem!.size} : 4;`;
    }
    return `${v} = s${t.id}(${v});`;
  };
  /** A union whose arms are all fixed-size, without an enum-checked default: skipped inline. */
  const simpleUnion = (t: XdrType): boolean =>
    armsOf(t).every(([, a]) => jumpable(a)) &&
    (t.def === null || (t.sw === null && jumpable(t.def)));
  const inlineUnionSkip = (t: XdrType, v: string): string => {
    const arms = armsOf(t);
    const read = t.unsigned ? `rd(${v})` : `rdi(${v})`;
    const failArm = `fail(${v}, ${
      JSON.stringify(`a known arm of union ${t.label}`)
    }, "discriminant " + d);`;
    const sizes = new Set(arms.map(([, a]) => a.size));
    if (t.def === null && sizes.size === 1 && arms.length <= 4) {
      const cond = arms.map(([d]) => `d !== ${d}`).join(" && ");
      return `{ const d = ${read}; if (${cond}) ${failArm} ${v} += ${4 + [...sizes][0]}; }`;
    }
    let sw = `{ const d = ${read}; switch (d) { `;
    for (const [d, a] of arms) sw += `case ${d}: ${v} += ${4 + a.size}; break; `;
    sw += t.def !== null ? `default: ${v} += ${4 + t.def.size};` : `default: ${failArm}`;
    return sw + " } }";
  };

  const decExpr = (t: XdrType): string => {
    if (isLazy(t)) return `l${t.id}()`;
    switch (t.kind) {
      case K_INT:
        return "i32()";
      case K_UINT:
        return "u32()";
      case K_HYPER:
        return "h64()";
      case K_UHYPER:
        return "uh64()";
      case K_BOOL:
        return "bool()";
      case K_VOID:
        return "undefined";
      case K_OPAQUE:
        return `opq(${t.len})`;
      case K_VAROPAQUE:
        return `vopq(${t.len})`;
      case K_STRING:
        return `str(${t.len})`;
    }
    return `d${t.id}()`;
  };

  const enumTable = (t: XdrType): string => {
    if (t.nameMap !== null) return `new Map(${JSON.stringify([...t.nameMap])})`;
    return JSON.stringify(t.names.map((x) => x ?? null)).replaceAll("null", "undefined");
  };
  const enumLookup = (t: XdrType, v: string): string =>
    t.nameMap !== null ? `N${t.id}.get(${v})` : `N${t.id}[${v} - ${t.min}]`;

  const armsOf = (t: XdrType): [number, XdrType][] => {
    const arms: [number, XdrType][] = [];
    if (t.armMap !== null) { for (const [d, [a]] of t.armMap) arms.push([d, a]); }
    else {t.arms.forEach((a, i) => {
        if (a !== undefined) arms.push([i + t.min, a]);
      });}
    return arms;
  };

  const unionHead = (t: XdrType): string =>
    `const at = p; const d = ${t.unsigned ? "u32()" : "i32()"};`;
  const unionDefault = (t: XdrType, body: (lbl: string) => string): string => {
    if (t.def === null) {
      return `default: fail(at, ${
        JSON.stringify(`a known arm of union ${t.label}`)
      }, "discriminant " + d);`;
    }
    if (t.sw === null) return `default: ${body("d")}`;
    return `default: { const lbl = ${enumLookup(t.sw, "d")}; if (lbl === undefined) fail(at, ${
      JSON.stringify(`a ${t.sw.label} value for union ${t.label}`)
    }, "" + d); ${body("lbl")} }`;
  };
  const armLabel = (t: XdrType, d: number): string =>
    t.sw === null ? String(t.unsigned ? d >>> 0 : d) : JSON.stringify(t.sw.enumName(d));

  for (const t of nodes) {
    if (PRIMITIVE.has(t.kind)) continue;
    if (t.kind === K_ENUM) out.push(`const N${t.id} = ${enumTable(t)};`);
    // Skip function (variable-size nodes, and when strict fixed-size ones holding an enum or
    // bool): position in, position out.
    if (hasSkipFn(t)) {
      let body = "";
      switch (t.kind) {
        case K_OPAQUE:
          body =
            `if (q + ${t.size} > n) fail(q, "${t.size} bytes", (n - q) + " bytes left"); q += ${t.len}; ` +
            `for (let i = 0; i < ${
              t.size - t.len
            }; i++) if (b[q + i] !== 0) fail(q + i, "zero padding byte", "" + b[q + i]); ` +
            `q += ${t.size - t.len};`;
          break;
        case K_ENUM:
          body = `const v = rdi(q); if (${enumLookup(t, "v")} === undefined) fail(q, ${
            JSON.stringify(`a ${t.label} value`)
          }, "" + v); q += 4;`;
          break;
        case K_STRUCT: {
          let fixedRun = 0;
          for (const f of t.fieldTypes) {
            if (jumpable(f)) fixedRun += f.size;
            else {
              if (fixedRun) body += `q += ${fixedRun}; `;
              fixedRun = 0;
              body += skipStmt(f) + " ";
            }
          }
          if (fixedRun) body += `q += ${fixedRun};`;
          break;
        }
        case K_UNION: {
          body = `const at = q; const d = ${
            t.unsigned ? "rd(q)" : "rdi(q)"
          }; q += 4; switch (d) { `;
          for (const [d, a] of armsOf(t)) body += `case ${d}: ${skipStmt(a)} break; `;
          body += unionDefault(t, () => `${t.def ? skipStmt(t.def) : ""} break;`) + " }";
          break;
        }
        case K_FARRAY:
          body = `for (let i = 0; i < ${t.len}; i++) { ${skipStmt(t.elem!)} }`;
          break;
        case K_ARRAY: {
          const e = t.elem!;
          body = jumpable(e)
            ? `const len = alen(q, ${t.len}, ${e.size}); q += 4 + len * ${e.size};`
            : `const len = alen(q, ${t.len}, 4); q += 4; for (let i = 0; i < len; i++) { ${
              skipStmt(e)
            } }`;
          break;
        }
        case K_OPTION:
          body = `if (sflag(q) === 1) { q += 4; ${skipStmt(t.elem!)} } else q += 4;`;
          break;
      }
      out.push(`function s${t.id}(q) { ${body} return q; }`);
    }
    // Lazy span function.
    if (isLazy(t)) {
      const skip = t.size >= 0 ? `fixed(${t.size});` : skipStmt(t, "p");
      out.push(
        `function l${t.id}() { const st = p; ${skip} return new XdrSpan(${
          JSON.stringify(t.name)
        }, st, p, b); }`,
      );
    }
    // Decode function (a strict walker only skips: see XdrTypeSystem.check).
    if (strict) continue;
    let body = "";
    switch (t.kind) {
      case K_OPAQUE:
        body = `return opq(${t.len});`;
        break;
      case K_VAROPAQUE:
        body = `return vopq(${t.len});`;
        break;
      case K_STRING:
        body = `return str(${t.len});`;
        break;
      case K_ENUM:
        body = `const at = p; const v = i32(); const s = ${
          enumLookup(t, "v")
        }; if (s === undefined) fail(at, ${
          JSON.stringify(`a ${t.label} value`)
        }, "" + v); return s;`;
        break;
      case K_STRUCT:
        body = `return { ${
          t.fieldNames.map((f, i) => `${JSON.stringify(f)}: ${decExpr(t.fieldTypes[i])}`).join(", ")
        } };`;
        break;
      case K_UNION: {
        body = unionHead(t) + " switch (d) { ";
        for (const [d, a] of armsOf(t)) {
          body += `case ${d}: return { arm: ${armLabel(t, d)}, value: ${decExpr(a)} }; `;
        }
        body += unionDefault(
          t,
          (lbl) => `return { arm: ${lbl}, value: ${t.def ? decExpr(t.def) : "undefined"} };`,
        ) + " }";
        break;
      }
      case K_FARRAY:
        body = `const a = new Array(${t.len}); for (let i = 0; i < ${t.len}; i++) a[i] = ${
          decExpr(t.elem!)
        }; return a;`;
        break;
      case K_ARRAY: {
        const e = t.elem!;
        body = `const len = vlen(${t.len}, ${e.size >= 0 ? e.size : 4}); const a = []; ` +
          `for (let i = 0; i < len; i++) a.push(${decExpr(e)}); return a;`;
        break;
      }
      case K_OPTION:
        body = `return flag() === 1 ? ${decExpr(t.elem!)} : null;`;
        break;
    }
    out.push(`function d${t.id}() { ${body} }`);
  }

  const entries = nodes.filter((t) => !PRIMITIVE.has(t.kind));
  out.push(`const S = []; const D = [];`);
  for (const t of entries) {
    if (hasSkipFn(t)) out.push(`S[${t.id}] = s${t.id};`);
    if (!strict) out.push(`D[${t.id}] = d${t.id};`);
  }
  out.push(`
const api = {
  end: 0,
  skip(t, bytes, offset) {
    b = bytes; n = bytes.length; p = offset;
    try {
      const f = S[t.id];
      if (f !== undefined) p = f(p);
      else if (t.kind === ${K_VAROPAQUE} || t.kind === ${K_STRING}) p = sopq(p, t.len);
      else fixed(t.size);
      if (p > n) fail(n, "more bytes", "end of input");
      return p;
    } finally { b = EMPTY; }
  },
  decode(t, bytes, offset) {
    b = bytes; n = bytes.length; p = offset;
    dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    buf = bytes.buffer; bo = bytes.byteOffset;
    try {
      const v = D[t.id]();
      if (p > n) fail(n, "more bytes", "end of input");
      api.end = p;
      return v;
    } finally { b = EMPTY; dv = EMPTY_DV; buf = EMPTY.buffer; }
  },
  sourceLength: 0,
};
return api;`);
  const src = out.join("\n");
  const EMPTY = new Uint8Array(0);
  const factory = new Function(
    "E",
    "XdrSpan",
    "decodeString",
    "EMPTY",
    "EMPTY_DV",
    src,
  ) as (...args: unknown[]) => CompiledWalker & { sourceLength: number };
  const api = factory(
    (offset: number, expected: string, actual: string) =>
      new XdrError({ path: "", offset, expected, actual }),
    XdrSpan,
    decodeString,
    EMPTY,
    new DataView(EMPTY.buffer),
  );
  api.sourceLength = src.length;
  return api;
}
