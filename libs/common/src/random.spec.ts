import { randomBytesPooled, randomString } from './random';

describe('pooled random bytes', () => {
  it('gives the length asked, as its own buffer or text', () => {
    for (const n of [0, 1, 12, 32, 256, 257, 10_000]) {
      const b = randomBytesPooled(n);
      expect(b.length).toBe(n);
    }
    expect(Buffer.from(randomString(32, 'base64'), 'base64')).toHaveLength(32);
    expect(Buffer.from(randomString(32, 'base64url'), 'base64url')).toHaveLength(32);
    expect(randomString(4, 'hex')).toMatch(/^[0-9a-f]{8}$/);
    expect(() => randomBytesPooled(-1)).toThrow(RangeError);
    expect(() => randomString(1.5, 'hex')).toThrow(RangeError);
  });

  it('never hands out the same bytes twice, across refills of the pool', () => {
    const seen = new Set<string>();
    // 32-byte draws through several refills (8 KiB each), some not dividing the pool evenly
    for (let i = 0; i < 2000; i++) {
      const s = i % 3 === 0 ? randomBytesPooled(24).toString('hex') : randomString(32, 'hex');
      expect(seen.has(s)).toBe(false);
      seen.add(s);
    }
  });

  it('a buffer it gave does not change when the pool refills', () => {
    const b = randomBytesPooled(32);
    const copy = Buffer.from(b);
    for (let i = 0; i < 600; i++) randomString(32, 'hex');
    expect(b.equals(copy)).toBe(true);
  });
});
