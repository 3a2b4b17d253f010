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
 * char per byte, U+0000–U+00FF), so no byte is lost: `Uint8Array.from(s, (c) => c.charCodeAt(0))`
 * gives them back. A string whose chars are all ≤ U+00FF may also come from valid UTF-8, so the
 * string alone does not tell which reading was used; when exact bytes matter (hashing,
 * re-encoding), take them from the XDR itself, e.g. a lazy span of the enclosing type.
 *
 * @module
 */
import { XdrError } from "./errors.ts";
import { type CompiledWalker, compileWalker } from "./codegen.ts";
import { Encoder } from "./encoder.ts";
import { Walker } from "./interpreter.ts";
import type { XdrTypeDef, XdrTypeRef, XdrTypeTable } from "./table.ts";
import {
  type DecodeOptions,
  type DecodeResult,
  DENSE_LIMIT,
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
  type UnionArmInfo,
  type XdrSpan,
  XdrType,
  type XdrValue,
} from "./types.ts";

const PRIMS: Record<string, number> = {
  int: K_INT,
  uint: K_UINT,
  hyper: K_HYPER,
  uhyper: K_UHYPER,
  bool: K_BOOL,
  void: K_VOID,
};

function checkOffset(bytes: Uint8Array, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(`offset ${offset} is outside the input (0..${bytes.length})`);
  }
}

/** Options of {@link XdrTypeSystem}. */
export interface XdrTypeSystemOptions {
  /** Use generated specialized code (default true); false runs the reference interpreter. */
  readonly codegen?: boolean;
}

/** A compiled type table with skip/decode over it. */
export class XdrTypeSystem {
  readonly #byName = new Map<string, XdrType>();
  readonly #nodes: XdrType[] = [];
  readonly #table: XdrTypeTable;
  readonly #lazyCache = new WeakMap<ReadonlySet<string>, Uint8Array>();
  readonly #codegen: boolean;
  readonly #walkers = new Map<string, CompiledWalker>();
  readonly #walkerBySet = new WeakMap<ReadonlySet<string>, CompiledWalker>();
  #plainWalker: CompiledWalker | null = null;
  #strictWalker: CompiledWalker | null = null;

  /**
   * Compiles `table`. Throws if it references undefined names. With `codegen` (default true)
   * skip/decode run generated specialized code (built on first use, per lazy set); without, the
   * reference interpreter.
   */
  constructor(table: XdrTypeTable, options: XdrTypeSystemOptions = {}) {
    this.#table = table;
    this.#codegen = options.codegen ?? true;
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
    if (typeof name !== "string") {
      if (this.#nodes[name.id] !== name) {
        throw new Error(`XDR type ${name.label} belongs to another XdrTypeSystem`);
      }
      return name;
    }
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

  #walker(lazy: ReadonlySet<string> | null | undefined): CompiledWalker {
    if (!lazy || lazy.size === 0) {
      return this.#plainWalker ??= compileWalker(this.#nodes, null);
    }
    let w = this.#walkerBySet.get(lazy);
    if (w) return w;
    const flags = this.#lazyFlags(lazy)!;
    const key = [...lazy].map((n) => this.type(n).id).sort((a, b) => a - b).join(",");
    w = this.#walkers.get(key);
    if (!w) {
      w = compileWalker(this.#nodes, flags);
      this.#walkers.set(key, w);
    }
    this.#walkerBySet.set(lazy, w);
    return w;
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
    checkOffset(bytes, offset);
    try {
      if (this.#codegen) return this.#walker(null).skip(t, bytes, offset);
      const w = new Walker(bytes, offset, null, false);
      w.skip(t);
      return w.pos;
    } catch (e) {
      throw this.#retrace(e, t, bytes, offset, null, (tw) => tw.skip(t));
    }
  }

  /**
   * Checks one value of `type` starting at `offset` as {@link decode} would, without building it,
   * and returns the offset just past it: what {@link skip} checks, and every enum value and bool
   * (which `skip` jumps over inside fixed-size values). Throws the {@link XdrError} decode throws.
   */
  check(type: string | XdrType, bytes: Uint8Array, offset = 0): number {
    const t = this.type(type);
    checkOffset(bytes, offset);
    if (!this.#codegen || t.kind <= K_VOID) return this.decode(t, bytes, offset).end;
    try {
      return (this.#strictWalker ??= compileWalker(this.#nodes, null, true)).skip(t, bytes, offset);
    } catch (e) {
      throw this.#retrace(e, t, bytes, offset, null, (tw) => tw.decode(t, false));
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
    checkOffset(bytes, offset);
    const flags = this.#lazyFlags(opts?.lazy);
    try {
      if (this.#codegen && t.kind > K_VOID) {
        const cw = this.#walker(opts?.lazy);
        const value = cw.decode(t, bytes, offset) as T;
        return { value, end: cw.end };
      }
      const w = new Walker(bytes, offset, flags, false);
      const value = w.decode(t, false) as T;
      return { value, end: w.pos };
    } catch (e) {
      throw this.#retrace(e, t, bytes, offset, flags, (tw) => tw.decode(t, false));
    }
  }

  /**
   * Encodes a value in the decoded shape back to XDR (spans of the right type are copied
   * verbatim). Throws {@link XdrError} naming the path when the value does not fit the type.
   */
  encode(type: string | XdrType, value: unknown): Uint8Array {
    const e = new Encoder();
    e.root(this.type(type), value);
    return e.result();
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

  /** Fields of struct `type` in wire order: name and compiled type. */
  structFields(type: string | XdrType): { name: string; type: XdrType }[] {
    const t = this.type(type);
    if (t.kind !== K_STRUCT) throw new Error(`${t.label} is not a struct`);
    return t.fieldNames.map((name, i) => ({ name, type: t.fieldTypes[i] }));
  }

  /** Reads the discriminant of union `type` at `offset` and returns the selected arm. */
  unionArm(type: string | XdrType, bytes: Uint8Array, offset: number): UnionArmInfo {
    const t = this.type(type);
    if (t.kind !== K_UNION) throw new Error(`${t.label} is not a union`);
    checkOffset(bytes, offset);
    const w = new Walker(bytes, offset, null, false);
    try {
      const [d, arm, armType] = w.unionHead(t);
      return { arm, discriminant: d, offset: w.pos, type: armType };
    } catch (e) {
      throw this.#retrace(e, t, bytes, offset, null, (tw) => tw.unionHead(t));
    }
  }

  #retrace(
    e: unknown,
    t: XdrType,
    bytes: Uint8Array,
    offset: number,
    lazy: Uint8Array | null,
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
    const tw = new Walker(bytes, offset, lazy, true);
    tw.path.push(t.label);
    try {
      run(tw);
    } catch (e2) {
      return e2;
    }
    return e;
  }
}
