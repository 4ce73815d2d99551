import { randomBytes } from 'node:crypto';
import { isCanonicalBase64, REMEMBERED_MAX_CHARS, REMEMBERED_MIN_CHARS, takeRememberedBase64 } from './base64';

describe('canonical base64, decoded once', () => {
  const bytes = randomBytes(2000);
  const text = bytes.toString('base64');

  it('tells canonical base64 from the rest as a decode and re-encode does', () => {
    for (const s of ['', 'QQ==', 'QUI=', 'QUJD', text]) expect([s, isCanonicalBase64(s)]).toEqual([s, true]);
    // unpadded, bits after the last byte, url alphabet, whitespace, stray characters
    for (const s of ['QQ', 'QR==', 'QUJ-', 'QU JD', 'QUJD\n', 'QUJ$', `${text}\n`, text.replace(/=*$/, '') + '_']) expect([s, isCanonicalBase64(s)]).toEqual([s, false]);
  });

  it('agrees with the re-encoding on every one-character change, insertion and deletion, and on random short texts', () => {
    const reencodes = (x: string): boolean => Buffer.from(x, 'base64').toString('base64') === x;
    const chars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\r\t.$%#\u00e9\u3042\ud800'];
    const seeds = ['', 'QQ==', 'QUI=', 'QUJD', 'QUJDRA==', 'QUJDREU=', 'QUJDREVG', randomBytes(30).toString('base64'), randomBytes(31).toString('base64'), randomBytes(32).toString('base64')];
    let n = 0;
    for (const seed of seeds) {
      const variants = [seed];
      for (let i = 0; i <= seed.length; i++) {
        if (i < seed.length) variants.push(seed.slice(0, i) + seed.slice(i + 1));
        for (const c of chars) {
          variants.push(seed.slice(0, i) + c + seed.slice(i));
          if (i < seed.length) variants.push(seed.slice(0, i) + c + seed.slice(i + 1));
        }
      }
      for (const v of variants) {
        expect([v, isCanonicalBase64(v)]).toEqual([v, reencodes(v)]);
        n++;
      }
    }
    for (let i = 0; i < 20_000; i++) {
      const len = 1 + (i % 12);
      const v = Array.from({ length: len }, () => chars[Math.floor(Math.random() * 20) === 0 ? Math.floor(Math.random() * chars.length) : Math.floor(Math.random() * 64)]).join('');
      expect([v, isCanonicalBase64(v)]).toEqual([v, reencodes(v)]);
    }
    expect(n).toBeGreaterThan(10_000);
  });

  it('hands the bytes of the text it last found canonical to one taker, then forgets them', () => {
    expect(isCanonicalBase64(text)).toBe(true);
    const taken = takeRememberedBase64(text);
    expect(taken?.equals(bytes)).toBe(true);
    expect(takeRememberedBase64(text)).toBeUndefined();
  });

  it('answers only for an equal text: another one, even of the same length, is decoded by its caller', () => {
    const other = randomBytes(2000).toString('base64');
    expect(isCanonicalBase64(text)).toBe(true);
    expect(takeRememberedBase64(other)).toBeUndefined();
    expect(isCanonicalBase64(other)).toBe(true); // now the remembered one
    expect(takeRememberedBase64(text)).toBeUndefined();
    expect(takeRememberedBase64(other)?.equals(Buffer.from(other, 'base64'))).toBe(true);
  });

  it('remembers neither short texts (a randomNum is never kept) nor very long ones, nor what is not canonical', () => {
    const short = randomBytes(20).toString('base64');
    const long = randomBytes(Math.ceil(((REMEMBERED_MAX_CHARS + 4) / 4) * 3)).toString('base64');
    expect(short.length).toBeLessThan(REMEMBERED_MIN_CHARS);
    expect(long.length).toBeGreaterThan(REMEMBERED_MAX_CHARS);
    for (const s of [short, long]) {
      expect(isCanonicalBase64(s)).toBe(true);
      expect(takeRememberedBase64(s)).toBeUndefined();
    }
    const padded = `${text}\n`;
    expect(isCanonicalBase64(padded)).toBe(false);
    expect(takeRememberedBase64(padded)).toBeUndefined();
  });
});
