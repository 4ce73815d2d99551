import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCertificate } from '../cert/parse';
import { decodePem } from '../der';
import { codeOf } from '../../test-support/errors';
import { decryptEncryptedRandom, decryptEnvelopedRandom, decryptVidMsg, encryptVidMsg, type KmKeyPair, rsaPkcs1DecryptKey } from './km';

// the server KM pair and the peer: OpenSSL makes the certificate and every EnvelopedData
let dir: string;
let km: KmKeyPair;
let other: KmKeyPair;
const R = randomBytes(20);

const ossl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'pipe' });
};

function pair(name: string): KmKeyPair {
  ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-subj', `/C=KR/O=jointcert/CN=${name}`, '-days', '10', '-out', join(dir, `${name}.pem`)]);
  return {
    key: createPrivateKey(readFileSync(join(dir, `${name}.key`))),
    certificate: parseCertificate(decodePem(readFileSync(join(dir, `${name}.pem`), 'latin1'), 'CERTIFICATE')),
  };
}

function envelope(opts: string[], plaintext: Buffer = R, recip = 'km'): Buffer {
  writeFileSync(join(dir, 'in.bin'), plaintext);
  ossl(['cms', '-encrypt', '-binary', '-in', join(dir, 'in.bin'), '-outform', 'DER', '-out', join(dir, 'out.der'), '-recip', join(dir, `${recip}.pem`), ...opts]);
  return readFileSync(join(dir, 'out.der'));
}

const code = codeOf;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jc-km-'));
  km = pair('km');
  other = pair('other');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('R encrypted to the server KM certificate', () => {
  it.each([
    ['AES-128-CBC', ['-aes128']],
    ['AES-256-CBC', ['-aes256']],
    ['DES-EDE3-CBC', ['-des3']],
    ['SEED-CBC (legacy provider)', ['-provider', 'legacy', '-provider', 'default', '-seed']],
    ['RSAES-OAEP SHA-256 key transport', ['-aes128', '-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256']],
    ['RSAES-OAEP SHA-1 key transport', ['-aes128', '-keyopt', 'rsa_padding_mode:oaep']],
    ['subjectKeyIdentifier recipient', ['-aes128', '-keyid']],
  ])('EnvelopedData by OpenSSL: %s', (_, opts) => {
    const msg = envelope(opts);
    expect(decryptEnvelopedRandom(msg, km)).toEqual(R);
    expect(decryptEncryptedRandom(msg, km)).toEqual({ randomNum: R, shape: 'envelopedData' });
  });

  it('the plaintext may be R, its BIT STRING or SET { BIT STRING }; anything else fails the same way', () => {
    const bit = Buffer.concat([Buffer.from([0x03, 0x15, 0x00]), R]);
    expect(decryptEnvelopedRandom(envelope(['-aes128'], bit), km)).toEqual(R);
    expect(decryptEnvelopedRandom(envelope(['-aes128'], Buffer.concat([Buffer.from([0x31, 0x17]), bit])), km)).toEqual(R);
    expect(code(() => decryptEnvelopedRandom(envelope(['-aes128'], randomBytes(21)), km))).toBe('DECRYPTION_FAILED');
  });

  it('addressed to another certificate: MALFORMED_CMS (no recipient is ours); another key with our rid: DECRYPTION_FAILED', () => {
    expect(code(() => decryptEnvelopedRandom(envelope(['-aes128'], R, 'other'), km))).toBe('MALFORMED_CMS');
    expect(code(() => decryptEnvelopedRandom(envelope(['-aes128']), { key: other.key, certificate: km.certificate }))).toBe('DECRYPTION_FAILED');
  });

  it('vidMsg: RSAES-PKCS1-v1_5 SEED key + SEED-CBC round trip; tampering is DECRYPTION_FAILED', () => {
    const msg = encryptVidMsg(createPublicKey(km.key), R);
    expect(decryptVidMsg(msg, km)).toEqual(R);
    expect(decryptEncryptedRandom(msg, km)).toEqual({ randomNum: R, shape: 'vidMsg' });
    expect(code(() => decryptVidMsg(encryptVidMsg(createPublicKey(other.key), R), km))).toBe('DECRYPTION_FAILED');
    const flipped = Buffer.from(msg);
    flipped[flipped.length - 1]! ^= 1;
    expect(code(() => decryptVidMsg(flipped, km))).toBe('DECRYPTION_FAILED');
  });

  it('implicit rejection: a bad PKCS#1 block yields a random key, never an error', () => {
    const k1 = rsaPkcs1DecryptKey(km.key, randomBytes(256), 16);
    const k2 = rsaPkcs1DecryptKey(km.key, randomBytes(256), 16);
    expect(k1).toHaveLength(16);
    expect(k1.equals(k2)).toBe(false);
    expect(rsaPkcs1DecryptKey(km.key, Buffer.alloc(3), 16)).toHaveLength(16);
  });

  it('timing: a PKCS#1 padding failure and a content failure take about as long (no padding oracle)', () => {
    const good = encryptVidMsg(createPublicKey(km.key), R);
    // a block below the modulus whose PKCS#1 padding is wrong (00 01 ...): the Bleichenbacher probe
    const block = Buffer.concat([Buffer.from([0x00, 0x01]), randomBytes(254)]);
    const probe = publicEncrypt({ key: createPublicKey(km.key), padding: constants.RSA_NO_PADDING }, block);
    const badKey = Buffer.from(good);
    badKey.set(probe, 8); // SEQUENCE (4) + OCTET STRING header (4): the encrypted key
    const time = (m: Buffer): number => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 40; i++) code(() => decryptVidMsg(m, km));
      return Number(process.hrtime.bigint() - t);
    };
    time(good);
    const a = time(badKey);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1]! ^= 1;
    const b = time(flipped);
    expect(Math.max(a, b) / Math.min(a, b)).toBeLessThan(3); // shared machine: a loose bound; both paths do RSA + SEED
  });

  it('fuzz: random bytes and mutated messages give typed errors only', () => {
    const seeds = [envelope(['-aes128']), encryptVidMsg(createPublicKey(km.key), R)];
    const allowed = new Set(['MALFORMED_CMS', 'DECRYPTION_FAILED', 'UNSUPPORTED_ALGORITHM', 'INPUT_TOO_LARGE', 'no error']);
    for (let i = 0; i < 1500; i++) {
      let input: Buffer;
      if (i % 3 === 0) input = randomBytes(i % 300);
      else {
        input = Buffer.from(seeds[i % 2]!);
        for (let k = 0; k < 1 + (i % 5); k++) input[Math.floor(Math.random() * input.length)] = Math.floor(Math.random() * 256);
      }
      const c = code(() => decryptEncryptedRandom(input, km));
      expect(allowed.has(c) ? c : `unexpected ${c}`).toBe(c);
    }
  });
});
