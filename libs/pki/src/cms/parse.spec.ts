/**
 * parseSignedData on hand-built structures (our DER writer; BER written by
 * hand): field extraction, BER reassembly, the RFC 5652 §11 attribute rules,
 * limits, and errors that are always PkiError MALFORMED_CMS / INPUT_TOO_LARGE.
 * Signatures here are junk: parsing does not verify.
 */
import { YESSIGN } from '../../test-support/fixtures';
import { explicit, generalizedTime, int, nul, octets, oid, seq, set, setOf, tlv, utcTime, utf8 } from '../der';
import { isPkiError } from '../errors';
import { RECENT_FIRST_SIGHTINGS, cachedCertificate, certificateCacheSize, clearCertificateCache } from './cert-cache';
import { CMS_OID, parseSignedData, type CmsLimits } from './parse';

const SHA256 = seq(oid('2.16.840.1.101.3.4.2.1'));
const RSA = seq(oid('1.2.840.113549.1.1.1'), nul());
const ISSUER = seq(set(seq(oid('2.5.4.6'), tlv(0x13, Buffer.from('KR')))), set(seq(oid('2.5.4.3'), utf8('Test CA'))));
const SIG = octets(Buffer.alloc(256, 0x5a));
const T = Date.UTC(2026, 0, 2, 3, 4, 5);

function attr(type: string, ...values: Buffer[]): Buffer {
  return seq(oid(type), set(...values));
}
const CT = attr(CMS_OID.contentType, oid(CMS_OID.data));
const MD = attr(CMS_OID.messageDigest, octets(Buffer.alloc(32, 7)));

function implicit0Set(...attrs: Buffer[]): Buffer {
  const s = setOf(...attrs);
  s[0] = 0xa0;
  return s;
}

function signer(o: { version?: number; sid?: Buffer; signed?: Buffer | null; unsigned?: Buffer[]; sig?: Buffer } = {}): Buffer {
  const signed = o.signed === undefined ? implicit0Set(CT, MD) : o.signed ?? undefined;
  const unsigned = o.unsigned ? tlv(0xa1, ...o.unsigned) : undefined;
  return seq(int(o.version ?? 1), o.sid ?? seq(ISSUER, int(0x459c75)), SHA256, signed, RSA, o.sig ?? SIG, unsigned);
}

function signedData(o: { version?: number; algs?: Buffer[]; eci?: Buffer; certs?: Buffer; crls?: Buffer; signers?: Buffer[] } = {}): Buffer {
  return seq(
    int(o.version ?? 1),
    set(...(o.algs ?? [SHA256])),
    o.eci ?? seq(oid(CMS_OID.data), explicit(0, octets(Buffer.from('nonce')))),
    o.certs,
    o.crls,
    set(...(o.signers ?? [signer()])),
  );
}

function wrap(sd: Buffer): Buffer {
  return seq(oid(CMS_OID.signedData), explicit(0, sd));
}

function malformed(input: Uint8Array, limits?: Partial<CmsLimits>, match?: RegExp): void {
  let thrown: unknown;
  try {
    parseSignedData(input, limits);
  } catch (e) {
    thrown = e;
  }
  expect(isPkiError(thrown, 'MALFORMED_CMS')).toBe(true);
  if (match) expect((thrown as Error).message).toMatch(match);
}

describe('parseSignedData', () => {
  it('extracts every field', () => {
    const cert = YESSIGN.cert();
    const attrCert = tlv(0xa2, seq(int(1))); // v2AttrCert: recorded, not used
    const crl = seq(seq(int(1)), seq(oid('1.2.840.113549.1.1.11')), Buffer.from([0x03, 0x01, 0x00]));
    const ski = Buffer.from('0102030405060708090a0b0c0d0e0f1011121314', 'hex');
    const unsigned = attr('1.2.840.113549.1.9.6', seq(int(5)));
    const si2 = signer({
      version: 3,
      sid: tlv(0x80, ski),
      signed: implicit0Set(CT, MD, attr(CMS_OID.signingTime, generalizedTime(T)), attr('1.2.840.113549.1.9.15', seq())),
      unsigned: [unsigned],
    });
    const input = wrap(signedData({ version: 3, certs: tlv(0xa0, cert, attrCert), crls: tlv(0xa1, crl), signers: [signer(), si2] }));
    const sd = parseSignedData(input);
    expect(sd.wrapped).toBe(true);
    expect(sd.version).toBe(3);
    expect(sd.digestAlgorithms.map((a) => a.oid)).toEqual(['2.16.840.1.101.3.4.2.1']);
    expect(sd.eContentType).toBe(CMS_OID.data);
    expect(Buffer.from(sd.eContent!).toString()).toBe('nonce');
    expect(sd.certificates.map((c) => Buffer.from(c))).toEqual([cert]);
    expect(sd.otherCertificates.map((c) => Buffer.from(c))).toEqual([attrCert]);
    expect(sd.crls.map((c) => Buffer.from(c))).toEqual([crl]);
    expect(sd.signerInfos).toHaveLength(2);
    const [a, b] = sd.signerInfos;
    expect(a!.sid).toEqual({ type: 'issuerAndSerialNumber', issuer: new Uint8Array(ISSUER), serial: new Uint8Array([0x45, 0x9c, 0x75]) });
    expect(a!.signedAttrs!.contentType).toBe(CMS_OID.data);
    expect(Buffer.from(a!.signedAttrs!.messageDigest!)).toEqual(Buffer.alloc(32, 7));
    expect(a!.signedAttrs!.signingTime).toBeUndefined();
    expect(a!.signedAttrs!.signedBytes[0]).toBe(0x31);
    expect(a!.signedAttrs!.der[0]).toBe(0xa0);
    expect(Buffer.from(a!.signedAttrs!.signedBytes.subarray(1))).toEqual(Buffer.from(a!.signedAttrs!.der.subarray(1)));
    expect(a!.signatureAlgorithm.oid).toBe('1.2.840.113549.1.1.1');
    expect(Buffer.from(a!.signature)).toEqual(Buffer.alloc(256, 0x5a));
    expect(b!.version).toBe(3);
    expect(b!.sid).toEqual({ type: 'subjectKeyIdentifier', keyIdentifier: new Uint8Array(ski) });
    expect(b!.signedAttrs!.signingTime).toBe(T);
    expect(b!.signedAttrs!.attributes.map((x) => x.type)).toContain('1.2.840.113549.1.9.15');
    expect(b!.unsignedAttrs!.map((x) => Buffer.from(x.der))).toEqual([unsigned]);
  });

  it('detached content, UTCTime signingTime, no signedAttrs', () => {
    const sd = parseSignedData(wrap(signedData({ eci: seq(oid(CMS_OID.data)), signers: [signer({ signed: null })] })));
    expect(sd.eContent).toBeUndefined();
    expect(sd.signerInfos[0]!.signedAttrs).toBeUndefined();
    const t = parseSignedData(wrap(signedData({ signers: [signer({ signed: implicit0Set(CT, MD, attr(CMS_OID.signingTime, utcTime(T))) })] })));
    expect(t.signerInfos[0]!.signedAttrs!.signingTime).toBe(T);
  });

  it('BER: indefinite lengths everywhere outside signedAttrs, nested chunked eContent', () => {
    const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s/g, ''), 'hex');
    const EOC = h('0000');
    // eContent [0] { OCTET STRING (constructed, indefinite) { "ab", { "cd", "" }, "ef" } }
    const chunks = Buffer.concat([h('2480'), octets(Buffer.from('ab')), h('2480'), octets(Buffer.from('cd')), octets(Buffer.alloc(0)), EOC, octets(Buffer.from('ef')), EOC]);
    const eci = Buffer.concat([h('3080'), oid(CMS_OID.data), h('a080'), chunks, EOC, EOC]);
    const body = Buffer.concat([int(1), set(SHA256), eci, set(signer())]);
    const sd = Buffer.concat([h('3080'), body, EOC]);
    const input = Buffer.concat([h('3080'), oid(CMS_OID.signedData), h('a080'), sd, EOC, EOC]);
    const parsed = parseSignedData(input);
    expect(Buffer.from(parsed.eContent!).toString()).toBe('abcdef');
    // the same with a bare SignedData
    expect(Buffer.from(parseSignedData(sd).eContent!).toString()).toBe('abcdef');
    // a chunk of the wrong type, or a missing end-of-contents
    malformed(Buffer.concat([h('3080'), oid(CMS_OID.signedData), h('a080'), Buffer.concat([h('3080'), int(1), set(SHA256),
      h('3080'), oid(CMS_OID.data), h('a080'), h('2480'), int(5), EOC, EOC, EOC, set(signer()), EOC]), EOC, EOC]), undefined, /constructed OCTET STRING holds/);
    malformed(input.subarray(0, input.length - 2));
  });

  it('signedAttrs rules (RFC 5652 §5.3, §11)', () => {
    const one = (signed: Buffer): Buffer => wrap(signedData({ signers: [signer({ signed })] }));
    malformed(one(implicit0Set(CT, CT, MD)), undefined, /two contentType/);
    malformed(one(implicit0Set(CT, MD, attr(CMS_OID.messageDigest, octets(Buffer.alloc(32, 8))))), undefined, /two messageDigest/);
    malformed(one(implicit0Set(CT, MD, attr(CMS_OID.signingTime, utcTime(T)), attr(CMS_OID.signingTime, utcTime(T + 1000)))), undefined, /two signingTime/);
    malformed(one(implicit0Set(attr(CMS_OID.contentType, oid(CMS_OID.data), oid(CMS_OID.signedData)), MD)), undefined, /exactly one value/);
    malformed(one(implicit0Set(attr(CMS_OID.contentType, octets(Buffer.from('x'))), MD)), undefined, /wrong type/);
    malformed(one(implicit0Set(CT, attr(CMS_OID.messageDigest, oid(CMS_OID.data)))), undefined, /wrong type/);
    malformed(one(implicit0Set(CT, MD, attr(CMS_OID.signingTime, tlv(0x17, Buffer.from('261399000000Z'))))), undefined, /time/);
    malformed(one(implicit0Set(CT, MD, attr(CMS_OID.signingTime, octets(Buffer.from('x'))))), undefined, /wrong type/);
    malformed(one(implicit0Set(CT, MD, seq(oid('1.2.3'), set()))), undefined, /no value/);
    malformed(one(Buffer.from([0xa0, 0x00])), undefined, /empty signedAttrs/);
  });

  it('structure errors', () => {
    malformed(Buffer.alloc(0), undefined, /empty/);
    malformed(wrap(signedData()).subarray(1));
    malformed(Buffer.concat([wrap(signedData()), Buffer.from([0])]));
    malformed(seq(oid(CMS_OID.data), explicit(0, octets(Buffer.from('x')))), undefined, /not id-signedData/);
    malformed(seq(utf8('x')), undefined, /neither/);
    malformed(wrap(signedData({ version: 9 })), undefined, /version 9/);
    malformed(wrap(signedData({ signers: [signer({ version: 2 })] })), undefined, /SignerInfo version 2/);
    malformed(wrap(signedData({ signers: [signer({ sid: tlv(0x80, Buffer.alloc(0)) })] })), undefined, /empty subjectKeyIdentifier/);
    malformed(wrap(signedData({ signers: [signer({ sid: int(1) })] })), undefined, /SignerIdentifier/);
    malformed(wrap(signedData({ signers: [signer({ sig: octets(Buffer.alloc(0)) })] })), undefined, /empty signature/);
    malformed(wrap(signedData({ eci: seq(oid(CMS_OID.data), explicit(0, seq(int(1)))) })), undefined, /not an OCTET STRING/);
    malformed(wrap(signedData({ certs: tlv(0xa0, int(1)) })), undefined, /CertificateChoices/);
    malformed(wrap(signedData({ crls: tlv(0xa1, int(1)) })), undefined, /RevocationInfoChoice/);
    // DER reader errors are wrapped with their cause
    try {
      parseSignedData(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]));
      throw new Error('no error');
    } catch (e) {
      expect(isPkiError(e, 'MALFORMED_CMS')).toBe(true);
      expect((e as { details?: { cause?: string } }).details?.cause).toBe('MALFORMED_DER');
    }
  });

  it('limits', () => {
    const input = wrap(signedData({ signers: [signer(), signer(), signer()], algs: [SHA256, SHA256], certs: tlv(0xa0, YESSIGN.cert(), YESSIGN.cert()) }));
    expect(parseSignedData(input).signerInfos).toHaveLength(3);
    malformed(input, { maxSignerInfos: 2 }, /signerInfos/);
    malformed(input, { maxDigestAlgorithms: 1 }, /digestAlgorithms/);
    malformed(input, { maxCertificates: 1 }, /certificates/);
    malformed(input, { maxAttributes: 1 }, /attributes/);
    malformed(wrap(signedData({ crls: tlv(0xa1, seq(), seq()) })), { maxCrls: 1 }, /crls/);
    malformed(input, { maxDepth: 3 });
    expect(() => parseSignedData(input, { maxBytes: 100 })).toThrow(expect.objectContaining({ code: 'INPUT_TOO_LARGE' }) as Error);
    malformed(signedData(), { allowBareSignedData: false }, /bare SignedData/);
  });

  it('deep nesting and a long run of elements neither crash nor hang', () => {
    let deep = octets(Buffer.from('x'));
    for (let i = 0; i < 200; i++) deep = Buffer.concat([Buffer.from([0x24, 0x80]), deep, Buffer.from([0, 0])]);
    const eci = seq(oid(CMS_OID.data), explicit(0, deep));
    malformed(wrap(signedData({ eci })));
    const many = Buffer.concat(Array.from({ length: 20000 }, () => octets(Buffer.from('y'))));
    const big = parseSignedData(wrap(signedData({ eci: seq(oid(CMS_OID.data), explicit(0, tlv(0x24, many))) })));
    expect(big.eContent).toHaveLength(20000);
  });
});

describe('the certificate cache', () => {
  it('serves a certificate only for its exact bytes, even when the lookup key collides', () => {
    clearCertificateCache();
    const a = YESSIGN.cert();
    const b = Buffer.from(a);
    // same length and same tail (signature), a different byte inside the subject
    const at = b.indexOf(Buffer.from('yessign'));
    expect(at).toBeGreaterThan(0);
    b[at] = 'Y'.charCodeAt(0);
    const ca = cachedCertificate(a);
    const cb = cachedCertificate(b);
    expect(cb).not.toBe(ca);
    expect(Buffer.from(cb.der).equals(b)).toBe(true);
    expect(cachedCertificate(b)).toBe(cb);
    expect(Buffer.from(cachedCertificate(a).der).equals(a)).toBe(true);
  });

  it('keeps its own copy of the bytes, so a caller reusing a Buffer cannot alter a cached certificate', () => {
    clearCertificateCache();
    const original = YESSIGN.cert();
    const input = Buffer.concat([Buffer.from([0]), original]).subarray(1); // a Buffer view, as parseSignedData hands out
    const cert = cachedCertificate(input);
    input.fill(0);
    expect(Buffer.from(cert.der).equals(original)).toBe(true);
    expect(Buffer.from(cert.spki.der).equals(Buffer.from(cachedCertificate(original).spki.der))).toBe(true);
  });

  it('admits a certificate on its second sighting, with the parse of the first when that was a moment ago', () => {
    clearCertificateCache();
    const a = YESSIGN.cert();
    const first = cachedCertificate(a);
    expect(certificateCacheSize()).toBe(0);
    expect(cachedCertificate(Buffer.from(a))).toBe(first);
    expect(certificateCacheSize()).toBe(1);
    expect(cachedCertificate(a)).toBe(first);
    expect(certificateCacheSize()).toBe(1);
  });

  it('parses a certificate met again after the recent first sightings moved on, and keeps that parse', () => {
    clearCertificateCache();
    // other certificates as the cache sees them: another signature tail, so another key
    const variant = (i: number): Buffer => {
      const b = Buffer.from(YESSIGN.cert());
      b[b.length - 1] = i;
      return b;
    };
    const first = cachedCertificate(variant(0));
    for (let i = 1; i <= RECENT_FIRST_SIGHTINGS; i++) cachedCertificate(variant(i));
    expect(certificateCacheSize()).toBe(0);
    const again = cachedCertificate(variant(0));
    expect(again).not.toBe(first);
    expect(again.fingerprintSha256).toBe(first.fingerprintSha256);
    expect(certificateCacheSize()).toBe(1);
    expect(cachedCertificate(variant(0))).toBe(again);
  });

  it('cleared with keepSightings, takes the next sighting of a certificate seen before as its second', () => {
    clearCertificateCache();
    const a = YESSIGN.cert();
    const first = cachedCertificate(a);
    clearCertificateCache({ keepSightings: true });
    const again = cachedCertificate(a);
    expect(again).not.toBe(first);
    expect(certificateCacheSize()).toBe(1);
    expect(cachedCertificate(a)).toBe(again);
  });

  it('forgets its sightings when cleared: the next sighting is a first one', () => {
    clearCertificateCache();
    const a = YESSIGN.cert();
    cachedCertificate(a);
    clearCertificateCache();
    const first = cachedCertificate(a);
    expect(certificateCacheSize()).toBe(0);
    expect(cachedCertificate(a)).toBe(first);
    expect(certificateCacheSize()).toBe(1);
  });
});
