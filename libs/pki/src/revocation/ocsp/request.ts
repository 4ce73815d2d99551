/**
 * buildOcspRequest: an unsigned OCSPRequest (RFC 6960 §4.1) for one
 * certificate, and the CertID it asks about.
 *
 * CertID: issuerNameHash = H(DER of the issuer's subject Name, as the issuer
 * certificate encodes it), issuerKeyHash = H(the issuer's subjectPublicKey BIT
 * STRING contents, without tag, length and unused-bits octet), serialNumber of
 * the certificate. The hashAlgorithm is written with NULL parameters, as
 * OpenSSL and most responders write it.
 */
import { createHash } from 'node:crypto';
import type { Certificate } from '../../cert/types';
import { OID } from '../../cert/types';
import { explicit, int, nul, octets, oid, seq } from '../../der';
import { PkiError } from '../../errors';
import { type CertId, type CertIdHash, OCSP_OID } from './types';

export interface OcspRequestOptions {
  /** CertID hash. SHA-1 is what RFC 5019 responders must support; SHA-256 where the CA accepts it. */
  hash: 'sha1' | 'sha256';
  /** Nonce (RFC 8954: 1..32 octets), sent as an OCTET STRING in the nonce extension. */
  nonce?: Uint8Array;
}

export interface BuiltOcspRequest {
  der: Buffer;
  certId: CertId;
  /** The nonce extension's extnValue as sent (DER of the OCTET STRING), when a nonce was given. */
  nonceValue?: Buffer;
}

const HASH_OID: Readonly<Record<CertIdHash, string>> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

/** Hash of the issuer's subject Name DER and of its subjectPublicKey bits under `hash`. */
export function issuerHashes(issuer: Certificate, hash: CertIdHash): { nameHash: Buffer; keyHash: Buffer } {
  return {
    nameHash: createHash(hash).update(issuer.subject.der).digest(),
    keyHash: createHash(hash).update(issuer.spki.publicKey).digest(),
  };
}

/** The CertID of `cert` issued by `issuer`. */
export function certIdFor(cert: Certificate, issuer: Certificate, hash: CertIdHash = 'sha1'): CertId {
  const { nameHash, keyHash } = issuerHashes(issuer, hash);
  const hashAlgorithm = seq(oid(HASH_OID[hash]), nul());
  const der = seq(hashAlgorithm, octets(nameHash), octets(keyHash), int(cert.serial));
  return {
    hash,
    hashAlgorithm: { oid: HASH_OID[hash], params: nul(), der: hashAlgorithm },
    issuerNameHash: nameHash,
    issuerKeyHash: keyHash,
    serial: cert.serial,
    der,
  };
}

export function buildOcspRequest(cert: Certificate, issuer: Certificate, opts: OcspRequestOptions): BuiltOcspRequest {
  if (opts.hash !== 'sha1' && opts.hash !== 'sha256') throw new PkiError('INVALID_ARGUMENT', `unsupported CertID hash ${String(opts.hash)}`);
  if (opts.nonce !== undefined && (opts.nonce.length < 1 || opts.nonce.length > 32)) {
    throw new PkiError('INVALID_ARGUMENT', `nonce of ${opts.nonce.length} octets (RFC 8954: 1 to 32)`);
  }
  const certId = certIdFor(cert, issuer, opts.hash);
  const nonceValue = opts.nonce ? octets(opts.nonce) : undefined;
  const der = seq(
    seq(
      seq(seq(certId.der)),
      nonceValue && explicit(2, seq(seq(oid(OCSP_OID.nonce), octets(nonceValue)))),
    ),
  );
  return { der, certId, ...(nonceValue ? { nonceValue } : {}) };
}
