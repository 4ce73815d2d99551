import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { openssl, tempDir } from '../../test-support/openssl';
import { parseCertificate } from '../cert/parse';
import { OID } from '../cert/types';
import { verifySignature } from '../crypto/signature';
import { isPkiError } from '../errors';
import { buildCertificate, issue, issueChain, TEST_TIME } from './certificate';
import { keyIdentifier, testKey } from './keys';
import { encodeName, parseDn } from './names';
import { npkiFolderNameOf } from './npki-folder';
import { type SignatureAlgorithmName } from './signing';

const rsa = testKey('builder-rsa');
const root = issue({ keys: rsa, subject: 'CN=Builder Root, O=Test, C=KR', extensions: { basicConstraints: { ca: true } } });
const leafKey = testKey('builder-leaf');

const x509text = (der: Uint8Array): string => openssl(['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'RFC2253,-esc_msb'], der).toString('utf8');

describe('names', () => {
  it('writes the string types asked for, lowercase values and multi-valued RDNs', () => {
    const der = encodeName([
      ['c', 'kr'],
      ['O', 'yessign', 'printable'],
      [
        ['OU', 'b-unit'],
        ['OU', 'a-unit', 'bmp'],
      ],
      ['CN', '홍길동'],
      ['E', 'a@b.kr'],
      ['2.5.4.5', '1234'],
      ['1.2.3.4', Buffer.from('3000', 'hex')],
    ]);
    const c = parseCertificate(buildCertificate({ subject: der, subjectKey: leafKey.publicKey, issuerKey: rsa.privateKey }));
    const tags = c.subject.rdns.map((r) => r.map((a) => [a.type, a.valueTag, a.value]));
    expect(tags[0]).toEqual([[OID.countryName, 0x13, 'kr']]);
    expect(tags[1]).toEqual([[OID.organizationName, 0x13, 'yessign']]);
    // multi-valued RDN: a SET OF, sorted by encoding (UTF8String 0c… before BMPString 1e…)
    expect(tags[2]).toEqual([
      [OID.organizationalUnitName, 0x0c, 'b-unit'],
      [OID.organizationalUnitName, 0x1e, 'a-unit'],
    ]);
    expect(tags[3]).toEqual([[OID.commonName, 0x0c, '홍길동']]);
    expect(tags[4]).toEqual([[OID.emailAddress, 0x16, 'a@b.kr']]);
    expect(tags[5]).toEqual([[OID.serialNumber, 0x13, '1234']]);
    expect(tags[6]![0]![1]).toBe(0x30);
    expect(x509text(c.der)).toContain('Subject: 1.2.3.4=#3000,serialNumber=1234,emailAddress=a@b.kr,CN=홍길동,OU=a-unit+OU=b-unit,O=yessign,C=kr'); // OpenSSL prints a multi-valued RDN in its own order
  });

  it('parses RFC 4514 strings into DER order', () => {
    const rdns = parseDn('CN=홍길동()0011,OU=XYZ, OU=personal4IB,O=yessign,C=kr');
    expect(rdns.map((r) => r.map(([t, v]) => `${t}=${String(v)}`).join('+'))).toEqual(['C=kr', 'O=yessign', 'OU=personal4IB', 'OU=XYZ', 'CN=홍길동()0011']);
    expect(npkiFolderNameOf(parseCertificate(buildCertificate({ subject: rdns, subjectKey: leafKey.publicKey, issuerKey: rsa.privateKey })).subject)).toBe(
      'cn=홍길동()0011,ou=XYZ,ou=personal4IB,o=yessign,c=kr',
    );
    expect(parseDn('CN=a\\,b+SERIALNUMBER=1, C=KR')).toEqual([[['C', 'KR']], [['CN', 'a,b'], ['SERIALNUMBER', '1']]]);
    expect(() => encodeName([['XX', 'a']])).toThrow(/unknown attribute type/);
  });
});

describe('buildCertificate', () => {
  it('writes every extension as OpenSSL shows it', () => {
    const der = buildCertificate({
      subject: 'CN=Everything, C=KR',
      issuerCert: root.der,
      issuerKey: rsa.privateKey,
      subjectKey: leafKey.publicKey,
      serial: 7,
      extensions: {
        basicConstraints: { ca: true, pathLen: 2 },
        keyUsage: { usages: ['digitalSignature', 'keyCertSign'], critical: false },
        extKeyUsage: [OID.kpClientAuth, OID.kpOcspSigning],
        certificatePolicies: {
          critical: true,
          policies: [
            { oid: '1.2.410.200005.1.1.5', userNotice: { explicitText: '법인 범용', textType: 'bmp', noticeRef: { organization: 'yessign', noticeNumbers: [1, 2] } }, cps: ['http://cps.test/1'] },
            '2.5.29.32.0',
          ],
        },
        policyMappings: [['1.2.3.1', '1.2.3.2']],
        policyConstraints: { requireExplicitPolicy: 0, inhibitPolicyMapping: 1 },
        inhibitAnyPolicy: 3,
        nameConstraints: {
          permitted: [{ dns: '.example.kr' }, { ip: '10.0.0.0/8' }, { dirName: 'O=yessign, C=kr' }],
          excluded: [{ base: { email: 'bad.example' } }, { ip: '2001:db8::/32' }],
        },
        subjectAltName: [
          { dns: 'host.example.kr' },
          { email: 'a@example.kr' },
          { uri: 'https://example.kr/' },
          { ip: '192.0.2.1' },
          { ip: '2001:db8::1' },
          { registeredId: '1.2.3.4.5' },
          { dirName: [['CN', 'Dir Name']] },
          { otherName: { typeId: '1.2.410.200004.10.1.1', value: Buffer.from('0c0141', 'hex') } },
        ],
        crlDistributionPoints: {
          points: [
            { urls: ['ldap://ds.test/ou=dp1,o=yessign,c=kr?certificateRevocationList'] },
            { urls: ['http://crl.test/2.crl'], reasons: ['keyCompromise', 'cACompromise'], crlIssuer: [{ dirName: 'CN=CRL Issuer' }] },
          ],
        },
        freshestCrl: ['http://crl.test/delta.crl'],
        authorityInfoAccess: { ocsp: ['http://ocsp.test/'], caIssuers: 'http://ca.test/ca.der' },
        ocspNoCheck: true,
        extra: [{ oid: '1.2.3.4.5.6', critical: false, value: Buffer.from('0500', 'hex') }],
      },
    });
    const t = x509text(der);
    expect(t).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:2/);
    expect(t).toMatch(/X509v3 Key Usage: \s*\n\s*Digital Signature, Certificate Sign/);
    expect(t).toMatch(/X509v3 Extended Key Usage: \s*\n\s*TLS Web Client Authentication, OCSP Signing/);
    expect(t).toMatch(/X509v3 Certificate Policies: critical\s+Policy: 1\.2\.410\.200005\.1\.1\.5\s+User Notice:\s+Organization: yessign\s+Numbers: 1, 2\s+Explicit Text: .*\s+CPS: http:\/\/cps\.test\/1\s+Policy: X509v3 Any Policy/);
    expect(t).toMatch(/X509v3 Policy Mappings: critical\s+1\.2\.3\.1:1\.2\.3\.2/);
    expect(t).toMatch(/X509v3 Policy Constraints: critical\s+Require Explicit Policy:0, Inhibit Policy Mapping:1/);
    expect(t).toMatch(/X509v3 Inhibit Any Policy: critical\s+3/);
    expect(t).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:\.example\.kr\s+IP:10\.0\.0\.0\/255\.0\.0\.0\s+DirName:C = kr, O = yessign\s+Excluded:\s+email:bad\.example\s+IP:2001:DB8:0:0:0:0:0:0\/FFFF:FFFF:0:0:0:0:0:0/);
    expect(t).toMatch(
      /X509v3 Subject Alternative Name: \s*\n\s*DNS:host\.example\.kr, email:a@example\.kr, URI:https:\/\/example\.kr\/, IP Address:192\.0\.2\.1, IP Address:2001:DB8:0:0:0:0:0:1, Registered ID:1\.2\.3\.4\.5, DirName:\/CN=Dir Name, othername: 1\.2\.410\.200004\.10\.1\.1::/,
    );
    expect(t).toMatch(/X509v3 CRL Distribution Points: \s*\n\s*Full Name:\s*\n\s*URI:ldap:\/\/ds\.test\/ou=dp1,o=yessign,c=kr\?certificateRevocationList\s+Full Name:\s*\n\s*URI:http:\/\/crl\.test\/2\.crl\s+Reasons:\s+Key Compromise, CA Compromise\s+CRL Issuer:\s*\n\s*DirName:CN = CRL Issuer/);
    expect(t).toMatch(/X509v3 Freshest CRL: \s*\n\s*Full Name:\s*\n\s*URI:http:\/\/crl\.test\/delta\.crl/);
    expect(t).toMatch(/Authority Information Access: \s*\n\s*OCSP - URI:http:\/\/ocsp\.test\/\s*\n\s*CA Issuers - URI:http:\/\/ca\.test\/ca\.der/);
    expect(t).toMatch(/OCSP No Check: \s*\n/);
    expect(t).toMatch(/1\.2\.3\.4\.5\.6: \s*\n/);
    expect(t).toContain('Issuer: CN=Builder Root,O=Test,C=KR');

    // and our own parser agrees on the structure
    const c = parseCertificate(der);
    expect(c.ext.nameConstraints!.permitted!.map((s) => s.base.type)).toEqual(['dNSName', 'iPAddress', 'directoryName']);
    expect(c.ext.policyConstraints).toEqual({ requireExplicitPolicy: 0, inhibitPolicyMapping: 1 });
    expect(c.ext.inhibitAnyPolicy).toBe(3);
    expect(c.ext.policyMappings).toEqual([{ issuerDomainPolicy: '1.2.3.1', subjectDomainPolicy: '1.2.3.2' }]);
    expect(c.ext.crlDistributionPoints![1]!.reasons).toEqual(['keyCompromise', 'cACompromise']);
    expect(c.ext.ocspNoCheck).toBe(true);
    expect(c.ext.subjectAltName!.at(-1)).toEqual({ type: 'otherName', typeId: '1.2.410.200004.10.1.1', value: Uint8Array.from([0x0c, 0x01, 0x41]) });
    expect(Buffer.from(c.ext.authorityKeyIdentifier!.keyIdentifier!)).toEqual(keyIdentifier(rsa.publicKey));
    expect(Buffer.from(c.ext.subjectKeyIdentifier!)).toEqual(keyIdentifier(leafKey.publicKey));
    expect(new X509Certificate(der).verify(rsa.publicKey)).toBe(true);
  });

  const algs: Array<[SignatureAlgorithmName, string, RegExp]> = [
    ['sha1WithRSA', 'rsa', /sha1WithRSAEncryption/],
    ['sha256WithRSA', 'rsa', /sha256WithRSAEncryption/],
    ['sha384WithRSA', 'rsa', /sha384WithRSAEncryption/],
    ['sha512WithRSA', 'rsa', /sha512WithRSAEncryption/],
    ['rsaPss-sha256', 'rsa', /rsassaPss[\s\S]*Hash Algorithm: sha256[\s\S]*Salt Length: 0x20/],
    ['rsaPss-sha384', 'rsa', /rsassaPss[\s\S]*Hash Algorithm: sha384/],
    ['ecdsaWithSHA256', 'ec-p256', /ecdsa-with-SHA256/],
    ['ecdsaWithSHA384', 'ec-p384', /ecdsa-with-SHA384/],
    ['ed25519', 'ed25519', /ED25519/],
  ];
  it.each(algs)('signs with %s; OpenSSL, Node and our verifier accept it', (alg, keyType, shown) => {
    const issuerKeys = keyType === 'rsa' ? rsa : testKey('alg-issuer', keyType as 'ec-p256' | 'ec-p384' | 'ed25519');
    const ca = issue({ keys: issuerKeys, subject: `CN=Alg CA ${alg}`, signatureAlgorithm: alg, extensions: { basicConstraints: { ca: true } } });
    const leaf = issue({ keys: testKey('alg-leaf', 'ec-p256'), issuer: ca, subject: 'CN=Alg Leaf', signatureAlgorithm: alg });
    expect(x509text(leaf.der)).toMatch(shown);
    expect(new X509Certificate(leaf.der).verify(issuerKeys.publicKey)).toBe(true);
    const parsed = parseCertificate(leaf.der);
    expect(verifySignature(parsed.signatureAlgorithm, parseCertificate(ca.der).spki, parsed.tbsDer, parsed.signature).ok).toBe(alg !== 'sha1WithRSA');
  });

  it('writes v1 certificates without extensions, GeneralizedTime from 2050, raw serial bytes', () => {
    const v1 = buildCertificate({ version: 1, subject: 'CN=v1', subjectKey: rsa.publicKey, issuerKey: rsa.privateKey, notAfter: Date.UTC(2051, 0, 1) });
    const c = parseCertificate(v1);
    expect(c.version).toBe(1);
    expect(c.extensions).toEqual([]);
    expect(c.notAfter).toBe(Date.UTC(2051, 0, 1));
    expect(openssl(['asn1parse', '-inform', 'DER'], v1).toString()).toMatch(/GENERALIZEDTIME\s+:20510101000000Z/);
    // raw serial bytes are written verbatim, even a non-minimal encoding our parser refuses
    const raw = buildCertificate({ subject: 'CN=raw', subjectKey: rsa.publicKey, issuerKey: rsa.privateKey, serial: Uint8Array.of(0, 0x12) });
    expect(openssl(['asn1parse', '-inform', 'DER'], raw).toString()).toMatch(/prim: INTEGER\s+:BAD INTEGER:\[0012\]/);
    expect(() => parseCertificate(raw)).toThrow(/non-minimal INTEGER/);
    expect(parseCertificate(buildCertificate({ subject: 'CN=r', subjectKey: rsa.publicKey, issuerKey: rsa.privateKey })).serial).toHaveLength(16);
  });

  it('can make inner/outer algorithm mismatches and unsigned-looking variants for negative tests', () => {
    const der = buildCertificate({
      subject: 'CN=mismatch',
      subjectKey: rsa.publicKey,
      issuerKey: rsa.privateKey,
      rsaNullParams: false,
      tbsSignatureAlgorithm: Buffer.from('300d06092a864886f70d0101050500', 'hex'),
    });
    const c = parseCertificate(der);
    expect(c.tbsSignatureAlgorithm.oid).toBe(OID.sha1WithRSA);
    expect(c.signatureAlgorithm.oid).toBe(OID.sha256WithRSA);
    expect(c.signatureAlgorithm.params).toBeUndefined();
  });

  it('refuses a public issuer key', () => {
    let err: unknown;
    try {
      buildCertificate({ subject: 'CN=x', subjectKey: rsa.publicKey, issuerKey: rsa.publicKey });
    } catch (e) {
      err = e;
    }
    expect(isPkiError(err, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('issueChain', () => {
  it('builds root → intermediate → leaf that OpenSSL verifies at TEST_TIME', () => {
    const [r, i, l] = issueChain([{ subject: 'CN=Chain Root' }, { subject: 'CN=Chain CA' }, { subject: 'CN=Chain Leaf', extensions: { extKeyUsage: [OID.kpClientAuth] } }]);
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(`${dir}/r.pem`, r!.pem);
      writeFileSync(`${dir}/i.pem`, i!.pem);
      writeFileSync(`${dir}/l.pem`, l!.pem);
      const out = openssl(['verify', '-attime', String(TEST_TIME / 1000), '-CAfile', `${dir}/r.pem`, '-untrusted', `${dir}/i.pem`, `${dir}/l.pem`]).toString();
      expect(out).toMatch(/l\.pem: OK/);
    } finally {
      cleanup();
    }
    expect(parseCertificate(i!.der).issuer.key).toBe(parseCertificate(r!.der).subject.key);
  });
});
