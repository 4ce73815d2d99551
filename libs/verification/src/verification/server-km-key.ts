/**
 * The server's key-management (KM) key pair, loaded once at boot from
 * KM_CERT_FILE + KM_KEY_FILE (+ KM_KEY_PASSWORD): the certificate clients
 * encrypt R to (identity.encryptedRandom) and its private key. The key file
 * is an NPKI kmPri.key (password-encrypted PKCS#8, the signPri.key formats)
 * or an unencrypted PKCS#8 PEM; the key must match the certificate. A
 * half-configured or broken pair stops the verifier at boot, naming the
 * problem. Decrypting is `decrypt`: R, or DomainError DECRYPTION_FAILED /
 * MALFORMED_INPUT — never the reason a padding check failed.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError, malformedField, CONFIG, type AppConfig } from '@jointcert/common';
import { assertKeyMatchesCertificate, decodePem, decryptEncryptedRandom, decryptSignPriKey, isPkiError, type KmKeyPair, parseCertificate } from '@jointcert/pki';

export function loadKmKeyPair(config: Pick<AppConfig, 'KM_CERT_FILE' | 'KM_KEY_FILE' | 'KM_KEY_PASSWORD'>): KmKeyPair | undefined {
  const { KM_CERT_FILE: certFile, KM_KEY_FILE: keyFile } = config;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new Error('KM_CERT_FILE and KM_KEY_FILE go together');
  const certBytes = readFileSync(certFile);
  const certificate = parseCertificate(certBytes[0] === 0x30 ? certBytes : decodePem(certBytes.toString('latin1'), 'CERTIFICATE'));
  const keyBytes = readFileSync(keyFile);
  const text = keyBytes.toString('latin1');
  const key = text.includes('-----BEGIN PRIVATE KEY-----')
    ? createPrivateKey(text)
    : decryptSignPriKey(keyBytes, config.KM_KEY_PASSWORD ?? '').privateKey;
  assertKeyMatchesCertificate(key, certificate);
  return { key, certificate };
}

@Injectable()
export class ServerKmKey {
  readonly pair: KmKeyPair | undefined;

  constructor(@Inject(CONFIG) config: AppConfig) {
    this.pair = loadKmKeyPair(config);
  }

  /** R from identity.encryptedRandom (decoded bytes). */
  decrypt(encrypted: Buffer): Buffer {
    if (!this.pair) throw malformedField('identity.encryptedRandom', 'cannot be used: this site has no key-management certificate (send identity.randomNum)', { reason: 'NO_KM_CERTIFICATE' });
    try {
      return decryptEncryptedRandom(encrypted, this.pair).randomNum;
    } catch (e) {
      if (isPkiError(e, 'DECRYPTION_FAILED')) throw new DomainError('DECRYPTION_FAILED', 'identity.encryptedRandom could not be decrypted with the server key-management key', { field: 'identity.encryptedRandom', reason: 'DECRYPTION_FAILED' });
      const code = isPkiError(e) ? e.code : 'MALFORMED_CMS';
      throw malformedField('identity.encryptedRandom', 'is not an EnvelopedData or vidMsg for the server key-management certificate', { reason: code });
    }
  }
}
