/**
 * Encoder: the inverse of decode, from the decoded shape back to XDR bytes. Spans
 * ({@link XdrSpan}) of the right type are copied verbatim, so a lazily decoded value re-encodes
 * to the original bytes.
 *
 * Strings are written as UTF-8; a `Uint8Array` is accepted wherever a string is expected and is
 * written as is (decode's latin1 fallback for invalid UTF-8 is not reversed automatically:
 * `Uint8Array.from(s, (c) => c.charCodeAt(0))` gives the original bytes).
 *
 * @module
 */
import { XdrError } from "./errors.ts";
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
} from "./types.ts";

const utf8 = new TextEncoder();
const MIN_I64 = -(1n << 63n), MAX_I64 = (1n << 63n) - 1n, MAX_U64 = (1n << 64n) - 1n;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (typeof v === "object") return "object";
  return `${typeof v} ${String(v)}`;
}

/** @internal Growable big-endian writer with path tracking for errors. */
export class Encoder {
  #buf = new Uint8Array(1024);
  #dv = new DataView(this.#buf.buffer);
  #pos = 0;
  readonly #path: string[] = [];

  /** The bytes written so far (a copy). */
  result(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }

  #fail(expected: string, actual: unknown): never {
    throw new XdrError({
      path: this.#path.join(""),
      offset: this.#pos,
      expected,
      actual: describe(actual),
    });
  }

  #ensure(k: number): void {
    if (this.#pos + k <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#dv = new DataView(next.buffer);
  }

  #u32(v: number): void {
    this.#ensure(4);
    this.#dv.setUint32(this.#pos, v);
    this.#pos += 4;
  }

  #bytes(b: Uint8Array): void {
    const pad = (4 - (b.length & 3)) & 3;
    this.#ensure(b.length + pad);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    for (let i = 0; i < pad; i++) this.#buf[this.#pos++] = 0;
  }

  /** Encodes `v` as type `t` (root call: pushes the root label on the path). */
  root(t: XdrType, v: unknown): void {
    this.#path.push(t.label);
    this.write(t, v);
    this.#path.pop();
  }

  /** Encodes `v` as type `t`. */
  write(t: XdrType, v: unknown): void {
    if (v instanceof XdrSpan && t.kind !== K_OPTION) {
      if (v.type !== t.name || t.name === "") {
        this.#fail(`a ${t.label} value`, `span of ${v.type}`);
      }
      this.#ensure(v.end - v.offset);
      this.#buf.set(v.bytes.subarray(v.offset, v.end), this.#pos);
      this.#pos += v.end - v.offset;
      return;
    }
    switch (t.kind) {
      case K_INT:
        if (!Number.isInteger(v) || (v as number) < -0x80000000 || (v as number) > 0x7fffffff) {
          this.#fail("int (32-bit signed integer)", v);
        }
        return this.#u32((v as number) >>> 0);
      case K_UINT:
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffffffff) {
          this.#fail("uint (32-bit unsigned integer)", v);
        }
        return this.#u32(v as number);
      case K_HYPER:
        if (typeof v !== "bigint" || v < MIN_I64 || v > MAX_I64) this.#fail("hyper (bigint)", v);
        this.#ensure(8);
        this.#dv.setBigInt64(this.#pos, v);
        this.#pos += 8;
        return;
      case K_UHYPER:
        if (typeof v !== "bigint" || v < 0n || v > MAX_U64) this.#fail("uhyper (bigint)", v);
        this.#ensure(8);
        this.#dv.setBigUint64(this.#pos, v);
        this.#pos += 8;
        return;
      case K_BOOL:
        if (typeof v !== "boolean") this.#fail("bool", v);
        return this.#u32(v ? 1 : 0);
      case K_VOID:
        if (v !== undefined) this.#fail("undefined (void)", v);
        return;
      case K_OPAQUE:
        if (!(v instanceof Uint8Array) || v.length !== t.len) {
          this.#fail(`Uint8Array(${t.len}) for ${t.label}`, v);
        }
        return this.#bytes(v);
      case K_VAROPAQUE:
      case K_STRING: {
        const b = typeof v === "string" && t.kind === K_STRING ? utf8.encode(v) : v;
        if (!(b instanceof Uint8Array)) {
          this.#fail(t.kind === K_STRING ? "string or Uint8Array" : "Uint8Array", v);
        }
        if (b.length > t.len) this.#fail(`at most ${t.len} bytes for ${t.label}`, b);
        this.#u32(b.length);
        return this.#bytes(b);
      }
      case K_ENUM: {
        const d = typeof v === "string" ? enumValue(t, v) : undefined;
        if (d === undefined) this.#fail(`a ${t.label} case name`, v);
        return this.#u32(d >>> 0);
      }
      case K_STRUCT: {
        if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Uint8Array) {
          this.#fail(`a ${t.label} object`, v);
        }
        const o = v as Record<string, unknown>;
        for (let i = 0; i < t.fieldNames.length; i++) {
          this.#path.push("." + t.fieldNames[i]);
          if (!(t.fieldNames[i] in o)) this.#fail(`field ${t.fieldNames[i]}`, "missing");
          this.write(t.fieldTypes[i], o[t.fieldNames[i]]);
          this.#path.pop();
        }
        return;
      }
      case K_UNION: {
        if (v === null || typeof v !== "object" || !("arm" in v)) {
          this.#fail(`a ${t.label} union { arm, value }`, v);
        }
        const { arm, value } = v as { arm: unknown; value: unknown };
        let d: number | undefined;
        if (t.sw !== null) d = typeof arm === "string" ? enumValue(t.sw, arm) : undefined;
        else if (Number.isInteger(arm)) d = arm as number;
        if (d === undefined) {
          this.#fail(`a ${t.sw ? t.sw.label + " case name" : "number"} as ${t.label} arm`, arm);
        }
        let armType: XdrType | undefined;
        let armName = "";
        if (t.armMap !== null) {
          const e = t.armMap.get(d);
          if (e) [armType, armName] = e;
        } else {
          armType = t.arms[d - t.min];
          if (armType) armName = t.armNames[d - t.min];
        }
        if (!armType) {
          if (t.def === null) this.#fail(`a known arm of union ${t.label}`, arm);
          armType = t.def;
          armName = t.defName;
        }
        this.#u32(t.unsigned ? d >>> 0 : d | 0);
        this.#path.push("." + (armName || String(arm)));
        this.write(armType, value);
        this.#path.pop();
        return;
      }
      case K_FARRAY:
      case K_ARRAY: {
        if (!Array.isArray(v)) this.#fail(`an array for ${t.label}`, v);
        if (t.kind === K_FARRAY && v.length !== t.len) this.#fail(`${t.len} elements`, v);
        if (t.kind === K_ARRAY) {
          if (v.length > t.len) this.#fail(`at most ${t.len} elements`, v);
          this.#u32(v.length);
        }
        for (let i = 0; i < v.length; i++) {
          this.#path.push(`[${i}]`);
          this.write(t.elem!, v[i]);
          this.#path.pop();
        }
        return;
      }
      case K_OPTION:
        if (v === null || v === undefined) return this.#u32(0);
        this.#u32(1);
        return this.write(t.elem!, v);
    }
    throw new Error(`unreachable: encode of ${t.label}`);
  }
}

const enumIndex = new WeakMap<XdrType, Map<string, number>>();

function enumValue(t: XdrType, name: string): number | undefined {
  let m = enumIndex.get(t);
  if (!m) {
    m = new Map();
    if (t.nameMap !== null) { for (const [v, n] of t.nameMap) m.set(n, v); }
    else t.names.forEach((n, i) => n !== undefined && m!.set(n, i + t.min));
    enumIndex.set(t, m);
  }
  return m.get(name);
}
