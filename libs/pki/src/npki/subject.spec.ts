import { cnBaseOf } from './subject';

describe('cnBase (the CN without its per-issuance number)', () => {
  it.each([
    ['홍길동()0010041200601010001', '홍길동()'],
    ['홍길동()001104820260115000123456', '홍길동()'],
    ['(주)한국상사()0001234567890', '(주)한국상사()'],
    ['홍길동(HONG)0010', '홍길동(HONG)'],
    ['홍길동()', '홍길동()'],
    ['Hong Gildong 1234', 'Hong Gildong 1234'],
    ['yessignCA-Test', 'yessignCA-Test'],
  ])('%s → %s', (cn, base) => expect(cnBaseOf(cn)).toBe(base));

  it('no CN: null', () => expect(cnBaseOf(undefined)).toBeNull());
});
