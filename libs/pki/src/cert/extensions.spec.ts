import { derCursor } from '../der';
import { isPkiError } from '../errors';
import {
  decodeAltName,
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeCertificatePolicies,
  decodeCrlDistributionPoints,
  decodeExtKeyUsage,
  decodeExtensions,
  decodeInhibitAnyPolicy,
  decodeKeyUsage,
  decodeNameConstraints,
  decodeOcspNoCheck,
  decodePolicyConstraints,
  decodePolicyMappings,
  readDistributionPointName,
  readReasonFlags,
} from './extensions';
import { readGeneralName } from './general-name';

const h = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  if (body.length >= 0x80) throw new Error('test builder: short lengths only');
  return Buffer.concat([Buffer.from([tag, body.length]), body]);
}
const seq = (...p: Buffer[]): Buffer => tlv(0x30, ...p);
const OID_1234 = h('06032a0304'); // 1.2.3.4
const OID_1235 = h('06032a0305'); // 1.2.3.5
const URI = (s: string): Buffer => tlv(0x86, Buffer.from(s));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isPkiError(e) ? e.code : `untyped: ${String(e)}`;
  }
}

describe('extension decoders', () => {
  it('basicConstraints: defaults, explicit cA FALSE accepted, pathLen ≥ 0', () => {
    expect(decodeBasicConstraints(seq())).toEqual({ ca: false });
    expect(decodeBasicConstraints(seq(h('0101ff'), h('020100')))).toEqual({ ca: true, pathLen: 0 });
    expect(decodeBasicConstraints(seq(h('010100')))).toEqual({ ca: false }); // not DER, tolerated
    expect(code(() => decodeBasicConstraints(seq(h('0101ff'), h('0201ff'))))).toBe('MALFORMED_DER'); // pathLen -1
    expect(code(() => decodeBasicConstraints(seq(h('0101ff'), h('020100'), h('0500'))))).toBe('MALFORMED_DER');
    expect(code(() => decodeBasicConstraints(Buffer.concat([seq(), h('00')])))).toBe('MALFORMED_DER');
  });

  it('keyUsage: named bits; no bit set is malformed', () => {
    expect([...decodeKeyUsage(h('03020186'))]).toEqual(['digitalSignature', 'keyCertSign', 'cRLSign']);
    expect([...decodeKeyUsage(h('0303070080'))]).toEqual(['decipherOnly']); // bit 8
    expect(code(() => decodeKeyUsage(h('030100')))).toBe('MALFORMED_DER');
    expect(code(() => decodeKeyUsage(h('03020000')))).toBe('MALFORMED_DER');
  });

  it('extKeyUsage and policyMappings: non-empty sequences of OIDs', () => {
    expect(decodeExtKeyUsage(seq(OID_1234, OID_1235))).toEqual(['1.2.3.4', '1.2.3.5']);
    expect(code(() => decodeExtKeyUsage(seq()))).toBe('MALFORMED_DER');
    expect(decodePolicyMappings(seq(seq(OID_1234, OID_1235)))).toEqual([{ issuerDomainPolicy: '1.2.3.4', subjectDomainPolicy: '1.2.3.5' }]);
    expect(code(() => decodePolicyMappings(seq(seq(OID_1234))))).toBe('MALFORMED_DER');
    expect(code(() => decodePolicyMappings(seq()))).toBe('MALFORMED_DER');
  });

  it('certificatePolicies: qualifiers, DisplayText types, duplicates rejected', () => {
    const cps = seq(h('06082b06010505070201'), tlv(0x16, Buffer.from('http://x/cps')));
    const bmp = tlv(0x1e, Buffer.from('시험', 'utf16le').swap16());
    const notice = seq(h('06082b06010505070202'), seq(seq(tlv(0x0c, Buffer.from('Org')), seq(h('020101'), h('020102'))), bmp));
    const unknownQ = seq(OID_1235, h('0500'));
    const cp = decodeCertificatePolicies(seq(seq(OID_1234, seq(cps, notice, unknownQ)), seq(OID_1235)), true);
    expect(cp.critical).toBe(true);
    expect(cp.policies[0]!.qualifiers.map((q) => [q.oid, q.cps, q.userNotice, q.der.length])).toEqual([
      ['1.3.6.1.5.5.7.2.1', 'http://x/cps', undefined, 14],
      ['1.3.6.1.5.5.7.2.2', undefined, { noticeRef: { organization: 'Org', noticeNumbers: [1, 2] }, explicitText: '시험' }, 23],
      ['1.2.3.5', undefined, undefined, 2],
    ]);
    expect(cp.policies[1]).toEqual({ oid: '1.2.3.5', qualifiers: [] });
    expect(code(() => decodeCertificatePolicies(seq(seq(OID_1234), seq(OID_1234)), false))).toBe('MALFORMED_DER');
    expect(code(() => decodeCertificatePolicies(seq(), false))).toBe('MALFORMED_DER');
    expect(code(() => decodeCertificatePolicies(seq(seq(OID_1234, seq())), false))).toBe('MALFORMED_DER');
    const badText = seq(h('06082b06010505070202'), seq(tlv(0x13, Buffer.from('x'))));
    expect(code(() => decodeCertificatePolicies(seq(seq(OID_1234, seq(badText))), false))).toBe('MALFORMED_DER');
  });

  it('policyConstraints and inhibitAnyPolicy', () => {
    expect(decodePolicyConstraints(seq(h('800100')))).toEqual({ requireExplicitPolicy: 0 });
    expect(decodePolicyConstraints(seq(h('810102')))).toEqual({ inhibitPolicyMapping: 2 });
    expect(decodePolicyConstraints(seq(h('800101'), h('810102')))).toEqual({ requireExplicitPolicy: 1, inhibitPolicyMapping: 2 });
    expect(code(() => decodePolicyConstraints(seq()))).toBe('MALFORMED_DER');
    expect(code(() => decodePolicyConstraints(seq(h('810102'), h('800101'))))).toBe('MALFORMED_DER'); // order
    expect(decodeInhibitAnyPolicy(h('020105'))).toBe(5);
    expect(code(() => decodeInhibitAnyPolicy(h('0201ff')))).toBe('MALFORMED_DER');
  });

  it('nameConstraints: minimum defaults to 0, maximum optional, empty rejected, subnet iPAddress', () => {
    const sub = seq(tlv(0x87, h('0a000000ff000000')), h('800101'), h('810105'));
    const nc = decodeNameConstraints(seq(tlv(0xa0, seq(tlv(0x82, Buffer.from('.kr'))), sub), tlv(0xa1, seq(tlv(0x81, Buffer.from('x.kr'))))));
    expect(nc.permitted?.map((s) => [s.base.type, s.minimum, s.maximum])).toEqual([
      ['dNSName', 0, undefined],
      ['iPAddress', 1, 5],
    ]);
    expect(nc.excluded?.[0]).toEqual({ base: { type: 'rfc822Name', value: 'x.kr' }, minimum: 0 });
    expect(code(() => decodeNameConstraints(seq()))).toBe('MALFORMED_DER');
    expect(code(() => decodeNameConstraints(seq(tlv(0xa0))))).toBe('MALFORMED_DER');
    expect(code(() => decodeNameConstraints(seq(tlv(0xa0, seq(tlv(0x87, h('0a000001')))))))).toBe('MALFORMED_DER');
  });

  it('GeneralName: every choice, strict IA5, address lengths', () => {
    const one = (b: Buffer) => {
      const c = derCursor(b);
      return readGeneralName(b, c.next(), c);
    };
    expect(one(tlv(0xa0, OID_1234, tlv(0xa0, h('0500'))))).toEqual({ type: 'otherName', typeId: '1.2.3.4', value: h('0500') });
    expect(one(tlv(0x81, Buffer.from('a@b.kr')))).toEqual({ type: 'rfc822Name', value: 'a@b.kr' });
    expect(one(tlv(0x82, Buffer.from('b.kr')))).toEqual({ type: 'dNSName', value: 'b.kr' });
    expect(one(tlv(0xa3, seq()))).toEqual({ type: 'x400Address', der: tlv(0xa3, seq()) });
    expect(one(tlv(0xa4, seq(tlv(0x31, seq(h('0603550403'), tlv(0x0c, Buffer.from('홍'))))))).type).toBe('directoryName');
    expect(one(tlv(0xa5, seq()))).toEqual({ type: 'ediPartyName', der: tlv(0xa5, seq()) });
    expect(one(URI('ldap://x/o=a,c=kr'))).toEqual({ type: 'uniformResourceIdentifier', value: 'ldap://x/o=a,c=kr' });
    expect(one(tlv(0x87, h('20010db8000000000000000000000001')))).toMatchObject({ type: 'iPAddress' });
    expect(one(tlv(0x88, h('2a0304')))).toEqual({ type: 'registeredID', oid: '1.2.3.4' });
    expect(code(() => one(tlv(0x87, h('0a0000'))))).toBe('MALFORMED_DER');
    expect(code(() => one(tlv(0x82, h('c3a9'))))).toBe('MALFORMED_DER');
    expect(code(() => one(tlv(0x89, h('00'))))).toBe('MALFORMED_DER');
    expect(code(() => one(tlv(0xa0, OID_1234)))).toBe('MALFORMED_DER');
    expect(code(() => one(tlv(0xa0, OID_1234, tlv(0xa0, h('0500'), h('0500')))))).toBe('MALFORMED_DER');
    expect(code(() => decodeAltName(seq()))).toBe('MALFORMED_DER');
  });

  it('authorityKeyIdentifier: issuer and serial together', () => {
    const dn = tlv(0xa1, tlv(0xa4, seq()));
    expect(decodeAuthorityKeyIdentifier(seq(h('8002abcd')))).toEqual({ keyIdentifier: h('abcd') });
    expect(decodeAuthorityKeyIdentifier(seq(dn, h('820101'))).authorityCertSerialNumber).toEqual(h('01'));
    expect(code(() => decodeAuthorityKeyIdentifier(seq(dn)))).toBe('MALFORMED_DER');
    expect(code(() => decodeAuthorityKeyIdentifier(seq(h('820101'))))).toBe('MALFORMED_DER');
    expect(decodeAuthorityKeyIdentifier(seq())).toEqual({});
  });

  it('CRL distribution points: fullName, relative name, reasons, cRLIssuer; the pieces reusable for IDP', () => {
    const full = tlv(0xa0, tlv(0xa0, URI('http://crl/1')));
    const rel = tlv(0xa0, tlv(0xa1, seq(h('0603550403'), tlv(0x0c, Buffer.from('dp2')))));
    const dps = decodeCrlDistributionPoints(seq(seq(full, h('81020560'), tlv(0xa2, URI('http://iss'))), seq(rel)));
    expect(dps[0]).toEqual({
      fullName: [{ type: 'uniformResourceIdentifier', value: 'http://crl/1' }],
      reasons: ['keyCompromise', 'cACompromise'],
      crlIssuer: [{ type: 'uniformResourceIdentifier', value: 'http://iss' }],
    });
    expect(dps[1]!.nameRelativeToCrlIssuer?.[0]).toMatchObject({ type: '2.5.4.3', value: 'dp2' });
    expect(code(() => decodeCrlDistributionPoints(seq(seq())))).toBe('MALFORMED_DER'); // neither name nor issuer
    expect(code(() => decodeCrlDistributionPoints(seq(seq(h('81020560')))))).toBe('MALFORMED_DER');
    expect(code(() => decodeCrlDistributionPoints(seq()))).toBe('MALFORMED_DER');
    expect(code(() => decodeCrlDistributionPoints(seq(seq(tlv(0xa0, tlv(0xa2, URI('x')))))))).toBe('MALFORMED_DER');
    // IssuingDistributionPoint-style use: [0] DistributionPointName and [3] onlySomeReasons
    const c = derCursor(full);
    expect(readDistributionPointName(full, c.next(), c).fullName?.length).toBe(1);
    const r = h('8302016e');
    expect(readReasonFlags(r, derCursor(r).next())).toEqual(['keyCompromise', 'cACompromise', 'superseded', 'cessationOfOperation', 'certificateHold']);
  });

  it('ocspNoCheck: NULL or empty', () => {
    expect(decodeOcspNoCheck(h('0500'))).toBe(true);
    expect(decodeOcspNoCheck(h(''))).toBe(true);
    expect(code(() => decodeOcspNoCheck(h('050100')))).toBe('MALFORMED_DER');
  });

  it('decodeExtensions reports MALFORMED_EXTENSION with the OID; unknown extensions are skipped', () => {
    expect(decodeExtensions([{ oid: '1.2.3.4', critical: true, value: h('ff') }])).toEqual({});
    let err: unknown;
    try {
      decodeExtensions([{ oid: '2.5.29.19', critical: true, value: h('3003020101ff') }]);
    } catch (e) {
      err = e;
    }
    expect(isPkiError(err, 'MALFORMED_EXTENSION') && err.details).toMatchObject({ oid: '2.5.29.19', cause: 'MALFORMED_DER' });
  });
});
