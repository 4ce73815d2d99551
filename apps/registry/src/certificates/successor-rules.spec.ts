import { checkSuccessor, type SuccessorFacts } from './successor-rules';

const previous: SuccessorFacts['previous'] = {
  status: 'active',
  fingerprintSha256: 'a'.repeat(64),
  notAfter: new Date('2026-12-31T14:59:59Z'),
  ca: 'yessign',
  cnBase: '홍길동()',
};
const next: SuccessorFacts['next'] = { fingerprintSha256: 'b'.repeat(64), notAfter: '2027-12-31T14:59:59.000Z', ca: 'yessign', cnBase: '홍길동()' };
const base: SuccessorFacts = { previous, next, accountIdentityHash: null, proofIdentityHash: null };
const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

describe('checkSuccessor', () => {
  it('accepts the same CA family and CN base with a later notAfter', () => {
    expect(checkSuccessor(base)).toEqual({ ok: true, sameBy: 'ca-and-cn' });
  });

  it.each([
    ['the previous one is not active', { previous: { ...previous, status: 'replaced' as const } }, 'PREVIOUS_NOT_ACTIVE'],
    ['it is the same certificate', { next: { ...next, fingerprintSha256: previous.fingerprintSha256 } }, 'SAME_CERTIFICATE'],
    ['the new one expires earlier', { next: { ...next, notAfter: '2026-06-30T14:59:59.000Z' } }, 'NOT_LATER'],
    ['the new one expires at the same time', { next: { ...next, notAfter: previous.notAfter.toISOString() } }, 'NOT_LATER'],
    ['another CA family', { next: { ...next, ca: 'KICA' } }, 'DIFFERENT_CA'],
    ['an unknown CA family', { previous: { ...previous, ca: null }, next: { ...next, ca: null } }, 'DIFFERENT_CA'],
    ['another CN base', { next: { ...next, cnBase: '김철수()' } }, 'DIFFERENT_SUBJECT'],
    ['an unknown CN base', { previous: { ...previous, cnBase: null }, next: { ...next, cnBase: null } }, 'DIFFERENT_SUBJECT'],
    ['an account identity but no proof', { accountIdentityHash: H1 }, 'IDENTITY_REQUIRED'],
    ['an account identity and another person’s proof', { accountIdentityHash: H1, proofIdentityHash: H2 }, 'IDENTITY_MISMATCH'],
  ])('refuses when %s', (_label, change, reason) => {
    expect(checkSuccessor({ ...base, ...change })).toEqual({ ok: false, reason });
  });

  it('with a matching identity the CA and CN may change', () => {
    expect(checkSuccessor({ ...base, next: { ...next, ca: 'KICA', cnBase: '홍길동' }, accountIdentityHash: H1, proofIdentityHash: H1 })).toEqual({ ok: true, sameBy: 'identity' });
  });

  it('a proof alone (account without identity) does not bypass the CA and CN rule', () => {
    expect(checkSuccessor({ ...base, next: { ...next, ca: 'KICA' }, proofIdentityHash: H1 })).toEqual({ ok: false, reason: 'DIFFERENT_CA' });
  });
});
