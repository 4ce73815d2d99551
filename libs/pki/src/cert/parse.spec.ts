import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DerCursor, Tag, bigintFromTwos, encodePem, readBoolean, readOid, readSingle, toHex, type DerLimits } from '../der';
import { isPkiError } from '../errors';
import { truncationsAndFlips } from '../../test-support/corruptions';
import { YESSIGN } from '../../test-support/fixtures';
import { openssl, tempDir } from '../../test-support/openssl';
import { generalNameText } from './general-name';
import { NAME_SHORT } from './name';
import { parseCertificate, parseCertificates, readExtensions } from './parse';
import type { Certificate, Extension, GeneralName } from './types';

// ---- small DER builders for hand-made hostile input --------------------------------------
function header(tag: number, len: number): number[] {
  if (len < 0x80) return [tag, len];
  const b: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) b.unshift(n & 0xff);
  return [tag, 0x80 | b.length, ...b];
}
function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from(header(tag, body.length)), body]);
}
/** The encodings of the elements inside a constructed element. */
function children(der: Uint8Array, start = 0): Buffer[] {
  const c = new DerCursor(der, start);
  const outer = c.enter(c.next());
  const out: Buffer[] = [];
  while (!outer.atEnd()) {
    const t = outer.next();
    out.push(Buffer.from(der.subarray(t.start, t.end)));
  }
  return out;
}
function expectCode(fn: () => unknown, code: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isPkiError(err) ? err.code : err).toBe(code);
}
function serialText(c: Certificate): string {
  const v = bigintFromTwos(c.serial);
  let h = (v < 0n ? -v : v).toString(16).toUpperCase();
  if (h.length % 2) h = `0${h}`;
  return v < 0n ? `-${h}` : h;
}
function colonHex(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}
/** Node's X509Certificate.subject/issuer form: one "SHORT=value" per line, in DER order. */
function nodeNameLines(c: Certificate['subject']): string {
  return c.rdns.map((rdn) => rdn.map((a) => `${NAME_SHORT[a.type] ?? a.type}=${a.value}`).join('+')).join('\n');
}

describe('parseCertificate: the yessign NPKI test certificate', () => {
  const der = YESSIGN.cert();
  const c = parseCertificate(der);

  it('reads the core fields', () => {
    expect(c.version).toBe(3);
    expect(c.serialHex).toBe('459c75');
    expect(c.subject.text).toBe('CN=HKD(KILDONG.HONG)009104120200225191000030,OU=INITECH,OU=personal4IB,O=yessign,C=kr');
    expect(c.issuer.text).toBe('CN=yessignCA-Test Class 4,OU=AccreditedCA,O=yessign,C=kr');
    expect(new Date(c.notBefore).toISOString()).toBe('2020-02-24T15:00:00.000Z');
    expect(new Date(c.notAfter).toISOString()).toBe('2020-03-25T14:59:59.000Z');
    expect(c.signatureAlgorithm.oid).toBe('1.2.840.113549.1.1.11');
    expect(toHex(c.signatureAlgorithm.params!)).toBe('0500');
    expect(Buffer.compare(c.signatureAlgorithm.der, c.tbsSignatureAlgorithm.der)).toBe(0);
    expect(c.signature.length).toBe(256);
    expect(c.spki.keyType).toBe('rsa');
    expect(c.spki.rsaBits).toBe(2048);
    expect(c.selfIssued).toBe(false);
    expect(c.fingerprintSha256).toBe(createHash('sha256').update(der).digest('hex'));
    expect(c.issuerUniqueId).toBeUndefined();
  });

  it('decodes the NPKI extensions', () => {
    const cp = c.ext.certificatePolicies!;
    expect(cp.critical).toBe(true);
    expect(cp.policies.map((p) => p.oid)).toEqual(['1.2.410.200005.1.1.4']);
    const q = cp.policies[0]!.qualifiers;
    expect(q.find((x) => x.userNotice)?.userNotice?.explicitText).toBe('이 인증서는 시험용 인증서입니다');
    expect(q.find((x) => x.cps)?.cps).toBe('http://snoopy.yessign.or.kr/cps.htm');
    const san = c.ext.subjectAltName!;
    expect(san).toHaveLength(1);
    const on = san[0] as Extract<GeneralName, { type: 'otherName' }>;
    expect(on.type).toBe('otherName');
    expect(on.typeId).toBe('1.2.410.200004.10.1.1');
    expect(on.value[0]).toBe(0x30); // IdentifyData SEQUENCE, as the inner element of [0] EXPLICIT
    expect(() => readSingle(on.value, 'IdentifyData')).not.toThrow();
    expect(c.ext.crlDistributionPoints).toEqual([
      { fullName: [{ type: 'uniformResourceIdentifier', value: 'ldap://snoopy.yessign.or.kr:6020/ou=dp18p395,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList' }] },
    ]);
    expect(c.ext.authorityInfoAccess?.map((a) => [a.method, generalNameText(a.location)])).toEqual([
      ['1.3.6.1.5.5.7.48.1', 'URI:http://snoopy.yessign.or.kr:4612'],
    ]);
    expect([...c.ext.keyUsage!]).toEqual(['digitalSignature', 'nonRepudiation']);
    const aki = c.ext.authorityKeyIdentifier!;
    expect(toHex(aki.keyIdentifier!)).toBe('6635ece8fdfedbb82a62a902b1e6dc875cdcf9c3');
    expect(aki.authorityCertIssuer?.map(generalNameText)).toEqual(['DirName:CN=Kisa Test RootCA 7,OU=Korea Certification Authority Central,O=KISA,C=KR']);
    expect(toHex(aki.authorityCertSerialNumber!)).toBe('02');
    expect(toHex(c.ext.subjectKeyIdentifier!)).toBe('a9ab98bd24851ecd625f1fdd790b54aa8c817ef6');
    expect(c.extensions.map((e) => e.oid)).toEqual(['2.5.29.35', '2.5.29.14', '2.5.29.15', '2.5.29.32', '2.5.29.17', '2.5.29.31', '1.3.6.1.5.5.7.1.1']);
  });

  it('agrees with OpenSSL and crypto.X509Certificate', () => {
    const x = new X509Certificate(der);
    expect(nodeNameLines(c.subject)).toBe(x.subject);
    expect(nodeNameLines(c.issuer)).toBe(x.issuer);
    expect(serialText(c)).toBe(x.serialNumber);
    expect(c.notBefore).toBe(Date.parse(x.validFrom));
    expect(c.notAfter).toBe(Date.parse(x.validTo));
    expect(colonHex(c.fingerprintSha256)).toBe(x.fingerprint256);
    const text = openssl(['x509', '-inform', 'DER', '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253', '-serial'], der).toString();
    expect(text).toContain(`subject=${c.subject.text}\n`);
    expect(text).toContain(`issuer=${c.issuer.text}\n`);
    expect(text).toContain('serial=459C75');
  });

  it('views the input without copying; the fingerprint is a readable, enumerable property', () => {
    expect(c.der.buffer).toBe(der.buffer);
    expect(Object.keys(c)).toContain('fingerprintSha256');
    expect({ ...c }.fingerprintSha256).toBe(c.fingerprintSha256);
    expect(JSON.parse(JSON.stringify({ fp: c.fingerprintSha256 })).fp).toHaveLength(64);
  });
});

// An extensions file covering every typed extension (Korean text through -subj -utf8 and UTF8: values).
const EXT_CNF = `
[req]
distinguished_name=dn
utf8=yes
string_mask=utf8only
[dn]
[ca]
basicConstraints=critical,CA:TRUE,pathlen:2
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
nameConstraints=critical,permitted;DNS:.example.kr,permitted;IP:10.0.0.0/255.0.0.0,excluded;email:bad.example.kr,excluded;dirName:nc_dir
policyMappings=1.2.410.200005.1.1.1:1.2.3.4,1.2.410.200005.1.1.4:1.2.3.5
policyConstraints=requireExplicitPolicy:0,inhibitPolicyMapping:1
inhibitAnyPolicy=3
certificatePolicies=2.5.29.32.0
[nc_dir]
C=KR
O=Bad Org
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation,keyEncipherment
extendedKeyUsage=clientAuth,emailProtection,1.2.3.4.5
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer:always
certificatePolicies=critical,@pol1,1.2.410.200005.1.1.4
subjectAltName=@san
issuerAltName=URI:http://ca.example.kr/,email:ca@example.kr
crlDistributionPoints=cdp1,cdp2
freshestCRL=URI:http://crl.example.kr/delta.crl
authorityInfoAccess=OCSP;URI:http://ocsp.example.kr:4612,caIssuers;URI:http://ca.example.kr/ca.der
noCheck=ignored
[pol1]
policyIdentifier=1.2.410.200005.1.1.1
CPS.1=http://ca.example.kr/cps.htm
userNotice.1=@notice
[notice]
explicitText=UTF8:이 인증서는 시험용 인증서입니다
organization=Example Org
noticeNumbers=1,2,3
[san]
email.1=hong@example.kr
DNS.1=www.example.kr
IP.1=192.0.2.1
IP.2=2001:db8::1
URI.1=https://example.kr/u
RID.1=1.2.3.4.5.6
dirName.1=san_dir
otherName.1=1.2.410.200004.10.1.1;UTF8:HKD
[san_dir]
C=KR
CN=Hong Gildong
[cdp1]
fullname=@cdpnames
reasons=keyCompromise,CACompromise
CRLissuer=dirName:cdp_issuer
[cdpnames]
URI.1=ldap://ds.example.kr:389/ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList
[cdp_issuer]
C=KR
O=CRL Issuer
[cdp2]
relativename=rel
[rel]
CN=dp2
`;

describe('parseCertificate: certificates made by OpenSSL', () => {
  let ca: Buffer;
  let leaf: Buffer;
  let v1: Buffer;
  beforeAll(() => {
    const { dir, cleanup } = tempDir('cert-parse-');
    try {
      const f = (n: string): string => join(dir, n);
      writeFileSync(f('ext.cnf'), EXT_CNF);
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-subj', '/C=KR/O=KISA/OU=Korea Certification Authority Central/CN=Kisa  RootCA',
        '-days', '3650', '-config', f('ext.cnf'), '-extensions', 'ca', '-set_serial', '1', '-outform', 'DER', '-out', f('ca.der')]);
      openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('leaf.key'), '-utf8', '-config', f('ext.cnf'),
        '-subj', '/C=KR/O=yessign/OU=personal4IB/CN=홍길동()0010', '-out', f('leaf.csr')]);
      openssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.der'), '-CAform', 'DER', '-CAkey', f('ca.key'), '-set_serial', '-0x00a1b2c3d4e5f60718',
        '-days', '365', '-extfile', f('ext.cnf'), '-extensions', 'leaf', '-outform', 'DER', '-out', f('leaf.der')]);
      // a v1 certificate: no extensions section given to x509 -req
      openssl(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.der'), '-CAform', 'DER', '-CAkey', f('ca.key'), '-set_serial', '7', '-days', '30', '-outform', 'DER', '-out', f('v1.der')]);
      ca = readFileSync(f('ca.der'));
      leaf = readFileSync(f('leaf.der'));
      v1 = readFileSync(f('v1.der'));
    } finally {
      cleanup();
    }
  });

  it('matches crypto.X509Certificate on both certificates', () => {
    for (const der of [ca, leaf, v1]) {
      const c = parseCertificate(der);
      const x = new X509Certificate(der);
      expect(nodeNameLines(c.subject)).toBe(x.subject);
      expect(nodeNameLines(c.issuer)).toBe(x.issuer);
      expect(serialText(c)).toBe(x.serialNumber);
      expect(c.notBefore).toBe(Date.parse(x.validFrom));
      expect(c.notAfter).toBe(Date.parse(x.validTo));
      expect(colonHex(c.fingerprintSha256)).toBe(x.fingerprint256);
      expect(c.ext.basicConstraints?.ca ?? false).toBe(x.ca);
      expect(c.ext.extKeyUsage).toEqual(x.keyUsage);
    }
  });

  it('matches what OpenSSL prints for names, serial and dates', () => {
    for (const der of [ca, leaf, v1]) {
      const c = parseCertificate(der);
      const text = openssl(['x509', '-inform', 'DER', '-noout', '-subject', '-issuer', '-nameopt', 'RFC2253,-esc_msb', '-serial'], der).toString();
      expect(text).toContain(`subject=${c.subject.text}\n`);
      expect(text).toContain(`issuer=${c.issuer.text}\n`);
      expect(text).toContain(`serial=${serialText(c)}\n`);
    }
  });

  it('reads a root CA: self-issued, RSA-2048, constraints and policy extensions', () => {
    const c = parseCertificate(ca);
    expect(c.selfIssued).toBe(true);
    expect(c.subject.text).toBe('CN=Kisa  RootCA,OU=Korea Certification Authority Central,O=KISA,C=KR');
    expect(c.spki.rsaBits).toBe(2048);
    expect(c.ext.basicConstraints).toEqual({ ca: true, pathLen: 2 });
    expect([...c.ext.keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign']);
    const nc = c.ext.nameConstraints!;
    expect(nc.permitted?.map((s) => [generalNameText(s.base), s.minimum, s.maximum])).toEqual([
      ['DNS:.example.kr', 0, undefined],
      ['IP:10.0.0.0/255.0.0.0', 0, undefined],
    ]);
    expect(nc.excluded?.map((s) => generalNameText(s.base))).toEqual(['email:bad.example.kr', 'DirName:O=Bad Org,C=KR']);
    expect(c.ext.policyMappings).toEqual([
      { issuerDomainPolicy: '1.2.410.200005.1.1.1', subjectDomainPolicy: '1.2.3.4' },
      { issuerDomainPolicy: '1.2.410.200005.1.1.4', subjectDomainPolicy: '1.2.3.5' },
    ]);
    expect(c.ext.policyConstraints).toEqual({ requireExplicitPolicy: 0, inhibitPolicyMapping: 1 });
    expect(c.ext.inhibitAnyPolicy).toBe(3);
    expect(c.ext.certificatePolicies).toEqual({ critical: false, policies: [{ oid: '2.5.29.32.0', qualifiers: [] }] });
    // the SKI OpenSSL printed
    const printed = openssl(['x509', '-inform', 'DER', '-noout', '-ext', 'subjectKeyIdentifier'], ca).toString();
    expect(printed).toContain(colonHex(toHex(c.ext.subjectKeyIdentifier!)));
  });

  it('reads a leaf: negative serial, Korean UTF8String CN, EC key and every other extension', () => {
    const c = parseCertificate(leaf);
    const cac = parseCertificate(ca);
    expect(c.serialHex).toBe('ff5e4d3c2b1a09f8e8'); // two's complement of -0xa1b2c3d4e5f60718
    expect(bigintFromTwos(c.serial)).toBe(-0xa1b2c3d4e5f60718n);
    expect(c.subject.rdns[3]![0]).toMatchObject({ type: '2.5.4.3', valueTag: 0x0c, value: '홍길동()0010' });
    expect(c.subject.text).toBe('CN=홍길동()0010,OU=personal4IB,O=yessign,C=KR');
    expect(c.spki).toMatchObject({ keyType: 'ec', curve: '1.2.840.10045.3.1.7' });
    expect(c.spki.rsaBits).toBeUndefined();
    expect(c.selfIssued).toBe(false);
    expect(c.issuer.key).toBe(cac.subject.key);
    expect(c.ext.basicConstraints).toEqual({ ca: false });
    expect([...c.ext.keyUsage!].sort()).toEqual(['digitalSignature', 'keyEncipherment', 'nonRepudiation']);
    expect(c.ext.extKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.4', '1.2.3.4.5']);

    const aki = c.ext.authorityKeyIdentifier!;
    expect(aki.keyIdentifier).toEqual(cac.ext.subjectKeyIdentifier);
    expect(aki.authorityCertIssuer).toEqual([{ type: 'directoryName', name: cac.subject }]);
    expect(toHex(aki.authorityCertSerialNumber!)).toBe('01');

    const cp = c.ext.certificatePolicies!;
    expect(cp.critical).toBe(true);
    expect(cp.policies.map((p) => p.oid)).toEqual(['1.2.410.200005.1.1.1', '1.2.410.200005.1.1.4']);
    expect(cp.policies[0]!.qualifiers.map((q) => [q.oid, q.cps, q.userNotice])).toEqual([
      ['1.3.6.1.5.5.7.2.1', 'http://ca.example.kr/cps.htm', undefined],
      ['1.3.6.1.5.5.7.2.2', undefined, { noticeRef: { organization: 'Example Org', noticeNumbers: [1, 2, 3] }, explicitText: '이 인증서는 시험용 인증서입니다' }],
    ]);

    const san = c.ext.subjectAltName!;
    expect(san.map(generalNameText)).toEqual([
      'email:hong@example.kr',
      'DNS:www.example.kr',
      'IP:192.0.2.1',
      'IP:2001:db8:0:0:0:0:0:1',
      'URI:https://example.kr/u',
      'RID:1.2.3.4.5.6',
      'DirName:CN=Hong Gildong,C=KR',
      'othername:1.2.410.200004.10.1.1',
    ]);
    const on = san[7] as Extract<GeneralName, { type: 'otherName' }>;
    expect(toHex(on.value)).toBe(Buffer.concat([Buffer.from([0x0c, 3]), Buffer.from('HKD')]).toString('hex'));
    // Node prints the SAN in its own syntax; the plain entries must agree
    const x = new X509Certificate(leaf);
    for (const s of ['email:hong@example.kr', 'DNS:www.example.kr', 'IP Address:192.0.2.1', 'URI:https://example.kr/u', 'Registered ID:1.2.3.4.5.6']) {
      expect(x.subjectAltName).toContain(s);
    }
    expect(c.ext.issuerAltName?.map(generalNameText)).toEqual(['URI:http://ca.example.kr/', 'email:ca@example.kr']);

    expect(c.ext.crlDistributionPoints).toHaveLength(2);
    const [dp1, dp2] = c.ext.crlDistributionPoints!;
    expect(dp1!.fullName?.map(generalNameText)).toEqual(['URI:ldap://ds.example.kr:389/ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr?certificateRevocationList']);
    expect(dp1!.reasons).toEqual(['keyCompromise', 'cACompromise']);
    expect(dp1!.crlIssuer?.map(generalNameText)).toEqual(['DirName:O=CRL Issuer,C=KR']);
    expect(dp2!.nameRelativeToCrlIssuer).toEqual([expect.objectContaining({ type: '2.5.4.3', value: 'dp2' })]);
    expect(dp2!.fullName).toBeUndefined();
    expect(c.ext.freshestCrl?.[0]?.fullName?.map(generalNameText)).toEqual(['URI:http://crl.example.kr/delta.crl']);
    expect(c.ext.authorityInfoAccess?.map((a) => `${a.method} ${generalNameText(a.location)}`)).toEqual([
      '1.3.6.1.5.5.7.48.1 URI:http://ocsp.example.kr:4612',
      '1.3.6.1.5.5.7.48.2 URI:http://ca.example.kr/ca.der',
    ]);
    expect(x.infoAccess).toBe('OCSP - URI:http://ocsp.example.kr:4612\nCA Issuers - URI:http://ca.example.kr/ca.der');
    expect(c.ext.ocspNoCheck).toBe(true);
    expect(c.extensions.length).toBe(12);
  });

  it('reads a v1 certificate', () => {
    const c = parseCertificate(v1);
    expect(c.version).toBe(1);
    expect(c.extensions).toEqual([]);
    expect(c.ext).toEqual({});
  });

  it('parseCertificates reads PEM bundles (with text around and other blocks), DER and base64', () => {
    const bundle = `chain:\n${encodePem('CERTIFICATE', leaf)}junk\n${encodePem('PRIVATE KEY', Buffer.from([0x30, 0]))}${encodePem('CERTIFICATE', ca)}`;
    expect(parseCertificates(bundle).map((c) => c.serialHex)).toEqual(['ff5e4d3c2b1a09f8e8', '01']);
    expect(parseCertificates(Buffer.from(bundle, 'latin1')).length).toBe(2);
    expect(parseCertificates(ca)[0]!.serialHex).toBe('01');
    expect(parseCertificates(ca.toString('base64'))[0]!.serialHex).toBe('01');
    expectCode(() => parseCertificates(encodePem('PRIVATE KEY', Buffer.from([0x30, 0]))), 'MALFORMED_PEM');
    expectCode(() => parseCertificates('not base64 at all!'), 'MALFORMED_BASE64');
    expectCode(() => parseCertificates(ca, { maxBytes: 100 }), 'INPUT_TOO_LARGE');
  });
});

describe('parseCertificate: hostile and malformed input', () => {
  const der = YESSIGN.cert();
  const [tbs, sigAlg, sig] = children(der);
  const tbsParts = children(tbs!);
  const extsOuter = tbsParts[tbsParts.length - 1]!; // [3] { SEQUENCE OF Extension }
  const extList = children(children(extsOuter)[0]!);
  const rebuild = (parts: Buffer[]): Buffer => tlv(0x30, tlv(0x30, ...parts), sigAlg!, sig!);
  const withExtensions = (exts: Buffer[]): Buffer => rebuild([...tbsParts.slice(0, -1), tlv(0xa3, tlv(0x30, ...exts))]);

  it('rebuilds the original from its parts (sanity check of the builders)', () => {
    expect(Buffer.compare(withExtensions(extList), der)).toBe(0);
  });

  it('rejects every truncation with MALFORMED_CERTIFICATE', () => {
    for (let n = 0; n < der.length; n++) expectCode(() => parseCertificate(der.subarray(0, n)), 'MALFORMED_CERTIFICATE');
  });

  it('never throws anything but a PkiError when any single octet is corrupted', () => {
    const codes = new Set<string>();
    for (let i = 0; i < der.length; i++) {
      for (const x of [0xff, 0x01, 0x80]) {
        const b = Buffer.from(der);
        b[i]! ^= x;
        try {
          parseCertificate(b);
        } catch (e) {
          if (!isPkiError(e)) throw new Error(`octet ${i} ^ ${x}: ${String(e)}`, { cause: e });
          codes.add(e.code);
        }
      }
    }
    // an OID octet flipped can turn one extension into a copy of another
    expect([...codes].sort()).toEqual(['DUPLICATE_EXTENSION', 'MALFORMED_CERTIFICATE', 'MALFORMED_EXTENSION']);
  });

  it('rejects a wrong outer tag, trailing bytes, huge length octets', () => {
    const b = Buffer.from(der);
    b[0] = 0x31;
    expectCode(() => parseCertificate(b), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(Buffer.concat([der, Buffer.from([0])])), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00])), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(Buffer.from([0x30, 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0])), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(Buffer.from([0x30, 0x80, 0x00, 0x00])), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(new Uint8Array(0)), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(new Uint8Array(2 * 1024 * 1024)), 'INPUT_TOO_LARGE');
  });

  it('rejects 10,000-deep nesting quickly', () => {
    const depth = 10_000;
    const lens: number[] = [0];
    for (let i = 1; i < depth; i++) lens.push(lens[i - 1]! + header(0x30, lens[i - 1]!).length);
    const out: number[] = [];
    for (let i = depth - 1; i >= 0; i--) out.push(...header(0x30, lens[i]!));
    const deep = Buffer.from(out);
    expect(() => readSingle(deep, 'x')).not.toThrow();
    expectCode(() => parseCertificate(deep), 'MALFORMED_CERTIFICATE');
    // and as the content of an extension: the walk never descends into unknown values
    const ext = tlv(0x30, tlv(0x06, Buffer.from([0x2a, 0x03])), tlv(0x04, deep));
    expect(parseCertificate(withExtensions([...extList, ext])).extensions.at(-1)?.value.length).toBe(deep.length);
    // and as a known extension's value: a typed error
    const ski = tlv(0x30, tlv(0x06, Buffer.from([0x55, 0x1d, 0x11])), tlv(0x04, deep));
    expectCode(() => parseCertificate(withExtensions([...extList.filter((_, i) => i !== 4), ski])), 'MALFORMED_EXTENSION');
  });

  it('rejects duplicate extensions with the OID', () => {
    let err: unknown;
    try {
      parseCertificate(withExtensions([...extList, extList[1]!]));
    } catch (e) {
      err = e;
    }
    expect(isPkiError(err, 'DUPLICATE_EXTENSION') && err.details?.oid).toBe('2.5.29.14');
  });

  it('reads Extensions as a cursor walk would: the same extensions, or the same error at the same offset', () => {
    // the walk readExtensions replaced (a Tlv and a DerCursor per element), kept here as the reference
    const reference = (buf: Uint8Array, seqTlv: ReturnType<DerCursor['next']>, parent: DerCursor, out: Extension[]): void => {
      const c = parent.enter(seqTlv);
      const seen = new Set<string>();
      while (!c.atEnd()) {
        const eTlv = c.expect(Tag.SEQUENCE, 'Extension');
        const e = c.enter(eTlv);
        const oid = readOid(buf, e.expect(Tag.OID, 'extnID'));
        const crit = e.optional(Tag.BOOLEAN);
        const critical = crit ? readBoolean(buf, crit) : false;
        const value = buf.subarray(e.expect(Tag.OCTET_STRING, 'extnValue').valueStart, e.pos);
        e.done('Extension');
        if (seen.has(oid)) throw new Error(`DUPLICATE ${oid} @${eTlv.start}`);
        seen.add(oid);
        out.push({ oid, critical, value });
      }
    };
    type Walk = (buf: Uint8Array, seqTlv: ReturnType<DerCursor['next']>, parent: DerCursor, out: Extension[]) => void;
    const outcome = (walk: Walk, der: Buffer, limits: DerLimits, depth: number): string => {
      const out: Extension[] = [];
      try {
        const parent = new DerCursor(der, 0, der.length, depth, limits);
        walk(der, parent.next(), parent, out);
      } catch (e) {
        return isPkiError(e) ? `${e.code} ${e.message} @${String(e.details?.offset)}` : String(e);
      }
      return out.map((e) => `${e.oid}${e.critical ? '!' : ''}=${toHex(e.value)}`).join(' ');
    };
    const ours: Walk = (buf, seqTlv, parent, out) =>
      readExtensions(buf, seqTlv, parent, out, (oid, offset) => new Error(`DUPLICATE ${oid} @${offset}`));
    const ext = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
    const extnId = tlv(0x06, Buffer.from([0x2a, 0x03, 0x04]));
    const list = tlv(0x30, ...extList);
    const inputs: Buffer[] = [
      list,
      tlv(0x30),
      tlv(0x30, ext()),
      tlv(0x30, ext(extnId)),
      tlv(0x30, ext(extnId, tlv(0x01, Buffer.from([0xff])))),
      tlv(0x30, ext(extnId, tlv(0x01, Buffer.from([0x01])), tlv(0x04))),
      tlv(0x30, ext(extnId, tlv(0x01, Buffer.from([0xff, 0xff])), tlv(0x04))),
      tlv(0x30, ext(extnId, tlv(0x01, Buffer.from([0x00])), tlv(0x04, Buffer.from([1])))),
      tlv(0x30, ext(extnId, tlv(0x04), tlv(0x04))),
      tlv(0x30, ext(extnId, tlv(0x13, Buffer.from('x')))),
      tlv(0x30, ext(tlv(0x04), extnId)),
      tlv(0x30, ext(extnId, tlv(0x04)), tlv(0x31)),
      tlv(0x30, ext(extnId, tlv(0x04)), ext(extnId, tlv(0x01, Buffer.from([0xff])), tlv(0x04))),
      tlv(0x31, ext(extnId, tlv(0x04))),
      tlv(0x30, ext(extnId), tlv(0x01, Buffer.from([0xff]))), // a BOOLEAN just past an Extension is not its own
      ...truncationsAndFlips(list),
    ];
    let compared = 0;
    const kinds = new Set<string>();
    for (const [maxDepth, depth] of [[32, 0], [32, 31], [32, 32], [2, 0], [1, 0], [0, 0]] as const) {
      for (const der of inputs) {
        const ref = outcome(reference, der, { maxDepth, ber: false }, depth);
        expect(outcome(ours, der, { maxDepth, ber: false }, depth)).toBe(ref);
        compared++;
        kinds.add(/^(?:Error: )?(MALFORMED_DER|NESTING_TOO_DEEP|DUPLICATE)/.exec(ref)?.[1] ?? 'read');
      }
    }
    expect(compared).toBeGreaterThan(10_000);
    expect([...kinds].sort()).toEqual(['DUPLICATE', 'MALFORMED_DER', 'NESTING_TOO_DEEP', 'read']);
  });

  it('finds a repeat among many extensions, before and after the first sixteen (where the look turns into a Set)', () => {
    // unknown extensions 1.2.3.<n>, each with an empty OCTET STRING value
    const unknown = (n: number): Buffer => tlv(0x30, tlv(0x06, Buffer.from([0x2a, 0x03, n])), tlv(0x04, Buffer.alloc(0)));
    const many = Array.from({ length: 40 }, (_, n) => unknown(n));
    expect(parseCertificate(withExtensions([...extList, ...many])).extensions).toHaveLength(extList.length + 40);
    for (const [at, copy] of [[3, 1], [20, 2], [39, 30], [39, 38]] as const) {
      const exts = [...extList, ...many];
      exts[extList.length + at] = unknown(copy);
      let err: unknown;
      try {
        parseCertificate(withExtensions(exts));
      } catch (e) {
        err = e;
      }
      expect(isPkiError(err, 'DUPLICATE_EXTENSION') && err.details?.oid).toBe(`1.2.3.${copy}`);
    }
  });

  it('rejects a v1 (or v2) certificate with extensions, and unknown versions', () => {
    const noVersion = tbsParts.slice(1); // drop [0] version: v1 by DEFAULT, extensions still there
    expectCode(() => parseCertificate(rebuild(noVersion)), 'MALFORMED_CERTIFICATE');
    const v2 = tlv(0xa0, Buffer.from([2, 1, 1]));
    expectCode(() => parseCertificate(rebuild([v2, ...noVersion])), 'MALFORMED_CERTIFICATE');
    const v4 = tlv(0xa0, Buffer.from([2, 1, 3]));
    expectCode(() => parseCertificate(rebuild([v4, ...noVersion])), 'MALFORMED_CERTIFICATE');
    // an explicit v1 without extensions is tolerated (not DER, seen in the wild)
    const v1 = tlv(0xa0, Buffer.from([2, 1, 0]));
    expect(parseCertificate(rebuild([v1, ...noVersion.slice(0, -1)])).version).toBe(1);
  });

  it('reads issuer and subject unique identifiers (v2/v3 only)', () => {
    const iu = tlv(0x81, Buffer.from([0x00, 0xca, 0xfe]));
    const su = tlv(0x82, Buffer.from([0x04, 0xb0]));
    const c = parseCertificate(rebuild([...tbsParts.slice(0, -1), iu, su, extsOuter]));
    expect(toHex(c.issuerUniqueId!)).toBe('cafe');
    expect(toHex(c.subjectUniqueId!)).toBe('b0');
    expectCode(() => parseCertificate(rebuild([...tbsParts.slice(1, -1), iu])), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(rebuild([...tbsParts.slice(0, -1), su, iu, extsOuter])), 'MALFORMED_CERTIFICATE');
  });

  it('keeps long serials up to 64 octets, rejects longer and empty ones', () => {
    const serial = (n: number): Buffer => tlv(0x02, Buffer.alloc(n, 0x11));
    const at = (s: Buffer): Buffer => rebuild([tbsParts[0]!, s, ...tbsParts.slice(2)]);
    expect(parseCertificate(at(serial(64))).serial.length).toBe(64);
    expectCode(() => parseCertificate(at(serial(65))), 'MALFORMED_CERTIFICATE');
    expectCode(() => parseCertificate(at(Buffer.from([0x02, 0x00]))), 'MALFORMED_CERTIFICATE');
    expect(parseCertificate(at(Buffer.from([0x02, 0x01, 0x00]))).serialHex).toBe('00');
  });

  it('reports a malformed known extension as MALFORMED_EXTENSION with its OID', () => {
    const emptyKu = tlv(0x30, tlv(0x06, Buffer.from([0x55, 0x1d, 0x0f])), tlv(0x04, Buffer.from([0x03, 0x01, 0x00])));
    let err: unknown;
    try {
      parseCertificate(withExtensions([...extList.filter((_, i) => i !== 2), emptyKu]));
    } catch (e) {
      err = e;
    }
    expect(isPkiError(err, 'MALFORMED_EXTENSION') && err.details?.oid).toBe('2.5.29.15');
  });
});
