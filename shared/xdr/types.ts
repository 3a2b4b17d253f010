/**
 * Decoded value types and compiled type nodes of the XDR walker.
 *
 * @module
 */

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
  /** Field values by `.x` field name. */
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

/** @internal Node kind codes. */
export const K_INT = 0,
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

/** @internal Kind names by code. */
export const KIND_NAMES = [
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

/** @internal Largest discriminant range stored densely. */
export const DENSE_LIMIT = 4096;

/**
 * A compiled type. Obtain with {@link XdrTypeSystem.type}; pass it instead of a name to skip the
 * name lookup.
 */
export class XdrType {
  /** @internal Node id (index in the system). */
  readonly id: number;
  /** Kind code (see {@link XdrType.kindName}). */
  kind: number = 0;
  /** Canonical table name, or "" for anonymous inline types. */
  name: string = "";
  /** Fixed wire size in bytes, or -1 if variable. */
  size: number = -1;
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
