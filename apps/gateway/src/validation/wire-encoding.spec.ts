import { randomBytes } from 'node:crypto';
import { decodeWire, normaliseWire, WireEncodingError, type WireKind } from './wire-encoding';

describe('decodeWire', () => {
  const der = Buffer.concat([Buffer.from([0x30, 0x81, 0x80]), randomBytes(128)]);

  it.each([
    ['base64', der.toString('base64'), 'base64'],
    ['base64 with CRLF every 64', der.toString('base64').replace(/(.{64})/g, '$1\r\n'), 'base64'],
    ['base64 with LF every 76 and a final LF', `${der.toString('base64').replace(/(.{76})/g, '$1\n')}\n`, 'base64'],
    ['base64url', der.toString('base64url'), 'base64url'],
    ['PEM PKCS7', `-----BEGIN PKCS7-----\n${der.toString('base64')}\n-----END PKCS7-----`, 'pem'],
    ['PEM CMS', `-----BEGIN CMS-----\n${der.toString('base64')}\n-----END CMS-----`, 'pem'],
    ['hex', der.toString('hex'), 'hex'],
  ])('%s', (_, text, form) => {
    expect(decodeWire(text, 1024, 'cms')).toEqual({ bytes: der, form });
  });

  it('randomNum: base64 or exactly 40 hex digits', () => {
    const r = randomBytes(20);
    expect(decodeWire(r.toString('hex'), 20, 'random')).toEqual({ bytes: r, form: 'hex' });
    expect(decodeWire(r.toString('base64'), 20, 'random').bytes).toEqual(r);
    expect(() => decodeWire(r.toString('hex'), 20, 'cms')).toThrow(WireEncodingError);
  });

  it('one size limit whatever the form', () => {
    const big = Buffer.concat([Buffer.from([0x30]), randomBytes(100)]);
    for (const text of [big.toString('base64'), big.toString('hex'), `-----BEGIN CMS-----\n${big.toString('base64')}\n-----END CMS-----`, big.toString('base64url')]) {
      expect(() => decodeWire(text, 100, 'cms')).toThrow(expect.objectContaining({ reason: 'TOO_LARGE' }) as Error);
      expect(decodeWire(text, 101, 'cms').bytes).toEqual(big);
    }
  });

  it('fuzz: random strings and mutations give bytes or a WireEncodingError, nothing else', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_\r\n \t{}-----BEGIN PKCS7CMSEND';
    const seeds = [der.toString('base64'), der.toString('hex'), `-----BEGIN PKCS7-----\n${der.toString('base64')}\n-----END PKCS7-----`, der.toString('base64url')];
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      let text: string;
      if (i % 2 === 0) {
        const len = i % 97;
        text = Array.from({ length: len }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
      } else {
        const seed = [...seeds[i % seeds.length]!];
        for (let k = 0; k < 1 + (i % 4); k++) seed[Math.floor(Math.random() * seed.length)] = alphabet[Math.floor(Math.random() * alphabet.length)]!;
        text = seed.join('');
      }
      try {
        const out = decodeWire(text, 1024, i % 3 === 0 ? 'random' : 'cms');
        expect(out.bytes.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(WireEncodingError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });
});

describe('normaliseWire', () => {
  /** What normaliseWire returned before its fast path: decode, then encode as standard base64. */
  function reference(text: string, maxBytes: number, kind: WireKind): string | WireEncodingError {
    try {
      return decodeWire(text, maxBytes, kind).bytes.toString('base64');
    } catch (e) {
      return e as WireEncodingError;
    }
  }
  function actual(text: string, maxBytes: number, kind: WireKind): string | WireEncodingError {
    try {
      return normaliseWire(text, maxBytes, kind);
    } catch (e) {
      return e as WireEncodingError;
    }
  }

  it('returns standard base64 as sent, and refuses what the full path refuses, with the same error', () => {
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const texts: string[] = [];
    for (let len = 1; len <= 48; len++) {
      const bytes = randomBytes(len);
      bytes[0] = 0x30;
      const text = bytes.toString('base64');
      texts.push(text, text.replace(/=+$/, ''), bytes.toString('hex'), `${text}\n`, ` ${text}`);
      // every last digit before the padding: bits after the last byte make the text non-canonical
      const body = text.replace(/=+$/, '');
      const pad = text.slice(body.length);
      for (const c of b64) texts.push(`${body.slice(0, -1)}${c}${pad}`);
    }
    // standard base64 made of hex digits only: hex wins where decodeWire takes hex
    texts.push('30AB', '3012', 'AB30', '0'.repeat(40), '0'.repeat(36), '3'.repeat(40), '====', 'QQ=', 'QQ===', 'Q===', '');
    let fast = 0;
    for (const text of texts) {
      for (const kind of ['cms', 'random'] as const) {
        for (const max of [1, 16, 20, 30, 1024]) {
          const want = reference(text, max, kind);
          const got = actual(text, max, kind);
          if (typeof want === 'string') {
            expect([text, max, kind, got]).toEqual([text, max, kind, want]);
            if (want === text) fast++;
          } else {
            expect(got).toBeInstanceOf(WireEncodingError);
            expect([text, max, kind, (got as WireEncodingError).reason, (got as WireEncodingError).message]).toEqual([text, max, kind, want.reason, want.message]);
          }
        }
      }
    }
    expect(fast).toBeGreaterThan(500);
  });
});
