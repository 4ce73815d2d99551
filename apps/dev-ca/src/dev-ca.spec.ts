import { mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOcspRequest, DEFAULT_ALGORITHM_POLICY, parseCertificate, parseCrl, parseOcspResponse, verifyOcspResponse } from '@jointcert/pki';
import { type Clock, DAY_MS } from '@jointcert/common';
import { CRL_REISSUE_MS, DevCa, kstDayEnd, resolvePolicy, validityFor } from './dev-ca';
import { serialKey } from './store';

class FakeClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

describe('validity', () => {
  // 2026-03-10T16:30:00Z is already 2026-03-11 01:30 in Korea
  const lateUtc = Date.UTC(2026, 2, 10, 16, 30);
  const morning = Date.UTC(2026, 2, 10, 3, 0);

  it('ends at 23:59:59 KST of the Korean calendar day', () => {
    expect(new Date(kstDayEnd(morning)).toISOString()).toBe('2026-03-10T14:59:59.000Z');
    expect(new Date(kstDayEnd(lateUtc)).toISOString()).toBe('2026-03-11T14:59:59.000Z');
  });

  it('gives a year ending 14:59:59Z, or a notAfter in the past for 0 and negative days', () => {
    const y = validityFor(morning, 365);
    expect(new Date(y.notAfter).toISOString()).toBe('2027-03-10T14:59:59.000Z');
    expect(y.notBefore).toBeLessThan(morning);
    for (const now of [morning, lateUtc]) {
      for (const days of [0, -1, -30]) {
        const v = validityFor(now, days);
        expect(v.notAfter).toBeLessThan(now);
        expect(v.notAfter).toBeGreaterThan(now + (days - 2) * DAY_MS);
        expect(new Date(v.notAfter).toISOString()).toMatch(/T14:59:59\.000Z$/);
        expect(v.notBefore).toBeLessThan(v.notAfter);
      }
    }
  });
});

describe('resolvePolicy', () => {
  it('takes OIDs and yessign holder/usage selectors', () => {
    expect(resolvePolicy('1.2.410.200004.5.2.1.2')).toBe('1.2.410.200004.5.2.1.2');
    expect(resolvePolicy('personal/general')).toBe('1.2.410.200005.1.1.1');
    expect(resolvePolicy('corporate/general')).toBe('1.2.410.200005.1.1.5');
    expect(resolvePolicy('personal/limited')).toBe('1.2.410.200005.1.1.4');
    expect(resolvePolicy('nobody/nothing')).toBeUndefined();
  });
});

describe('serialKey', () => {
  it('normalises case, colons, 0x and leading zeros', () => {
    expect(serialKey('0x00:AB:cd')).toBe('abcd');
    expect(serialKey('zz')).toBe('');
  });
});

describe('DevCa with an injected clock', () => {
  let dir: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 15, 3, 0, 0));
  const url = (): string => 'http://dev-ca.test:3100';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jc-dev-ca-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stamps its clock on certificates, CRLs and OCSP responses, and reissues a CRL once it is an hour old', () => {
    const ca = DevCa.open(dir, clock, url);
    const out = ca.issue({ password: 'password-1' });
    expect(out.notAfter).toBe('2027-01-15T14:59:59.000Z');
    const cert = parseCertificate(Buffer.from(out.certificate, 'base64'));
    expect(JSON.stringify(cert.ext.crlDistributionPoints)).toContain('http://dev-ca.test:3100/crl/ca.crl');

    const first = ca.crl();
    expect(parseCrl(first.der).thisUpdate).toBe(clock.t);
    clock.t += CRL_REISSUE_MS - 1000;
    expect(ca.crl().number).toBe(first.number);
    clock.t += 1000;
    const second = ca.crl();
    expect(second.number).toBe(first.number + 1n);
    expect(parseCrl(second.der).nextUpdate).toBe(clock.t + DAY_MS);

    const issuer = ca.material.ca.cert;
    const req = buildOcspRequest(cert, issuer, { hash: 'sha256', nonce: Buffer.from('nonce-123') });
    const resp = parseOcspResponse(ca.ocsp(req.der).der);
    const opts = { cert, issuer, certId: req.certId, nonce: req.nonceValue!, requireNonce: true, at: clock.t, maxSkewMs: 0, algorithms: DEFAULT_ALGORITHM_POLICY };
    expect(verifyOcspResponse(resp, opts)).toMatchObject({ status: 'good', thisUpdate: clock.t, nextUpdate: clock.t + 3_600_000 });
    // stale once the hour is over
    expect(verifyOcspResponse(resp, { ...opts, at: clock.t + 3_600_000 + 1000 })).toMatchObject({ status: 'unknown', reason: 'STALE' });

    const revokedAt = clock.t;
    ca.revoke(out.serialHex, 'cessationOfOperation');
    clock.t += 5000;
    const after = parseOcspResponse(ca.ocsp(req.der).der);
    expect(verifyOcspResponse(after, { ...opts, at: clock.t })).toMatchObject({ status: 'revoked', reason: 'cessationOfOperation', revokedAt });
  });

  it('keeps its material across opens, writes no temporary files behind, and refuses a partial directory', () => {
    const a = DevCa.open(dir, clock, url);
    a.issue({ password: 'password-1' });
    const b = DevCa.open(dir, clock, url);
    expect(b.rootPem).toBe(a.rootPem);
    expect(b.material.created).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    unlinkSync(join(dir, 'ca.key'));
    expect(() => DevCa.open(dir, clock, url).material).toThrow(/only part of the CA material/);
  });

  it('renews a responder certificate close to its end', () => {
    const a = DevCa.open(dir, clock, url);
    const later = new FakeClock(a.material.ocsp.cert.notAfter - 10 * DAY_MS);
    const b = DevCa.open(dir, later, url);
    expect(b.material.ocsp.cert.notAfter).toBeGreaterThan(later.t + 365 * DAY_MS);
    expect(b.material.ca.pem).toBe(a.material.ca.pem);
  });
});
