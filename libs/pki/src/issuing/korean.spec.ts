import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openssl, tempDir } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import { OID } from '../cert/types';
import { encodePem } from '../der';
import { identifyDataOf, verifyVid } from '../npki/vid';
import { tamperSignature, TEST_TIME } from './certificate';
import { issueKoreanChain, KOREAN_DEFAULTS } from './korean';

const chain = issueKoreanChain();
const tmp = tempDir('jointcert-korean-');
afterAll(() => tmp.cleanup());

function files(c: { root: { pem: string }; ca: { pem: string }; user: { pem: string } }, tag: string): { root: string; ca: string; user: string } {
  const p = { root: join(tmp.dir, `${tag}-root.pem`), ca: join(tmp.dir, `${tag}-ca.pem`), user: join(tmp.dir, `${tag}-user.pem`) };
  writeFileSync(p.root, c.root.pem);
  writeFileSync(p.ca, c.ca.pem);
  writeFileSync(p.user, c.user.pem);
  return p;
}

const atSeconds = (ms: number): string => String(Math.floor(ms / 1000));

function verify(p: { root: string; ca: string; user: string }, at: number, extra: string[] = []): { ok: boolean; out: string } {
  try {
    const out = openssl(['verify', '-attime', atSeconds(at), '-CAfile', p.root, '-untrusted', p.ca, ...extra, p.user]).toString();
    return { ok: true, out };
  } catch (e) {
    return { ok: false, out: (e as Error).message };
  }
}

describe('issueKoreanChain', () => {
  const text = openssl(['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'RFC2253,-esc_msb'], chain.user.der).toString('utf8');

  it('OpenSSL shows the user certificate as a yessign personal certificate', () => {
    expect(text).toContain('Issuer: CN=yessignCA-Test,OU=AccreditedCA,O=yessign,C=kr');
    expect(text).toContain(`Subject: CN=${KOREAN_DEFAULTS.userCn},OU=XYZ,OU=personal4IB,O=yessign,C=kr`);
    expect(text).toMatch(/Serial Number: 4562037 \(0x459c75\)/);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toMatch(/X509v3 Certificate Policies: critical\s+Policy: 1\.2\.410\.200005\.1\.1\.1\s+User Notice:\s+Explicit Text: .*\s+CPS: http:\/\/www\.yessign\.test\/cps\.htm/);
    expect(text).toMatch(/X509v3 Subject Alternative Name: \s*\n\s*othername: 1\.2\.410\.200004\.10\.1\.1::/);
    expect(text).toMatch(
      /X509v3 CRL Distribution Points: \s*\n\s*Full Name:\s*\n\s*URI:ldap:\/\/ds\.yessign\.test:389\/ou=dp5p22874,ou=AccreditedCA,o=yessign,c=kr\?certificateRevocationList\s*\n\s*URI:http:\/\/crl\.yessign\.test\/dp5p22874\.crl/,
    );
    expect(text).toMatch(/Authority Information Access: \s*\n\s*OCSP - URI:http:\/\/ocsp\.yessign\.test:4612/);
    expect(text).toMatch(/X509v3 Authority Key Identifier: \s*\n\s*keyid:[0-9A-F:]+\s*\n\s*DirName:\/C=KR\/O=KISA\/OU=Korea Certification Authority Central\/CN=Test RootCA\s*\n\s*serial:10:01/);
    expect(text).toMatch(/X509v3 Subject Key Identifier:/);
    expect(text).toMatch(/Not After : .* 14:59:59 \d{4} GMT/);
  });

  it('writes the notice as a BMPString, c=kr as a lowercase PrintableString, names as UTF8String', () => {
    const asn = openssl(['asn1parse', '-inform', 'DER'], chain.user.der).toString();
    expect(asn).toMatch(/PRINTABLESTRING\s+:kr/);
    expect(asn).toMatch(/UTF8STRING\s+:yessign/);
    const cert = parseCertificate(chain.user.der);
    const notice = cert.ext.certificatePolicies!.policies[0]!.qualifiers.find((q) => q.oid === OID.qtUnotice)!;
    expect(notice.der[notice.der.length - 2 * KOREAN_DEFAULTS.noticeText.length - 2]).toBe(0x1e); // BMPString tag before the text
    expect(notice.userNotice?.explicitText).toBe(KOREAN_DEFAULTS.noticeText);
    expect(cert.issuer.rdns[0]![0]!.valueTag).toBe(0x13);
    expect(cert.issuer.rdns[0]![0]!.value).toBe('kr');
    expect(cert.subject.rdns[4]![0]!.valueTag).toBe(0x0c);
    expect(cert.subject.rdns[4]![0]!.value).toBe(KOREAN_DEFAULTS.userCn);
  });

  it('OpenSSL verifies the chain at a time inside the validity and refuses a tampered signature', () => {
    const p = files(chain, 'ok');
    const ok = verify(p, chain.at);
    expect(ok.out).toMatch(/: OK/);
    expect(ok.ok).toBe(true);
    // the same with policy checking on: the CA's anyPolicy lets the user's policy through
    expect(verify(p, chain.at, ['-policy_check', '-explicit_policy', '-policy', KOREAN_DEFAULTS.policyOid]).ok).toBe(true);
    expect(verify(p, chain.at, ['-policy_check', '-explicit_policy', '-policy', '1.2.410.200005.1.1.5']).ok).toBe(false);

    const bad = files({ ...chain, user: { pem: encodePem('CERTIFICATE', tamperSignature(chain.user.der)) } }, 'tampered');
    const r = verify(bad, chain.at);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/signature failure/i);
    // and outside the user's validity
    expect(verify(p, chain.at + 2 * 365 * 86_400_000).out).toMatch(/expired/);
  });

  it('Node X509Certificate loads each certificate and checks each signature', () => {
    const root = new X509Certificate(chain.root.der);
    const ca = new X509Certificate(chain.ca.der);
    const user = new X509Certificate(chain.user.der);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(ca.verify(root.publicKey)).toBe(true);
    expect(user.verify(ca.publicKey)).toBe(true);
    expect(user.verify(root.publicKey)).toBe(false);
    expect(user.checkIssued(ca)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(user.ca).toBe(false);
    expect(new X509Certificate(tamperSignature(chain.user.der)).verify(ca.publicKey)).toBe(false);
    expect(user.publicKey.equals(chain.keys.user.publicKey)).toBe(true);
  });

  it('carries an identifyData whose VID matches the default identity (NPKI.md vector)', () => {
    const cert = parseCertificate(chain.user.der);
    const data = identifyDataOf(cert);
    expect(data.realName).toBe('홍길동');
    expect(chain.identity!.vid.toString('hex')).toBe('2772f4f45aa885f2528953bbd00b77e71144b378cad1fa0d2fdf2d43ed03847d');
    expect(verifyVid(data, KOREAN_DEFAULTS.idn, chain.identity!.randomNum).ok).toBe(true);
    expect(verifyVid(data, '8001011234568', chain.identity!.randomNum).ok).toBe(false);
  });

  it('our parser reads the typed extensions back', () => {
    const u = parseCertificate(chain.user.der);
    const ca = parseCertificate(chain.ca.der);
    const root = parseCertificate(chain.root.der);
    expect(root.selfIssued).toBe(true);
    expect(root.ext.basicConstraints).toEqual({ ca: true });
    expect(ca.ext.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    expect([...ca.ext.keyUsage!].sort()).toEqual(['cRLSign', 'keyCertSign']);
    expect(u.ext.certificatePolicies!.critical).toBe(true);
    expect(u.ext.certificatePolicies!.policies.map((p) => p.oid)).toEqual([KOREAN_DEFAULTS.policyOid]);
    expect(u.ext.crlDistributionPoints![0]!.fullName).toEqual(KOREAN_DEFAULTS.crlUrls.map((value) => ({ type: 'uniformResourceIdentifier', value })));
    expect(u.ext.authorityInfoAccess).toEqual([{ method: OID.adOcsp, location: { type: 'uniformResourceIdentifier', value: KOREAN_DEFAULTS.ocspUrl } }]);
    expect(Buffer.from(u.ext.authorityKeyIdentifier!.keyIdentifier!)).toEqual(Buffer.from(ca.ext.subjectKeyIdentifier!));
    expect(Buffer.from(ca.ext.authorityKeyIdentifier!.keyIdentifier!)).toEqual(Buffer.from(root.ext.subjectKeyIdentifier!));
    expect(u.extensions.find((e) => e.oid === OID.keyUsage)!.critical).toBe(true);
    expect(u.notBefore).toBeLessThanOrEqual(TEST_TIME);
    expect(u.notAfter).toBeGreaterThan(TEST_TIME);
    expect(new Date(u.notAfter).toISOString()).toMatch(/T14:59:59\.000Z$/);
    expect(u.notAfter - u.notBefore).toBeGreaterThan(365 * 86_400_000);
    expect(u.notAfter - u.notBefore).toBeLessThan(367 * 86_400_000);
  });
});

describe('issueKoreanChain options', () => {
  it('an expired and a not-yet-valid user fail at the reference time; the CA stays valid', () => {
    const expired = issueKoreanChain({ userValidity: 'expired' });
    const future = issueKoreanChain({ userValidity: 'notYetValid' });
    expect(verify(files(expired, 'expired'), expired.at).out).toMatch(/certificate has expired/);
    expect(verify(files(future, 'future'), future.at).out).toMatch(/certificate is not yet valid/);
    expect(parseCertificate(expired.user.der).notAfter).toBeLessThan(expired.at);
    expect(parseCertificate(future.user.der).notBefore).toBeGreaterThan(future.at);
  });

  it('an unknown critical extension makes OpenSSL refuse the chain', () => {
    const c = issueKoreanChain({ unknownCriticalExtension: true });
    const r = verify(files(c, 'unknown-crit'), c.at);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/unsupported certificate extension|unhandled critical extension/i);
    const u = parseCertificate(c.user.der);
    expect(u.extensions.at(-1)).toMatchObject({ oid: KOREAN_DEFAULTS.unknownExtensionOid, critical: true });
  });

  it('a negative user serial is written as such and printed by OpenSSL with a minus sign', () => {
    const c = issueKoreanChain({ user: { serial: -0x1234567890n } });
    const u = parseCertificate(c.user.der);
    expect(u.serialHex).toBe('edcba98770');
    expect(openssl(['x509', '-inform', 'DER', '-noout', '-serial'], c.user.der).toString()).toMatch(/serial=-1234567890/);
    expect(openssl(['x509', '-inform', 'DER', '-noout', '-text'], c.user.der).toString()).toMatch(/Serial Number:\s*\(Negative\)\s*12:34:56:78:90|Serial Number: -78187493520 \(-0x1234567890\)/);
  });

  it('policies, URLs, key usages and identity are configurable', () => {
    const c = issueKoreanChain({
      policyOid: '1.2.410.200004.5.2.1.2',
      policiesCritical: false,
      crlUrls: ['http://127.0.0.1:8080/crl/1.crl'],
      ocspUrl: false,
      caIssuersUrl: 'http://127.0.0.1:8080/ca.der',
      userKeyUsage: ['digitalSignature'],
      identity: { realName: '김철수', idn: '9001011234567', hash: 'sha1' },
      user: { omitExtensions: ['authorityKeyIdentifier'] },
    });
    const u = parseCertificate(c.user.der);
    expect(u.ext.certificatePolicies).toMatchObject({ critical: false, policies: [{ oid: '1.2.410.200004.5.2.1.2' }] });
    expect(u.ext.crlDistributionPoints).toEqual([{ fullName: [{ type: 'uniformResourceIdentifier', value: 'http://127.0.0.1:8080/crl/1.crl' }] }]);
    expect(u.ext.authorityInfoAccess).toEqual([{ method: OID.adCaIssuers, location: { type: 'uniformResourceIdentifier', value: 'http://127.0.0.1:8080/ca.der' } }]);
    expect([...u.ext.keyUsage!]).toEqual(['digitalSignature']);
    expect(u.ext.authorityKeyIdentifier).toBeUndefined();
    const data = identifyDataOf(u);
    expect(data.realName).toBe('김철수');
    expect(verifyVid(data, '9001011234567', c.identity!.randomNum).ok).toBe(true);
    expect(issueKoreanChain({ identity: false }).identity).toBeUndefined();
    expect(parseCertificate(issueKoreanChain({ identity: false }).user.der).ext.subjectAltName).toBeUndefined();
  });

  it('reuses pooled keys: two chains share keys unless given others', () => {
    const a = issueKoreanChain();
    expect(a.keys.user).toBe(chain.keys.user);
    expect(Buffer.from(parseCertificate(a.user.der).spki.der)).toEqual(Buffer.from(parseCertificate(chain.user.der).spki.der));
  });
});
