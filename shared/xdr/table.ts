/**
 * Declarative XDR type table format.
 *
 * A table maps type names to definitions. A type reference ({@link XdrTypeRef}) is either a
 * primitive name (`"int"`, `"uint"`, `"hyper"`, `"uhyper"`, `"bool"`, `"void"`), the name of
 * another entry of the table (a named reference, resolved lazily so recursive types work), or
 * an inline definition.
 *
 * @module
 */

/** Names of the primitive XDR types. */
export type XdrPrimitiveName = "int" | "uint" | "hyper" | "uhyper" | "bool" | "void";

/** A reference to a type: primitive name, table entry name, or inline definition. */
export type XdrTypeRef = string | XdrTypeDef;

/**
 * One union case: discriminant value (enum cases by their numeric value), the arm type, and the
 * arm's field name from the `.x` file (absent for void arms; used in error paths).
 */
export type XdrUnionCase =
  | readonly [discriminant: number, arm: XdrTypeRef]
  | readonly [discriminant: number, arm: XdrTypeRef, armName: string];

/** A type definition. */
export type XdrTypeDef =
  | { readonly kind: "opaque"; readonly length: number }
  | { readonly kind: "varOpaque"; readonly max: number }
  | { readonly kind: "string"; readonly max: number }
  | {
    readonly kind: "enum";
    /** `[wire value, case name]` pairs. */
    readonly cases: readonly (readonly [number, string])[];
  }
  | {
    readonly kind: "struct";
    /** `[field name, type]` pairs in wire order. */
    readonly fields: readonly (readonly [string, XdrTypeRef])[];
  }
  | {
    readonly kind: "union";
    /** Discriminant type: `"int"`, `"uint"` or an enum. */
    readonly switch: XdrTypeRef;
    readonly cases: readonly XdrUnionCase[];
    /** Arm used for any discriminant without a case; absent means "no default". */
    readonly default?: XdrTypeRef;
    /** Field name of the default arm, if it is not void. */
    readonly defaultName?: string;
  }
  | { readonly kind: "fixedArray"; readonly elem: XdrTypeRef; readonly length: number }
  | { readonly kind: "array"; readonly elem: XdrTypeRef; readonly max: number }
  | { readonly kind: "option"; readonly elem: XdrTypeRef }
  | { readonly kind: "alias"; readonly target: XdrTypeRef };

/** A named collection of type definitions. */
export type XdrTypeTable = Readonly<Record<string, XdrTypeDef>>;

/** Largest length an XDR length prefix can hold; used as "unbounded" max. */
export const XDR_UNBOUNDED = 0xffffffff;
