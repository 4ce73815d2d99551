/**
 * Independent corpora: NIST PKITS (every certificate must parse and agree with
 * OpenSSL through crypto.X509Certificate) and pyca/cryptography's x509 vectors
 * (every file parses or gives the PkiError listed here, with the reason).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bigintFromTwos } from '../der';
import { isPkiError } from '../errors';
import { VECTORS_DIR } from '../../test-support/openssl';
import { parseCertificate, parseCertificates } from './parse';

const X509 = join(VECTORS_DIR, 'x509');

function files(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile())
    .sort();
}

/** Files of the cryptography corpus we reject, with the code and why. Anything else must parse. */
const EXPECTED_REJECTIONS: Record<string, [code: string, why: string]> = {
  'custom/cp_invalid.pem': ['MALFORMED_EXTENSION', 'userNotice qualifier is not a SEQUENCE'],
  'custom/cp_invalid2.der': ['MALFORMED_EXTENSION', 'CPS qualifier is not an IA5String'],
  'custom/inhibit_any_policy_negative.pem': ['MALFORMED_EXTENSION', 'inhibitAnyPolicy SkipCerts < 0'],
  'custom/nc_ip_invalid_length.pem': ['MALFORMED_EXTENSION', 'name-constraint iPAddress of 33 octets'],
  'custom/two_basic_constraints.pem': ['DUPLICATE_EXTENSION', 'basicConstraints twice'],
  'custom/invalid_version.pem': ['MALFORMED_CERTIFICATE', 'version 7'],
  'badasn1time.pem': ['MALFORMED_CERTIFICATE', 'UTCTime with a 4-digit year'],
  'utf8-dnsname.pem': ['MALFORMED_EXTENSION', 'UTF-8 octets in an IA5String dNSName'],
  'cryptography-scts-tbs-precert.der': ['MALFORMED_CERTIFICATE', 'a bare TBSCertificate, not a certificate'],
  // CRLs among the custom vectors: PEM files have no CERTIFICATE block, DER ones fail the certificate structure
  'custom/crl_empty_no_sequence.der': ['MALFORMED_CERTIFICATE', 'a CRL'],
  'custom/crl_invalid_time.der': ['MALFORMED_CERTIFICATE', 'a CRL'],
  'custom/crl_unrecognized_extension.der': ['MALFORMED_CERTIFICATE', 'a CRL'],
};

describe('NIST PKITS certificates', () => {
  const certs = files(join(X509, 'PKITS_data', 'certs'));

  it('has the whole corpus', () => {
    expect(certs.length).toBe(405);
  });

  it('parses every one, agreeing with crypto.X509Certificate', () => {
    const failures: string[] = [];
    for (const p of certs) {
      const der = readFileSync(p);
      try {
        const c = parseCertificate(der);
        const x = new X509Certificate(der);
        const v = bigintFromTwos(c.serial);
        const sn = (v < 0n ? -v : v).toString(16).toUpperCase();
        const fp = c.fingerprintSha256.toUpperCase().replace(/(..)(?!$)/g, '$1:');
        const subject = c.subject.rdns.map((r) => r.map((a) => a.value).join('+')).join('|');
        const nodeSubject = (x.subject ?? '').split('\n').map((l) => l.slice(l.indexOf('=') + 1)).join('|');
        if (
          fp !== x.fingerprint256 ||
          (sn.length % 2 ? `0${sn}` : sn) !== x.serialNumber.replace('-', '') ||
          c.notBefore !== Date.parse(x.validFrom) ||
          c.notAfter !== Date.parse(x.validTo) ||
          subject !== nodeSubject
        ) {
          failures.push(`${p}: differs from X509Certificate`);
        }
      } catch (e) {
        failures.push(`${p}: ${String(e)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('decodes the PKITS policy, constraint and distribution-point extensions', () => {
    const pc = (f: string) => parseCertificate(readFileSync(join(X509, 'PKITS_data', 'certs', f)));
    expect(pc('requireExplicitPolicy0CACert.crt').ext.policyConstraints).toEqual({ requireExplicitPolicy: 0 });
    expect(pc('inhibitAnyPolicy0CACert.crt').ext.inhibitAnyPolicy).toBe(0);
    expect(pc('pathLenConstraint0CACert.crt').ext.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    expect(pc('Mapping1to2CACert.crt').ext.policyMappings).toEqual([{ issuerDomainPolicy: '2.16.840.1.101.3.2.1.48.1', subjectDomainPolicy: '2.16.840.1.101.3.2.1.48.2' }]);
    expect(pc('nameConstraintsDN1CACert.crt').ext.nameConstraints?.permitted?.[0]?.base.type).toBe('directoryName');
    const dp = pc('distributionPoint1CACert.crt');
    expect(dp.ext.crlDistributionPoints).toBeUndefined();
    const ee = pc('ValiddistributionPointTest1EE.crt');
    expect(ee.ext.crlDistributionPoints?.[0]?.fullName?.[0]?.type).toBe('directoryName');
    const rel = pc('ValiddistributionPointTest5EE.crt');
    expect(rel.ext.crlDistributionPoints?.[0]?.nameRelativeToCrlIssuer?.[0]?.type).toBe('2.5.4.3');
    expect(pc('TrustAnchorRootCertificate.crt').selfIssued).toBe(true);
  });
});

describe('pyca/cryptography x509 vectors', () => {
  const all = [...files(X509), ...files(join(X509, 'custom')), ...files(join(X509, 'custom', 'ca')), ...files(join(X509, 'ed25519'))];

  it('every file parses or gives the listed PkiError (never another exception, never a hang)', () => {
    const got: Record<string, string> = {};
    let parsed = 0;
    for (const p of all) {
      const rel = p.slice(X509.length + 1);
      const started = performance.now();
      try {
        parsed += parseCertificates(readFileSync(p)).length;
        got[rel] = 'ok';
      } catch (e) {
        if (!isPkiError(e)) throw new Error(`${rel}: not a PkiError: ${String(e)}`, { cause: e });
        got[rel] = e.code;
      }
      expect(performance.now() - started).toBeLessThan(1000);
    }
    const rejected = Object.fromEntries(Object.entries(got).filter(([f, c]) => c !== 'ok' && !(/^custom\/crl_.*\.pem$|_crl\.pem$|^custom\/ca\/.*key/.test(f) && c === 'MALFORMED_PEM')));
    expect(rejected).toEqual(Object.fromEntries(Object.entries(EXPECTED_REJECTIONS).map(([f, [code]]) => [f, code])));
    expect(parsed).toBeGreaterThan(90);
  });

  it('reads the vectors for specific extensions', () => {
    const one = (f: string) => parseCertificates(readFileSync(join(X509, f)))[0]!;
    expect(one('custom/negative_serial.pem').serialHex.startsWith('f') || one('custom/negative_serial.pem').serial[0]! >= 0x80).toBe(true);
    expect(one('custom/cp_user_notice_with_notice_reference.pem').ext.certificatePolicies?.policies[0]?.qualifiers.find((q) => q.userNotice)?.userNotice?.noticeRef?.noticeNumbers.length).toBeGreaterThan(0);
    expect(one('custom/ocsp_nocheck.pem').ext.ocspNoCheck).toBe(true);
    expect(one('custom/freshestcrl.pem').ext.freshestCrl?.length).toBeGreaterThan(0);
    expect(one('custom/cdp_all_reasons.pem').ext.crlDistributionPoints?.[0]?.reasons).toEqual([
      'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn', 'aACompromise',
    ]);
    expect(one('custom/all_key_usages.pem').ext.keyUsage?.size).toBe(9);
    expect(one('custom/ec_no_named_curve.pem').spki.keyType).toBe('ec');
    expect(one('custom/ec_no_named_curve.pem').spki.curve).toBeUndefined();
    expect(one('custom/rsa_pss_cert.pem').spki.keyType).toBe('rsa-pss');
    expect(one('ed25519/root-ed25519.pem').spki.keyType).toBe('ed25519');
    expect(one('custom/dsa_selfsigned_ca.pem').spki.keyType).toBe('dsa');
    expect(one('unique_identifier.pem').subject.text).toContain('2.5.4.45=#03090070b3d51f305f0001'); // x500UniqueIdentifier, a BIT STRING value
    expect(one('v1_cert.pem').version).toBe(1);
    expect(one('san_x400address.der').ext.subjectAltName?.[0]?.type).toBe('x400Address');
    expect(one('san_edipartyname.der').ext.subjectAltName?.[0]?.type).toBe('ediPartyName');
    expect(one('custom/sia.pem').ext.subjectInfoAccess?.length).toBeGreaterThan(0);
    expect(one('custom/invalid_utf8_common_name.pem').subject.text).toMatch(/CN=#0c/);
    expect(parseCertificates(readFileSync(join(X509, 'cryptography.io.chain.pem'))).length).toBeGreaterThan(1);
  });
});
