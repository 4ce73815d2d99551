/**
 * Against a real `openssl ocsp` responder: our request, our transport, our
 * parser and our verifier on the other side of an independent implementation.
 */
import { randomBytes } from 'node:crypto';
import { DEFAULT_ALGORITHM_POLICY } from '../../crypto/signature';
import { openssl } from '../../../test-support/openssl';
import { createNodeHttpFetcher } from '../node-http-fetcher';
import type { HttpFetcher, RevocationStatus } from '../types';
import { ocspFetch } from './fetch';
import { ocspPki, type OcspPki, type RunningResponder, startOpensslResponder } from './openssl-responder.testkit';
import { parseOcspRequest } from './parse';
import { buildOcspRequest } from './request';
import type { Certificate } from '../../cert/types';
import { verifyOcspResponse } from './verify';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const now = Date.now();
let pki: OcspPki;
let delegated: RunningResponder;
let caSigned: RunningResponder;
let noEku: RunningResponder;
const http: HttpFetcher = createNodeHttpFetcher({ allowAddress: () => true });
/** What the last `ask` saw on the wire. */
let last: { method: 'GET' | 'POST'; echoedNonce: boolean } | undefined;

beforeAll(async () => {
  pki = ocspPki(now);
  [delegated, caSigned, noEku] = await Promise.all([
    startOpensslResponder(pki, 'delegated'),
    startOpensslResponder(pki, 'ca'),
    startOpensslResponder(pki, 'noeku'),
  ]);
});

afterAll(async () => {
  await Promise.all([delegated?.stop(), caSigned?.stop(), noEku?.stop()]);
  pki?.cleanup();
});

async function ask(
  responder: RunningResponder,
  cert: Certificate,
  opts: { method?: 'GET' | 'POST'; hash?: 'sha1' | 'sha256'; nonce?: boolean } = {},
): Promise<RevocationStatus> {
  const nonce = opts.nonce ? randomBytes(16) : undefined;
  const req = buildOcspRequest(cert, pki.caCert, { hash: opts.hash ?? 'sha1', ...(nonce ? { nonce } : {}) });
  const res = await ocspFetch(responder.url, req.der, http, { method: opts.method ?? 'POST', timeoutMs: 5000, maxBytes: 65536 });
  if (!res.ok) throw new Error(`${res.reason}: ${res.detail}`);
  last = { method: res.method, echoedNonce: res.response.responseStatus === 'successful' && res.response.basic.nonce !== undefined };
  return verifyOcspResponse(res.response, {
    cert,
    issuer: pki.caCert,
    certId: req.certId,
    ...(req.nonceValue ? { nonce: req.nonceValue } : {}),
    at: Date.now(),
    maxSkewMs: 60_000,
    algorithms: DEFAULT_ALGORITHM_POLICY,
    url: responder.url,
  });
}

describe('openssl ocsp responder (delegated signer with OCSPSigning + nocheck)', () => {
  it('says good for a V entry', async () => {
    const s = await ask(delegated, pki.good);
    expect(s).toMatchObject({ status: 'good', source: 'ocsp', signer: 'CN=OCSP Responder,O=yessign,C=KR', cached: false, url: delegated.url });
    if (s.status !== 'good') return;
    expect(s.notes).toBeUndefined();
    expect(s.thisUpdate).toBeLessThanOrEqual(Date.now() + 1000);
    expect(s.nextUpdate! - s.thisUpdate!).toBe(5 * 60_000); // -nmin 5
    expect(s.producedAt).toBeGreaterThan(now - 60_000);
  });

  it('says revoked with the time and reason of an R entry', async () => {
    const s = await ask(delegated, pki.revoked);
    expect(s).toMatchObject({ status: 'revoked', revokedAt: pki.revokedAt, reason: 'keyCompromise' });
  });

  it('says unknown (OCSP_UNKNOWN) for a serial not in the index', async () => {
    const s = await ask(delegated, pki.unlisted);
    expect(s).toMatchObject({ status: 'unknown', reason: 'OCSP_UNKNOWN', source: 'ocsp' });
  });

  it('answers GET requests (base64 in the path)', async () => {
    const s = await ask(delegated, pki.revoked, { method: 'GET' });
    expect(s).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    expect(last?.method).toBe('GET');
    expect(delegated.stderr()).not.toMatch(/error/i);
  });

  it('matches a SHA-256 CertID', async () => {
    expect(await ask(delegated, pki.good, { hash: 'sha256' })).toMatchObject({ status: 'good' });
  });

  it('echoes our nonce, and the echo is checked', async () => {
    const s = await ask(delegated, pki.good, { nonce: true });
    expect(s).toMatchObject({ status: 'good' });
    expect(last).toEqual({ method: 'POST', echoedNonce: true });
    if (s.status === 'good') expect(s.notes).toBeUndefined();
  });
});

describe('openssl ocsp responder signing with the CA key itself', () => {
  it('good / revoked / unknown, signer = the CA', async () => {
    expect(await ask(caSigned, pki.good)).toMatchObject({ status: 'good', signer: 'CN=OCSP Test CA,OU=AccreditedCA,O=yessign,C=KR' });
    expect(await ask(caSigned, pki.revoked, { method: 'GET' })).toMatchObject({ status: 'revoked', reason: 'keyCompromise', revokedAt: pki.revokedAt });
    expect(await ask(caSigned, pki.unlisted)).toMatchObject({ status: 'unknown', reason: 'OCSP_UNKNOWN' });
  });
});

describe('openssl ocsp responder signing with a certificate without OCSPSigning', () => {
  it('is UNAUTHORIZED_RESPONDER', async () => {
    const s = await ask(noEku, pki.good);
    expect(s).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER' });
    if (s.status === 'unknown') expect(s.detail).toMatch(/OCSPSigning/);
  });
});

describe('our request as openssl reads it', () => {
  it('has the CertID openssl computes for the same certificate', () => {
    const nonce = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const ours = buildOcspRequest(pki.good, pki.caCert, { hash: 'sha1', nonce });
    const theirsPath = join(pki.dir, 'theirs.der');
    const certPath = join(pki.dir, 'good.pem');
    writeFileSync(certPath, `-----BEGIN CERTIFICATE-----\n${Buffer.from(pki.good.der).toString('base64')}\n-----END CERTIFICATE-----\n`);
    openssl(['ocsp', '-issuer', pki.files.caPem, '-cert', certPath, '-no_nonce', '-reqout', theirsPath]);
    const theirs = parseOcspRequest(readFileSync(theirsPath));
    expect(Buffer.from(theirs.certIds[0]!.der).equals(Buffer.from(ours.certId.der))).toBe(true);

    const ourPath = join(pki.dir, 'ours.der');
    writeFileSync(ourPath, ours.der);
    const text = openssl(['ocsp', '-reqin', ourPath, '-req_text']).toString();
    expect(text).toMatch(/Hash Algorithm: sha1/);
    expect(text).toMatch(/Serial Number: 1001/);
    expect(text).toMatch(/OCSP Nonce:\s*\n\s*041000112233445566778899AABBCCDDEEFF/);
    const parsed = parseOcspRequest(ours.der);
    expect(Buffer.from(parsed.nonce!).equals(ours.nonceValue!)).toBe(true);
  });
});
