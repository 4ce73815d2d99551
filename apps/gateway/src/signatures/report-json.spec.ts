import type { SignerReport, ValidationReport } from '@jointcert/contracts';
import { reportExample } from '../openapi/examples';
import { reportJson } from './report-json';

/** A fresh deep copy, as each request's report is (the transport's JSON, or the co-located copy). */
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const invalidSigner: SignerReport = {
  verdict: 'invalid',
  reasons: ['CERT_REVOKED:keyCompromise', 'REVOCATION_UNKNOWN:FETCH_FAILED'],
  certificate: null,
  signingTime: null,
  digestAlgorithm: '2.16.840.1.101.3.4.2.1',
  signatureAlgorithm: null,
  signedAttributes: false,
  path: [],
  checks: [
    { check: 'cms.signature', ok: false, reason: 'SIGNATURE_INVALID', detail: 'RSA "PKCS#1" \\ mismatch\n' },
    { check: 'revocation', cert: 1, ok: false, reason: 'FETCH_FAILED' },
  ],
  revocation: [
    {
      subject: 'CN=김철수()0011,OU=\u2028DEV,O=yessign,C=kr',
      serialHex: '01',
      status: 'unknown',
      source: null,
      url: null,
      thisUpdate: null,
      nextUpdate: null,
      producedAt: null,
      cached: false,
      revokedAt: null,
      reason: null,
      unknownReason: 'FETCH_FAILED',
      detail: 'timeout after 2000 ms',
    },
  ],
  policyOid: null,
  type: null,
};

describe('reportJson', () => {
  const reports: Array<[string, ValidationReport]> = [
    ['the example (valid, one signer, Korean subject)', reportExample],
    ['no signer', { verdict: 'invalid', reasons: ['SIGNATURE_INVALID:NO_SIGNERS'], validationTime: '2026-12-06T00:00:00.000Z', contentType: null, contentDigest: null, contentLength: null, signers: [] }],
    ['two signers, one invalid with nulls, escapes and line separators', { ...reportExample, verdict: 'invalid', reasons: ['CERT_REVOKED:keyCompromise'], signers: [reportExample.signers[0]!, invalidSigner] }],
  ];

  it.each(reports)('is the bytes JSON.stringify gives: %s', (_, report) => {
    const expected = Buffer.from(JSON.stringify(report), 'utf8');
    expect(reportJson(copy(report)).toString('utf8')).toBe(expected.toString('utf8'));
    // again, from the remembered fragments
    expect(reportJson(copy(report)).equals(expected)).toBe(true);
  });

  it('never answers from a remembered signer whose certificate or revocation view changed, whatever stayed the same', () => {
    const base = copy(reportExample);
    expect(JSON.parse(reportJson(base).toString())).toEqual(base);
    const renamed = copy(reportExample);
    renamed.signers[0]!.certificate!.subject = 'CN=이영희()0022,OU=DEV,O=yessign,C=kr'; // same fingerprint
    renamed.signers[0]!.path[0]!.notAfter = '2031-01-01T00:00:00.000Z';
    renamed.signers[0]!.revocation[0]!.thisUpdate = '2026-11-29T04:00:00.000Z'; // same serial and responder
    renamed.signers[0]!.revocation[0]!.cached = false;
    expect(reportJson(renamed).toString()).toBe(JSON.stringify(renamed));
    expect(reportJson(copy(reportExample)).toString()).toBe(JSON.stringify(reportExample));
  });

  it('writes the checks as they come: another value, another key order, a key more or less', () => {
    const variants: Array<(checks: SignerReport['checks']) => void> = [
      (c) => (c[1]!.ok = false),
      (c) => (c[2] = { ok: true, check: 'validity', cert: 0 }), // same fields, another order
      (c) => (c[2]!.reason = 'EXPIRED'),
      (c) => delete c[2]!.cert,
      (c) => c.pop(),
    ];
    for (const change of variants) {
      const r = copy(reportExample);
      change(r.signers[0]!.checks);
      expect(reportJson(r).toString()).toBe(JSON.stringify(r));
      expect(reportJson(copy(reportExample)).toString()).toBe(JSON.stringify(reportExample));
    }
  });

  it('writes nested data as it comes, and answers a changed copy anew', () => {
    const r = copy(reportExample) as unknown as { signers: Array<{ checks: unknown[] }> };
    r.signers[0]!.checks[0] = { check: 'signature', ok: true, detail: { nested: ['x'] } };
    const text = JSON.stringify(r);
    expect(reportJson(r as unknown as ValidationReport).toString()).toBe(text);
    (r.signers[0]!.checks[0] as { detail: { nested: string[] } }).detail.nested[0] = 'y';
    expect(reportJson(r as unknown as ValidationReport).toString()).toBe(JSON.stringify(r));
  });

  it('writes each signingTime between the remembered halves of a signer', () => {
    for (const signingTime of ['2026-12-06T01:02:03.004Z', null, '2027-01-01T00:00:00.000Z']) {
      const r = copy(reportExample);
      r.signers[0]!.signingTime = signingTime;
      expect(reportJson(r).toString()).toBe(JSON.stringify(r));
    }
  });

  it('matches key order and values all the way down, and never remembers what is not plain data', () => {
    const r = copy(reportExample);
    expect(reportJson(r).toString()).toBe(JSON.stringify(r));
    const reordered = copy(reportExample);
    const c = reordered.signers[0]!.certificate!;
    const { fingerprintSha256, ...others } = c;
    reordered.signers[0]!.certificate = { fingerprintSha256, ...others }; // same keys and values, another order
    expect(reportJson(reordered).toString()).toBe(JSON.stringify(reordered));
    const dated = copy(reportExample) as unknown as { signers: Array<{ checks: Array<Record<string, unknown>> }> };
    dated.signers[0]!.checks[0]!.detail = new Date(0); // toJSON: written by JSON.stringify, never matched
    const text = JSON.stringify(dated);
    expect(reportJson(dated as unknown as ValidationReport).toString()).toBe(text);
    expect(reportJson(dated as unknown as ValidationReport).toString()).toBe(text);
    const nan = copy(reportExample) as unknown as { signers: Array<{ checks: Array<Record<string, unknown>> }> };
    nan.signers[0]!.checks[0]!.cert = Number.NaN; // null in JSON; never equal to itself, so never remembered
    expect(reportJson(nan as unknown as ValidationReport).toString()).toBe(JSON.stringify(nan));
    expect(reportJson(nan as unknown as ValidationReport).toString()).toBe(JSON.stringify(nan));
    expect(reportJson(copy(reportExample)).toString()).toBe(JSON.stringify(reportExample));
  });

  it('hands out every response buffer once: earlier answers stay intact however many follow', () => {
    const answers: Array<[Buffer, string]> = [];
    for (let i = 0; i < 200; i++) {
      const r = copy(reportExample);
      r.contentLength = i;
      if (i % 3 === 0) r.signers = [];
      answers.push([reportJson(r), JSON.stringify(r)]);
    }
    for (const [bytes, text] of answers) expect(bytes.toString('utf8')).toBe(text);
  });
});
