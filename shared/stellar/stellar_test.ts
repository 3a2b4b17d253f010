import { Buffer } from "node:buffer";
import assert from "node:assert/strict";
import {
  Asset as SdkAsset,
  hash as sdkHash,
  Keypair,
  Networks,
  StrKey,
  xdr,
} from "@stellar/stellar-sdk";
import {
  assetString,
  claimableBalanceIdFromRevocation,
  crc16Xmodem,
  decodeMuxedAccount,
  decodeStrkey,
  encodeAccountId,
  encodeAssetXdr,
  encodeClaimableBalanceId,
  encodeContractId,
  encodeLiquidityPoolId,
  encodeMuxedAccount,
  networkId,
  parseAssetString,
  sacContractAddress,
  toHex,
} from "./mod.ts";
import { encodeStrkeyAt, STRKEY_CACHE_SIZE } from "./strkey.ts";

const keys = Array.from({ length: 8 }, () => Keypair.random());
const bytes32 = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + seed) & 0xff);

Deno.test("crc16Xmodem matches the known check value", () => {
  assert.equal(crc16Xmodem(new TextEncoder().encode("123456789")), 0x31c3);
});

Deno.test("strkeys round-trip and match the SDK for G, M, C, L, B", () => {
  for (const [i, k] of keys.entries()) {
    const raw = k.rawPublicKey();
    assert.equal(encodeAccountId(raw), k.publicKey());
    assert.deepEqual(decodeStrkey("account", k.publicKey()), new Uint8Array(raw));
    const id = BigInt(i) * 0x1234_5678_9abc_defn;
    const m = encodeMuxedAccount(raw, id);
    const sdkPayload = new Uint8Array(40);
    sdkPayload.set(raw, 0);
    new DataView(sdkPayload.buffer).setBigUint64(32, id);
    assert.equal(m, StrKey.encodeMed25519PublicKey(Uint8Array.from(sdkPayload) as never));
    const back = decodeMuxedAccount(m);
    assert.equal(back.id, id);
    assert.deepEqual(back.ed25519, new Uint8Array(raw));
    const h = bytes32(i);
    assert.equal(encodeContractId(h), StrKey.encodeContract(h as never));
    assert.equal(encodeLiquidityPoolId(h), StrKey.encodeLiquidityPool(h as never));
    const cb = new Uint8Array(33);
    cb.set(h, 1);
    assert.equal(encodeClaimableBalanceId(h), StrKey.encodeClaimableBalance(cb as never));
  }
});

Deno.test("decodeStrkey rejects wrong kind, bad checksum and bad characters", () => {
  const g = keys[0].publicKey();
  assert.throws(() => decodeStrkey("contract", g), /wrong (version|length)/);
  const flipped = g.slice(0, -1) + (g.endsWith("A") ? "B" : "A");
  assert.throws(() => decodeStrkey("account", flipped), /checksum|padding|length/);
  assert.throws(() => decodeStrkey("account", g.toLowerCase()), /unexpected character/);
});

Deno.test("networkId is sha256 of the passphrase", () => {
  assert.equal(toHex(networkId(Networks.PUBLIC)), toHex(sdkHash(Buffer.from(Networks.PUBLIC))));
});

Deno.test("asset strings parse and SAC addresses match the SDK", () => {
  const cases = [
    SdkAsset.native(),
    new SdkAsset("USDC", keys[1].publicKey()),
    new SdkAsset("X", keys[2].publicKey()),
    new SdkAsset("ABCDE", keys[3].publicKey()),
    new SdkAsset("ABCDEFGHIJKL", keys[4].publicKey()),
  ];
  for (const sdkAsset of cases) {
    const text = sdkAsset.isNative() ? "native" : `${sdkAsset.getCode()}:${sdkAsset.getIssuer()}`;
    const asset = parseAssetString(text);
    assert.ok(asset, text);
    assert.equal(assetString(asset), text);
    assert.equal(
      toHex(encodeAssetXdr(asset)),
      toHex(sdkAsset.toXDRObject().toXDR() as Uint8Array),
    );
    for (const net of [Networks.PUBLIC, Networks.TESTNET]) {
      assert.equal(sacContractAddress(asset, net), sdkAsset.contractId(net));
    }
  }
  for (const bad of ["", "XLM", "USDC:", ":G", "TOOLONGCODE123:" + keys[0].publicKey(), "A:B:C"]) {
    assert.equal(parseAssetString(bad), null, bad);
  }
});

Deno.test("claimableBalanceIdFromRevocation matches the SDK's HashIdPreimage", () => {
  const source = keys[5].rawPublicKey();
  const pool = bytes32(9);
  const sdkAsset = new SdkAsset("EURT", keys[6].publicKey());
  const preimage = xdr.HashIdPreimage.envelopeTypePoolRevokeOpId(
    new xdr.HashIdPreimageRevokeId({
      sourceAccount: xdr.PublicKey.publicKeyTypeEd25519(source),
      seqNum: xdr.Int64.fromString("123456789012345"),
      opNum: 3,
      liquidityPoolId: new xdr.PoolId(pool as never),
      asset: sdkAsset.toXDRObject(),
    } as never),
  );
  const expected = sdkHash(preimage.toXDR() as never);
  const got = claimableBalanceIdFromRevocation({
    sourceAccount: new Uint8Array(source),
    seqNum: 123456789012345n,
    opIndex: 3,
    liquidityPoolId: pool,
    asset: parseAssetString(`EURT:${keys[6].publicKey()}`)!,
  });
  assert.equal(toHex(got), toHex(expected));
});

Deno.test("encodeStrkey's cache keeps kinds apart and stays right past its size", () => {
  const payload = bytes32(3);
  // Same payload, different kinds: different version bytes, different texts.
  assert.equal(encodeAccountId(payload), StrKey.encodeEd25519PublicKey(Buffer.from(payload)));
  assert.equal(encodeContractId(payload), StrKey.encodeContract(Buffer.from(payload)));
  assert.notEqual(encodeAccountId(payload), encodeContractId(payload));
  // A payload changed after encoding is encoded anew (the cache copies what it keys on).
  const mutable = bytes32(4);
  const before = encodeAccountId(mutable);
  mutable[0] ^= 1;
  assert.equal(encodeAccountId(mutable), StrKey.encodeEd25519PublicKey(Buffer.from(mutable)));
  assert.notEqual(encodeAccountId(mutable), before);
  // Past the cache size (it starts over), results stay right.
  for (let i = 0; i < STRKEY_CACHE_SIZE + 10; i++) {
    const p = bytes32(0);
    new DataView(p.buffer).setUint32(0, i);
    if (i % 9973 === 0 || i >= STRKEY_CACHE_SIZE) {
      assert.equal(encodeAccountId(p), StrKey.encodeEd25519PublicKey(Buffer.from(p)));
    } else encodeAccountId(p);
  }
  assert.equal(encodeAccountId(payload), StrKey.encodeEd25519PublicKey(Buffer.from(payload)));
  // Payloads that differ in byte 0 only share a set of two slots: each lookup still gets its own
  // text, with two of them alternating and with a third evicting the older.
  const same = [0, 0x80, 0x40].map((x) => {
    const p = bytes32(9);
    p[0] ^= x;
    return p;
  });
  for (const order of [[0, 1, 0, 1], [0, 1, 2, 0, 2, 1, 0]]) {
    for (const i of order) {
      assert.equal(encodeAccountId(same[i]), StrKey.encodeEd25519PublicKey(Buffer.from(same[i])));
    }
  }
});

Deno.test("encodeStrkeyAt reads the payload in place, for every payload length", () => {
  const key = bytes32(5);
  const framed = new Uint8Array(50);
  framed.set(key, 7);
  assert.equal(encodeStrkeyAt("account", framed, 7), encodeAccountId(key));
  assert.equal(encodeStrkeyAt("contract", framed, 7), encodeContractId(key));
  const id = 0x0123456789abcdefn;
  const muxed = encodeMuxedAccount(key, id);
  assert.equal(muxed, StrKey.encodeMed25519PublicKey(Buffer.from(decodeStrkey("muxed", muxed))));
  assert.equal(encodeMuxedAccount(key, id + 1n) === muxed, false);
  assert.equal(encodeMuxedAccount(key, id), muxed);
  assert.throws(() => encodeStrkeyAt("account", framed, 30), /32-byte payload at offset 30/);
});

Deno.test("toHex matches Buffer's hex, also for inputs past one fromCharCode chunk", () => {
  for (const n of [0, 1, 32, 4096, 4097, 10_000]) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
    assert.equal(toHex(b), Buffer.from(b).toString("hex"));
  }
});
