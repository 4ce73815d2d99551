/**
 * The CRL signature memo (crl/verify.ts): the signature math of a CRL object
 * runs once per (key, policy), yet a different key, a different or changed
 * policy, or a replaced CRL object is checked again, and the engine's time
 * checks run on every call whatever the memo holds.
 */
import { parseCertificate } from '../../cert/parse';
import * as signature from '../../crypto/signature';
import { DEFAULT_ALGORITHM_POLICY } from '../../crypto/signature';
import { createValidationPolicy } from '../../path/policy';
import { buildCrl, DAY, issue, TEST_TIME, testKey } from '../../issuing';
import { checkPathWithCrls } from '../crl-path';
import { oneLinkPath } from './check';
import { parseCrl } from './parse';
import { verifyCrlSignature, verifyCrlSignatureWithKey } from './verify';

jest.mock('../../crypto/signature', () => {
  const actual = jest.requireActual<typeof signature>('../../crypto/signature');
  return { ...actual, verifySignature: jest.fn(actual.verifySignature) };
});
const math = signature.verifySignature as jest.MockedFunction<typeof signature.verifySignature>;

const caI = issue({ subject: 'CN=Memo CA,C=KR', keys: testKey('memo-ca'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
// same name, another key: a CRL it signs must never pass as the CA's
const twinI = issue({ subject: 'CN=Memo CA,C=KR', keys: testKey('memo-twin'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
const ca = parseCertificate(caI.der);
const twin = parseCertificate(twinI.der);
const leaf = parseCertificate(issue({ subject: 'CN=memo user,C=KR', serial: 0x77n, keys: testKey('memo-leaf', 'ec-p256'), issuer: caI }).der);
const crlBy = (key: typeof caI.key, thisUpdate = TEST_TIME - DAY, algorithm?: 'sha1WithRSA') =>
  parseCrl(buildCrl({ issuer: 'CN=Memo CA,C=KR', issuerKey: key, thisUpdate, nextUpdate: thisUpdate + 2 * DAY, crlNumber: 1, entries: [], ...(algorithm ? { algorithm } : {}) }));

beforeEach(() => math.mockClear());

it('verifies a CRL once per key and policy; another key with the same name is checked, and refused', () => {
  const crl = crlBy(caI.key);
  expect(verifyCrlSignature(crl, ca).ok).toBe(true);
  expect(verifyCrlSignature(crl, ca).ok).toBe(true);
  expect(verifyCrlSignatureWithKey(crl, ca.spki).ok).toBe(true);
  expect(math).toHaveBeenCalledTimes(1);
  expect(verifyCrlSignature(crl, twin)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  expect(verifyCrlSignature(crl, twin).ok).toBe(false);
  expect(math).toHaveBeenCalledTimes(2);
});

it('a stricter policy, or an unfrozen policy changed after use, gets its own answer', () => {
  const crl = crlBy(caI.key, TEST_TIME - DAY, 'sha1WithRSA');
  const loose = { ...DEFAULT_ALGORITHM_POLICY, allowSha1: true };
  expect(verifyCrlSignature(crl, ca, loose).ok).toBe(true);
  loose.allowSha1 = false; // not frozen: never remembered by identity
  expect(verifyCrlSignature(crl, ca, loose).ok).toBe(false);
  const frozen = createValidationPolicy({ trustAnchors: [ca], at: TEST_TIME, algorithms: { ...DEFAULT_ALGORITHM_POLICY, allowSha1: true, minRsaBits: 4096 } }).algorithms;
  expect(verifyCrlSignature(crl, ca, frozen).ok).toBe(false); // RSA-2048 under a 4096-bit minimum
  expect(verifyCrlSignature(crl, ca, DEFAULT_ALGORITHM_POLICY).ok).toBe(false); // SHA-1 refused by default
});

it('a replaced CRL object is verified again: a forged successor with the same issuer name is refused', () => {
  const link = oneLinkPath(leaf, ca);
  const opts = { at: TEST_TIME, maxSkewMs: 0, algorithms: DEFAULT_ALGORITHM_POLICY, anchors: [link.anchor!] };
  expect(checkPathWithCrls(link, [crlBy(caI.key)], opts)[0]).toMatchObject({ status: 'good' });
  const forged = crlBy(twinI.key, TEST_TIME - DAY / 2);
  expect(checkPathWithCrls(link, [forged], opts)[0]).toMatchObject({ status: 'unknown', reason: 'BAD_SIGNATURE' });
});

it('time checks run on every call: a CRL whose signature is remembered goes stale after nextUpdate', () => {
  const crl = crlBy(caI.key);
  const link = oneLinkPath(leaf, ca);
  const opts = { maxSkewMs: 0, algorithms: DEFAULT_ALGORITHM_POLICY, anchors: [link.anchor!] };
  expect(checkPathWithCrls(link, [crl], { ...opts, at: TEST_TIME })[0]).toMatchObject({ status: 'good' });
  expect(checkPathWithCrls(link, [crl], { ...opts, at: TEST_TIME })[0]).toMatchObject({ status: 'good' });
  expect(math).toHaveBeenCalledTimes(1);
  expect(checkPathWithCrls(link, [crl], { ...opts, at: TEST_TIME + 2 * DAY })[0]).toMatchObject({ status: 'unknown', reason: 'STALE' });
  expect(checkPathWithCrls(link, [crl], { ...opts, at: TEST_TIME - 2 * DAY })[0]).toMatchObject({ status: 'unknown', reason: 'STALE' });
});
