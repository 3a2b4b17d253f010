import assert from "node:assert/strict";
import { XdrError, XdrSpan, XdrTypeSystem, type XdrTypeTable } from "./mod.ts";

/** A small table exercising every kind. */
const TABLE: XdrTypeTable = {
  Color: { kind: "enum", cases: [[0, "RED"], [1, "GREEN"], [-1, "NEG_ONE"]] },
  Hash: { kind: "opaque", length: 32 },
  Code3: { kind: "opaque", length: 3 },
  Point: { kind: "struct", fields: [["x", "int"], ["y", "int"]] },
  Shape: {
    kind: "union",
    switch: "Color",
    cases: [[0, "void"], [1, "Point", "point"], [-1, "uhyper", "big"]],
  },
  Ext: { kind: "union", switch: "int", cases: [[0, "void"], [1, "Point", "v1"]] },
  Loose: { kind: "union", switch: "uint", cases: [[7, "bool", "flag"]], default: "void" },
  Node: {
    kind: "struct",
    fields: [
      ["name", { kind: "string", max: 8 }],
      ["children", { kind: "array", elem: "Node", max: 4 }],
    ],
  },
  Rec: {
    kind: "struct",
    fields: [
      ["a", "int"],
      ["b", "uint"],
      ["c", "hyper"],
      ["d", "uhyper"],
      ["e", "bool"],
      ["f", "Code3"],
      ["g", { kind: "varOpaque", max: 5 }],
      ["h", { kind: "option", elem: "Point" }],
      ["i", { kind: "fixedArray", elem: "Point", length: 2 }],
      ["j", { kind: "array", elem: "Point", max: 100 }],
      ["k", "Shape"],
      ["l", "Ext"],
      ["m", "Color"],
      ["n", { kind: "string", max: 10 }],
    ],
  },
  PointAlias: { kind: "alias", target: "Point" },
};

const sys = new XdrTypeSystem(TABLE);

/** Big-endian words/bytes builder. */
function bytes(...parts: (number | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) out.push(...p);
    else out.push((p >>> 24) & 255, (p >>> 16) & 255, (p >>> 8) & 255, p & 255);
  }
  return new Uint8Array(out);
}

const REC = bytes(
  -5, // a
  0xfffffffe, // b
  -1,
  -2, // c = -2 (hyper)
  1,
  0, // d = 2^32
  1, // e
  [0x61, 0x62, 0x63, 0], // f (3 bytes + pad)
  2,
  [9, 8, 0, 0], // g
  1,
  3,
  4, // h
  1,
  2,
  3,
  4, // i
  2,
  5,
  6,
  7,
  8, // j
  1,
  10,
  11, // k = GREEN point
  0, // l = ext v0
  -1, // m
  2,
  [0xc3, 0xa9, 0, 0], // n = "é"
);

Deno.test("decode: every kind yields the documented shape", () => {
  const { value, end } = sys.decode("Rec", REC);
  assert.equal(end, REC.length);
  assert.deepEqual(value, {
    a: -5,
    b: 0xfffffffe,
    c: -2n,
    d: 4294967296n,
    e: true,
    f: new Uint8Array([0x61, 0x62, 0x63]),
    g: new Uint8Array([9, 8]),
    h: { x: 3, y: 4 },
    i: [{ x: 1, y: 2 }, { x: 3, y: 4 }],
    j: [{ x: 5, y: 6 }, { x: 7, y: 8 }],
    k: { arm: "GREEN", value: { x: 10, y: 11 } },
    l: { arm: 0, value: undefined },
    m: "NEG_ONE",
    n: "é",
  });
  assert.equal(sys.skip("Rec", REC), REC.length);
});

Deno.test("decode: opaque values are zero-copy subarrays", () => {
  const { value } = sys.decode<{ f: Uint8Array }>("Rec", REC);
  assert.equal(value.f.buffer, REC.buffer);
  assert.equal(value.f.byteOffset, 28);
});

Deno.test("decode: offset argument and aliases", () => {
  const buf = bytes(99, 1, 2);
  assert.deepEqual(sys.decode("PointAlias", buf, 4), { value: { x: 1, y: 2 }, end: 12 });
});

Deno.test("decode: uint-switched union with default arm", () => {
  assert.deepEqual(sys.decode("Loose", bytes(7, 1)).value, { arm: 7, value: true });
  assert.deepEqual(sys.decode("Loose", bytes(3)).value, { arm: 3, value: undefined });
  assert.deepEqual(sys.decode("Loose", bytes(0xffffffff)).value, {
    arm: 0xffffffff,
    value: undefined,
  });
});

Deno.test("decode: recursive types", () => {
  const buf = bytes(1, [0x61, 0, 0, 0], 2, 1, [0x62, 0, 0, 0], 0, 0, 0);
  assert.deepEqual(sys.decode("Node", buf).value, {
    name: "a",
    children: [{ name: "b", children: [] }, { name: "", children: [] }],
  });
  assert.equal(sys.skip("Node", buf), buf.length);
});

Deno.test("decode: invalid UTF-8 strings fall back to lossless latin1", () => {
  const buf = bytes(3, [0x61, 0xff, 0xfe, 0], 0);
  const v = sys.decode<{ name: string }>("Node", buf).value;
  assert.equal(v.name, "a\u00ff\u00fe");
  assert.deepEqual(
    Uint8Array.from(v.name, (c) => c.charCodeAt(0)),
    new Uint8Array([0x61, 255, 254]),
  );
});

Deno.test("lazy: listed types become spans that decode later", () => {
  const lazy = new Set(["Point", "Shape"]);
  const { value, end } = sys.decode<Record<string, unknown>>("Rec", REC, 0, { lazy });
  assert.equal(end, REC.length);
  const h = value.h as XdrSpan;
  assert.ok(h instanceof XdrSpan);
  assert.equal(h.type, "Point");
  assert.equal(h.end - h.offset, 8);
  assert.deepEqual(sys.decodeSpan(h), { x: 3, y: 4 });
  assert.ok((value.i as unknown[]).every((x) => x instanceof XdrSpan));
  const k = value.k as XdrSpan;
  assert.equal(k.type, "Shape");
  assert.deepEqual(sys.decodeSpan(k), { arm: "GREEN", value: { x: 10, y: 11 } });
  assert.deepEqual(k.raw(), bytes(1, 10, 11));
  // The root is decoded even when its type is lazy.
  assert.deepEqual(sys.decode("Point", bytes(1, 2), 0, { lazy }).value, { x: 1, y: 2 });
});

Deno.test("fixed sizes are precomputed; unions and var types are variable", () => {
  const cases: [string, number][] = [
    ["Point", 8],
    ["Hash", 32],
    ["Code3", 4],
    ["Color", 4],
    ["Shape", -1],
    ["Node", -1],
    ["Rec", -1],
  ];
  for (const [name, size] of cases) assert.equal(sys.fixedSize(name), size, name);
});

Deno.test("skip: var array of fixed-size elements is O(1) but bounds-checked", () => {
  const t = new XdrTypeSystem({
    Pts: { kind: "array", elem: { kind: "struct", fields: [["x", "int"]] }, max: 1e9 },
  });
  const buf = new Uint8Array(4 + 4 * 1_000_000);
  new DataView(buf.buffer).setUint32(0, 1_000_000);
  assert.equal(t.skip("Pts", buf), buf.length);
  new DataView(buf.buffer).setUint32(0, 1_000_001);
  assert.throws(() => t.skip("Pts", buf), XdrError);
});

Deno.test("check: enums and bools in fixed-size values are checked as decode checks them", () => {
  const table: XdrTypeTable = {
    ...TABLE,
    Pair: { kind: "struct", fields: [["c", "Color"], ["e", "bool"], ["h", "Hash"]] },
    Coded: { kind: "struct", fields: [["x", "int"], ["code", "Code3"]] },
    Box: {
      kind: "struct",
      fields: [
        ["pairs", { kind: "array", elem: "Pair", max: 10 }],
        ["maybe", { kind: "option", elem: "Pair" }],
        ["colors", { kind: "fixedArray", elem: "Color", length: 2 }],
        ["u", { kind: "union", switch: "int", cases: [[0, "Pair", "pair"]] }],
      ],
    },
  };
  const hash = new Array(32).fill(7);
  const box = (c: number, e: number, at: number) => {
    const values = [[0, 1], [1, 0], [-1, 1], [0, 0]].map(([x, y], i) => i === at ? [c, e] : [x, y]);
    const pair = ([x, y]: number[]) => [x, y, hash] as (number | number[])[];
    return bytes(
      2,
      ...pair(values[0]),
      ...pair(values[1]),
      1,
      ...pair(values[2]),
      1,
      -1,
      0,
      ...pair(values[3]),
    );
  };
  for (const codegen of [true, false]) {
    const t = new XdrTypeSystem(table, { codegen });
    const good = box(1, 1, 0);
    assert.equal(t.check("Box", good), good.length);
    assert.equal(t.check("Box", good), t.skip("Box", good));
    // A bad enum or bool in each place: skip jumps over it, decode and check reject it alike.
    for (let at = 0; at < 4; at++) {
      for (const [c, e] of [[5, 0], [0, 2]]) {
        const bad = box(c, e, at);
        assert.equal(t.skip("Box", bad), bad.length, `codegen ${codegen}, place ${at}`);
        let fromCheck: unknown;
        try {
          t.check("Box", bad);
        } catch (err) {
          fromCheck = err;
        }
        assert.ok(fromCheck instanceof XdrError, `codegen ${codegen}, place ${at}`);
        let decodeError: unknown;
        try {
          t.decode("Box", bad);
        } catch (err) {
          decodeError = err;
        }
        assert.ok(decodeError instanceof XdrError);
        assert.equal(fromCheck.message, decodeError.message);
      }
    }
    // The fixed array of colors (after the 88-byte array and the 44-byte option).
    const badColor = good.slice();
    new DataView(badColor.buffer).setInt32(88 + 44, 9);
    assert.equal(t.skip("Box", badColor), badColor.length);
    assert.throws(() => t.check("Box", badColor), /Color/);
    // Padding of a fixed opaque whose length is not a multiple of 4.
    const coded = bytes(1, [0x61, 0x62, 0x63, 0]);
    assert.equal(t.check("Coded", coded), 8);
    coded[7] = 1;
    assert.equal(t.skip("Coded", coded), 8);
    assert.throws(() => t.check("Coded", coded), /zero padding byte/);
  }
});

Deno.test("fieldOffset and unionArm navigate without decoding", () => {
  assert.equal(sys.fieldOffset("Rec", "k", REC, 0), REC.length - 28);
  const k = sys.unionArm("Shape", REC, REC.length - 28);
  assert.equal(k.arm, "GREEN");
  assert.equal(k.discriminant, 1);
  assert.equal(k.type.name, "Point");
  assert.deepEqual(sys.decode(k.type, REC, k.offset).value, { x: 10, y: 11 });
});

interface ErrorCase {
  readonly name: string;
  readonly type: string;
  readonly buf: Uint8Array;
  readonly path: string;
  readonly offset: number;
  readonly expected: RegExp;
  readonly actual: RegExp;
  /** Where skip reports it, if different (skip jumps over fixed-size runs in one step). */
  readonly skipAt?: readonly [path: string, offset: number];
}

function mutate(src: Uint8Array, at: number, value: number): Uint8Array {
  const b = src.slice();
  b[at] = value;
  return b;
}

function word(src: Uint8Array, at: number, value: number): Uint8Array {
  const b = src.slice();
  new DataView(b.buffer).setInt32(at, value);
  return b;
}

const ERROR_CASES: ErrorCase[] = [
  {
    name: "truncated input",
    type: "Rec",
    buf: REC.subarray(0, REC.length - 2),
    path: "Rec.n",
    offset: REC.length - 8,
    expected: /at least|bytes for/,
    actual: /bytes left/,
  },
  {
    name: "truncated inside a union arm",
    type: "Rec",
    buf: REC.subarray(0, 96),
    path: "Rec.k.point.y",
    offset: 96,
    expected: /4 bytes for|8 bytes for Point/,
    actual: /[04] bytes left/,
    skipAt: ["Rec.k.point", 92],
  },
  {
    name: "unknown union arm",
    type: "Ext",
    buf: bytes(5),
    path: "Ext",
    offset: 0,
    expected: /known arm of union Ext/,
    actual: /discriminant 5/,
  },
  {
    name: "enum-switched union with a value outside the enum",
    type: "Rec",
    buf: word(REC, 88, 7),
    path: "Rec.k",
    offset: 88,
    expected: /Color value for union Shape/,
    actual: /^7/,
  },
  {
    name: "unknown enum value",
    type: "Rec",
    buf: word(REC, 104, 9),
    path: "Rec.m",
    offset: 104,
    expected: /Color value/,
    actual: /^9$/,
  },
  {
    name: "bool not 0/1",
    type: "Rec",
    buf: word(REC, 24, 2),
    path: "Rec.e",
    offset: 24,
    expected: /bool 0 or 1/,
    actual: /^2$/,
  },
  {
    name: "nonzero padding (fixed opaque)",
    type: "Rec",
    buf: mutate(REC, 31, 1),
    path: "Rec.f",
    offset: 31,
    expected: /zero padding/,
    actual: /0x1/,
  },
  {
    name: "nonzero padding (var opaque)",
    type: "Rec",
    buf: mutate(REC, 39, 5),
    path: "Rec.g",
    offset: 39,
    expected: /zero padding/,
    actual: /0x5/,
  },
  {
    name: "length over max",
    type: "Rec",
    buf: word(REC, 32, 6),
    path: "Rec.g",
    offset: 32,
    expected: /length <= 5/,
    actual: /^6$/,
  },
  {
    name: "optional flag not 0/1",
    type: "Rec",
    buf: word(REC, 40, 2),
    path: "Rec.h",
    offset: 40,
    expected: /optional flag/,
    actual: /^2$/,
  },
  {
    name: "error inside a recursive array names the index",
    type: "Node",
    buf: bytes(1, [0x61, 0, 0, 0], 2, 0, 0, 9),
    path: "Node.children[1].name",
    offset: 20,
    expected: /length <= 8/,
    actual: /^9$/,
  },
];

for (const c of ERROR_CASES) {
  Deno.test(`errors: ${c.name}`, () => {
    for (const op of ["decode", "skip"] as const) {
      // skip does not look inside fixed-size runs (enums, bools, fixed opaques).
      if (op === "skip" && /enum value|bool|fixed opaque/.test(c.name)) continue;
      const err = assert.throws(
        () => op === "decode" ? sys.decode(c.type, c.buf) : sys.skip(c.type, c.buf),
        (e: unknown) => {
          assert.ok(e instanceof XdrError, `${op}: ${e}`);
          const [path, offset] = op === "skip" && c.skipAt ? c.skipAt : [c.path, c.offset];
          assert.equal(e.path, path, `${op} path`);
          assert.equal(e.offset, offset, `${op} offset`);
          assert.match(e.expected, c.expected, `${op} expected`);
          assert.match(e.actual, c.actual, `${op} actual`);
          assert.match(
            e.message,
            new RegExp(`${path.replace(/[[\].]/g, "\\$&")}.*offset ${offset}`),
          );
          return true;
        },
      );
      void err;
    }
  });
}

Deno.test("table errors: unknown references are reported at construction", () => {
  assert.throws(
    () => new XdrTypeSystem({ A: { kind: "struct", fields: [["x", "Missing"]] } }),
    /A\.x references unknown type Missing/,
  );
});

Deno.test("encode: round-trips every kind and copies spans", () => {
  const { value } = sys.decode("Rec", REC);
  assert.deepEqual(sys.encode("Rec", value), REC);
  const lazy = sys.decode("Rec", REC, 0, { lazy: new Set(["Point", "Shape"]) }).value;
  assert.deepEqual(sys.encode("Rec", lazy), REC);
  assert.deepEqual(sys.encode("Loose", { arm: 3, value: undefined }), bytes(3));
  assert.deepEqual(
    sys.encode("Node", { name: new Uint8Array([0xff]), children: [] }),
    bytes(1, [0xff, 0, 0, 0], 0),
  );
});

const ENCODE_ERRORS: [
  name: string,
  type: string,
  value: unknown,
  path: string,
  expected: RegExp,
][] = [
  ["int out of range", "Point", { x: 2 ** 31, y: 0 }, "Point.x", /32-bit signed/],
  ["missing field", "Point", { x: 1 }, "Point.y", /field y/],
  ["unknown enum name", "Color", "BLUE", "Color", /Color case name/],
  ["unknown arm", "Ext", { arm: 4, value: undefined }, "Ext", /known arm/],
  ["string arm for int union", "Ext", { arm: "v1", value: undefined }, "Ext", /number as Ext arm/],
  ["void arm with a value", "Ext", { arm: 0, value: 1 }, "Ext.0", /void/],
  ["opaque length", "Hash", new Uint8Array(31), "Hash", /Uint8Array\(32\)/],
  ["string too long", "Node", { name: "abcdefghi", children: [] }, "Node.name", /at most 8 bytes/],
  [
    "array too long",
    "Node",
    {
      name: "",
      children: Array(5).fill({ name: "", children: [] }),
    },
    "Node.children",
    /at most 4 elements/,
  ],
  ["hyper not bigint", "Shape", { arm: "NEG_ONE", value: 5 }, "Shape.big", /uhyper/],
  [
    "span of another type",
    "Shape",
    new XdrSpan("Point", 0, 8, new Uint8Array(8)),
    "Shape",
    /Shape value/,
  ],
];

for (const [name, type, value, path, expected] of ENCODE_ERRORS) {
  Deno.test(`encode errors: ${name}`, () => {
    assert.throws(() => sys.encode(type, value), (e: unknown) => {
      assert.ok(e instanceof XdrError, String(e));
      assert.equal(e.path, path);
      assert.match(e.expected, expected);
      return true;
    });
  });
}

Deno.test("arguments: offsets outside the input and foreign types are rejected", () => {
  assert.throws(() => sys.skip("Point", REC, -4), RangeError);
  assert.throws(() => sys.decode("Point", REC, REC.length + 1), RangeError);
  assert.throws(() => sys.decode("Point", REC, 1.5), RangeError);
  const other = new XdrTypeSystem(TABLE);
  assert.throws(() => sys.decode(other.type("Rec"), REC), /another XdrTypeSystem/);
  assert.throws(() => sys.type("Nope"), /unknown XDR type Nope/);
});
