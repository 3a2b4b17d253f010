/**
 * Table-driven, zero-copy XDR walker with the Stellar (protocol 26) type table.
 *
 * ```ts
 * import { decode, decodeSpan, skip, XdrSpan } from "../xdr/mod.ts";
 * const end = skip("LedgerCloseMetaBatch", bytes, 0); // === bytes.length
 * const { value, end: e } = decode("LedgerCloseMeta", lcmBytes, 0, {
 *   lazy: new Set(["LedgerEntry", "SCVal", "DiagnosticEvent"]),
 * });
 * ```
 *
 * Decoded shape (fixed contract): struct → plain object keyed by the `.x` field names; union →
 * `{ arm, value }` with `arm` the discriminant's enum case name (`"PAYMENT"`,
 * `"ASSET_TYPE_CREDIT_ALPHANUM4"`) or the number for int-switched unions, `value` undefined for
 * void arms; enum → case name; int/uint → number; hyper/uhyper → bigint; bool → boolean; opaque
 * → `Uint8Array` view of the input (zero-copy); string → string (UTF-8; invalid UTF-8 falls back
 * to latin1, one char per byte, so no byte is lost: see system.ts for recovering the bytes);
 * optional → value or null; arrays → arrays;
 * typedefs are transparent. `XdrShapes` has generated TypeScript types for all of it.
 *
 * Lazy: types listed in `opts.lazy` (struct/union/enum/opaque names; the root excepted) decode to
 * {@link XdrSpan}s (`type` = canonical name, `offset`, `end`, `bytes`) for {@link decodeSpan}
 * later. A lazy value is skipped, not validated beyond what {@link skip} checks. Use one `Set`
 * object per lazy set (module constant): the fast code is generated per set on first use.
 *
 * Type names are the XDR names (`SCVal`, `LedgerCloseMeta`, `TransactionMeta`, `AccountID`); the
 * SDK's JavaScript names (`ScVal`, ...) are accepted as aliases. Anonymous nested types have the
 * SDK's names (`LedgerEntryData`, `OperationBody`, `TransactionResultResult`, ...).
 *
 * Errors: {@link XdrError} with the type path (`LedgerCloseMeta.v2.txProcessing[17]...`), byte
 * offset, expected and actual. Malformed input never yields a value.
 *
 * Speed: skip/decode run code generated per type (see codegen.ts); on an error the reference
 * interpreter re-walks the input to name the path. `scripts/xdr_bench.ts` measures it.
 *
 * @module
 */
import { STELLAR_TYPES } from "./stellar_types.ts";
import { decodeString } from "./interpreter.ts";
import { XdrTypeSystem } from "./system.ts";
import type {
  DecodeOptions,
  DecodeResult,
  UnionArmInfo,
  XdrSpan,
  XdrType,
  XdrValue,
} from "./types.ts";

export { XdrError, type XdrErrorDetails } from "./errors.ts";
export { XdrTypeSystem, type XdrTypeSystemOptions } from "./system.ts";
export {
  type DecodeOptions,
  type DecodeResult,
  type UnionArmInfo,
  XdrSpan,
  type XdrStruct,
  XdrType,
  type XdrUnion,
  type XdrValue,
} from "./types.ts";
export {
  XDR_UNBOUNDED,
  type XdrPrimitiveName,
  type XdrTypeDef,
  type XdrTypeRef,
  type XdrTypeTable,
  type XdrUnionCase,
} from "./table.ts";
export { STELLAR_TYPES } from "./stellar_types.ts";
/** Generated TypeScript types of decoded Stellar values: `XdrShapes.LedgerHeader`, ... */
export type * as XdrShapes from "./stellar_shapes.ts";

/** The compiled Stellar XDR type system (protocol 26). */
export const stellarXdr: XdrTypeSystem = new XdrTypeSystem(STELLAR_TYPES);

/** Skips one Stellar XDR value of `type` at `offset`; returns the offset past it. */
export function skip(type: string | XdrType, bytes: Uint8Array, offset = 0): number {
  return stellarXdr.skip(type, bytes, offset);
}

/**
 * Checks one Stellar XDR value of `type` at `offset` as `decode` would (enum values and bools
 * included, which `skip` jumps over in fixed-size values), without building it; returns the
 * offset past it.
 */
export function check(type: string | XdrType, bytes: Uint8Array, offset = 0): number {
  return stellarXdr.check(type, bytes, offset);
}

/** Decodes one Stellar XDR value of `type` at `offset` (see the module doc for the shape). */
export function decode<T = XdrValue>(
  type: string | XdrType,
  bytes: Uint8Array,
  offset = 0,
  opts?: DecodeOptions,
): DecodeResult<T> {
  return stellarXdr.decode<T>(type, bytes, offset, opts);
}

/** Encodes a value in the decoded shape back to Stellar XDR (lazy spans copied verbatim). */
export function encode(type: string | XdrType, value: unknown): Uint8Array {
  return stellarXdr.encode(type, value);
}

/** Decodes the value behind a lazy span. */
export function decodeSpan<T = XdrValue>(span: XdrSpan, opts?: DecodeOptions): T {
  return stellarXdr.decodeSpan<T>(span, opts);
}

/** Offset of a struct field's value, given the struct's offset (skips earlier fields). */
export function fieldOffset(
  type: string | XdrType,
  field: string,
  bytes: Uint8Array,
  offset: number,
): number {
  return stellarXdr.fieldOffset(type, field, bytes, offset);
}

/** Reads a union's discriminant at `offset`: arm label, raw discriminant, arm offset and type. */
export function unionArm(type: string | XdrType, bytes: Uint8Array, offset: number): UnionArmInfo {
  return stellarXdr.unionArm(type, bytes, offset);
}

/**
 * Decodes `len` bytes at `start` of an XDR `string` as the walker does: UTF-8, or latin1 (one
 * char per byte) when the bytes are not valid UTF-8.
 */
export function decodeXdrString(bytes: Uint8Array, start: number, len: number): string {
  return decodeString(bytes, start, len);
}

/** The compiled Stellar type for a name (pass it instead of a string to skip the lookup). */
export function xdrType(name: string): XdrType {
  return stellarXdr.type(name);
}
