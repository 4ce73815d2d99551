import { openssl } from '../../test-support/openssl';
import { isPkiError } from '../errors';
import { type DerCursor, derCursor, readSingle, readTlv, DEFAULT_LIMITS, Tag } from './reader';
import {
  bitsSet,
  bytes,
  readBigInt,
  readBitString,
  readBoolean,
  readOid,
  readSmallInt,
  readString,
  readTime,
} from './values';
import {
  bitString,
  bmp,
  bool,
  encodeLength,
  enumerated,
  explicit,
  generalizedTime,
  ia5,
  identifier,
  implicit,
  int,
  namedBits,
  nul,
  numeric,
  octets,
  oid,
  printable,
  seq,
  set,
  setOf,
  teletex,
  time,
  tlv,
  universal,
  utcTime,
  utf8,
  visible,
} from './writer';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const one = (b: Buffer) => ({ buf: b, tlv: readSingle(b, 'test') });

function expectInvalid(f: () => unknown): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isPkiError(err, 'INVALID_ARGUMENT')).toBe(true);
}

describe('DER writer: INTEGER', () => {
  const cases: Array<[bigint, string]> = [
    [0n, '020100'],
    [1n, '020101'],
    [127n, '02017f'],
    [128n, '02020080'],
    [255n, '020200ff'],
    [256n, '02020100'],
    [-1n, '0201ff'],
    [-128n, '020180'],
    [-129n, '0202ff7f'],
    [-256n, '0202ff00'],
    [-257n, '0202feff'],
    [-32768n, '02028000'],
    [-32769n, '0203ff7fff'],
    [2n ** 64n, '0209010000000000000000'],
  ];
  it.each(cases)('%s encodes minimally and reads back', (v, expected) => {
    const der = int(v);
    expect(hex(der)).toBe(expected);
    const { buf, tlv: t } = one(der);
    expect(readBigInt(buf, t)).toBe(v);
  });

  it('round-trips random bigints of both signs through the reader', () => {
    let seed = 0x12345678n;
    for (let i = 0; i < 300; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      const bits = BigInt(i % 130);
      let v = seed % (1n << (bits + 1n));
      if (i % 2) v = -v;
      const { buf, tlv: t } = one(int(v));
      expect(readBigInt(buf, t)).toBe(v); // integerBytes also rejects non-minimal encodings
    }
  });

  it('accepts numbers and two-complement bytes, minimising redundant sign octets', () => {
    expect(hex(int(65537))).toBe('0203010001');
    expect(hex(int(-2))).toBe('0201fe');
    expect(hex(int(Uint8Array.of(0x00, 0x00, 0x7f)))).toBe('02017f');
    expect(hex(int(Uint8Array.of(0x00, 0x80)))).toBe('02020080');
    expect(hex(int(Uint8Array.of(0xff, 0xff, 0x80)))).toBe('020180');
    expect(hex(int(Uint8Array.of(0xff, 0x7f)))).toBe('0202ff7f');
    expect(hex(int(new Uint8Array(0)))).toBe('020100');
  });

  it('refuses unsafe numbers', () => {
    expectInvalid(() => int(2 ** 60));
    expectInvalid(() => int(1.5));
  });

  it('writes ENUMERATED with the same rules', () => {
    const der = enumerated(6);
    expect(hex(der)).toBe('0a0106');
    const { buf, tlv: t } = one(der);
    expect(t.tag).toBe(Tag.ENUMERATED);
    expect(readSmallInt(buf, t)).toBe(6);
  });
});

describe('DER writer: lengths and tags', () => {
  it('uses the short form below 128 and minimal long forms above', () => {
    expect(hex(encodeLength(0))).toBe('00');
    expect(hex(encodeLength(127))).toBe('7f');
    expect(hex(encodeLength(128))).toBe('8180');
    expect(hex(encodeLength(255))).toBe('81ff');
    expect(hex(encodeLength(256))).toBe('820100');
    expect(hex(encodeLength(70000))).toBe('83011170');
  });

  it('long values read back with the strict DER reader', () => {
    for (const n of [0, 1, 127, 128, 255, 256, 65535, 65536, 70000]) {
      const der = octets(Buffer.alloc(n, 7));
      const t = readSingle(der, 'octets');
      expect(t.valueEnd - t.valueStart).toBe(n);
    }
  });

  it('encodes high tag numbers and the reader agrees', () => {
    expect(hex(identifier(2, true, 5))).toBe('a5');
    expect(hex(identifier(2, false, 31))).toBe('9f1f');
    expect(hex(identifier(2, false, 201))).toBe('9f8149');
    const der = explicit(201, nul());
    const t = readTlv(der, 0, der.length, 0, DEFAULT_LIMITS);
    expect(t.tagNumber).toBe(201);
    expect(t.constructed).toBe(true);
  });

  it('refuses identifier octets outside a byte', () => {
    expectInvalid(() => tlv(256, Buffer.alloc(0)));
  });
});

describe('DER writer: constructed values', () => {
  it('seq and explicit skip undefined/null/false parts', () => {
    const present = true as boolean;
    const absent = false as boolean;
    expect(hex(seq(int(1), undefined, null, absent && int(2), present && int(3)))).toBe('3006020101020103');
    expect(hex(explicit(0, int(2)))).toBe('a003020102');
  });

  it('setOf sorts by encoding; set keeps the order given', () => {
    const a = int(1);
    const b = utf8('a');
    const c = int(300);
    // 02 01 01 < 02 02 01 2c < 0c 01 61
    expect(hex(setOf(b, c, a))).toBe('310a' + hex(a) + hex(c) + hex(b));
    expect(hex(set(b, c, a))).toBe('310a' + hex(b) + hex(c) + hex(a));
    // a shorter encoding that is a prefix of a longer one sorts first
    expect(hex(setOf(octets(Uint8Array.of(1, 0)), octets(Uint8Array.of(1))))).toBe('3107040101' + '04020100');
  });

  it('implicit re-tags keeping the content and form', () => {
    expect(hex(implicit(1, ia5('a@b')))).toBe('8103614062');
    expect(hex(implicit(0, seq(int(1))))).toBe('a003020101');
    expect(hex(implicit(2, seq(int(1)), false))).toBe('8203020101');
    expect(hex(implicit(40, octets(Uint8Array.of(9))))).toBe('9f280109');
    expectInvalid(() => implicit(0, Buffer.concat([int(1), int(2)])));
  });

  it('nested structures walk with the cursor', () => {
    const der = seq(oid('1.2.840.113549.1.1.11'), nul(), explicit(3, seq(bool(true), bool(false))));
    const top = derCursor(der);
    const s = top.next();
    const c = top.enter(s);
    expect(readOid(der, c.expect(Tag.OID, 'oid'))).toBe('1.2.840.113549.1.1.11');
    c.expect(Tag.NULL, 'null');
    const e = c.enter(c.expect(0xa3, '[3]'));
    const inner = e.enter(e.next());
    expect(readBoolean(der, inner.next())).toBe(true);
    expect(readBoolean(der, inner.next())).toBe(false);
    inner.done('inner');
    c.done('seq');
  });
});

describe('DER writer: primitive values read back', () => {
  it('OIDs including large arcs', () => {
    for (const o of ['1.2.410.200004.10.1.1', '2.5.29.32.0', '0.9.2342.19200300.100.1.25', '2.999.3', '1.3.6.1.4.1.311.21.20', '2.25.329800735698586629295641978511506172918']) {
      const { buf, tlv: t } = one(oid(o));
      expect(readOid(buf, t)).toBe(o);
    }
    expect(hex(oid('1.2.840.113549'))).toBe('06062a864886f70d');
    expectInvalid(() => oid('1'));
    expectInvalid(() => oid('3.1'));
    expectInvalid(() => oid('1.40'));
    expectInvalid(() => oid('1.2.a'));
  });

  it('BIT STRING with and without unused bits', () => {
    const { buf, tlv: t } = one(bitString(Uint8Array.of(0xa0), 5));
    expect(readBitString(buf, t)).toEqual({ unusedBits: 5, bytes: Uint8Array.of(0xa0) });
    expectInvalid(() => bitString(Uint8Array.of(0xa1), 5));
    expectInvalid(() => bitString(new Uint8Array(0), 1));
    expectInvalid(() => bitString(Uint8Array.of(0), 8));
  });

  it('named bits drop trailing zeros (keyUsage digitalSignature+nonRepudiation = 03 02 06 c0)', () => {
    expect(hex(namedBits([0, 1]))).toBe('030206c0');
    expect(hex(namedBits([5, 6]))).toBe('03020106');
    expect(hex(namedBits([8]))).toBe('0303070080');
    expect(hex(namedBits([]))).toBe('030100');
    const { buf, tlv: t } = one(namedBits([0, 2, 8]));
    expect([...bitsSet(readBitString(buf, t))]).toEqual([0, 2, 8]);
  });

  it('BOOLEAN and NULL', () => {
    expect(hex(bool(true))).toBe('0101ff');
    expect(hex(bool(false))).toBe('010100');
    expect(hex(nul())).toBe('0500');
  });

  it('string types keep their tags and text', () => {
    const cases: Array<[Buffer, number, string]> = [
      [utf8('홍길동()0010'), Tag.UTF8_STRING, '홍길동()0010'],
      [printable("Test RootCA-1 (x)+,./:=?'"), Tag.PRINTABLE_STRING, "Test RootCA-1 (x)+,./:=?'"],
      [ia5('ldap://ds.yessign.or.kr:389/ou=dp5p22874?certificateRevocationList'), Tag.IA5_STRING, 'ldap://ds.yessign.or.kr:389/ou=dp5p22874?certificateRevocationList'],
      [bmp('이 인증서는 테스트용입니다'), Tag.BMP_STRING, '이 인증서는 테스트용입니다'],
      [visible('Visible ~'), Tag.VISIBLE_STRING, 'Visible ~'],
      [numeric('0123 45'), Tag.NUMERIC_STRING, '0123 45'],
      [teletex('Müller'), Tag.TELETEX_STRING, 'Müller'],
      [universal('a😀'), Tag.UNIVERSAL_STRING, 'a😀'],
    ];
    for (const [der, tag, text] of cases) {
      const { buf, tlv: t } = one(der);
      expect(t.tag).toBe(tag);
      expect(readString(buf, t)).toBe(text);
    }
    expect(hex(bmp('가'))).toBe('1e02ac00');
  });

  it('refuses characters a string type cannot hold', () => {
    expectInvalid(() => printable('a@b'));
    expectInvalid(() => printable('한'));
    expectInvalid(() => ia5('é'));
    expectInvalid(() => visible('\n'));
    expectInvalid(() => numeric('12a'));
    expectInvalid(() => bmp('😀'));
    expectInvalid(() => utf8('\ud800'));
    expectInvalid(() => teletex('한'));
  });

  it('UTCTime and GeneralizedTime', () => {
    const t1 = Date.UTC(2026, 2, 1, 14, 59, 59);
    expect(Buffer.from(bytes(utcTime(t1), readSingle(utcTime(t1), 't'))).toString()).toBe('260301145959Z');
    const g = generalizedTime(Date.UTC(2050, 0, 1));
    expect(Buffer.from(bytes(g, readSingle(g, 'g'))).toString()).toBe('20500101000000Z');
    for (const ms of [Date.UTC(1950, 0, 1), Date.UTC(1999, 11, 31, 23, 59, 59), t1, Date.UTC(2049, 11, 31, 23, 59, 59)]) {
      const der = utcTime(ms);
      expect(readTime(der, readSingle(der, 'utc'))).toBe(ms);
      const der2 = generalizedTime(ms);
      expect(readTime(der2, readSingle(der2, 'gen'))).toBe(ms);
    }
    expectInvalid(() => utcTime(Date.UTC(2050, 0, 1)));
    expectInvalid(() => utcTime(Date.UTC(1949, 11, 31, 23, 59, 59)));
    expectInvalid(() => utcTime(Number.NaN));
  });

  it('drops milliseconds unless a fraction is asked for (trailing zeros removed)', () => {
    const ms = Date.UTC(2025, 5, 1, 1, 2, 3, 450);
    const text = (b: Buffer): string => Buffer.from(bytes(b, readSingle(b, 't'))).toString();
    expect(text(utcTime(ms))).toBe('250601010203Z');
    expect(text(generalizedTime(ms))).toBe('20250601010203Z');
    expect(text(generalizedTime(ms, { fraction: true }))).toBe('20250601010203.45Z');
    expect(text(generalizedTime(Date.UTC(2025, 5, 1), { fraction: true }))).toBe('20250601000000Z');
    const der = generalizedTime(ms, { fraction: true });
    expect(readTime(der, readSingle(der, 'g'))).toBe(ms - 450); // the reader ignores fractions
  });

  it('time() switches to GeneralizedTime in 2050 (RFC 5280)', () => {
    expect(time(Date.UTC(2049, 11, 31, 23, 59, 59))[0]).toBe(Tag.UTC_TIME);
    expect(time(Date.UTC(2050, 0, 1))[0]).toBe(Tag.GENERALIZED_TIME);
    expect(time(Date.UTC(1949, 0, 1))[0]).toBe(Tag.GENERALIZED_TIME);
  });
});

describe('DER writer vs openssl asn1parse', () => {
  it('OpenSSL parses a sample with every type and prints the same values', () => {
    const der = seq(
      int(-129n),
      int(2n ** 70n),
      enumerated(3),
      oid('1.2.410.200005.1.1.1'),
      octets(Uint8Array.of(1, 2, 3)),
      bitString(Uint8Array.of(0xa0), 5),
      bool(true),
      nul(),
      utf8('홍길동'),
      printable('KR'),
      ia5('http://ocsp.example/'),
      bmp('테스트'),
      utcTime(Date.UTC(2026, 2, 1, 14, 59, 59)),
      generalizedTime(Date.UTC(2051, 0, 2, 3, 4, 5)),
      explicit(0, int(2)),
      implicit(1, octets(Uint8Array.of(0xab))),
      setOf(int(2), int(1)),
      octets(Buffer.alloc(300, 0x41)),
    );
    const out = openssl(['asn1parse', '-inform', 'DER'], der).toString();
    expect(out).toMatch(/INTEGER\s+:-81\n/);
    expect(out).toMatch(/INTEGER\s+:400000000000000000\n/);
    expect(out).toMatch(/ENUMERATED\s+:03\n/);
    expect(out).toMatch(/OBJECT\s+:1\.2\.410\.200005\.1\.1\.1\n/);
    expect(out).toMatch(/OCTET STRING\s+\[HEX DUMP\]:010203\n/);
    expect(out).toMatch(/BIT STRING\s*\n/);
    expect(out).toMatch(/BOOLEAN\s+:255\n/);
    expect(out).toMatch(/NULL/);
    expect(out).toMatch(/UTF8STRING\s+:홍길동\n/);
    expect(out).toMatch(/PRINTABLESTRING\s+:KR\n/);
    expect(out).toMatch(/IA5STRING\s+:http:\/\/ocsp\.example\/\n/);
    expect(out).toMatch(/BMPSTRING/);
    expect(out).toMatch(/UTCTIME\s+:260301145959Z\n/);
    expect(out).toMatch(/GENERALIZEDTIME\s+:20510102030405Z\n/);
    expect(out).toMatch(/cont \[ 0 \]/);
    expect(out).toMatch(/cont \[ 1 \]/);
    expect(out).toMatch(/hl=4 l= 300 prim: OCTET STRING/);
    // the sorted SET: 1 before 2
    expect(out).toMatch(/SET\s*\n.*INTEGER\s+:01\n.*INTEGER\s+:02\n/);
    // and our own reader walks it to the end
    const c: DerCursor = derCursor(der);
    const inner = c.enter(c.next());
    let n = 0;
    while (!inner.atEnd()) {
      inner.next();
      n++;
    }
    expect(n).toBe(18);
  });
});
