import { randomBytes } from 'node:crypto';
import { decodeWire, WireEncodingError } from './wire-encoding';

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
