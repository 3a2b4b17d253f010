/**
 * Table-driven, zero-copy XDR walker: compiles an {@link XdrTypeTable} into linked nodes with
 * precomputed fixed sizes, then skips or decodes values straight out of a `Uint8Array`.
 *
 * Decoded shape: struct → plain object keyed by the `.x` field names; union →
 * `{ arm, value }` (arm = enum case name, or the number for int-switched unions; value undefined
 * for void arms); enum → case name; int/uint → number; hyper/uhyper → bigint; bool → boolean;
 * opaque → `Uint8Array` (a subarray of the input, no copy); string → string; optional → value or
 * null; arrays → arrays; typedefs are transparent. Types named in `lazy` decode to
 * {@link XdrSpan}s instead.
 *
 * Strings: decoded as UTF-8; if the bytes are not valid UTF-8 they are decoded as latin1 (one
 * char per byte, U+0000–U+00FF), which is lossless: `Uint8Array.from(s, (c) => c.charCodeAt(0))`
 * gives the bytes back. Valid UTF-8 strings never contain that ambiguity unless they are pure
 * ASCII, where both readings agree.
 *
 * @module
 */
import { XdrError } from "./errors.ts";
import type { XdrTypeDef, XdrTypeRef, XdrTypeTable } from "./table.ts";

/** Any decoded XDR value. */
export type XdrValue =
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | null
  | undefined
  | XdrSpan
  | XdrUnion
  | XdrStruct
  | readonly XdrValue[];

/** A decoded struct: field name → value. */
export interface XdrStruct {
  readonly [field: string]: XdrValue;
}

/** A decoded union. */
export interface XdrUnion<A extends string | number = string | number, V = XdrValue> {
  /** Enum case name of the discriminant, or the number for int-switched unions. */
  readonly arm: A;
  /** The arm's value; undefined for void arms. */
  readonly value: V;
}

/**
 * A value that was not materialized because its type was in the `lazy` set: the type name
 * (canonical table name) and the byte range `[offset, end)` inside `bytes`.
 */
export class XdrSpan {
  /** Canonical type name. */
  readonly type: string;
  /** Start offset in `bytes`. */
  readonly offset: number;
  /** End offset (exclusive) in `bytes`. */
  readonly end: number;
  /** The buffer the span points into (not copied). */
  readonly bytes: Uint8Array;

  /** Creates a span. */
  constructor(type: string, offset: number, end: number, bytes: Uint8Array) {
    this.type = type;
    this.offset = offset;
    this.end = end;
    this.bytes = bytes;
  }

  /** The span's bytes (a subarray, no copy). */
  raw(): Uint8Array {
    return this.bytes.subarray(this.offset, this.end);
  }
}

/** Options for {@link XdrTypeSystem.decode}. */
export interface DecodeOptions {
  /** Type names (canonical or alias) to leave undecoded as {@link XdrSpan}s. */
  readonly lazy?: ReadonlySet<string>;
}

/** Result of a decode: the value and the offset just past it. */
export interface DecodeResult<T = XdrValue> {
  /** The decoded value. */
  readonly value: T;
  /** Offset just past the decoded bytes. */
  readonly end: number;
}

/** Result of {@link XdrTypeSystem.unionArm}. */
export interface UnionArmInfo {
  /** Enum case name or number (same as a decoded union's `arm`). */
  readonly arm: string | number;
  /** The raw discriminant. */
  readonly discriminant: number;
  /** Offset of the arm's value (just past the discriminant). */
  readonly offset: number;
  /** The arm's type handle (void arms have kind "void"). */
  readonly type: XdrType;
}

// Node kinds.
const K_INT = 0,
  K_UINT = 1,
  K_HYPER = 2,
  K_UHYPER = 3,
  K_BOOL = 4,
  K_VOID = 5,
  K_OPAQUE = 6,
  K_VAROPAQUE = 7,
  K_STRING = 8,
  K_ENUM = 9,
  K_STRUCT = 10,
  K_UNION = 11,
  K_FARRAY = 12,
  K_ARRAY = 13,
  K_OPTION = 14;

const KIND_NAMES = [
  "int",
  "uint",
  "hyper",
  "uhyper",
  "bool",
  "void",
  "opaque",
  "varOpaque",
  "string",
  "enum",
  "struct",
  "union",
  "fixedArray",
  "array",
  "option",
] as const;

const DENSE_LIMIT = 4096;

/**
 * A compiled type. Obtain with {@link XdrTypeSystem.type}; pass it instead of a name to skip the
 * name lookup.
 */
export class XdrType {
  /** @internal Node id (index in the system). */
  readonly id: number;
  /** @internal Kind code. */
  kind = 0;
  /** Canonical table name, or "" for anonymous inline types. */
  name = "";
  /** Fixed wire size in bytes, or -1 if variable. */
  size = -1;
  /** @internal Opaque/fixed-array length or var-length maximum. */
  len = 0;
  /** @internal Element type for arrays and optionals. */
  elem: XdrType | null = null;
  /** @internal Struct field names. */
  fieldNames: string[] = [];
  /** @internal Struct field types. */
  fieldTypes: XdrType[] = [];
  /** @internal Enum: smallest value (dense table base). */
  min = 0;
  /** @internal Enum names (dense, index value - min) when not sparse. */
  names: (string | undefined)[] = [];
  /** @internal Enum names when sparse. */
  nameMap: Map<number, string> | null = null;
  /** @internal Union: enum switch type, or null for int/uint switches. */
  sw: XdrType | null = null;
  /** @internal Union arms (dense by discriminant - min) or sparse map. */
  arms: (XdrType | undefined)[] = [];
  /** @internal Union arm field names (dense) for paths. */
  armNames: string[] = [];
  /** @internal Sparse union arms. */
  armMap: Map<number, [XdrType, string]> | null = null;
  /** @internal Union default arm or null. */
  def: XdrType | null = null;
  /** @internal Default arm field name. */
  defName = "";
  /** @internal Union switch is unsigned. */
  unsigned = false;

  /** @internal */
  constructor(id: number) {
    this.id = id;
  }

  /** Kind name: "struct", "union", "enum", "opaque", ... */
  get kindName(): string {
    return KIND_NAMES[this.kind];
  }

  /** Human-readable label for error messages. */
  get label(): string {
    return this.name || KIND_NAMES[this.kind];
  }

  /** @internal Enum case name for a value, or undefined. */
  enumName(v: number): string | undefined {
    if (this.nameMap !== null) return this.nameMap.get(v);
    return this.names[v - this.min];
  }
}

const PRIMS: Record<string, number> = {
  int: K_INT,
  uint: K_UINT,
  hyper: K_HYPER,
  uhyper: K_UHYPER,
  bool: K_BOOL,
  void: K_VOID,
};

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeString(b: Uint8Array, start: number, len: number): string {
  if (len < 64) {
    let s = "";
    for (let i = 0; i < len; i++) {
      const c = b[start + i];
      if (c >= 0x80) return decodeStringSlow(b, start, len);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeStringSlow(b, start, len);
}

function decodeStringSlow(b: Uint8Array, start: number, len: number): string {
  const sub = b.subarray(start, start + len);
  try {
    return utf8.decode(sub);
  } catch {
    let s = "";
    for (let i = 0; i < len; i++) s += String.fromCharCode(sub[i]);
    return s;
  }
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

/** A compiled type table with skip/decode over it. */
export class XdrTypeSystem {
  readonly #byName = new Map<string, XdrType>();
  readonly #nodes: XdrType[] = [];
  readonly #table: XdrTypeTable;
  readonly #lazyCache = new WeakMap<ReadonlySet<string>, Uint8Array>();

  /** Compiles `table`. Throws if it references undefined names. */
  constructor(table: XdrTypeTable) {
    this.#table = table;
    for (const name of Object.keys(table)) {
      if (table[name].kind === "alias") continue;
      const n = this.#newNode();
      n.name = name;
      this.#byName.set(name, n);
    }
    for (const name of Object.keys(table)) {
      const def = table[name];
      if (def.kind === "alias") {
        this.#byName.set(name, this.#ref(def.target, name));
      }
    }
    // Enums first: unions check their switch type's kind while being filled.
    for (const pass of [true, false]) {
      for (const name of Object.keys(table)) {
        const def = table[name];
        if (def.kind !== "alias" && (def.kind === "enum") === pass) {
          this.#fill(this.#byName.get(name)!, def, name);
        }
      }
    }
    // Fixed sizes: iterate to a fixpoint (recursive types stay variable).
    let changed = true;
    while (changed) {
      changed = false;
      for (const n of this.#nodes) {
        if (n.size >= 0) continue;
        const s = this.#computeSize(n);
        if (s >= 0) {
          n.size = s;
          changed = true;
        }
      }
    }
  }

  #newNode(): XdrType {
    const n = new XdrType(this.#nodes.length);
    this.#nodes.push(n);
    return n;
  }

  #ref(r: XdrTypeRef, ctx: string): XdrType {
    if (typeof r === "string") {
      const p = PRIMS[r];
      if (p !== undefined) {
        const n = this.#newNode();
        n.kind = p;
        return n;
      }
      const named = this.#byName.get(r);
      if (named) return named;
      const def = this.#table[r];
      if (def?.kind === "alias") {
        const t = this.#ref(def.target, r);
        this.#byName.set(r, t);
        return t;
      }
      throw new Error(`XDR type table: ${ctx} references unknown type ${r}`);
    }
    if (r.kind === "alias") return this.#ref(r.target, ctx);
    const n = this.#newNode();
    this.#fill(n, r, ctx);
    return n;
  }

  #fill(n: XdrType, def: XdrTypeDef, ctx: string): void {
    switch (def.kind) {
      case "opaque":
        n.kind = K_OPAQUE;
        n.len = def.length;
        return;
      case "varOpaque":
        n.kind = K_VAROPAQUE;
        n.len = def.max;
        return;
      case "string":
        n.kind = K_STRING;
        n.len = def.max;
        return;
      case "fixedArray":
        n.kind = K_FARRAY;
        n.len = def.length;
        n.elem = this.#ref(def.elem, ctx);
        return;
      case "array":
        n.kind = K_ARRAY;
        n.len = def.max;
        n.elem = this.#ref(def.elem, ctx);
        return;
      case "option":
        n.kind = K_OPTION;
        n.elem = this.#ref(def.elem, ctx);
        return;
      case "struct":
        n.kind = K_STRUCT;
        for (const [f, t] of def.fields) {
          n.fieldNames.push(f);
          n.fieldTypes.push(this.#ref(t, `${ctx}.${f}`));
        }
        return;
      case "enum": {
        n.kind = K_ENUM;
        const vals = def.cases.map((c) => c[0]);
        const min = Math.min(...vals), max = Math.max(...vals);
        if (max - min < DENSE_LIMIT) {
          n.min = min;
          n.names = new Array(max - min + 1).fill(undefined);
          for (const [v, name] of def.cases) n.names[v - min] = name;
        } else {
          n.nameMap = new Map(def.cases.map(([v, name]) => [v, name]));
        }
        return;
      }
      case "union": {
        n.kind = K_UNION;
        if (def.switch === "int" || def.switch === "uint") {
          n.unsigned = def.switch === "uint";
        } else {
          const sw = this.#ref(def.switch, ctx);
          if (sw.kind !== K_ENUM) {
            throw new Error(`XDR type table: union ${ctx} switches on non-enum ${sw.label}`);
          }
          n.sw = sw;
        }
        const ds = def.cases.map((c) => c[0]);
        const min = ds.length ? Math.min(...ds) : 0, max = ds.length ? Math.max(...ds) : 0;
        const arms = def.cases.map((c) =>
          [c[0], this.#ref(c[1], `${ctx}.${c[2] ?? c[0]}`), c[2] ?? ""] as const
        );
        if (max - min < DENSE_LIMIT) {
          n.min = min;
          n.arms = new Array(max - min + 1).fill(undefined);
          n.armNames = new Array(max - min + 1).fill("");
          for (const [d, t, an] of arms) {
            n.arms[d - min] = t;
            n.armNames[d - min] = an;
          }
        } else {
          n.armMap = new Map(arms.map(([d, t, an]) => [d, [t, an]]));
        }
        if (def.default !== undefined) {
          n.def = this.#ref(def.default, `${ctx}.default`);
          n.defName = def.defaultName ?? "";
        }
        return;
      }
    }
  }

  #computeSize(n: XdrType): number {
    switch (n.kind) {
      case K_INT:
      case K_UINT:
      case K_BOOL:
      case K_ENUM:
        return 4;
      case K_HYPER:
      case K_UHYPER:
        return 8;
      case K_VOID:
        return 0;
      case K_OPAQUE:
        return (n.len + 3) & ~3;
      case K_FARRAY:
        return n.elem!.size >= 0 ? n.elem!.size * n.len : -1;
      case K_STRUCT: {
        let s = 0;
        for (const t of n.fieldTypes) {
          if (t.size < 0) return -1;
          s += t.size;
        }
        return s;
      }
      default:
        // Unions stay variable so their discriminants are always validated.
        return -1;
    }
  }

  /** True if the table defines `name` (canonical or alias). */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** The compiled type for a name; throws on unknown names. */
  type(name: string | XdrType): XdrType {
    if (typeof name !== "string") return name;
    const t = this.#byName.get(name);
    if (!t) throw new Error(`unknown XDR type ${name}`);
    return t;
  }

  /** Canonical names of all types (aliases excluded). */
  typeNames(): string[] {
    return Object.keys(this.#table).filter((n) => this.#table[n].kind !== "alias");
  }

  /** Fixed wire size of a type in bytes, or -1 if variable-length (all unions are). */
  fixedSize(type: string | XdrType): number {
    return this.type(type).size;
  }

  #lazyFlags(lazy: ReadonlySet<string> | undefined): Uint8Array | null {
    if (!lazy || lazy.size === 0) return null;
    let f = this.#lazyCache.get(lazy);
    if (!f) {
      f = new Uint8Array(this.#nodes.length);
      for (const name of lazy) f[this.type(name).id] = 1;
      this.#lazyCache.set(lazy, f);
    }
    return f;
  }

  /**
   * Skips one value of `type` starting at `offset` and returns the offset just past it.
   * Validates bounds, length prefixes against maxima, optional flags, union discriminants and
   * var-opaque padding; fixed-size runs (structs of fixed-size fields, enums, bools, fixed
   * opaques) are jumped over in O(1) without looking inside.
   */
  skip(type: string | XdrType, bytes: Uint8Array, offset = 0): number {
    const t = this.type(type);
    const w = new Walker(bytes, offset, null, false);
    try {
      w.skip(t);
      return w.pos;
    } catch (e) {
      throw this.#retrace(e, t, bytes, offset, (tw) => tw.skip(t));
    }
  }

  /**
   * Decodes one value of `type` starting at `offset`. Returns the value and the end offset.
   * Types in `opts.lazy` (except the root) decode to {@link XdrSpan}s.
   */
  decode<T = XdrValue>(
    type: string | XdrType,
    bytes: Uint8Array,
    offset = 0,
    opts?: DecodeOptions,
  ): DecodeResult<T> {
    const t = this.type(type);
    const w = new Walker(bytes, offset, this.#lazyFlags(opts?.lazy), false);
    try {
      const value = w.decode(t, false) as T;
      return { value, end: w.pos };
    } catch (e) {
      throw this.#retrace(e, t, bytes, offset, (tw) => tw.decode(t, false));
    }
  }

  /** Decodes the value behind a span (its type from the span). */
  decodeSpan<T = XdrValue>(span: XdrSpan, opts?: DecodeOptions): T {
    const r = this.decode<T>(span.type, span.bytes, span.offset, opts);
    if (r.end !== span.end) {
      throw new XdrError({
        path: span.type,
        offset: span.offset,
        expected: `value ending at ${span.end}`,
        actual: `end ${r.end}`,
      });
    }
    return r.value;
  }

  /**
   * Offset of field `field` of struct `type` whose value starts at `offset` (skips the fields
   * before it).
   */
  fieldOffset(type: string | XdrType, field: string, bytes: Uint8Array, offset: number): number {
    const t = this.type(type);
    if (t.kind !== K_STRUCT) throw new Error(`${t.label} is not a struct`);
    const i = t.fieldNames.indexOf(field);
    if (i < 0) throw new Error(`struct ${t.label} has no field ${field}`);
    let pos = offset;
    for (let k = 0; k < i; k++) pos = this.skip(t.fieldTypes[k], bytes, pos);
    return pos;
  }

  /** Reads the discriminant of union `type` at `offset` and returns the selected arm. */
  unionArm(type: string | XdrType, bytes: Uint8Array, offset: number): UnionArmInfo {
    const t = this.type(type);
    if (t.kind !== K_UNION) throw new Error(`${t.label} is not a union`);
    const w = new Walker(bytes, offset, null, false);
    try {
      const [d, arm, armType] = w.unionHead(t);
      return { arm, discriminant: d, offset: w.pos, type: armType };
    } catch (e) {
      throw this.#retrace(e, t, bytes, offset, (tw) => tw.unionHead(t));
    }
  }

  #retrace(
    e: unknown,
    t: XdrType,
    bytes: Uint8Array,
    offset: number,
    run: (w: Walker) => void,
  ): unknown {
    if (e instanceof RangeError && !(e instanceof XdrError)) {
      return new XdrError({
        path: t.label,
        offset,
        expected: "nesting within the JavaScript stack limit",
        actual: e.message,
      });
    }
    if (!(e instanceof XdrError)) return e;
    const tw = new Walker(bytes, offset, null, true);
    tw.path.push(t.label);
    try {
      run(tw);
    } catch (e2) {
      return e2;
    }
    return e;
  }
}

/** @internal The walking state for one call. */
class Walker {
  readonly b: Uint8Array;
  readonly dv: DataView;
  readonly n: number;
  pos: number;
  readonly lazy: Uint8Array | null;
  readonly trace: boolean;
  readonly path: string[] = [];

  constructor(b: Uint8Array, pos: number, lazy: Uint8Array | null, trace: boolean) {
    this.b = b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.n = b.length;
    this.pos = pos;
    this.lazy = lazy;
    this.trace = trace;
  }

  fail(at: number, expected: string, actual: string): never {
    throw new XdrError({ path: this.path.join(""), offset: at, expected, actual });
  }

  need(k: number, what: string): void {
    if (this.pos + k > this.n) {
      this.fail(this.pos, `${k} bytes for ${what}`, `${this.n - this.pos} bytes left`);
    }
  }

  u32(what: string): number {
    const p = this.pos;
    if (p + 4 > this.n) this.fail(p, `4 bytes for ${what}`, `${this.n - p} bytes left`);
    this.pos = p + 4;
    return ((this.b[p] << 24) | (this.b[p + 1] << 16) | (this.b[p + 2] << 8) | this.b[p + 3]) >>>
      0;
  }

  i32(what: string): number {
    const p = this.pos;
    if (p + 4 > this.n) this.fail(p, `4 bytes for ${what}`, `${this.n - p} bytes left`);
    this.pos = p + 4;
    return (this.b[p] << 24) | (this.b[p + 1] << 16) | (this.b[p + 2] << 8) | this.b[p + 3];
  }

  padding(len: number): void {
    const pad = (4 - (len & 3)) & 3;
    for (let i = 0; i < pad; i++) {
      if (this.b[this.pos + i] !== 0) {
        this.fail(this.pos + i, "zero padding byte", `0x${this.b[this.pos + i].toString(16)}`);
      }
    }
    this.pos += pad;
  }

  /**
   * Reads a length prefix and checks it against `max` and the remaining bytes (`unit` bytes per
   * element; 1 means bytes with padding; variable-size elements pass 4, their minimum size).
   */
  varLen(t: XdrType, unit: number): number {
    const at = this.pos;
    const len = this.u32(`${t.label} length`);
    if (len > t.len) this.fail(at, `${t.label} length <= ${t.len}`, `${len}`);
    const bytes = unit === 1 ? (len + 3) & ~3 : len * unit;
    if (this.pos + bytes > this.n) {
      this.fail(
        at,
        `${unit === 1 ? "" : "at least "}${bytes} bytes for ${len} ${
          unit === 1 ? "bytes" : "elements"
        } of ${t.label}`,
        `${this.n - this.pos} bytes left`,
      );
    }
    return len;
  }

  /** Reads a union discriminant; returns [discriminant, arm label, arm type]. */
  unionHead(t: XdrType): [number, string | number, XdrType] {
    const at = this.pos;
    const d = t.unsigned
      ? this.u32(`${t.label} discriminant`)
      : this.i32(`${t.label} discriminant`);
    let arm: XdrType | undefined;
    let armName = "";
    if (t.armMap === null) {
      arm = t.arms[d - t.min];
      if (arm !== undefined) armName = t.armNames[d - t.min];
    } else {
      const e = t.armMap.get(d);
      if (e) [arm, armName] = e;
    }
    let label: string | number = d;
    if (t.sw !== null) {
      const name = t.sw.enumName(d);
      if (name === undefined) {
        this.fail(at, `a ${t.sw.label} value for union ${t.label}`, `${d} (${hex(d)})`);
      }
      label = name;
    }
    if (arm === undefined) {
      if (t.def === null) {
        this.fail(at, `a known arm of union ${t.label}`, `discriminant ${label}`);
      }
      arm = t.def;
      armName = t.defName;
    }
    if (this.trace) this.path.push("." + (armName || String(label)));
    return [d, label, arm];
  }

  skip(t: XdrType): void {
    if (t.size >= 0) {
      if (this.pos + t.size > this.n) {
        this.fail(this.pos, `${t.size} bytes for ${t.label}`, `${this.n - this.pos} bytes left`);
      }
      this.pos += t.size;
      return;
    }
    switch (t.kind) {
      case K_VAROPAQUE:
      case K_STRING: {
        const len = this.varLen(t, 1);
        this.pos += len;
        this.padding(len);
        return;
      }
      case K_STRUCT: {
        const ft = t.fieldTypes;
        if (this.trace) {
          for (let i = 0; i < ft.length; i++) {
            this.path.push("." + t.fieldNames[i]);
            this.skip(ft[i]);
            this.path.pop();
          }
        } else {
          for (let i = 0; i < ft.length; i++) this.skip(ft[i]);
        }
        return;
      }
      case K_UNION: {
        const arm = this.unionHead(t)[2];
        this.skip(arm);
        if (this.trace) this.path.pop();
        return;
      }
      case K_FARRAY: {
        const e = t.elem!;
        for (let i = 0; i < t.len; i++) {
          if (this.trace) this.path.push(`[${i}]`);
          this.skip(e);
          if (this.trace) this.path.pop();
        }
        return;
      }
      case K_ARRAY: {
        const e = t.elem!;
        if (e.size >= 0) {
          const len = this.varLen(t, e.size);
          this.pos += len * e.size;
          return;
        }
        const len = this.varLen(t, 4);
        for (let i = 0; i < len; i++) {
          if (this.trace) this.path.push(`[${i}]`);
          this.skip(e);
          if (this.trace) this.path.pop();
        }
        return;
      }
      case K_OPTION: {
        const at = this.pos;
        const f = this.u32("optional flag");
        if (f === 1) this.skip(t.elem!);
        else if (f !== 0) this.fail(at, "optional flag 0 or 1", `${f}`);
        return;
      }
    }
    throw new Error(`unreachable: skip of ${t.label}`);
  }

  decode(t: XdrType, allowLazy: boolean): XdrValue {
    if (allowLazy && this.lazy !== null && this.lazy[t.id] === 1) {
      const start = this.pos;
      this.skip(t);
      return new XdrSpan(t.name, start, this.pos, this.b);
    }
    switch (t.kind) {
      case K_INT:
        return this.i32("int");
      case K_UINT:
        return this.u32("uint");
      case K_HYPER: {
        this.need(8, "hyper");
        const v = this.dv.getBigInt64(this.pos);
        this.pos += 8;
        return v;
      }
      case K_UHYPER: {
        this.need(8, "uhyper");
        const v = this.dv.getBigUint64(this.pos);
        this.pos += 8;
        return v;
      }
      case K_BOOL: {
        const at = this.pos;
        const v = this.u32("bool");
        if (v > 1) this.fail(at, "bool 0 or 1", `${v}`);
        return v === 1;
      }
      case K_VOID:
        return undefined;
      case K_OPAQUE: {
        this.need(t.len, t.label);
        const v = this.b.subarray(this.pos, this.pos + t.len);
        this.pos += t.len;
        this.padding(t.len);
        return v;
      }
      case K_VAROPAQUE: {
        const len = this.varLen(t, 1);
        const v = this.b.subarray(this.pos, this.pos + len);
        this.pos += len;
        this.padding(len);
        return v;
      }
      case K_STRING: {
        const len = this.varLen(t, 1);
        const v = decodeString(this.b, this.pos, len);
        this.pos += len;
        this.padding(len);
        return v;
      }
      case K_ENUM: {
        const at = this.pos;
        const v = this.i32(t.label);
        const name = t.enumName(v);
        if (name === undefined) this.fail(at, `a ${t.label} value`, `${v}`);
        return name;
      }
      case K_STRUCT: {
        const o: Record<string, XdrValue> = {};
        const fn = t.fieldNames, ft = t.fieldTypes;
        for (let i = 0; i < ft.length; i++) {
          if (this.trace) this.path.push("." + fn[i]);
          o[fn[i]] = this.decode(ft[i], true);
          if (this.trace) this.path.pop();
        }
        return o;
      }
      case K_UNION: {
        const [, arm, armType] = this.unionHead(t);
        const value = armType.kind === K_VOID ? undefined : this.decode(armType, true);
        if (this.trace) this.path.pop();
        return { arm, value };
      }
      case K_FARRAY: {
        const e = t.elem!;
        const out: XdrValue[] = new Array(t.len);
        for (let i = 0; i < t.len; i++) {
          if (this.trace) this.path.push(`[${i}]`);
          out[i] = this.decode(e, true);
          if (this.trace) this.path.pop();
        }
        return out;
      }
      case K_ARRAY: {
        const e = t.elem!;
        const len = this.varLen(t, e.size >= 0 ? e.size : 4);
        const out: XdrValue[] = new Array(len);
        for (let i = 0; i < len; i++) {
          if (this.trace) this.path.push(`[${i}]`);
          out[i] = this.decode(e, true);
          if (this.trace) this.path.pop();
        }
        return out;
      }
      case K_OPTION: {
        const at = this.pos;
        const f = this.u32("optional flag");
        if (f === 0) return null;
        if (f !== 1) this.fail(at, "optional flag 0 or 1", `${f}`);
        return this.decode(t.elem!, true);
      }
    }
    throw new Error(`unreachable: decode of ${t.label}`);
  }
}
