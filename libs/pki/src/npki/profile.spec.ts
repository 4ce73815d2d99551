import { YESSIGN } from '../../test-support/fixtures';
import { parseCertificate } from '../cert/parse';
import { isPkiError } from '../errors';
import {
  buildAcceptedTypes,
  checkCertificatePolicy,
  checkPolicies,
  classifyCertificate,
  classifyPolicies,
  DEFAULT_ACCEPTED_TYPES,
  isAccepted,
  NPKI_POLICIES,
  type NpkiCertType,
} from './profile';

const byOid = (oid: string): NpkiCertType => NPKI_POLICIES.find((t) => t.oid === oid)!;

describe('policy table', () => {
  it('has 35 distinct OIDs, each classifying to its own row', () => {
    expect(NPKI_POLICIES).toHaveLength(35);
    expect(new Set(NPKI_POLICIES.map((t) => t.oid)).size).toBe(35);
    for (const t of NPKI_POLICIES) {
      expect(classifyPolicies([t.oid])).toBe(t);
      expect(t.label).toMatch(/[가-힣].*\([a-z]/);
      expect(t.usage === 'limited').toBe(t.purpose !== undefined);
    }
  });

  it('has a personal and a corporate general-purpose type for every CA', () => {
    for (const ca of ['yessign', 'KICA', 'SignKorea', 'CrossCert', 'TradeSign']) {
      const general = NPKI_POLICIES.filter((t) => t.ca === ca && t.usage === 'general');
      expect(general.map((t) => t.holder).sort()).toEqual(['corporate', 'personal']);
    }
  });

  it.each([
    ['1.2.410.200005.1.1.1', 'yessign', 'personal', 'general'],
    ['1.2.410.200005.1.1.4', 'yessign', 'personal', 'limited'],
    ['1.2.410.200005.1.1.5', 'yessign', 'corporate', 'general'],
    ['1.2.410.200004.5.2.1.2', 'KICA', 'personal', 'general'],
    ['1.2.410.200004.5.2.1.1', 'KICA', 'corporate', 'general'],
    ['1.2.410.200004.5.1.1.5', 'SignKorea', 'personal', 'general'],
    ['1.2.410.200004.5.1.1.7', 'SignKorea', 'corporate', 'general'],
    ['1.2.410.200004.5.4.1.1', 'CrossCert', 'personal', 'general'],
    ['1.2.410.200004.5.4.1.104', 'CrossCert', 'personal', 'limited'],
    ['1.2.410.200012.1.1.3', 'TradeSign', 'corporate', 'general'],
  ])('%s is %s %s %s', (oid, ca, holder, usage) => {
    expect(classifyPolicies([oid])).toMatchObject({ oid, ca, holder, usage });
  });

  it.each([
    [[]],
    [['1.2.410.200005.1.1']],
    [['1.2.410.200005.1.1.6']],
    [['1.2.410.200005.1.1.1.1']],
    [['1.2.410.200005.1.1.10']],
    [['2.5.29.32.0']],
    [['1.2.3.4', '1.2.410.200005.1.1.1']],
  ])('%p has no type (exact match of the first OID only)', (oids) => {
    expect(classifyPolicies(oids)).toBeUndefined();
  });

  it('the first OID decides', () => {
    expect(classifyPolicies(['1.2.410.200005.1.1.4', '1.2.410.200005.1.1.1'])?.usage).toBe('limited');
  });

  it('classifies the yessign fixture as personal limited-use (bank/insurance), accepted by default', () => {
    const cert = parseCertificate(YESSIGN.cert());
    expect(classifyCertificate(cert)).toMatchObject({ oid: '1.2.410.200005.1.1.4', ca: 'yessign', holder: 'personal', usage: 'limited', group: 'bank-insurance' });
    expect(checkCertificatePolicy(cert)).toMatchObject({ ok: true, oid: '1.2.410.200005.1.1.4' });
    expect(checkCertificatePolicy(cert, buildAcceptedTypes(['general']))).toMatchObject({ ok: false, reason: 'POLICY_NOT_ACCEPTED' });
    expect(checkCertificatePolicy(cert, buildAcceptedTypes(['personal/general', '1.2.410.200005.1.1.4'])).ok).toBe(true);
  });

  it.each([
    ['1.2.410.200004.5.1.1.9.2', 'credit-card'],
    ['1.2.410.200005.1.1.2', 'bank-insurance'],
    ['1.2.410.200004.5.2.1.6.257', 'e-tax'],
    ['1.2.410.200004.5.4.2.80', 'e-tax'],
    ['1.2.410.200012.5.19.1.1', 'e-tax'],
  ])('%s is in group %s (sources compared; the narrower reading)', (oid, group) => {
    expect(classifyPolicies([oid])?.group).toBe(group);
  });

  it('takes a custom table', () => {
    const table = [{ oid: '1.2.3', ca: 'yessign' as const, holder: 'personal' as const, usage: 'general' as const, label: '시험 (test)' }];
    expect(classifyPolicies(['1.2.3'], table)?.label).toBe('시험 (test)');
    expect(classifyPolicies(['1.2.410.200005.1.1.1'], table)).toBeUndefined();
    expect(buildAcceptedTypes(['personal/general'], table).oids).toEqual(new Set(['1.2.3']));
    expect(isPkiErrorOf(() => classifyPolicies(['1.2.3'], [...table, ...table]))).toBe('INVALID_ARGUMENT');
  });
});

describe('accepted types', () => {
  it('default: 범용 of both holders plus personal bank/insurance and securities limited-use, of every accredited CA', () => {
    expect([...DEFAULT_ACCEPTED_TYPES.oids].sort()).toEqual(
      [
        // 범용
        '1.2.410.200005.1.1.1', '1.2.410.200005.1.1.5', '1.2.410.200004.5.2.1.2', '1.2.410.200004.5.2.1.1', '1.2.410.200004.5.1.1.5',
        '1.2.410.200004.5.1.1.7', '1.2.410.200004.5.4.1.1', '1.2.410.200004.5.4.1.2', '1.2.410.200012.1.1.1', '1.2.410.200012.1.1.3',
        // personal bank/insurance
        '1.2.410.200005.1.1.4', '1.2.410.200004.5.2.1.7.1', '1.2.410.200004.5.4.1.101', '1.2.410.200012.1.1.101',
        // personal securities
        '1.2.410.200004.5.2.1.7.2', '1.2.410.200004.5.1.1.9', '1.2.410.200004.5.4.1.102', '1.2.410.200012.1.1.103',
      ].sort(),
    );
    for (const ca of ['yessign', 'KICA', 'SignKorea', 'CrossCert', 'TradeSign']) {
      expect(NPKI_POLICIES.some((t) => t.ca === ca && t.usage === 'limited' && t.holder === 'personal' && DEFAULT_ACCEPTED_TYPES.oids.has(t.oid))).toBe(true);
    }
    expect(isAccepted(byOid('1.2.410.200004.5.4.1.2'))).toEqual({ ok: true });
    expect(isAccepted(byOid('1.2.410.200004.5.4.1.101'))).toEqual({ ok: true });
    expect(isAccepted(byOid('1.2.410.200004.5.4.1.103'))).toEqual({ ok: false, reason: 'POLICY_NOT_ACCEPTED' });
    expect(isAccepted(byOid('1.2.410.200005.1.1.2'))).toEqual({ ok: false, reason: 'POLICY_NOT_ACCEPTED' });
    expect(isAccepted(undefined)).toEqual({ ok: false, reason: 'POLICY_UNKNOWN' });
  });

  it('named selectors: one per group, case-insensitive, unioned', () => {
    expect(buildAcceptedTypes(['bank-insurance']).oids).toEqual(new Set(['1.2.410.200005.1.1.4', '1.2.410.200004.5.2.1.7.1', '1.2.410.200004.5.4.1.101', '1.2.410.200012.1.1.101']));
    expect(buildAcceptedTypes(['Securities']).oids.size).toBe(4);
    expect(buildAcceptedTypes(['general']).oids.size).toBe(10);
    expect(buildAcceptedTypes(['personal-general', 'corporate-general']).oids).toEqual(buildAcceptedTypes(['general']).oids);
    expect(buildAcceptedTypes(['general', 'bank-insurance', 'securities']).oids).toEqual(DEFAULT_ACCEPTED_TYPES.oids);
    expect(buildAcceptedTypes(['e-tax']).oids.size).toBe(5);
    expect(buildAcceptedTypes(['credit-card']).oids.size).toBe(5);
    expect(isPkiErrorOf(() => buildAcceptedTypes(['toString']))).toBe('INVALID_ARGUMENT');
  });

  it('holder/usage pairs with wildcards, CA names and CA triples, OIDs', () => {
    expect(buildAcceptedTypes(['personal/*']).oids.size).toBe(NPKI_POLICIES.filter((t) => t.holder === 'personal').length);
    expect(buildAcceptedTypes(['*/limited']).oids.size).toBe(NPKI_POLICIES.filter((t) => t.usage === 'limited').length);
    expect(buildAcceptedTypes(['yessign']).oids.size).toBe(8);
    expect(buildAcceptedTypes(['signkorea']).oids.size).toBe(5);
    expect([...buildAcceptedTypes(['KICA/personal/limited']).oids].sort()).toEqual([
      '1.2.410.200004.5.2.1.7.1',
      '1.2.410.200004.5.2.1.7.2',
      '1.2.410.200004.5.2.1.7.3',
    ]);
    const site = buildAcceptedTypes(['personal/general', 'corporate/general', '1.2.410.200005.1.1.4']);
    expect(site.oids.size).toBe(11);
    expect(isAccepted(byOid('1.2.410.200005.1.1.4'), site)).toEqual({ ok: true });
    expect(isAccepted(byOid('1.2.410.200005.1.1.6.2'), site)).toEqual({ ok: false, reason: 'POLICY_NOT_ACCEPTED' });
    expect(buildAcceptedTypes([]).oids.size).toBe(0);
  });

  it('an explicit OID outside the table is accepted by checkPolicies', () => {
    const site = buildAcceptedTypes(['personal/general', '1.2.410.999.1']);
    expect(checkPolicies(['1.2.410.999.1'], site)).toEqual({ ok: true, oid: '1.2.410.999.1' });
    expect(checkPolicies(['1.2.410.999.2'], site)).toEqual({ ok: false, reason: 'POLICY_UNKNOWN', oid: '1.2.410.999.2' });
    expect(checkPolicies([], site)).toEqual({ ok: false, reason: 'NO_POLICY' });
    expect(checkPolicies(['1.2.410.200005.1.1.1'], site)).toMatchObject({ ok: true, type: { ca: 'yessign' } });
  });

  it.each(['', 'personal', 'personal/gen', 'people/general', 'yessign/personal', 'Foo', 'a/b/c/d', '1.2.', '3.1.2'])(
    'rejects the selector %p',
    (s) => {
      expect(isPkiErrorOf(() => buildAcceptedTypes([s]))).toBe('INVALID_ARGUMENT');
    },
  );
});

function isPkiErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isPkiError(e) ? e.code : 'other';
  }
  return 'none';
}
