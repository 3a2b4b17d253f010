/**
 * Table-driven tests per operation kind, each on a real transaction found in the fixtures
 * (derived mode). Every v4 case is also covered by the derived == unified (stellar-core) test;
 * every case by the balance-delta verification.
 *
 * Kinds the fixtures lack (covered by the rule unit tests in rules_test.ts instead): trades from
 * CreatePassiveSellOffer, ClawbackClaimableBalance, LiquidityPoolDeposit/Withdraw, Inflation,
 * revocations that pull pool shares into claimable balances, pre-protocol-8 reconciliation,
 * SAC/SEP-41 events in meta v3 and contract mint/clawback events.
 */
import assert from "node:assert/strict";
import { extractLedger } from "./mod.ts";
import { fixtureLedgers } from "./testing_fixtures.ts";

type Row = [
  string,
  string | null,
  string | null,
  string | null,
  string,
  string | null,
  string | null,
];

interface Case {
  kind: string;
  ledger: number;
  tx: string;
  op: number;
  /** [event_type, from, to, asset, amount, to_muxed_type, to_muxed_value] */
  events: Row[];
}

const CASES: Case[] = [
  {
    kind: "CREATE_ACCOUNT",
    ledger: 63093000,
    tx: "59536165295f9a5d24df7be9742a58ebabc107eb17dcdfd6151de696ec6d242c",
    op: 1,
    events: [
      [
        "transfer",
        "GCWB3T4MQEGXN6SYLRS35IRQSBA7P5GKYVGXNAJQXM6WIRVIIY6SXDJL",
        "GABFJIMI52DCECD7ZSMNEFCNEYKREJOKPQCM2QX5UKCVY3UHHA77JNL6",
        "native",
        "15000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "PAYMENT transfer",
    ledger: 63093001,
    tx: "3ac758d31bbefafb65096acd0e631e919c38cc1f0c019a5c48f132b267fb0ec2",
    op: 1,
    events: [
      [
        "transfer",
        "GDSMHXCLADGDXLK3ZLZCQ45LC27G3YD5HKWRGCX6BFMGGZK5OJVJEV4J",
        "GAUA7XL5K54CC2DDGP77FJ2YBHRJLT36CPZDXWPM6MP7MANOGG77PNJU",
        "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
        "500000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "PAYMENT muxed id",
    ledger: 63092990,
    tx: "539b85caef25b6327f4172cc2e76c40b6f79114f8fb1c4983b0209d8329f69be",
    op: 1,
    events: [
      [
        "transfer",
        "GBW5AENWI5PFJRYEIAIRYDB62MVEHDYHEBXKFN3TI64RSL2L6GYOYFG4",
        "GDS4HKW74QFQ2JEFTT5W5OXQBEPP3C6I6VNZSMSVSKI7DXYS332U5H2W",
        "native",
        "2441996743",
        "id",
        "1300725",
      ],
    ],
  },
  {
    kind: "PAYMENT memo hash",
    ledger: 51000294,
    tx: "31c596ad70a6727d0e3a9a1d2a22ebd6182fc7a18fabbb38cc74d1a66d6d28c1",
    op: 1,
    events: [
      [
        "transfer",
        "GDQXVQUQBC5VB7QEEXWW6P2HNUVVXTCPBZK3VW7NOM7SCLJZ3F4K4SWI",
        "GBYK5E2FVVUHHOTQPKDQVLIWRZK47X4JYJ7VUWUHKX7SOBRROAMHRUA6",
        "EZI:GDUSR5BB2KXCSMVUO7H2OPXYURYIED4FS2T72CNN3DKJE3RYNDTWD6RU",
        "10000000",
        "hash",
        "3238393132313244354135423642363338353832323939433843304432334443",
      ],
    ],
  },
  {
    kind: "PAYMENT mint",
    ledger: 63093001,
    tx: "5fc5f694dca2117aebb215da3e89afee128d6856332b4888c5a3628c49e5b257",
    op: 1,
    events: [
      [
        "mint",
        null,
        "GBWWWTMTYAZXREF66FGFOWUYZOFYNXGALZ46MUKK4UMNRSEC2BOS5C3R",
        "WATER:GDM4UVNHVHX7ZCYDOKKBXQXY2VGWRD2NMQCL7IKCSE5RCN3WFQMF5REW",
        "784000000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "PAYMENT burn",
    ledger: 1410174,
    tx: "b083cddb9db05f888b88dbd2e42d135ac998eff92439a70a9ee070d5d69c3146",
    op: 1,
    events: [
      [
        "burn",
        "GDN2YWDFKBWAX4Z6US4SW75KTTXR5OKM3RHX77CRU24YQR3QGITGZ7VD",
        null,
        "SEC:GCIWHFAARGUWSLRXWD7YRQDJLY43VNO7MWBD2UYVS3RMZFMNYBXWX7K6",
        "1000000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "PATH_PAYMENT_STRICT_SEND",
    ledger: 63092982,
    tx: "ff088d9063d2466cb4b0f0bbe8e8796a54ebb4366085d6fd1e7a23df9a12ef04",
    op: 1,
    events: [
      [
        "transfer",
        "GDLPR3HFGF5HZ2Z6QOY3NOIBWZXPAW36FU2KE6ZSYKORGTGLNF7XJV7I",
        "GC2527CLE33Q3XO33R6KP4BRM6XS7A77KCIUKSUV7KJBDVEG7URVGIQO",
        "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
        "15988471719",
        null,
        null,
      ],
      [
        "transfer",
        "GC2527CLE33Q3XO33R6KP4BRM6XS7A77KCIUKSUV7KJBDVEG7URVGIQO",
        "GDLPR3HFGF5HZ2Z6QOY3NOIBWZXPAW36FU2KE6ZSYKORGTGLNF7XJV7I",
        "native",
        "68984742201",
        null,
        null,
      ],
      [
        "transfer",
        "GDLPR3HFGF5HZ2Z6QOY3NOIBWZXPAW36FU2KE6ZSYKORGTGLNF7XJV7I",
        "GDLPR3HFGF5HZ2Z6QOY3NOIBWZXPAW36FU2KE6ZSYKORGTGLNF7XJV7I",
        "native",
        "68984742201",
        "id",
        "0",
      ],
    ],
  },
  {
    kind: "PATH_PAYMENT_STRICT_RECEIVE",
    ledger: 1410241,
    tx: "bfadc495abf89ff6abaad32012d242860a5f60025956db706a39953a557c3505",
    op: 1,
    events: [
      [
        "transfer",
        "GBZOY7QELDG62ARUSSL5NKBTMFOVRN5TMTXFO7OOHR3F6UBO27S2UMGO",
        "GDXFDJFL2QA3ILF6G4XHTLEMEGAZ67ZV23TLP7RYWFTTICHHF3IIGI23",
        "native",
        "100000000",
        null,
        null,
      ],
      [
        "transfer",
        "GDXFDJFL2QA3ILF6G4XHTLEMEGAZ67ZV23TLP7RYWFTTICHHF3IIGI23",
        "GBZOY7QELDG62ARUSSL5NKBTMFOVRN5TMTXFO7OOHR3F6UBO27S2UMGO",
        "TK2:GCIY3DR7IWCZCBKYRG3NFK47ATTM5UVP4ZDNQY5V46DMOJVW5Q7LTINP",
        "110000000",
        null,
        null,
      ],
      [
        "transfer",
        "GBZOY7QELDG62ARUSSL5NKBTMFOVRN5TMTXFO7OOHR3F6UBO27S2UMGO",
        "GD22DXUXJYQ2T47WDGUA7CVYP22KQP7EGLUSDFM2WRVECJXJDVW7NKEI",
        "TK2:GCIY3DR7IWCZCBKYRG3NFK47ATTM5UVP4ZDNQY5V46DMOJVW5Q7LTINP",
        "110000000",
        null,
        null,
      ],
      [
        "transfer",
        "GD22DXUXJYQ2T47WDGUA7CVYP22KQP7EGLUSDFM2WRVECJXJDVW7NKEI",
        "GBZOY7QELDG62ARUSSL5NKBTMFOVRN5TMTXFO7OOHR3F6UBO27S2UMGO",
        "TK1:GAVCBHHD5T6SIFBWVRMDXCRNPD2VJ2BBYGA4JPLSPGJYPFSLG7XIQFPN",
        "120000000",
        null,
        null,
      ],
      [
        "transfer",
        "GBZOY7QELDG62ARUSSL5NKBTMFOVRN5TMTXFO7OOHR3F6UBO27S2UMGO",
        "GBZOY7QELDG62ARUSSL5NKBTMFOVRN5TMTXFO7OOHR3F6UBO27S2UMGO",
        "TK1:GAVCBHHD5T6SIFBWVRMDXCRNPD2VJ2BBYGA4JPLSPGJYPFSLG7XIQFPN",
        "120000000",
        "text",
        "n1PZr7Q5IE2hD0KT+++XPA==",
      ],
    ],
  },
  {
    kind: "MANAGE_SELL_OFFER",
    ledger: 63092983,
    tx: "a7341fe83e729f079ab8312e301d1d6b6891dcd8700dfc1773044ae7aae1985c",
    op: 3,
    events: [
      [
        "transfer",
        "GACCNP7EHHUO2ZUHVDBQU7GPANZNSDSPE6AEMTLH4OZC6JZ3GNTK72PA",
        "GD4LA2DQALYN6YENM7GS75LOROUCURASSHATTMCMBU5ULNZYNCCSKV6M",
        "yXLM:GARDNV3Q7YGT4AKSDF25LT32YSCCW4EV22Y2TV3I2PU2MMXJTEDL5T55",
        "22611372",
        null,
        null,
      ],
      [
        "transfer",
        "GD4LA2DQALYN6YENM7GS75LOROUCURASSHATTMCMBU5ULNZYNCCSKV6M",
        "GACCNP7EHHUO2ZUHVDBQU7GPANZNSDSPE6AEMTLH4OZC6JZ3GNTK72PA",
        "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
        "5243828",
        null,
        null,
      ],
    ],
  },
  {
    kind: "MANAGE_BUY_OFFER mint",
    ledger: 63092987,
    tx: "b5c9e1e827c99639ec65d10cb6e0a4ac264bdeefea4e54dfd40ed90ec01065c4",
    op: 1,
    events: [
      [
        "transfer",
        "GCW7ZFCX6T2M6ARPAAKBE6JAGYL2BR7SLACN6DAAABQ7CECJNRMH3DXX",
        "GDC7X2MXTYSAKUUGAIQ7J7RPEIM7GXSAIWFYWWH4GLNFECQVJJLB2EEU",
        "AUDR:GAAVW6EQ4N4SHNTKBLTOBXKS6CEIMT2KZI7YQ5B37ECNVPFLBIGRKLIL",
        "20000000000",
        null,
        null,
      ],
      [
        "mint",
        null,
        "GCW7ZFCX6T2M6ARPAAKBE6JAGYL2BR7SLACN6DAAABQ7CECJNRMH3DXX",
        "AUDD:GDC7X2MXTYSAKUUGAIQ7J7RPEIM7GXSAIWFYWWH4GLNFECQVJJLB2EEU",
        "20000000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "ACCOUNT_MERGE",
    ledger: 63092998,
    tx: "dd7f34f852bbd336f0f9fbf6004768695c493aa277052bf42ca00d8d506b5f48",
    op: 1,
    events: [
      [
        "transfer",
        "GDQLU5LXK2ZLK3XQQIQY3DHC4WFIE6S3TE6PLLGMKGSSM4TQAEJALQFK",
        "GCWB3T4MQEGXN6SYLRS35IRQSBA7P5GKYVGXNAJQXM6WIRVIIY6SXDJL",
        "native",
        "14989800",
        null,
        null,
      ],
    ],
  },
  {
    kind: "CREATE_CLAIMABLE_BALANCE",
    ledger: 63093001,
    tx: "e3316a59b69ae15928586c24f3229856d954d3d1854cccfa478edcdf11fb5cc2",
    op: 1,
    events: [
      [
        "transfer",
        "GA6QJFWEGHRRKBYVJ22MFBHVMKRRDUMPVKGPHEJTOMLRUVU5QHSIMXLM",
        "BAAGLUTYIPELDUUAKHUXO6C4VJ3UZ6TAY2ARV7W6MYTM6JUDOK7RHSEGC4",
        "CLARITY:GBJBBDOO4LQ574QNVDCHZK7FEIWKT7XPERVBNPUVSF762G2APCZTQOVD",
        "33960",
        null,
        null,
      ],
    ],
  },
  {
    kind: "CLAIM_CLAIMABLE_BALANCE",
    ledger: 63093000,
    tx: "86e62a07ad7a7701291607e03e8feaf5dc06f923f29eff1220830095e1d0ab7c",
    op: 2,
    events: [
      [
        "transfer",
        "BAAHWWOL4M4CS62ZSZKE4AIOBPZMV7BFRSS3ZJLNG4N7K7GODGKEIBYMMM",
        "GANSBKFABGVFNQ7WYSTU27M6BSO6FCJBPVR33475WLOZ7LL4GRL27TQQ",
        "CLARITY:GBJBBDOO4LQ574QNVDCHZK7FEIWKT7XPERVBNPUVSF762G2APCZTQOVD",
        "33960",
        null,
        null,
      ],
    ],
  },
  {
    kind: "CLAWBACK",
    ledger: 1410096,
    tx: "d893efa609aba7d5a7d1cac27931d2d4310ba37d6263a355e98b2b0138f1a17c",
    op: 1,
    events: [
      [
        "clawback",
        "GCUAF247NYY5CEYZBD2MCFNDETFLTLI4WSEJL23SWOWY667FN626C3AY",
        null,
        "SEC:GBCKMB22U56BFQMAAWSZY2CLPTX6OJN7EDSQMHGG4JCPH5TKAZG5DWUN",
        "400000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "INVOKE_HOST_FUNCTION transfer",
    ledger: 63093000,
    tx: "ee18ab6e6407627da26634d6f442536b532c7aed45a72a9e3a8654495198aa9d",
    op: 1,
    events: [
      [
        "transfer",
        "GDAIGER35MENHLSWOO4E7ZPCS5NAIUD62LV2V6QRRPSVTYXXRCG5VLGB",
        "CBN2QDW62HQXZCLALRMRLPLE5ADJN6FYM4WFUPI2A2PY5YXCSQTYVM6S",
        "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
        "400000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "INVOKE_HOST_FUNCTION burn",
    ledger: 63092991,
    tx: "f19053c70767063ef13debaae12a1630cdc8e73d48be8a1fdf0ab2570c7394c4",
    op: 1,
    events: [
      [
        "burn",
        "GC5UBRGI5R272356XITEWMH3HY7LB23SGFTREEPPDP23STQSA7NZPE5X",
        null,
        "KALE:GBDVX4VELCDSQ54KQJYTNHXAHFLBCA77ZY2USQBM4CSHTTV7DME7KALE",
        "2000000000",
        null,
        null,
      ],
    ],
  },
  {
    kind: "SET_TRUST_LINE_FLAGS none",
    ledger: 63092997,
    tx: "d2dbddb27a7ea6c3aaa6cbd8698e79d4c42540556f777c06540aa6ba5dd677bd",
    op: 1,
    events: [],
  },
  {
    kind: "ALLOW_TRUST none",
    ledger: 1410116,
    tx: "b278f76e58719383d93a679713eaca520407df2705384be27333c6862c2a76c0",
    op: 1,
    events: [],
  },
];

const ledgers = new Map(fixtureLedgers().map((l) => [l.sequence, l]));
const cache = new Map<number, ReturnType<typeof extractLedger>>();
function extraction(seq: number) {
  let x = cache.get(seq);
  if (!x) {
    const l = ledgers.get(seq)!;
    x = extractLedger(l.bytes, { networkPassphrase: l.passphrase, mode: "derived" });
    cache.set(seq, x);
  }
  return x;
}

for (const c of CASES) {
  Deno.test(`${c.kind}: ledger ${c.ledger} tx ${c.tx.slice(0, 8)} op ${c.op}`, () => {
    const x = extraction(c.ledger);
    const tx = x.transactions.find((t) => t.hash === c.tx);
    assert.ok(tx, "transaction present");
    assert.ok(tx.successful);
    assert.equal(String(tx.operations[c.op - 1].body.arm), c.kind.split(" ")[0]);
    const got = x.events
      .filter((e) => e.tx_hash === c.tx && e.operation_index === c.op)
      .map((e): Row => [
        e.event_type,
        e.from_address,
        e.to_address,
        e.asset,
        e.amount,
        e.to_muxed_type,
        e.to_muxed_value,
      ]);
    assert.deepEqual(got, c.events);
  });
}

Deno.test("fee bump: the fee event is paid by the outer fee source, tx hash is the outer hash", () => {
  const x = extraction(51000294);
  const hash = "b815278ae05384e4fc751ceaf7f3b3b5ab5f359ebe2b52d6000184ed3ca63037";
  const tx = x.transactions.find((t) => t.hash === hash)!;
  assert.notEqual(tx.feeAccount, tx.source);
  const fee = x.events.find((e) => e.tx_hash === tx.hash && e.event_type === "fee")!;
  assert.equal(fee.from_address, "GAUA7XL5K54CC2DDGP77FJ2YBHRJLT36CPZDXWPM6MP7MANOGG77PNJU");
  assert.equal(fee.amount, "300");
  assert.equal(fee.operation_index, null);
  assert.equal(fee.contract_address, "CAS3J7GYLGXMF6TDJBBYYSE3HQ6BBSMLNUQ34T6TZMYMW2EVH34XOWMA");
});

Deno.test("Soroban fee and refund (meta v3, protocol 21): refund negative, after the tx's events", () => {
  const x = extraction(53312000);
  const hash = "f551d9cfa65681c9376db2fc0efcc8ef9045c306c0b54e779c0a70514dec880f";
  const fees = x.events.filter((e) => e.tx_hash === hash && e.event_type === "fee");
  assert.deepEqual(fees.map((e) => e.amount), ["10000100", "-9498682"]);
  assert.deepEqual(fees.map((e) => e.event_id.slice(-10)), ["0000000000", "0000000001"]);
  // Before protocol 23 the refund comes after all fees, right after its transaction's events.
  const at = x.events.findIndex((e) => e.tx_hash === hash && e.amount === "-9498682");
  assert.ok(at >= x.transactions.length);
  const next = x.events[at + 1];
  assert.ok(!next || next.tx_hash !== hash);
  assert.ok(!next || next.transaction_index > fees[0].transaction_index);
});

Deno.test("protocol 23+: all fees, then all operation events, then all refunds", () => {
  const x = extraction(63093001);
  const kinds = x.events.map((e) =>
    e.event_type === "fee" ? (e.amount.startsWith("-") ? "r" : "f") : "o"
  );
  const firstO = kinds.indexOf("o");
  const firstR = kinds.indexOf("r");
  assert.ok(firstO > 0 && firstR > firstO);
  assert.ok(kinds.slice(0, firstO).every((k) => k === "f"));
  assert.ok(kinds.slice(firstR).every((k) => k === "r"));
});

Deno.test("failed transaction: only its fee event", () => {
  const x = extraction(997);
  const hash = "a1c91b0ba3023745aa599bf4c989649056d6c40ab49386cc1440ba80d336a5a5";
  const mine = x.events.filter((e) => e.tx_hash === hash);
  assert.deepEqual(mine.map((e) => [e.event_type, e.amount]), [["fee", "200"]]);
});
