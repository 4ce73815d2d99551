/**
 * Decoy issuers for work-bound tests: certificates that copy a real CA's
 * subject and subjectKeyIdentifier but carry a made-up RSA key (random odd
 * modulus of `modulusBits`, public exponent of `exponentBits` bits or a given
 * value). Each one, tried as the issuer of the CA's children, costs a full
 * public-key operation unless the validator refuses the key first — the
 * "message buys seconds of CPU" attack (issue #9).
 */
import { randomBytes } from 'node:crypto';
import { bitString, int, nul, oid, seq } from '../src/der';
import { parseCertificate } from '../src/cert/parse';
import { OID } from '../src/cert/types';
import { buildCertificate } from '../src/issuing/certificate';
import { testKey } from '../src/issuing/keys';

export interface DecoySpec {
  /** How many decoys. */
  count: number;
  /** Modulus size (default: the real CA's). */
  modulusBits?: number;
  /** Public exponent: a bit length (random odd value below the modulus) or an exact value. Default 65537. */
  exponentBits?: number;
  exponent?: number;
}

/** SubjectPublicKeyInfo DER of a made-up RSA public key (not a real key pair: only for keys that must never verify). */
export function fakeRsaSpki(modulusBits: number, exponent: { bits: number } | { value: number }): Buffer {
  const nBytes = Math.ceil(modulusBits / 8);
  const n = randomBytes(nBytes);
  n[0] = 0xc0 | (n[0]! & 0x3f);
  n[nBytes - 1]! |= 1;
  let e: Buffer;
  if ('value' in exponent) {
    const hex = exponent.value.toString(16);
    e = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  } else {
    e = randomBytes(Math.ceil(exponent.bits / 8));
    e[0] = 0x40 | (e[0]! & 0x3f); // below n (whose top bits are 11)
    e[e.length - 1]! |= 1;
  }
  const rsaPublicKey = seq(int(new Uint8Array([0, ...n])), int(new Uint8Array(e[0]! & 0x80 ? [0, ...e] : [...e])));
  return seq(seq(oid(OID.rsaEncryption), nul()), bitString(rsaPublicKey));
}

/** `spec.count` decoys of the CA certificate `caDer` (same subject, issuer and SKI; fake keys). */
export function decoyIssuers(caDer: Uint8Array, spec: DecoySpec): Buffer[] {
  const ca = parseCertificate(caDer);
  const bits = spec.modulusBits ?? ca.spki.rsaBits ?? 2048;
  const signer = testKey('decoy-signer').privateKey;
  const out: Buffer[] = [];
  for (let i = 0; i < spec.count; i++) {
    out.push(
      buildCertificate({
        subject: ca.subject.der,
        issuerName: ca.issuer.der,
        subjectKey: signer,
        issuerKey: signer,
        spki: fakeRsaSpki(bits, spec.exponent !== undefined ? { value: spec.exponent } : { bits: spec.exponentBits ?? 17 }),
        extensions: {
          basicConstraints: { critical: true, ca: true },
          keyUsage: ['keyCertSign', 'cRLSign'],
          ...(ca.ext.subjectKeyIdentifier ? { subjectKeyIdentifier: ca.ext.subjectKeyIdentifier } : {}),
        },
      }),
    );
  }
  return out;
}
