import { scryptAsync } from '@noble/hashes/scrypt';
import type { TransferEnvelope } from '@jointcert/contracts';
import { TRANSFER_FORMAT } from '@jointcert/contracts/formats';
import { fromBase64, toBase64, toHex } from '../bytes';
import { type CryptoKey, digest, randomBytes, subtle } from '../webcrypto';
import type { TransferCode } from './code';

/**
 * The key: scrypt(the whole code, the transfer's salt), N=2^17, r=8, p=1 →
 * 32 bytes (128 MiB, 0.6–1.4 s in JavaScript on a shared 2-core server): the secret
 * half has only 26.6 bits, so the KDF is what an offline search pays per
 * guess, and scrypt's memory makes GPUs gain little over a phone. WebCrypto
 * has no scrypt; @noble/hashes (pure JS, audited) does it, and everything
 * else here is WebCrypto, so this runs in browsers and Node alike.
 */
export const TRANSFER_KDF = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1, dkLen: 32 } as const;

const AAD_LABEL = 'jointcert-transfer-v1:';

/** Opening failed: a wrong code, or bytes altered between the devices. AES-GCM cannot tell which. */
export class TransferDecryptError extends Error {
  constructor() {
    super(
      'the transfer could not be opened: the code does not match, or the data was altered on the way (AES-GCM authentication failed). ' +
        'Nothing was saved; check the 16 digits, or send the certificate again for a new code.',
    );
    this.name = 'TransferDecryptError';
  }
}

async function aesKey(code: TransferCode, salt: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  const raw = await scryptAsync(new TextEncoder().encode(code.digits), salt, { N: TRANSFER_KDF.N, r: TRANSFER_KDF.r, p: TRANSFER_KDF.p, dkLen: TRANSFER_KDF.dkLen });
  try {
    return await subtle().importKey('raw', raw, { name: 'AES-GCM' }, false, [usage]);
  } finally {
    raw.fill(0);
  }
}

/** The associated data: the protocol version and the address, so an envelope only opens under its own address. */
function aad(code: TransferCode): Uint8Array {
  return new TextEncoder().encode(AAD_LABEL + code.address);
}

/** Seal a bundle under a code: fresh salt and nonce from the CSPRNG. */
export async function sealBundle(plaintext: Uint8Array, code: TransferCode): Promise<TransferEnvelope> {
  const salt = randomBytes(TRANSFER_FORMAT.SALT_BYTES);
  const nonce = randomBytes(TRANSFER_FORMAT.NONCE_BYTES);
  const key = await aesKey(code, salt, 'encrypt');
  const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad(code), tagLength: 128 }, key, plaintext));
  return { ciphertext: toBase64(sealed), salt: toBase64(salt), nonce: toBase64(nonce) };
}

/** Open an envelope with the code, or TransferDecryptError (wrong code, altered data). */
export async function openBundle(envelope: TransferEnvelope, code: TransferCode): Promise<Uint8Array> {
  let salt: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array;
  try {
    [salt, nonce, ciphertext] = [fromBase64(envelope.salt), fromBase64(envelope.nonce), fromBase64(envelope.ciphertext)];
  } catch {
    throw new TransferDecryptError();
  }
  if (salt.length !== TRANSFER_FORMAT.SALT_BYTES || nonce.length !== TRANSFER_FORMAT.NONCE_BYTES) throw new TransferDecryptError();
  const key = await aesKey(code, salt, 'decrypt');
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: nonce, additionalData: aad(code), tagLength: 128 }, key, ciphertext));
  } catch {
    // WebCrypto's OperationError carries no detail; ours says what it means and what to do
    throw new TransferDecryptError();
  }
}

/** SHA-256 of the address digits, lowercase hex: what POST /v1/transfers takes as addressHash. */
export async function addressHash(code: TransferCode): Promise<string> {
  return toHex(await digest('SHA-256', new TextEncoder().encode(code.address)));
}
