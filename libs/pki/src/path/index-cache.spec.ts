/**
 * The trust-anchor and configured-intermediate indexes of validatePath are
 * built once per frozen list, so per-request policy copies (another `at`)
 * share them; a different list, or a list that is not frozen and changes
 * after use, must never be answered from another list's index.
 */
import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { DAY, issue, TEST_TIME, testKey } from '../issuing';
import { validatePath } from './build';
import { createValidationPolicy, type ValidationPolicy } from './policy';
import type { TrustAnchor } from './trust-anchor';

const rootAI = issue({ subject: 'CN=Idx Root A,C=KR', keys: testKey('idx-root-a'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
const rootBI = issue({ subject: 'CN=Idx Root B,C=KR', keys: testKey('idx-root-b'), extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
const caI = issue({ subject: 'CN=Idx CA,C=KR', keys: testKey('idx-ca'), issuer: rootAI, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] } });
const leafI = issue({ subject: 'CN=idx user,C=KR', keys: testKey('idx-leaf', 'ec-p256'), issuer: caI, extensions: { keyUsage: ['digitalSignature'] } });
const [rootA, rootB, ca, leaf] = [rootAI, rootBI, caI, leafI].map((i) => parseCertificate(i.der)) as [Certificate, Certificate, Certificate, Certificate];

const template = createValidationPolicy({ trustAnchors: [rootA], intermediates: [ca], at: 0 });
const copy = (p: ValidationPolicy, over: Partial<ValidationPolicy> = {}): ValidationPolicy => Object.freeze({ ...p, at: TEST_TIME, ...over });

it('per-request copies of one template validate alike; another anchor list is not answered from their index', () => {
  for (let i = 0; i < 3; i++) expect(validatePath(leaf, [], copy(template, { at: TEST_TIME + i * DAY })).ok).toBe(true);
  const otherRoot = createValidationPolicy({ trustAnchors: [rootB], intermediates: [ca], at: TEST_TIME });
  const r = validatePath(leaf, [], otherRoot);
  expect(r.ok).toBe(false);
  expect(r.reasons).toContain('NO_PATH');
  const noIntermediates = createValidationPolicy({ trustAnchors: [rootA], at: TEST_TIME });
  expect(validatePath(leaf, [], noIntermediates).reasons).toContain('NO_PATH');
  expect(validatePath(leaf, [ca], noIntermediates).ok).toBe(true); // the caller's copy still serves
});

it('lists that are not frozen are indexed anew: changed after use, the answer changes', () => {
  const anchors: TrustAnchor[] = [rootA];
  const intermediates: Certificate[] = [ca];
  const p = copy(template, { trustAnchors: anchors, intermediates });
  expect(validatePath(leaf, [], p).ok).toBe(true);
  intermediates.length = 0;
  expect(validatePath(leaf, [], p).reasons).toContain('NO_PATH');
  intermediates.push(ca);
  anchors[0] = rootB;
  expect(validatePath(leaf, [], p).ok).toBe(false);
});

it('a leaf that is also a configured intermediate is never its own issuer; an anchor among the intermediates is an anchor', () => {
  const p = createValidationPolicy({ trustAnchors: [rootA], intermediates: [ca, rootA, ca], at: TEST_TIME });
  const r = validatePath(ca, [], p);
  expect(r.ok).toBe(true);
  expect(r.path.map((c) => c.subject.text)).toEqual([ca.subject.text, rootA.subject.text]);
  expect(validatePath(leaf, [], p).path).toHaveLength(3);
});
