import { randomBytes } from 'node:crypto';
import { LEGACY, openssl } from '../../test-support/openssl';
import {
  SEED_S1,
  SEED_S2,
  seedCbcDecrypt,
  seedCbcEncrypt,
  seedDecryptBlock,
  seedEncryptBlock,
  seedKeySchedule,
} from './seed';
import { codeOf } from '../../test-support/errors';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const seq = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i));

describe('SEED block cipher', () => {
  // RFC 4269 appendix B
  const vectors = [
    { key: Buffer.alloc(16), pt: seq(16), ct: '5ebac6e0054e166819aff1cc6d346cdb' },
    { key: seq(16), pt: Buffer.alloc(16), ct: 'c11f22f20140505084483597e4370f43' },
    { key: hex('4706480851e61be85d74bfb3fd956185'), pt: hex('83a2f8a288641fb9a4e9a5cc2f131c7d'), ct: 'ee54d13ebcae706d226bc3142cd40d4a' },
  ];

  it.each(vectors)('RFC 4269 vector (ct $ct) encrypts and decrypts', ({ key, pt, ct }) => {
    const k = seedKeySchedule(key);
    const out = Buffer.alloc(16);
    seedEncryptBlock(k, pt, 0, out, 0);
    expect(out.toString('hex')).toBe(ct);
    const back = Buffer.alloc(16);
    seedDecryptBlock(k, out, 0, back, 0);
    expect(back).toEqual(pt);
  });

  it('works in place and at offsets', () => {
    const { key, pt, ct } = vectors[2]!;
    const buf = Buffer.concat([Buffer.alloc(5), pt, Buffer.alloc(3)]);
    const k = seedKeySchedule(key);
    seedEncryptBlock(k, buf, 5, buf, 5);
    expect(buf.subarray(5, 21).toString('hex')).toBe(ct);
    expect(buf.subarray(0, 5)).toEqual(Buffer.alloc(5));
    expect(buf.subarray(21)).toEqual(Buffer.alloc(3));
  });

  it('generates the S-boxes of RFC 4269 (first entries, bijectivity)', () => {
    expect(Buffer.from(SEED_S1.subarray(0, 8)).toString('hex')).toBe('a985d6d3541dac25');
    expect(Buffer.from(SEED_S2.subarray(0, 8)).toString('hex')).toBe('38e82da6cfdeb3b8');
    expect(new Set(SEED_S1).size).toBe(256);
    expect(new Set(SEED_S2).size).toBe(256);
  });

  it('rejects keys and IVs of the wrong size and blocks outside the buffer', () => {
    expect(codeOf(() => seedKeySchedule(Buffer.alloc(15)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => seedCbcEncrypt(Buffer.alloc(16), Buffer.alloc(8), Buffer.alloc(1)))).toBe('INVALID_ARGUMENT');
    const k = seedKeySchedule(Buffer.alloc(16));
    expect(codeOf(() => seedEncryptBlock(k, Buffer.alloc(16), 1, Buffer.alloc(16), 0))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => seedDecryptBlock(k, Buffer.alloc(16), 0, Buffer.alloc(15), 0))).toBe('INVALID_ARGUMENT');
  });
});

describe('SEED-CBC with PKCS#7', () => {
  const key = randomBytes(16);
  const iv = randomBytes(16);
  const lengths = [0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 4096 + 5];

  it.each(lengths)('agrees with OpenSSL seed-cbc both ways for %i bytes', (n) => {
    const pt = randomBytes(n);
    const ours = seedCbcEncrypt(key, iv, pt);
    const args = ['enc', '-seed-cbc', ...LEGACY, '-K', key.toString('hex'), '-iv', iv.toString('hex')];
    const theirs = openssl(args, pt);
    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    expect(openssl([...args, '-d'], ours)).toEqual(pt);
    const dec = seedCbcDecrypt(key, iv, theirs);
    expect(dec).toEqual({ ok: true, plaintext: pt });
  });

  it('accepts an expanded key', () => {
    const k = seedKeySchedule(key);
    const ct = seedCbcEncrypt(k, iv, Buffer.from('hello'));
    expect(seedCbcDecrypt(k, iv, ct)).toEqual({ ok: true, plaintext: Buffer.from('hello') });
  });

  it('checks every padding byte, not just the last', () => {
    // a plaintext whose last block, decrypted raw, ends ... 05 05 05 04 05: only the last byte "looks" right
    const block = Buffer.from('00112233445566778899aa0505050405', 'hex');
    const raw = rawCbc(key, iv, block);
    expect(seedCbcDecrypt(key, iv, raw)).toEqual({ ok: false, reason: 'BAD_PADDING' });
    const good = rawCbc(key, iv, Buffer.from('00112233445566778899aa0505050505', 'hex'));
    const r = seedCbcDecrypt(key, iv, good);
    expect(r.ok && r.plaintext.toString('hex')).toBe('00112233445566778899aa');
  });

  it.each([
    ['zero', '00'],
    ['17', '11'],
    ['ff', 'ff'],
  ])('rejects a padding byte of %s', (_, last) => {
    const block = Buffer.from(`${'10'.repeat(15)}${last}`, 'hex');
    expect(seedCbcDecrypt(key, iv, rawCbc(key, iv, block))).toEqual({ ok: false, reason: 'BAD_PADDING' });
  });

  it('accepts a full block of padding', () => {
    const r = seedCbcDecrypt(key, iv, rawCbc(key, iv, Buffer.alloc(16, 16)));
    expect(r).toEqual({ ok: true, plaintext: Buffer.alloc(0) });
  });

  it.each([0, 1, 15, 17])('reports a ciphertext of %i bytes as BAD_LENGTH', (n) => {
    expect(seedCbcDecrypt(key, iv, Buffer.alloc(n))).toEqual({ ok: false, reason: 'BAD_LENGTH' });
  });

  it('a wrong key gives BAD_PADDING or a different plaintext, never the original', () => {
    const pt = randomBytes(64);
    const ct = seedCbcEncrypt(key, iv, pt);
    for (let i = 0; i < 50; i++) {
      const r = seedCbcDecrypt(randomBytes(16), iv, ct);
      if (r.ok) expect(r.plaintext.equals(pt)).toBe(false);
    }
  });
});

/** CBC-encrypt whole blocks without adding padding (to plant chosen final blocks). */
function rawCbc(key: Buffer, iv: Buffer, pt: Buffer): Buffer {
  // encrypt with padding, then drop the padding block: CBC prefixes are independent of what follows
  return seedCbcEncrypt(key, iv, pt).subarray(0, pt.length);
}

