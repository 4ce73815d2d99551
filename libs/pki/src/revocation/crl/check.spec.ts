import { parseCertificate } from '../../cert/parse';
import type { Certificate } from '../../cert/types';
import { DEFAULT_ALGORITHM_POLICY } from '../../crypto/signature';
import { issue } from '../../issuing/certificate';
import { buildCrl, type CrlSpec } from '../../issuing/crl';
import { testKey } from '../../issuing/keys';
import type { RevocationStatus } from '../types';
import { checkCrl, type CheckCrlOptions } from './check';
import { opensslCa, TEST_CDP, type IssuedCert, type OpensslCa } from './openssl-ca.testkit';
import { parseCrl } from './parse';
import type { Crl } from './types';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function opts(crl: Crl, extra: Partial<CheckCrlOptions> = {}): CheckCrlOptions {
  return { at: crl.thisUpdate + HOUR, maxSkewMs: 5 * MIN, algorithms: DEFAULT_ALGORITHM_POLICY, ...extra };
}

function reasonOf(s: RevocationStatus): string {
  return s.status === 'unknown' ? s.reason : s.status;
}

describe('checkCrl against openssl ca CRLs', () => {
  let ca: OpensslCa;
  let impostor: OpensslCa;
  let leaves: IssuedCert[];
  let good: IssuedCert;
  let sub: IssuedCert;
  let noCdp: IssuedCert;

  beforeAll(() => {
    ca = opensslCa();
    // same subject name, another key: its CRLs must not verify with ca.cert
    impostor = opensslCa('/C=KR/O=yessign/OU=AccreditedCA/CN=CRL Test CA', 'impostor');
    leaves = ['r1', 'r2', 'r3'].map((cn) => ca.issue(cn));
    good = ca.issue('good');
    sub = ca.issue('subca', 'subca_ext');
    noCdp = ca.issue('nocdp', 'leaf_nocdp_ext');
    ca.revoke(leaves[0]!, ['-crl_reason', 'keyCompromise']);
    ca.revoke(leaves[1]!, ['-crl_hold', 'holdInstructionReject']);
    ca.revoke(leaves[2]!, ['-crl_reason', 'cessationOfOperation']);
  });
  afterAll(() => {
    ca?.cleanup();
    impostor?.cleanup();
  });

  const q = (c: IssuedCert, at = 0): { cert: Certificate; issuer: Certificate; at: number } => ({ cert: c.cert, issuer: ca.cert, at });

  it('revoked serials → revoked with reason and date; others → good (partitioned CRL whose IDP names the CDP)', () => {
    const crl = parseCrl(ca.gencrl({ section: 'crl_idp_user' }));
    const o = opts(crl, { url: TEST_CDP });
    const r0 = checkCrl(q(leaves[0]!), crl, o);
    expect(r0).toMatchObject({ status: 'revoked', reason: 'keyCompromise', source: 'crl', url: TEST_CDP, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate });
    expect(checkCrl(q(leaves[1]!), crl, o)).toMatchObject({ status: 'revoked', reason: 'certificateHold' });
    expect(checkCrl(q(leaves[2]!), crl, o)).toMatchObject({ status: 'revoked', reason: 'cessationOfOperation' });
    expect(checkCrl(q(good), crl, o)).toMatchObject({ status: 'good', signer: ca.cert.subject.text });
    expect((r0 as { revokedAt: number }).revokedAt).toBeLessThanOrEqual(crl.thisUpdate);
  });

  it('stale: nextUpdate passed, or thisUpdate in the future (beyond the skew)', () => {
    const crl = parseCrl(ca.gencrl({ section: 'crl_plain', hours: 1 }));
    expect(reasonOf(checkCrl(q(good), crl, opts(crl, { at: crl.nextUpdate! + 10 * MIN })))).toBe('STALE');
    expect(reasonOf(checkCrl(q(good), crl, opts(crl, { at: crl.nextUpdate! + 4 * MIN })))).toBe('good');
    expect(reasonOf(checkCrl(q(good), crl, opts(crl, { at: crl.thisUpdate - 10 * MIN })))).toBe('STALE');
    expect(reasonOf(checkCrl(q(good), crl, opts(crl, { at: crl.thisUpdate - 4 * MIN })))).toBe('good');
  });

  it('signed by another key → BAD_SIGNATURE (with AKI, and without AKI by the signature itself)', () => {
    const withAki = parseCrl(impostor.gencrl({ section: 'crl_plain' }));
    const r1 = checkCrl(q(good), withAki, opts(withAki));
    expect(r1).toMatchObject({ status: 'unknown', reason: 'BAD_SIGNATURE' });
    const noAki = parseCrl(impostor.gencrl({ section: 'crl_none' }));
    expect(noAki.authorityKeyIdentifier).toBeUndefined();
    const r2 = checkCrl(q(leaves[0]!), noAki, opts(noAki));
    expect(r2).toMatchObject({ status: 'unknown', reason: 'BAD_SIGNATURE' });
    expect((r2 as { detail: string }).detail).toMatch(/signature/);
    // a flipped signature byte
    const der = Buffer.from(ca.gencrl({ section: 'crl_plain' }));
    der[der.length - 5]! ^= 0x01;
    const tampered = parseCrl(der);
    expect(reasonOf(checkCrl(q(good), tampered, opts(tampered)))).toBe('BAD_SIGNATURE');
  });

  it('IDP naming another partition → SCOPE_MISMATCH; an IDP directoryName equal to the LDAP URL’s DN matches', () => {
    const other = parseCrl(ca.gencrl({ section: 'crl_idp_other' }));
    expect(reasonOf(checkCrl(q(good), other, opts(other)))).toBe('SCOPE_MISMATCH');
    const dir = parseCrl(ca.gencrl({ section: 'crl_idp_dirname' }));
    expect(dir.issuingDistributionPoint!.fullName![0]!.type).toBe('directoryName');
    expect(reasonOf(checkCrl(q(good), dir, opts(dir)))).toBe('good');
    // a certificate with no CDP is not covered by a partitioned CRL
    expect(reasonOf(checkCrl(q(noCdp), dir, opts(dir)))).toBe('SCOPE_MISMATCH');
    const plain = parseCrl(ca.gencrl({ section: 'crl_plain' }));
    expect(reasonOf(checkCrl(q(noCdp), plain, opts(plain)))).toBe('good');
  });

  it('onlyContainsUserCerts vs a CA certificate, onlyContainsCACerts vs a leaf', () => {
    const user = parseCrl(ca.gencrl({ section: 'crl_idp_user' }));
    expect(reasonOf(checkCrl(q(sub), user, opts(user)))).toBe('SCOPE_MISMATCH');
    const caOnly = parseCrl(ca.gencrl({ section: 'crl_idp_ca' }));
    expect(reasonOf(checkCrl(q(good), caOnly, opts(caOnly)))).toBe('SCOPE_MISMATCH');
    expect(reasonOf(checkCrl(q(sub), caOnly, opts(caOnly)))).toBe('good');
  });

  it('onlySomeReasons: a listed entry is revoked; absence cannot say good', () => {
    const some = parseCrl(ca.gencrl({ section: 'crl_idp_reasons' }));
    expect(some.issuingDistributionPoint!.onlySomeReasons).toEqual(['keyCompromise', 'cACompromise']);
    expect(checkCrl(q(leaves[0]!), some, opts(some))).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    const r = checkCrl(q(good), some, opts(some));
    expect(r).toMatchObject({ status: 'unknown', reason: 'SCOPE_MISMATCH' });
    expect((r as { detail: string }).detail).toMatch(/no usable CRL covers the reasons affiliationChanged, superseded/);
  });

  it('a CRL of another issuer → SCOPE_MISMATCH; a signer that is not the CRL issuer → UNAUTHORIZED_RESPONDER', () => {
    const crl = parseCrl(ca.gencrl({ section: 'crl_plain' }));
    const foreign = { ...good.cert, issuer: sub.cert.subject };
    // the engine: no CRL from the certificate's issuer at all
    expect(reasonOf(checkCrl({ cert: foreign, issuer: sub.cert, at: 0 }, crl, opts(crl)))).toBe('NO_SOURCE');
    // crlIssuerCert is a signer candidate, not a requirement: the CRL is the issuer's own and signed by it
    expect(reasonOf(checkCrl(q(good), crl, opts(crl, { crlIssuerCert: sub.cert })))).toBe('good');
  });
});

describe('checkCrl on built CRLs (delta, cRLSign, extensions, indirect)', () => {
  const caKeys = testKey('check-ca', 'ec-p256');
  const leafKeys = testKey('check-leaf', 'ec-p256');
  const T = Date.UTC(2026, 0, 15, 3);
  const CA_NAME = 'C=KR,O=yessign,OU=AccreditedCA,CN=Check CA';
  const caIssued = issue({ subject: CA_NAME, keys: caKeys, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
  const caCert = parseCertificate(caIssued.der);
  const leaf = (serial: number, cdp?: string[]): Certificate =>
    parseCertificate(
      issue({ subject: `C=KR,CN=leaf${serial}`, serial, keys: leafKeys, issuer: caIssued, extensions: cdp ? { crlDistributionPoints: cdp } : {} }).der,
    );
  const crl = (spec: Partial<CrlSpec>): Crl => parseCrl(buildCrl({ issuer: CA_NAME, issuerKey: caKeys.privateKey, thisUpdate: T, ...spec }));
  const o = (extra: Partial<CheckCrlOptions> = {}): CheckCrlOptions => ({ at: T + HOUR, maxSkewMs: 5 * MIN, algorithms: DEFAULT_ALGORITHM_POLICY, ...extra });
  const query = (cert: Certificate, issuer = caCert): { cert: Certificate; issuer: Certificate; at: number } => ({ cert, issuer, at: T + HOUR });

  it('delta CRL: new revocations, removeFromCRL of a hold, BaseCRLNumber pairing, delta alone', () => {
    const base = crl({ crlNumber: 10, entries: [{ serial: 1, revokedAt: T - DAY, reason: 'certificateHold' }, { serial: 2, revokedAt: T - DAY, reason: 'keyCompromise' }] });
    const delta = crl({ crlNumber: 11, deltaBase: 10, thisUpdate: T + 10 * MIN, entries: [{ serial: 1, revokedAt: T, reason: 'removeFromCRL' }, { serial: 3, revokedAt: T, reason: 'superseded' }] });
    // good from the pair: thisUpdate is the older of the two (the engine reports what both CRLs vouch for)
    expect(checkCrl(query(leaf(1)), base, o({ delta }))).toMatchObject({ status: 'good', thisUpdate: T });
    expect(checkCrl(query(leaf(1)), base, o())).toMatchObject({ status: 'revoked', reason: 'certificateHold' });
    expect(checkCrl(query(leaf(2)), base, o({ delta }))).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(checkCrl(query(leaf(3)), base, o({ delta }))).toMatchObject({ status: 'revoked', reason: 'superseded' });
    expect(checkCrl(query(leaf(4)), base, o({ delta }))).toMatchObject({ status: 'good' });
    const tooNew = crl({ crlNumber: 13, deltaBase: 12 });
    // a delta that does not pair with the complete CRL is not used: the complete CRL answers alone (the engine, §6.3.3 (c))
    expect(checkCrl(query(leaf(4)), base, o({ delta: tooNew }))).toMatchObject({ status: 'good', thisUpdate: T });
    expect(reasonOf(checkCrl(query(leaf(4)), delta, o()))).toBe('SCOPE_MISMATCH');
    const otherScope = crl({ crlNumber: 12, deltaBase: 10, idp: { onlyUser: true } });
    // a delta of another scope is not paired either: the complete CRL answers alone
    expect(reasonOf(checkCrl(query(leaf(4)), base, o({ delta: otherScope })))).toBe('good');
    const removeInBase = crl({ entries: [{ serial: 5, revokedAt: T, reason: 'removeFromCRL' }] });
    expect(reasonOf(checkCrl(query(leaf(5)), removeInBase, o()))).toBe('MALFORMED_RESPONSE');
  });

  it('an issuer whose keyUsage lacks cRLSign → UNAUTHORIZED_RESPONDER', () => {
    const noCrlSign = parseCertificate(issue({ subject: CA_NAME, keys: caKeys, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } }).der);
    expect(reasonOf(checkCrl(query(leaf(1), noCrlSign), crl({}), o()))).toBe('UNAUTHORIZED_RESPONDER');
  });

  it('unknown critical CRL / entry extensions → UNKNOWN_CRITICAL_EXTENSION; no nextUpdate → STALE; SHA-1 refused by policy', () => {
    expect(reasonOf(checkCrl(query(leaf(1)), crl({ extra: [{ oid: '1.2.3.4', critical: true, value: Buffer.of(5, 0) }] }), o()))).toBe('UNKNOWN_CRITICAL_EXTENSION');
    expect(reasonOf(checkCrl(query(leaf(1)), crl({ extra: [{ oid: '1.2.3.4', value: Buffer.of(5, 0) }] }), o()))).toBe('good');
    const entryCrit = crl({ entries: [{ serial: 9, revokedAt: T, extra: [{ oid: '1.2.3.4', critical: true, value: Buffer.of(5, 0) }] }] });
    expect(reasonOf(checkCrl(query(leaf(1)), entryCrit, o()))).toBe('UNKNOWN_CRITICAL_EXTENSION');
    expect(reasonOf(checkCrl(query(leaf(1)), crl({ nextUpdate: null }), o()))).toBe('STALE');
    const sha1 = crl({ algorithm: 'ecdsaWithSHA1' });
    expect(reasonOf(checkCrl(query(leaf(1)), sha1, o()))).toBe('BAD_SIGNATURE');
    expect(reasonOf(checkCrl(query(leaf(1)), sha1, o({ algorithms: { ...DEFAULT_ALGORITHM_POLICY, allowSha1: true } })))).toBe('good');
  });

  it('indirect CRL: the DP names the CRL issuer in cRLIssuer; entries by certificateIssuer', () => {
    const crlIssuerKeys = testKey('check-crl-issuer', 'ec-p256');
    const CRL_ISSUER = 'C=KR,O=yessign,CN=Indirect CRL Issuer';
    const crlIssuerCert = parseCertificate(issue({ subject: CRL_ISSUER, keys: crlIssuerKeys, issuer: caIssued, extensions: { keyUsage: ['cRLSign'] } }).der);
    const cert = parseCertificate(
      issue({
        subject: 'C=KR,CN=indirect leaf',
        serial: 77,
        keys: leafKeys,
        issuer: caIssued,
        extensions: { crlDistributionPoints: { points: [{ urls: ['http://crl.example.kr/indirect.crl'], crlIssuer: [{ dirName: CRL_ISSUER }] }] } },
      }).der,
    );
    const make = (indirect: boolean): Crl =>
      parseCrl(
        buildCrl({
          issuer: CRL_ISSUER,
          issuerKey: crlIssuerKeys.privateKey,
          thisUpdate: T,
          idp: { urls: ['http://crl.example.kr/indirect.crl'], indirect },
          entries: indirect ? [{ serial: 77, revokedAt: T - DAY }, { serial: 77, revokedAt: T - DAY, reason: 'affiliationChanged', certificateIssuer: [{ dirName: CA_NAME }] }] : [],
        }),
      );
    // the CRL issuer's own certificate is checked too (RFC 5280 §6.3.3 (f), the engine): the CA's CRL answers for it
    const caCrl = crl({});
    expect(checkCrl(query(cert), make(true), o({ crlIssuerCert, otherCrls: [caCrl] }))).toMatchObject({ status: 'revoked', reason: 'affiliationChanged' });
    expect(checkCrl(query(cert), make(true), o({ crlIssuerCert }))).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER', detail: expect.stringMatching(/revocation unknown/) });
    expect(reasonOf(checkCrl(query(cert), make(true), o()))).toBe('UNAUTHORIZED_RESPONDER');
    expect(reasonOf(checkCrl(query(cert), make(false), o({ crlIssuerCert, otherCrls: [caCrl] })))).toBe('SCOPE_MISMATCH');
    // a certificate whose distribution points do not name the indirect CRL issuer: that CRL is out of its scope, the CA's CRL answers
    expect(checkCrl(query(leaf(77)), make(true), o({ crlIssuerCert, otherCrls: [caCrl] }))).toMatchObject({ status: 'good', signer: CA_NAME });
    expect(reasonOf(checkCrl(query(leaf(77)), make(true), o({ crlIssuerCert })))).toBe('NO_SOURCE');
  });
});
