import { generateKeyPairSync } from 'node:crypto';
import { isPkiError } from '../errors';
import { DerCursor, derCursor, elementAt, readSingle, readTlv, Tag, DEFAULT_LIMITS } from './reader';
import {
  bigintFromTwos,
  bitsSet,
  decodeOid,
  encodeOidContent,
  integerBytes,
  readBigInt,
  readBitString,
  readBoolean,
  readOid,
  readSmallInt,
  readString,
  readTime,
} from './values';
import { openssl } from '../../test-support/openssl';
import { codeOf as code } from '../../test-support/errors';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');


describe('DER reader', () => {
  const spki = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });

  it('walks a real SubjectPublicKeyInfo', () => {
    const c = derCursor(spki);
    const top = c.expect(Tag.SEQUENCE, 'spki');
    c.done('spki');
    const inner = c.enter(top);
    const alg = inner.enter(inner.expect(Tag.SEQUENCE, 'alg'));
    expect(readOid(spki, alg.expect(Tag.OID, 'oid'))).toBe('1.2.840.113549.1.1.1');
    expect(alg.expect(Tag.NULL, 'null').valueEnd).toBeGreaterThan(0);
    const key = readBitString(spki, inner.expect(Tag.BIT_STRING, 'key'));
    expect(key.unusedBits).toBe(0);
    expect(key.bytes[0]).toBe(0x30);
    inner.done('spki');
  });

  it('rejects every truncation of a real structure with a typed error', () => {
    for (let n = 0; n < spki.length; n++) {
      const prefix = spki.subarray(0, n);
      expect(code(() => readSingle(prefix, 'spki'))).toBe('MALFORMED_DER');
    }
  });

  it('rejects trailing bytes', () => {
    expect(code(() => readSingle(Buffer.concat([spki, h('00')]), 'spki'))).toBe('MALFORMED_DER');
  });

  it('rejects lengths that exceed the input, even huge ones', () => {
    expect(code(() => readSingle(h('30 84 7fffffff 00'), 'x'))).toBe('MALFORMED_DER');
    expect(code(() => readSingle(h('30 89 0102030405060708 09'), 'x'))).toBe('MALFORMED_DER');
    expect(code(() => readSingle(h('04 ff'), 'x'))).toBe('MALFORMED_DER');
  });

  it('enforces DER length rules unless BER is allowed', () => {
    // non-minimal long form for a short length
    expect(code(() => readSingle(h('04 81 01 00'), 'x'))).toBe('MALFORMED_DER');
    expect(code(() => readSingle(h('04 82 0001 00'), 'x'))).toBe('MALFORMED_DER');
    const ber = { ...DEFAULT_LIMITS, ber: true };
    expect(readSingle(h('04 81 01 00'), 'x', ber).valueEnd).toBe(4);
    // indefinite length
    expect(code(() => readSingle(h('30 80 0400 0000'), 'x'))).toBe('MALFORMED_DER');
    const t = readSingle(h('30 80 0400 0000'), 'x', ber);
    expect(t.indefinite).toBe(true);
    expect([t.valueStart, t.valueEnd, t.end]).toEqual([2, 4, 6]);
    // indefinite primitive is never allowed; missing end-of-contents is caught
    expect(code(() => readSingle(h('04 80 0000'), 'x', ber))).toBe('MALFORMED_DER');
    expect(code(() => readSingle(h('30 80 0400'), 'x', ber))).toBe('MALFORMED_DER');
  });

  it('reads nested indefinite lengths', () => {
    const ber = { ...DEFAULT_LIMITS, ber: true };
    const buf = h('30 80 a0 80 04 02 6869 0000 0000');
    const t = readSingle(buf, 'x', ber);
    const c = new DerCursor(buf, 0, buf.length, 0, ber).enter(t);
    const inner = c.next();
    expect(inner.indefinite).toBe(true);
    expect(Buffer.from(buf.subarray(inner.valueStart + 2, inner.valueEnd)).toString()).toBe('hi');
    c.done('x');
  });

  it('bounds nesting depth without recursion blow-up', () => {
    // 10,000 nested SEQUENCEs with indefinite length (BER) would recurse: must stop at maxDepth
    const n = 10000;
    const deep = Buffer.concat([Buffer.alloc(n * 2, 0), Buffer.alloc(n * 2, 0)]);
    for (let i = 0; i < n; i++) {
      deep[2 * i] = 0x30;
      deep[2 * i + 1] = 0x80;
    }
    expect(code(() => readSingle(deep, 'deep', { ...DEFAULT_LIMITS, ber: true }))).toBe('NESTING_TOO_DEEP');
    // definite-length deep nesting: entering level by level trips the limit
    let cur: Buffer = h('0500');
    for (let i = 0; i < 100; i++) cur = Buffer.concat([Buffer.from([0x30, ...lengthOctets(cur.length)]), cur]);
    let c = derCursor(cur);
    const walk = (): void => {
      for (;;) {
        const t = c.next();
        if (!t.constructed) return;
        c = c.enter(t);
      }
    };
    expect(code(walk)).toBe('NESTING_TOO_DEEP');
  });

  it('decodes high tag numbers and rejects non-minimal ones', () => {
    const t = readSingle(h('9f 81 00 00'), 'x');
    expect(t.tagNumber).toBe(128);
    expect(code(() => readSingle(h('9f 1e 00'), 'x'))).toBe('MALFORMED_DER');
    expect(code(() => readSingle(h('9f 80 01 00'), 'x'))).toBe('MALFORMED_DER');
    expect(code(() => readSingle(h('9f ff ff ff ff 7f 00'), 'x'))).toBe('MALFORMED_DER');
  });

  it('reports the expected and found tags', () => {
    const c = derCursor(h('0400'));
    try {
      c.expect(Tag.SEQUENCE, 'thing');
      throw new Error('no error');
    } catch (e) {
      expect(isPkiError(e, 'MALFORMED_DER')).toBe(true);
      expect((e as Error).message).toContain('thing');
    }
    expect(c.optional(Tag.SEQUENCE)).toBeUndefined();
    expect(c.optional(Tag.OCTET_STRING)).toBeDefined();
    expect(c.peekTag()).toBe(-1);
    expect(code(() => c.expect(Tag.NULL, 'null'))).toBe('MALFORMED_DER');
  });

  it('readTlv never reads past the bound it is given', () => {
    const buf = h('0403 616263 0500');
    expect(code(() => readTlv(buf, 0, 4, 0, DEFAULT_LIMITS))).toBe('MALFORMED_DER');
    expect(readTlv(buf, 0, 5, 0, DEFAULT_LIMITS).end).toBe(5);
  });
});

describe('elementAt (a cursor step without the cursor)', () => {
  const outcome = (f: () => unknown): string => {
    try {
      return JSON.stringify(f());
    } catch (e) {
      return isPkiError(e) ? `${e.code} ${e.message} @${String(e.details?.offset)}` : String(e);
    }
  };
  it('reads and refuses what DerCursor#expect and #next do, with the same errors', () => {
    const inputs = [[0x30, 0x03, 0x02, 0x01, 0x05, 0x04, 0x00], [0x04, 0x81, 0x01, 0x00], [0x30, 0x80, 0x00, 0x00], [0x02, 0x05, 0x01], [0x1f, 0x80, 0x01, 0x00], []].map((b) => Buffer.from(b));
    let compared = 0;
    for (const buf of inputs) {
      for (const tag of [-1, 0x30, 0x04, 0x02]) {
        const cursor = outcome(() => {
          const c = new DerCursor(buf);
          const t = tag < 0 ? c.next() : c.expect(tag, 'thing');
          return [t.valueStart, t.valueEnd, t.end];
        });
        const ours = outcome(() => {
          const r = { valueStart: -1, valueEnd: -1 };
          const end = elementAt(buf, 0, buf.length, tag, 'thing', DEFAULT_LIMITS, r);
          return [r.valueStart, r.valueEnd, end];
        });
        expect(ours).toBe(cursor);
        compared++;
      }
    }
    expect(compared).toBe(24);
  });
  it('refuses BER limits (an indefinite length needs the cursor)', () => {
    expect(outcome(() => elementAt(Buffer.from([0x04, 0x00]), 0, 2, -1, 'x', { maxDepth: 32, ber: true }, { valueStart: 0, valueEnd: 0 }))).toMatch(/^INVALID_ARGUMENT/);
  });
});

describe('DER values', () => {
  const one = (hex: string) => {
    const buf = h(hex);
    return { buf, tlv: readSingle(buf, 'v') };
  };

  it('INTEGER: minimal two’s complement, negatives, bigints', () => {
    const cases: Array<[string, bigint]> = [
      ['020100', 0n],
      ['02017f', 127n],
      ['02020080', 128n],
      ['0201ff', -1n],
      ['020180', -128n],
      ['0202ff7f', -129n],
      ['02090100000000000000 00'.replace(' ', ''), 1n << 64n],
    ];
    for (const [hex, v] of cases) {
      const { buf, tlv } = one(hex);
      expect(readBigInt(buf, tlv)).toBe(v);
    }
    expect(code(() => integerBytes(one('0200').buf, one('0200').tlv))).toBe('MALFORMED_DER');
    const nm = one('0202007f');
    expect(code(() => integerBytes(nm.buf, nm.tlv))).toBe('MALFORMED_DER');
    const nm2 = one('0202ff80');
    expect(code(() => integerBytes(nm2.buf, nm2.tlv))).toBe('MALFORMED_DER');
    const small = one('0202ff7f');
    expect(readSmallInt(small.buf, small.tlv)).toBe(-129);
    const big = one('020701000000000000');
    expect(code(() => readSmallInt(big.buf, big.tlv))).toBe('MALFORMED_DER');
    expect(bigintFromTwos(h('ffb3'))).toBe(-77n);
  });

  it('BOOLEAN is strict DER', () => {
    const t = one('0101ff');
    expect(readBoolean(t.buf, t.tlv)).toBe(true);
    const f = one('010100');
    expect(readBoolean(f.buf, f.tlv)).toBe(false);
    const bad = one('010101');
    expect(code(() => readBoolean(bad.buf, bad.tlv))).toBe('MALFORMED_DER');
  });

  it('OID round trip, large arcs, and strictness', () => {
    for (const oid of ['1.2.840.113549.1.1.11', '2.5.29.32.0', '1.2.410.200004.10.1.1.3', '2.999.1', '1.3.6.1.4.1.311.99999999999999999999.1', '0.9.2342.19200300.100.1.25']) {
      const content = encodeOidContent(oid);
      expect(decodeOid(content, 0, content.length)).toBe(oid);
      // and OpenSSL agrees on the encoding
      const der = Buffer.concat([Buffer.from([0x06, content.length]), content]);
      const printed = openssl(['asn1parse', '-inform', 'DER'], der).toString();
      expect(printed).toContain(oid === '1.2.840.113549.1.1.11' ? ':sha256WithRSAEncryption' : oid === '2.5.29.32.0' ? ':X509v3 Any Policy' : oid.startsWith('0.9.') ? ':domainComponent' : `:${oid}`);
    }
    expect(code(() => decodeOid(h('2a8001'), 0, 3))).toBe('MALFORMED_DER');
    expect(code(() => decodeOid(h('2a86'), 0, 2))).toBe('MALFORMED_DER');
    expect(code(() => decodeOid(h(''), 0, 0))).toBe('MALFORMED_DER');
  });

  it('BIT STRING: unused bits and named bits', () => {
    const ku = one('03020186'); // keyUsage digitalSignature(0)? 0x86 = 1000 0110 with 1 unused bit
    const bs = readBitString(ku.buf, ku.tlv);
    expect(bs.unusedBits).toBe(1);
    expect([...bitsSet(bs)]).toEqual([0, 5, 6]);
    const bad = one('03020701'); // unused bits not zero
    expect(code(() => readBitString(bad.buf, bad.tlv))).toBe('MALFORMED_DER');
    const bad2 = one('030108');
    expect(code(() => readBitString(bad2.buf, bad2.tlv))).toBe('MALFORMED_DER');
  });

  it('times: UTCTime pivot, GeneralizedTime, bad values', () => {
    const u = (s: string) => Buffer.concat([Buffer.from([0x17, s.length]), Buffer.from(s)]);
    const g = (s: string) => Buffer.concat([Buffer.from([0x18, s.length]), Buffer.from(s)]);
    const t = (b: Buffer) => readTime(b, readSingle(b, 't'));
    expect(new Date(t(u('200325145959Z'))).toISOString()).toBe('2020-03-25T14:59:59.000Z');
    expect(new Date(t(u('500101000000Z'))).toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(new Date(t(u('491231235959Z'))).toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(new Date(t(g('20500101000000Z'))).toISOString()).toBe('2050-01-01T00:00:00.000Z');
    expect(new Date(t(g('20240229120000.5Z'))).toISOString()).toBe('2024-02-29T12:00:00.000Z');
    for (const bad of [u('200230000000Z'), u('2003251459Z'), u('200325145959+0900'), g('20230229000000Z'), g('20240101246000Z'), g('20240101000000.0Z')]) {
      expect(code(() => t(bad))).toBe('MALFORMED_DER');
    }
  });

  it('strings: UTF8 Korean, BMPString, PrintableString, Teletex', () => {
    const s = (tag: number, b: Buffer) => {
      const buf = Buffer.concat([Buffer.from([tag, b.length]), b]);
      return readString(buf, readSingle(buf, 's'));
    };
    expect(s(Tag.UTF8_STRING, Buffer.from('홍길동()0010'))).toBe('홍길동()0010');
    expect(s(Tag.BMP_STRING, Buffer.from('c774c6a9', 'hex'))).toBe('이용');
    expect(s(Tag.PRINTABLE_STRING, Buffer.from('KR'))).toBe('KR');
    expect(s(Tag.TELETEX_STRING, Buffer.from([0x41, 0xe9]))).toBe('Aé');
    expect(code(() => s(Tag.UTF8_STRING, Buffer.from([0xc3, 0x28])))).toBe('MALFORMED_DER');
    expect(code(() => s(Tag.BMP_STRING, Buffer.from([0x00])))).toBe('MALFORMED_DER');
    expect(code(() => s(Tag.PRINTABLE_STRING, Buffer.from([0x80])))).toBe('MALFORMED_DER');
    expect(code(() => s(Tag.OCTET_STRING, Buffer.from([0x41])))).toBe('MALFORMED_DER');
  });
});

function lengthOctets(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n >>= 8;
  }
  return [0x80 | out.length, ...out];
}
