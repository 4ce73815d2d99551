/**
 * verifyOcspResponse on responses built with the test toolkit's OCSP builder:
 * each refusal reason, the responder rules and freshness.
 */
import { parseCertificate } from '../../cert/parse';
import { OID } from '../../cert/types';
import { DEFAULT_ALGORITHM_POLICY } from '../../crypto/signature';
import { DAY, issue, type Issued, TEST_TIME, testKey } from '../../issuing';
import { buildOcspResponse, type OcspResponseSpec, testCertId } from '../../issuing/ocsp';
import type { RevocationStatus } from '../types';
import { parseOcspResponse } from './parse';
import { buildOcspRequest, certIdFor } from './request';
import { OCSP_OID } from './types';
import { verifyOcspResponse, type VerifyOcspOptions } from './verify';

const at = TEST_TIME;
const MIN = 60_000;
const ca = issue({ subject: 'CN=CA,O=yessign,C=KR', keys: testKey('v-ca'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
const otherCa = issue({ subject: 'CN=Other CA,O=yessign,C=KR', keys: testKey('v-other'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
const leafI = issue({ subject: 'CN=user,O=yessign,C=KR', serial: 0x0badn, keys: testKey('v-leaf', 'ec-p256'), issuer: ca });
const delegate = (name: string, ext: Parameters<typeof issue>[0]['extensions'], issuer: Issued = ca, extra: Partial<Parameters<typeof issue>[0]> = {}): Issued =>
  issue({ subject: `CN=${name},O=yessign,C=KR`, keys: testKey(`v-${name}`), issuer, extensions: ext, ...extra });
const responder = delegate('Responder', { keyUsage: ['digitalSignature'], extKeyUsage: [OID.kpOcspSigning], ocspNoCheck: true });
const responderNoCheck = delegate('Responder2', { keyUsage: ['digitalSignature'], extKeyUsage: [OID.kpOcspSigning] });

const caCert = parseCertificate(ca.der);
const leaf = parseCertificate(leafI.der);
const certId = testCertId(leafI.der, ca.der);

function spec(over: Partial<OcspResponseSpec> = {}): OcspResponseSpec {
  return {
    responderCert: ca.der,
    signerKey: ca.key,
    producedAt: at - MIN,
    responses: [{ certId, status: { status: 'good' }, thisUpdate: at - MIN, nextUpdate: at + 60 * MIN }],
    ...over,
  };
}

function check(s: OcspResponseSpec, opts: Partial<VerifyOcspOptions> = {}): RevocationStatus {
  return verifyOcspResponse(parseOcspResponse(buildOcspResponse(s)), {
    cert: leaf,
    issuer: caCert,
    at,
    maxSkewMs: 5 * MIN,
    algorithms: DEFAULT_ALGORITHM_POLICY,
    ...opts,
  });
}

const reason = (s: RevocationStatus): string => (s.status === 'unknown' ? s.reason : s.status);

describe('verifyOcspResponse', () => {
  it('accepts a CA-signed good response (byName and byKey responder IDs)', () => {
    expect(check(spec())).toMatchObject({ status: 'good', signer: 'CN=CA,O=yessign,C=KR', thisUpdate: at - MIN, nextUpdate: at + 60 * MIN, producedAt: at - MIN });
    expect(check(spec({ responderIdType: 'byKey' }))).toMatchObject({ status: 'good' });
  });

  it('our CertID equals the independently computed one, and a SHA-256 CertID matches too', () => {
    expect(Buffer.from(certIdFor(leaf, caCert).der).equals(certId)).toBe(true);
    const sha256 = testCertId(leafI.der, ca.der, 'sha256');
    expect(check(spec({ responses: [{ certId: sha256, status: { status: 'good' }, thisUpdate: at, nextUpdate: at + DAY }] }))).toMatchObject({ status: 'good' });
  });

  it('reports revoked with time, reason and invalidityDate (reason also from a crlReason single extension)', () => {
    const revokedAt = at - 3 * DAY;
    expect(check(spec({ responses: [{ certId, status: { status: 'revoked', revokedAt, reason: 1 }, thisUpdate: at, nextUpdate: at + DAY }] }))).toMatchObject({
      status: 'revoked',
      revokedAt,
      reason: 'keyCompromise',
    });
    const viaExt = check(
      spec({
        responses: [
          {
            certId,
            status: { status: 'revoked', revokedAt },
            thisUpdate: at,
            nextUpdate: at + DAY,
            extensions: [
              { oid: OCSP_OID.crlReason, value: Buffer.from('0a0104', 'hex') },
              { oid: OCSP_OID.invalidityDate, value: Buffer.concat([Buffer.from('180f', 'hex'), Buffer.from('20260101000000Z')]) },
            ],
          },
        ],
      }),
    );
    expect(viaExt).toMatchObject({ status: 'revoked', reason: 'superseded', invalidityDate: Date.UTC(2026, 0, 1) });
  });

  it('maps certStatus unknown to OCSP_UNKNOWN with evidence', () => {
    const s = check(spec({ responses: [{ certId, status: { status: 'unknown' }, thisUpdate: at, nextUpdate: at + DAY }] }));
    expect(s).toMatchObject({ status: 'unknown', reason: 'OCSP_UNKNOWN', attempts: [{ source: 'ocsp', thisUpdate: at }] });
  });

  it.each([
    [1, 'malformedRequest'],
    [2, 'internalError'],
    [3, 'tryLater'],
    [5, 'sigRequired'],
    [6, 'unauthorized'],
  ])('responseStatus %i → RESPONDER_ERROR (%s)', (code, name) => {
    const s = check(spec({ responseStatus: code }));
    expect(s).toMatchObject({ status: 'unknown', reason: 'RESPONDER_ERROR' });
    if (s.status === 'unknown') expect(s.detail).toContain(name);
  });

  it('CERT_ID_MISMATCH when no SingleResponse is ours (other serial, other issuer)', () => {
    const other = issue({ subject: 'CN=x', serial: 0x0bacn, keys: testKey('v-leaf', 'ec-p256'), issuer: ca });
    expect(reason(check(spec({ responses: [{ certId: testCertId(other.der, ca.der), status: { status: 'good' }, thisUpdate: at }] })))).toBe('CERT_ID_MISMATCH');
    const foreign = issue({ subject: 'CN=x', serial: 0x0badn, keys: testKey('v-leaf', 'ec-p256'), issuer: otherCa });
    expect(reason(check(spec({ responses: [{ certId: testCertId(foreign.der, otherCa.der), status: { status: 'good' }, thisUpdate: at }] })))).toBe('CERT_ID_MISMATCH');
  });

  it('picks our SingleResponse among several', () => {
    const other = issue({ subject: 'CN=x', serial: 7n, keys: testKey('v-leaf', 'ec-p256'), issuer: ca });
    const s = spec({
      responses: [
        { certId: testCertId(other.der, ca.der), status: { status: 'revoked', revokedAt: at - DAY }, thisUpdate: at, nextUpdate: at + DAY },
        { certId, status: { status: 'good' }, thisUpdate: at, nextUpdate: at + DAY },
      ],
    });
    expect(reason(check(s))).toBe('good');
  });

  it('BAD_SIGNATURE when the CA-named response is signed by another key', () => {
    const s = check(spec({ signerKey: otherCa.key }));
    expect(s).toMatchObject({ status: 'unknown', reason: 'BAD_SIGNATURE', attempts: [{ signer: 'CN=CA,O=yessign,C=KR' }] });
  });

  it('accepts a delegated responder (with nocheck: no note; without: noted)', () => {
    expect(check(spec({ responderCert: responder.der, signerKey: responder.key, certs: [responder.der] }))).toMatchObject({
      status: 'good',
      signer: 'CN=Responder,O=yessign,C=KR',
    });
    const s = check(spec({ responderCert: responderNoCheck.der, signerKey: responderNoCheck.key, certs: [responderNoCheck.der], responderIdType: 'byKey' }));
    expect(s).toMatchObject({ status: 'good', notes: ['responder revocation not checked'] });
    expect(
      reason(check(spec({ responderCert: responderNoCheck.der, signerKey: responderNoCheck.key, certs: [responderNoCheck.der] }), { requireNoCheck: true })),
    ).toBe('UNAUTHORIZED_RESPONDER');
  });

  it('UNAUTHORIZED_RESPONDER for delegates that are not authorised', () => {
    const noEku = delegate('NoEku', { keyUsage: ['digitalSignature'] });
    const byOther = delegate('ByOther', { extKeyUsage: [OID.kpOcspSigning] }, otherCa);
    const expired = delegate('Expired', { extKeyUsage: [OID.kpOcspSigning] }, ca, { notBefore: at - 30 * DAY, notAfter: at - DAY });
    const wrongKu = delegate('WrongKu', { keyUsage: ['keyEncipherment'], extKeyUsage: [OID.kpOcspSigning] });
    // same name as a real delegate but signed by another key: the certificate signature check catches it
    const forged = issue({ subject: 'CN=Forged,O=yessign,C=KR', keys: testKey('v-forged'), issuerName: 'CN=CA,O=yessign,C=KR', issuer: { der: ca.der, key: otherCa.key }, extensions: { extKeyUsage: [OID.kpOcspSigning] } });
    for (const d of [noEku, byOther, expired, wrongKu, forged]) {
      const s = check(spec({ responderCert: d.der, signerKey: d.key, certs: [d.der] }));
      expect(s).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER' });
    }
    // the delegate's certificate not sent at all
    expect(reason(check(spec({ responderCert: responder.der, signerKey: responder.key })))).toBe('UNAUTHORIZED_RESPONDER');
    // but a locally trusted responder certificate is accepted without it
    expect(reason(check(spec({ responderCert: noEku.der, signerKey: noEku.key }), { trustedResponders: [parseCertificate(noEku.der)] }))).toBe('good');
  });

  it('STALE: future thisUpdate, passed nextUpdate, old response without nextUpdate; the skew is honoured', () => {
    const single = (thisUpdate: number, nextUpdate?: number): Partial<OcspResponseSpec> => ({
      responses: [{ certId, status: { status: 'good' }, thisUpdate, ...(nextUpdate !== undefined ? { nextUpdate } : {}) }],
    });
    expect(reason(check(spec(single(at + 10 * MIN, at + DAY))))).toBe('STALE');
    expect(reason(check(spec(single(at + 4 * MIN, at + DAY))))).toBe('good');
    expect(reason(check(spec(single(at - 2 * DAY, at - DAY))))).toBe('STALE');
    expect(reason(check(spec(single(at - 2 * DAY, at - 4 * MIN))))).toBe('good');
    expect(reason(check(spec(single(at - 2 * 60 * MIN))))).toBe('STALE');
    const noNext = check(spec(single(at - 30 * MIN)));
    expect(noNext).toMatchObject({ status: 'good' });
    if (noNext.status === 'good') expect(noNext.notes?.[0]).toMatch(/no nextUpdate/);
    expect(reason(check(spec(single(at - 30 * MIN)), { maxAgeMs: 10 * MIN }))).toBe('STALE');
  });

  it('nonce: echoed equal → good; different → NONCE_MISMATCH; missing → note, or refused when required', () => {
    const req = buildOcspRequest(leaf, caCert, { hash: 'sha1', nonce: Buffer.alloc(16, 7) });
    expect(reason(check(spec({ nonce: Buffer.alloc(16, 7) }), { nonce: req.nonceValue! }))).toBe('good');
    expect(reason(check(spec({ nonce: Buffer.alloc(16, 8) }), { nonce: req.nonceValue! }))).toBe('NONCE_MISMATCH');
    const missing = check(spec(), { nonce: req.nonceValue! });
    expect(missing).toMatchObject({ status: 'good', notes: ['nonce not echoed'] });
    expect(reason(check(spec(), { nonce: req.nonceValue!, requireNonce: true }))).toBe('NONCE_MISMATCH');
    // an old-style echo of the bare octets is accepted
    expect(reason(check(spec({ extensions: [{ oid: OCSP_OID.nonce, value: Buffer.alloc(16, 7) }] }), { nonce: req.nonceValue! }))).toBe('good');
  });

  it('UNKNOWN_CRITICAL_EXTENSION in responseExtensions or singleExtensions; non-critical unknown ones are fine', () => {
    const ext = { oid: '1.2.3.4.5', critical: true, value: Buffer.from('0500', 'hex') };
    expect(reason(check(spec({ extensions: [ext] })))).toBe('UNKNOWN_CRITICAL_EXTENSION');
    expect(reason(check(spec({ responses: [{ certId, status: { status: 'good' }, thisUpdate: at, nextUpdate: at + DAY, extensions: [ext] }] })))).toBe('UNKNOWN_CRITICAL_EXTENSION');
    expect(reason(check(spec({ extensions: [{ ...ext, critical: false }] })))).toBe('good');
  });

  it('refuses SHA-1 signatures unless the policy allows them', () => {
    const s = spec({ signatureAlgorithm: 'sha1WithRSA' });
    expect(reason(check(s))).toBe('BAD_SIGNATURE');
    expect(reason(check(s, { algorithms: { ...DEFAULT_ALGORITHM_POLICY, allowSha1: true } }))).toBe('good');
  });
});
