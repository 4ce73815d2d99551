/**
 * Test keys. RSA-2048 generation costs 50–200 ms, so tests take keys from a
 * module-level pool by name: `testKey('root')` generates once per jest test
 * file (each file has its own module registry) and returns the same pair after.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { PkiError } from '../errors';
import { derCursor, readBitString, Tag } from '../der';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export type TestKeyType = 'rsa1024' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'ec-p256' | 'ec-p384' | 'ed25519';

export function generateRsaKey(bits = 2048): KeyPair {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
}

export function generateEcKey(curve: 'P-256' | 'P-384' | 'P-521' = 'P-256'): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: curve });
}

export function generateKey(type: TestKeyType): KeyPair {
  switch (type) {
    case 'rsa1024':
      return generateRsaKey(1024);
    case 'rsa2048':
      return generateRsaKey(2048);
    case 'rsa3072':
      return generateRsaKey(3072);
    case 'rsa4096':
      return generateRsaKey(4096);
    case 'ec-p256':
      return generateEcKey('P-256');
    case 'ec-p384':
      return generateEcKey('P-384');
    case 'ed25519':
      return generateKeyPairSync('ed25519');
  }
}

const pool = new Map<string, KeyPair>();

/**
 * A cached key pair: the same `name` (and type) gives the same keys for the
 * life of the module registry (one jest test file). Different names give
 * different keys.
 */
export function testKey(name: string, type: TestKeyType = 'rsa2048'): KeyPair {
  const id = `${type}:${name}`;
  let kp = pool.get(id);
  if (!kp) {
    kp = generateKey(type);
    pool.set(id, kp);
  }
  return kp;
}

/** A public KeyObject for a public or private key. */
export function toPublicKey(key: KeyObject): KeyObject {
  return key.type === 'public' ? key : createPublicKey(key);
}

/** DER SubjectPublicKeyInfo of a key (public or private). */
export function spkiOf(key: KeyObject): Buffer {
  return toPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The subjectPublicKey BIT STRING contents of a SubjectPublicKeyInfo. */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const top = derCursor(spki);
  const c = top.enter(top.expect(Tag.SEQUENCE, 'SubjectPublicKeyInfo'));
  c.expect(Tag.SEQUENCE, 'algorithm');
  const bs = readBitString(spki, c.expect(Tag.BIT_STRING, 'subjectPublicKey'));
  if (bs.unusedBits !== 0) throw new PkiError('INVALID_ARGUMENT', 'subjectPublicKey with unused bits');
  return bs.bytes;
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(keyOrSpki: KeyObject | Uint8Array): Buffer {
  const spki = keyOrSpki instanceof Uint8Array ? keyOrSpki : spkiOf(keyOrSpki);
  return createHash('sha1').update(subjectPublicKeyBits(spki)).digest();
}

/** PKCS#8 PrivateKeyInfo DER of a private key. */
export function pkcs8Of(key: KeyObject): Buffer {
  if (key.type !== 'private') throw new PkiError('INVALID_ARGUMENT', 'pkcs8Of needs a private key');
  return key.export({ type: 'pkcs8', format: 'der' });
}
