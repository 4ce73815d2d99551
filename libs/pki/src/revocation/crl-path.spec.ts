import { parseCertificate } from '../cert/parse';
import type { Certificate } from '../cert/types';
import { DEFAULT_ALGORITHM_POLICY } from '../crypto/signature';
import { isPkiError } from '../errors';
import { validatePath } from '../path/build';
import { createValidationPolicy } from '../path/policy';
import type { TrustAnchor } from '../path/trust-anchor';
import type { PathResult } from '../path/result';
import { DAY, TEST_TIME, issue, tamperSignature, type Issued } from '../issuing/certificate';
import { buildCrl, type CrlSpec } from '../issuing/crl';
import type { ExtensionsSpec } from '../issuing/extensions';
import { testKey } from '../issuing/keys';
import { checkCrl } from './crl/check';
import { parseCrl } from './crl/parse';
import type { Crl } from './crl/types';
import { checkPathWithCrls, type CrlPathOptions } from './crl-path';
import type { RevocationStatus } from './types';

const T = TEST_TIME;
const CA_EXT: ExtensionsSpec = { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] };
const p = (i: Issued): Certificate => parseCertificate(i.der);
const key = (n: string) => testKey(`crl-path-${n}`, 'ec-p256');

const rootI = issue({ subject: 'CN=CRL Path Root', keys: key('root'), extensions: CA_EXT });
const caI = issue({ subject: 'CN=CRL Path CA', keys: key('ca'), issuer: rootI, serial: 2, extensions: CA_EXT });
const leafI = issue({ subject: 'CN=Leaf', keys: key('leaf'), issuer: caI, serial: 10, extensions: { keyUsage: ['digitalSignature'] } });
const root = p(rootI);
const ca = p(caI);
const leaf = p(leafI);

/** A CRL of `issuer` (its name taken from the certificate), valid around T. */
function crl(issuer: Issued, spec: Partial<CrlSpec> = {}): Crl {
  return parseCrl(buildCrl({ issuer: p(issuer).subject.der, issuerKey: issuer.key, thisUpdate: T - DAY, crlNumber: 1, ...spec }));
}
const rootCrl = crl(rootI);

function validated(l: Certificate = leaf, bag: Certificate[] = [ca], anchors: TrustAnchor[] = [root]): PathResult {
  const r = validatePath(l, bag, createValidationPolicy({ trustAnchors: anchors, at: T }));
  expect(r.reasons).toEqual([]);
  return r;
}
const OPTS: CrlPathOptions = { at: T, maxSkewMs: 0, algorithms: DEFAULT_ALGORITHM_POLICY, anchors: [root] };
const what = (s: RevocationStatus): string => (s.status === 'unknown' ? s.reason : s.status);
const run = (crls: Crl[], extra: Partial<CrlPathOptions> = {}, r: PathResult = validated()): RevocationStatus[] => checkPathWithCrls(r, crls, { ...OPTS, ...extra });

describe('checkPathWithCrls: one CRL per issuer', () => {
  it('good for every certificate but the anchor, with the evidence of the CRL used', () => {
    const caCrl = crl(caI, { crlNumber: 7 });
    const s = run([caCrl, rootCrl]);
    expect(s.map(what)).toEqual(['good', 'good']);
    expect(s[0]).toMatchObject({ status: 'good', source: 'crl', thisUpdate: caCrl.thisUpdate, nextUpdate: caCrl.nextUpdate, signer: ca.subject.text, cached: false });
    expect(s[1]).toMatchObject({ status: 'good', signer: root.subject.text });
  });

  it('agrees with checkCrl on a single complete CRL', () => {
    const caCrl = crl(caI, { entries: [{ serial: 10, revokedAt: T - 2 * DAY, reason: 'keyCompromise' }] });
    const single = checkCrl({ cert: leaf, issuer: ca, at: T }, caCrl, { at: T, maxSkewMs: 0, algorithms: DEFAULT_ALGORITHM_POLICY });
    const [s] = run([caCrl, rootCrl]);
    expect(s).toEqual(single);
  });

  it('revoked leaf, revoked CA (both reported: data, not a verdict)', () => {
    const caCrl = crl(caI, { entries: [{ serial: 10, revokedAt: T - 2 * DAY, reason: 'keyCompromise', invalidityDate: T - 3 * DAY }] });
    const rc = crl(rootI, { entries: [{ serial: 2, revokedAt: T - 2 * DAY, reason: 'cACompromise' }] });
    const s = run([caCrl, rc]);
    expect(s[0]).toMatchObject({ status: 'revoked', reason: 'keyCompromise', revokedAt: T - 2 * DAY, invalidityDate: T - 3 * DAY });
    expect(s[1]).toMatchObject({ status: 'revoked', reason: 'cACompromise' });
  });

  it('no CRL from the issuer → unknown NO_SOURCE; only a delta → SCOPE_MISMATCH', () => {
    expect(run([rootCrl]).map(what)).toEqual(['NO_SOURCE', 'good']);
    expect(run([rootCrl, crl(caI, { deltaBase: 1, crlNumber: 2 })])[0]).toMatchObject({ status: 'unknown', reason: 'SCOPE_MISMATCH', detail: expect.stringMatching(/only delta/) });
  });

  it('stale, not yet valid, no nextUpdate → STALE; the skew is honoured', () => {
    expect(what(run([crl(caI, { thisUpdate: T - 10 * DAY, nextUpdate: T - DAY }), rootCrl])[0]!)).toBe('STALE');
    expect(what(run([crl(caI, { thisUpdate: T + 60_000 }), rootCrl])[0]!)).toBe('STALE');
    expect(what(run([crl(caI, { thisUpdate: T + 60_000 }), rootCrl], { maxSkewMs: 120_000 })[0]!)).toBe('good');
    expect(what(run([crl(caI, { nextUpdate: null }), rootCrl])[0]!)).toBe('STALE');
  });

  it('bad signature, wrong key, unknown critical extension → unknown; a good CRL next to a bad one answers', () => {
    const bad = parseCrl(tamperSignature(buildCrl({ issuer: ca.subject.der, issuerKey: caI.key, thisUpdate: T - DAY, crlNumber: 1 })));
    expect(run([bad, rootCrl])[0]).toMatchObject({ status: 'unknown', reason: 'BAD_SIGNATURE' });
    const impostor = crl({ ...caI, key: key('impostor').privateKey }, { authorityKeyId: false });
    expect(what(run([impostor, rootCrl])[0]!)).toBe('BAD_SIGNATURE');
    const critical = crl(caI, { extra: [{ oid: '1.2.3.4.5', critical: true, value: Buffer.from([5, 0]) }] });
    expect(what(run([critical, rootCrl])[0]!)).toBe('UNKNOWN_CRITICAL_EXTENSION');
    const older = crl(caI, { thisUpdate: T - 2 * DAY });
    expect(run([bad, older, rootCrl]).map(what)).toEqual(['good', 'good']);
  });

  it('an issuer without cRLSign cannot sign CRLs → UNAUTHORIZED_RESPONDER', () => {
    const ca2I = issue({ subject: 'CN=No cRLSign CA', keys: key('ca2'), issuer: rootI, serial: 3, extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] } });
    const l2I = issue({ subject: 'CN=Leaf 2', keys: key('leaf'), issuer: ca2I, serial: 11 });
    const s = run([crl(ca2I), rootCrl], {}, validated(p(l2I), [p(ca2I)]));
    expect(s[0]).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER', detail: expect.stringMatching(/cRLSign/) });
  });

  it('the newest of two usable CRLs answers (a released hold stays released)', () => {
    const held = crl(caI, { thisUpdate: T - 3 * DAY, crlNumber: 1, entries: [{ serial: 10, revokedAt: T - 4 * DAY, reason: 'certificateHold' }] });
    const released = crl(caI, { thisUpdate: T - DAY, crlNumber: 2 });
    expect(what(run([held, released, rootCrl])[0]!)).toBe('good');
    expect(run([held, rootCrl])[0]).toMatchObject({ status: 'revoked', reason: 'certificateHold' });
  });

  it('certificateIssuer entries in a CRL not marked indirect → SCOPE_MISMATCH', () => {
    const odd = crl(caI, { entries: [{ serial: 99, revokedAt: T - 2 * DAY, certificateIssuer: [{ dirName: 'CN=Someone' }] }] });
    expect(what(run([odd, rootCrl])[0]!)).toBe('SCOPE_MISMATCH');
  });
});

describe('checkPathWithCrls: scope and reasons', () => {
  const URL_A = 'http://crl.example/a.crl';
  const URL_B = 'http://crl.example/b.crl';
  const partLeaf = p(issue({ subject: 'CN=Partitioned', keys: key('leaf'), issuer: caI, serial: 12, extensions: { crlDistributionPoints: [URL_A] } }));
  const partPath = (): PathResult => validated(partLeaf);

  it('a partitioned CRL serves the certificates whose distribution point it names', () => {
    expect(what(run([crl(caI, { idp: { urls: [URL_A] } }), rootCrl], {}, partPath())[0]!)).toBe('good');
    expect(run([crl(caI, { idp: { urls: [URL_B] } }), rootCrl], {}, partPath())[0]).toMatchObject({ status: 'unknown', reason: 'SCOPE_MISMATCH' });
    // a certificate without distribution points is not served by a partition
    expect(what(run([crl(caI, { idp: { urls: [URL_A] } }), rootCrl])[0]!)).toBe('SCOPE_MISMATCH');
  });

  it('onlyContainsUserCerts / onlyContainsCACerts follow basicConstraints', () => {
    const userOnly = crl(rootI, { idp: { onlyUser: true } });
    const caOnly = crl(caI, { idp: { onlyCA: true } });
    expect(run([caOnly, userOnly]).map(what)).toEqual(['SCOPE_MISMATCH', 'SCOPE_MISMATCH']);
    expect(run([crl(caI, { idp: { onlyUser: true } }), crl(rootI, { idp: { onlyCA: true } })]).map(what)).toEqual(['good', 'good']);
  });

  it('reasons: two CRLs splitting the reasons cover them together; one alone is not enough', () => {
    const compromise = crl(caI, { idp: { onlySomeReasons: ['keyCompromise', 'cACompromise'] } });
    const others = crl(caI, { idp: { onlySomeReasons: ['affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn', 'aACompromise'] }, crlNumber: 2 });
    const both = run([compromise, others, rootCrl]);
    expect(both.map(what)).toEqual(['good', 'good']);
    expect((both[0] as { notes?: string[] }).notes?.[0]).toMatch(/^combined: /);
    expect(run([compromise, rootCrl])[0]).toMatchObject({ status: 'unknown', reason: 'SCOPE_MISMATCH', detail: expect.stringMatching(/affiliationChanged/) });
    const revokedOnOthers = crl(caI, { idp: { onlySomeReasons: ['affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn', 'aACompromise'] }, entries: [{ serial: 10, revokedAt: T - 2 * DAY, reason: 'superseded' }] });
    expect(run([compromise, revokedOnOthers, rootCrl])[0]).toMatchObject({ status: 'revoked', reason: 'superseded' });
  });
});

describe('checkPathWithCrls: delta CRLs', () => {
  const base = (entries: CrlSpec['entries'] = []) => crl(caI, { crlNumber: 4, thisUpdate: T - 3 * DAY, entries, freshestCrl: [{ urls: ['http://crl.example/delta.crl'] }] });
  const delta = (entries: CrlSpec['entries'], spec: Partial<CrlSpec> = {}) => crl(caI, { crlNumber: 5, deltaBase: 4, thisUpdate: T - DAY, entries, ...spec });

  it('a revocation on the delta counts; removeFromCRL releases a hold of the complete CRL', () => {
    expect(run([base(), delta([{ serial: 10, revokedAt: T - 2 * DAY, reason: 'keyCompromise' }]), rootCrl])[0]).toMatchObject({
      status: 'revoked',
      reason: 'keyCompromise',
      notes: [expect.stringMatching(/delta/)],
    });
    const held = base([{ serial: 10, revokedAt: T - 4 * DAY, reason: 'certificateHold' }]);
    expect(what(run([held, rootCrl])[0]!)).toBe('revoked');
    const s = run([held, delta([{ serial: 10, revokedAt: T - 2 * DAY, reason: 'removeFromCRL' }]), rootCrl])[0]!;
    expect(s).toMatchObject({ status: 'good', notes: [expect.stringMatching(/^combined: CRL .* #4 .*delta CRL .* #5/)] });
  });

  it('a delta for a newer base, or a bad or stale delta, is not used (noted); removeFromCRL in a complete CRL makes it unusable', () => {
    const listed = [{ serial: 10, revokedAt: T - 2 * DAY, reason: 'keyCompromise' as const }];
    expect(what(run([base(), delta(listed, { deltaBase: 5, crlNumber: 6 }), rootCrl])[0]!)).toBe('good');
    const stale = run([base(), delta(listed, { thisUpdate: T - 10 * DAY, nextUpdate: T - 2 * DAY }), rootCrl])[0]!;
    expect(stale).toMatchObject({ status: 'good', notes: [expect.stringMatching(/delta CRL #5 .* not used: STALE/)] });
    const other = delta(listed, { idp: { onlyUser: true } });
    expect(what(run([base(), other, rootCrl])[0]!)).toBe('good');
    expect(what(run([base([{ serial: 10, revokedAt: T - 2 * DAY, reason: 'removeFromCRL' }]), rootCrl])[0]!)).toBe('MALFORMED_RESPONSE');
  });
});

describe('checkPathWithCrls: CRL issuers other than the certificate issuer', () => {
  const crlIssuerI = issue({ subject: 'CN=CRL Issuer', keys: key('crl-issuer'), issuer: caI, serial: 20, extensions: { keyUsage: ['cRLSign'] } });
  const crlIssuer = p(crlIssuerI);
  const indirectLeafI = issue({
    subject: 'CN=Indirect Leaf',
    keys: key('leaf'),
    issuer: caI,
    serial: 13,
    extensions: { crlDistributionPoints: { points: [{ crlIssuer: [{ dirName: crlIssuer.subject.der }] }] } },
  });
  const indirectLeaf = p(indirectLeafI);
  const path = (): PathResult => validated(indirectLeaf);
  const indirect = (entries: CrlSpec['entries'] = [], signer: Issued = crlIssuerI) => crl(signer, { idp: { indirect: true }, entries });

  it('an indirect CRL from the cRLIssuer, its certificate validated to the same anchor and not revoked', () => {
    const s = run([indirect(), crl(caI), rootCrl], { certificates: [crlIssuer] }, path());
    expect(s.map(what)).toEqual(['good', 'good']);
    expect(s[0]).toMatchObject({ signer: crlIssuer.subject.text });
    const listed = indirect([{ serial: 13, revokedAt: T - 2 * DAY, reason: 'keyCompromise', certificateIssuer: [{ dirName: ca.subject.der }] }]);
    expect(run([listed, crl(caI), rootCrl], { certificates: [crlIssuer] }, path())[0]).toMatchObject({ status: 'revoked', reason: 'keyCompromise' });
    // the same serial attributed to the CRL issuer itself is another certificate
    const notOurs = indirect([{ serial: 13, revokedAt: T - 2 * DAY, reason: 'keyCompromise' }]);
    expect(what(run([notOurs, crl(caI), rootCrl], { certificates: [crlIssuer] }, path())[0]!)).toBe('good');
  });

  it('the CRL issuer certificate missing, revoked, unknown or without cRLSign → UNAUTHORIZED_RESPONDER', () => {
    expect(run([indirect(), crl(caI), rootCrl], {}, path())[0]).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER' });
    const revokedIssuer = crl(caI, { entries: [{ serial: 20, revokedAt: T - 2 * DAY, reason: 'keyCompromise' }] });
    expect(run([indirect(), revokedIssuer, rootCrl], { certificates: [crlIssuer] }, path())[0]).toMatchObject({
      status: 'unknown',
      reason: 'UNAUTHORIZED_RESPONDER',
      detail: expect.stringMatching(/revoked/),
    });
    // no CRL for the CRL issuer's own certificate: its status is unknown, so it cannot vouch
    expect(run([indirect(), rootCrl], { certificates: [crlIssuer] }, path())[0]).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER', detail: expect.stringMatching(/unknown/) });
    const noSignI = issue({ subject: 'CN=CRL Issuer', keys: key('crl-issuer'), issuer: caI, serial: 21, extensions: { keyUsage: ['digitalSignature'] } });
    expect(run([indirect(), crl(caI), rootCrl], { certificates: [p(noSignI)] }, path())[0]).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER' });
  });

  it('a CRL for a cRLIssuer point must be marked indirect', () => {
    expect(what(run([crl(crlIssuerI), crl(caI), rootCrl], { certificates: [crlIssuer] }, path())[0]!)).toBe('SCOPE_MISMATCH');
  });

  it('separate CRL-signing key: a second certificate of the issuer name signs the CRL', () => {
    const crlKeyI = issue({ subject: ca.subject.der, keys: key('ca-crl-key'), issuer: rootI, serial: 30, extensions: { keyUsage: ['cRLSign'] } });
    const caCrl = crl(crlKeyI);
    expect(run([caCrl, rootCrl], { certificates: [p(crlKeyI)] }).map(what)).toEqual(['good', 'good']);
    expect(what(run([caCrl, rootCrl])[0]!)).toBe('BAD_SIGNATURE'); // the CA's own key does not verify it
    const rc = crl(rootI, { entries: [{ serial: 30, revokedAt: T - 2 * DAY, reason: 'keyCompromise' }] });
    expect(run([caCrl, rc], { certificates: [p(crlKeyI)] })[0]).toMatchObject({ status: 'unknown', reason: 'UNAUTHORIZED_RESPONDER', detail: expect.stringMatching(/revoked/) });
  });

  it('CRL issuer paths are followed only so deep', () => {
    expect(run([indirect(), crl(caI), rootCrl], { certificates: [crlIssuer], maxCrlIssuerDepth: 0 }, path())[0]).toMatchObject({ reason: 'UNAUTHORIZED_RESPONDER', detail: expect.stringMatching(/levels deep/) });
  });
});

describe('checkPathWithCrls: anchors and contract', () => {
  it('a bare {name, spki} anchor signs its CRL by name and key', () => {
    const bare = { name: root.subject, spki: root.spki };
    const r = validatePath(leaf, [ca], createValidationPolicy({ trustAnchors: [bare], at: T }));
    expect(r.ok).toBe(true);
    const s = checkPathWithCrls(r, [crl(caI), rootCrl], { ...OPTS, anchors: [bare] });
    expect(s.map(what)).toEqual(['good', 'good']);
    const forged = crl({ ...rootI, key: key('impostor').privateKey }, { authorityKeyId: false });
    expect(checkPathWithCrls(r, [crl(caI), forged], { ...OPTS, anchors: [bare] }).map(what)).toEqual(['good', 'BAD_SIGNATURE']);
  });

  it('throws INVALID_ARGUMENT for a failed validation or an anchor the caller does not trust', () => {
    const failed = validatePath(leaf, [], createValidationPolicy({ trustAnchors: [root], at: T }));
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return isPkiError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(err(() => checkPathWithCrls(failed, [], OPTS))).toBe('INVALID_ARGUMENT');
    expect(err(() => checkPathWithCrls(validated(), [], { ...OPTS, anchors: [ca] }))).toBe('INVALID_ARGUMENT');
    expect(err(() => checkPathWithCrls(validated(), [], { ...OPTS, at: Number.NaN }))).toBe('INVALID_ARGUMENT');
  });

  it('junk in the CRL list is ignored, never thrown on', () => {
    const junk = [null, undefined, {}, 'crl', 42, { issuer: {}, lookup: 1 }] as unknown as Crl[];
    expect(run([...junk, crl(caI), rootCrl]).map(what)).toEqual(['good', 'good']);
    expect(run(junk).map(what)).toEqual(['NO_SOURCE', 'NO_SOURCE']);
  });
});

describe('checkPathWithCrls: RFC 5280 §5.2.3 cRLNumber (issue #9)', () => {
  it('a CRL without cRLNumber is never evidence of good: CRL_PROFILE', () => {
    const [s] = run([crl(caI, { crlNumber: false }), rootCrl]);
    expect(s).toMatchObject({ status: 'unknown', reason: 'CRL_PROFILE' });
    expect(s!.status === 'unknown' && s!.detail).toMatch(/no cRLNumber/);
  });

  it('a CRL with a critical cRLNumber is not used either', () => {
    const [s] = run([crl(caI, { crlNumber: { value: 3, critical: true } }), rootCrl]);
    expect(s).toMatchObject({ status: 'unknown', reason: 'CRL_PROFILE' });
    expect(s!.status === 'unknown' && s!.detail).toMatch(/critical/);
  });

  it('a conforming CRL beside a defective one answers', () => {
    const s = run([crl(caI, { crlNumber: false, thisUpdate: T - 1000 }), crl(caI, { crlNumber: 2, thisUpdate: T - 2 * DAY }), rootCrl]);
    expect(s.map(what)).toEqual(['good', 'good']);
  });
});
