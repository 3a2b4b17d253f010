/**
 * Reference interpreter of the XDR walker: walks compiled type nodes directly. Used to produce
 * precise errors (with type paths) and as the baseline for the generated fast code.
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
  type XdrValue,
} from "./types.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Short-string cache (direct-mapped): symbols like "transfer" and asset strings like
 * "USDC:GA5Z..." repeat throughout a ledger.
 */
const CACHE_SIZE = 1024;
const CACHE_MAX_LEN = 128;
const CHUNKED_MAX_LEN = 1024;
const cacheBytes: (Uint8Array | undefined)[] = new Array(CACHE_SIZE).fill(undefined);
const cacheStrings: string[] = new Array(CACHE_SIZE).fill("");

/** @internal Decodes an XDR string (UTF-8, latin1 fallback). */
export function decodeString(b: Uint8Array, start: number, len: number): string {
  if (len === 0) return "";
  if (len > CACHE_MAX_LEN) {
    return len > CHUNKED_MAX_LEN
      ? decodeStringSlow(b, start, len)
      : decodeStringUncached(b, start, len);
  }
  let h = len;
  for (let i = 0; i < len; i++) h = (Math.imul(h, 31) + b[start + i]) | 0;
  const slot = (h ^ (h >>> 15)) & (CACHE_SIZE - 1);
  const cached = cacheBytes[slot];
  if (cached !== undefined && cached.length === len) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (cached[i] !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cacheStrings[slot];
  }
  const s = decodeStringUncached(b, start, len);
  cacheBytes[slot] = b.slice(start, start + len);
  cacheStrings[slot] = s;
  return s;
}

function decodeStringUncached(b: Uint8Array, start: number, len: number): string {
  let s = "";
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const c0 = b[start + i], c1 = b[start + i + 1], c2 = b[start + i + 2], c3 = b[start + i + 3];
    if ((c0 | c1 | c2 | c3) >= 0x80) return decodeStringSlow(b, start, len);
    s += String.fromCharCode(c0, c1, c2, c3);
  }
  for (; i < len; i++) {
    const c = b[start + i];
    if (c >= 0x80) return decodeStringSlow(b, start, len);
    s += String.fromCharCode(c);
  }
  return s;
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

/** @internal 32-bit hex for messages. */
export function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}

/** @internal The walking state for one call. */
export class Walker {
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
