import { truncationsAndFlips } from '../../test-support/corruptions';
import { DerCursor, type DerLimits } from '../der/reader';
import { isPkiError } from '../errors';
import { escape4514, nameFromDer, namesEqual, nameValues, readName } from './name';
import { OID, type Name } from './types';

// DER builders: attribute values, RDNs, Names
function tlv(tag: number, body: Buffer): Buffer {
  if (body.length >= 0x80) throw new Error('test builder: short lengths only');
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}
const oid = (dotted: string): Buffer => {
  const p = dotted.split('.').map(Number);
  const out = [p[0]! * 40 + p[1]!];
  for (const n of p.slice(2)) {
    const t = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) t.unshift((v & 0x7f) | 0x80);
    out.push(...t);
  }
  return tlv(0x06, Buffer.from(out));
};
const PS = (s: string): Buffer => tlv(0x13, Buffer.from(s, 'latin1'));
const U8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const BMP = (s: string): Buffer => tlv(0x1e, Buffer.from(s, 'utf16le').swap16());
const T61 = (s: string): Buffer => tlv(0x14, Buffer.from(s, 'latin1'));
const IA5 = (s: string): Buffer => tlv(0x16, Buffer.from(s, 'latin1'));
const UNI = (s: string): Buffer => tlv(0x1c, Buffer.concat([...s].map((ch) => { const b = Buffer.alloc(4); b.writeUInt32BE(ch.codePointAt(0)!); return b; })));
const atv = (type: string, value: Buffer): Buffer => tlv(0x30, Buffer.concat([oid(type), value]));
const rdn = (...atvs: Buffer[]): Buffer => tlv(0x31, Buffer.concat(atvs));
const name = (...rdns: Buffer[]): Buffer => tlv(0x30, Buffer.concat(rdns));
const CN = OID.commonName;
const O = OID.organizationName;
const C = OID.countryName;

const eq = (a: Buffer, b: Buffer): boolean => namesEqual(nameFromDer(a), nameFromDer(b));

describe('Name comparison (RFC 5280 §7.1, RFC 4518 simplified)', () => {
  it('ignores case and the string type', () => {
    expect(eq(name(rdn(atv(C, PS('kr')))), name(rdn(atv(C, PS('KR')))))).toBe(true);
    expect(eq(name(rdn(atv(CN, PS('Kisa  RootCA')))), name(rdn(atv(CN, U8('kisa rootca')))))).toBe(true);
    expect(eq(name(rdn(atv(CN, BMP('홍길동')))), name(rdn(atv(CN, U8('홍길동')))))).toBe(true);
    expect(eq(name(rdn(atv(CN, UNI('홍길동 A')))), name(rdn(atv(CN, U8('홍길동 a')))))).toBe(true);
    expect(eq(name(rdn(atv(CN, T61('Muller')))), name(rdn(atv(CN, IA5('MULLER')))))).toBe(true);
  });

  it('trims and folds whitespace runs; applies NFKC', () => {
    expect(eq(name(rdn(atv(CN, U8('  Kisa \t RootCA 7 ')))), name(rdn(atv(CN, PS('Kisa RootCA 7')))))).toBe(true);
    expect(eq(name(rdn(atv(O, U8('ＫＩＳＡ')))), name(rdn(atv(O, PS('kisa')))))).toBe(true); // full-width forms
    expect(eq(name(rdn(atv(CN, U8('e\u0301')))), name(rdn(atv(CN, U8('\u00e9')))))).toBe(true); // combining accent
    expect(eq(name(rdn(atv(CN, U8('Kisa RootCA')))), name(rdn(atv(CN, U8('KisaRootCA')))))).toBe(false);
  });

  it('compares a multi-valued RDN as a set, but RDN order and RDN boundaries matter', () => {
    const a = name(rdn(atv(CN, U8('Hong')), atv(O, U8('yessign'))));
    const b = name(rdn(atv(O, PS('YESSIGN')), atv(CN, PS('hong'))));
    expect(eq(a, b)).toBe(true);
    const split = name(rdn(atv(CN, U8('Hong'))), rdn(atv(O, U8('yessign'))));
    expect(eq(a, split)).toBe(false);
    const swapped = name(rdn(atv(O, U8('yessign'))), rdn(atv(CN, U8('Hong'))));
    expect(eq(split, swapped)).toBe(false);
    expect(eq(name(rdn(atv(CN, U8('x')))), name(rdn(atv(O, U8('x')))))).toBe(false);
    expect(eq(name(), name(rdn(atv(CN, U8('')))))).toBe(false);
  });

  it('cannot be fooled by separators inside values', () => {
    // one attribute whose text looks like two, vs two attributes
    const fake = name(rdn(atv(CN, U8(`Hong+${O}=syessign`))));
    const real = name(rdn(atv(CN, U8('Hong')), atv(O, U8('yessign'))));
    expect(eq(fake, real)).toBe(false);
    const fake2 = name(rdn(atv(CN, U8(`Hong,${O}=syessign`))));
    const real2 = name(rdn(atv(CN, U8('Hong'))), rdn(atv(O, U8('yessign'))));
    expect(eq(fake2, real2)).toBe(false);
    expect(eq(name(rdn(atv(CN, U8('a\\')))), name(rdn(atv(CN, U8('a\\\\')))))).toBe(false);
  });

  it('compares non-string values (and undecodable strings) by their DER', () => {
    const int = (n: number): Buffer => tlv(0x02, Buffer.from([n]));
    expect(eq(name(rdn(atv('1.2.3', int(1)))), name(rdn(atv('1.2.3', int(1)))))).toBe(true);
    expect(eq(name(rdn(atv('1.2.3', int(1)))), name(rdn(atv('1.2.3', int(2)))))).toBe(false);
    const bad = name(rdn(atv(CN, tlv(0x0c, Buffer.from([0xc3, 0x28])))));
    const n = nameFromDer(bad);
    expect(n.rdns[0]![0]!.value).toBe('0c02c328');
    expect(n.text).toBe('CN=#0c02c328');
    expect(eq(bad, name(rdn(atv(CN, tlv(0x0c, Buffer.from([0xc3, 0x28]))))))).toBe(true);
    // a string whose octets are text in one type but not in another is never equal to it
    expect(eq(name(rdn(atv(CN, tlv(0x13, Buffer.from([0xc3, 0xa9]))))), name(rdn(atv(CN, U8('é')))))).toBe(false);
  });
});

describe('Name text and decoding', () => {
  it('writes RFC 4514 text, most significant RDN last, Korean kept as is', () => {
    const n = nameFromDer(name(rdn(atv(C, PS('KR'))), rdn(atv(O, U8('금융결제원'))), rdn(atv(CN, U8('홍길동()0010')), atv(OID.serialNumber, PS('123')))));
    expect(n.text).toBe('CN=홍길동()0010+SERIALNUMBER=123,O=금융결제원,C=KR');
    expect(nameValues(n, CN)).toEqual(['홍길동()0010']);
    const unknown = nameFromDer(name(rdn(atv('1.2.410.200004.1', U8('x'))), rdn(atv(OID.emailAddress, IA5('a@b.kr'))), rdn(atv(OID.domainComponent, IA5('kr')))));
    expect(unknown.text).toBe('DC=kr,E=a@b.kr,1.2.410.200004.1=x');
  });

  it('escapes special characters', () => {
    expect(escape4514('a,b+c"d\\e<f>g;h')).toBe('a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h');
    expect(escape4514(' lead')).toBe('\\ lead');
    expect(escape4514('#hash')).toBe('\\#hash');
    expect(escape4514('trail ')).toBe('trail\\ ');
    expect(nameFromDer(name(rdn(atv(O, U8('Kim, Lee & Co.'))))).text).toBe('O=Kim\\, Lee & Co.');
  });

  it('keeps the DER and attribute details', () => {
    const der = name(rdn(atv(CN, BMP('홍길동'))));
    const n = nameFromDer(der);
    expect(Buffer.compare(n.der, der)).toBe(0);
    expect(n.rdns[0]![0]).toMatchObject({ type: CN, valueTag: 0x1e, value: '홍길동' });
    expect(n.rdns[0]![0]!.valueDer[0]).toBe(0x1e);
  });

  it('rejects malformed names with MALFORMED_DER', () => {
    const code = (b: Buffer): string | undefined => {
      try {
        nameFromDer(b);
        return undefined;
      } catch (e) {
        return isPkiError(e) ? e.code : 'untyped';
      }
    };
    expect(code(Buffer.concat([name(rdn(atv(CN, U8('a')))), Buffer.from([0])]))).toBe('MALFORMED_DER'); // trailing
    expect(code(name(tlv(0x31, Buffer.alloc(0))))).toBe('MALFORMED_DER'); // empty RDN
    expect(code(name(tlv(0x30, Buffer.alloc(0))))).toBe('MALFORMED_DER'); // RDN not a SET
    expect(code(name(rdn(tlv(0x30, oid(CN)))))).toBe('MALFORMED_DER'); // no value
    expect(code(name(rdn(tlv(0x30, Buffer.concat([oid(CN), U8('a'), U8('b')])))))).toBe('MALFORMED_DER'); // two values
    expect(code(name(rdn(atv(CN, U8('a')), atv(CN, U8('a')))))).toBe('MALFORMED_DER'); // repeated attribute
    expect(code(tlv(0x31, Buffer.alloc(0)))).toBe('MALFORMED_DER'); // not a SEQUENCE
  });
});

describe('the Name structure check', () => {
  // under DER limits readName checks a Name without a Tlv or cursor per element; under BER limits it takes the
  // general walk. On DER input both must decide alike: the same RDN count, or the same error at the same offset.
  const outcome = (der: Buffer, limits: DerLimits, depth: number): string => {
    let n: Name;
    try {
      const root = new DerCursor(der, 0, der.length, depth, limits);
      n = readName(der, root.next(), root); // the check: nothing is decoded yet
    } catch (e) {
      return isPkiError(e) ? `${e.code} ${e.message} @${String(e.details?.offset)}` : `not a PkiError: ${String(e)}`;
    }
    return `ok ${n.rdns.length} RDNs`; // decoded outside the try: what the check let through must decode
  };
  // what only the BER reader accepts: no comparison past these
  const DER_ONLY_REFUSAL = /indefinite length is not DER|non-minimal length encoding/;
  const sample = name(
    rdn(atv(C, PS('KR'))),
    rdn(atv(O, U8('한국정보인증'))),
    rdn(atv(OID.organizationalUnitName, PS('personal')), atv(OID.serialNumber, PS('0010'))),
    rdn(atv(CN, BMP('홍길동()0010'))),
  );

  it('decides every one-octet corruption and truncation of a Name as the general walk does, at every depth limit', () => {
    let compared = 0;
    const seen = new Set<string>();
    for (const [maxDepth, depth] of [[32, 0], [32, 29], [4, 1], [3, 1], [2, 1], [1, 1]] as const) {
      const inputs: Buffer[] = [
        sample,
        // shapes one-octet corruptions do not reach
        name(),
        name(rdn()),
        name(rdn(tlv(0x30, Buffer.alloc(0)))),
        name(rdn(tlv(0x30, oid(CN)))),
        name(rdn(tlv(0x30, Buffer.concat([oid(CN), U8('a'), U8('b')])))),
        name(rdn(tlv(0x30, Buffer.concat([U8('a'), oid(CN)])))),
        name(rdn(atv(CN, U8('a')), atv(CN, U8('a')))),
        name(rdn(atv(CN, U8('a'))), tlv(0x30, atv(CN, U8('a')))),
        name(rdn(atv(CN, U8('a')), U8('b'))),
        name(rdn(atv(CN, tlv(0x30, U8('a'))))),
        tlv(0x31, rdn(atv(CN, U8('a')))),
        ...truncationsAndFlips(sample),
      ];
      for (const der of inputs) {
        const fast = outcome(der, { maxDepth, ber: false }, depth);
        if (DER_ONLY_REFUSAL.test(fast)) continue;
        expect(fast).toBe(outcome(der, { maxDepth, ber: true }, depth));
        compared++;
        seen.add(fast.split(' ')[0]!);
      }
    }
    expect(compared).toBeGreaterThan(2000);
    expect([...seen].sort()).toEqual(['MALFORMED_DER', 'NESTING_TOO_DEEP', 'ok']);
    expect(outcome(sample, { maxDepth: 32, ber: false }, 0)).toBe('ok 4 RDNs');
  });
});
