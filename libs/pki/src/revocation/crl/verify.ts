/**
 * CRL signature verification over the raw tbsCertList bytes, with the result
 * memoised per (CRL, signer key, policy): a million-entry CRL is hashed once,
 * however many certificates are checked against it.
 */
import type { Certificate, SubjectPublicKeyInfo } from '../../cert/types';
import { DEFAULT_ALGORITHM_POLICY, verifySignature, type AlgorithmPolicy, type SignatureCheck } from '../../crypto/signature';
import { toHex } from '../../der';
import type { Crl } from './types';

/** CRL → key id → policy id → result (nested: the ids are interned strings, so a lookup hashes no new string). */
const memo = new WeakMap<Crl, Map<string, Map<string, SignatureCheck>>>();
/** Hex of a key's DER, per DER buffer (parsed keys are never written to). */
const keyIds = new WeakMap<Uint8Array, string>();
/** The JSON of a frozen policy (its lists frozen too): computed once per policy object. */
const policyIds = new WeakMap<AlgorithmPolicy, string>();

function keyId(spki: SubjectPublicKeyInfo): string {
  let id = keyIds.get(spki.der);
  if (id === undefined) {
    id = toHex(spki.der);
    keyIds.set(spki.der, id);
  }
  return id;
}

function policyId(p: AlgorithmPolicy): string {
  const hit = policyIds.get(p);
  if (hit !== undefined) return hit;
  const id = JSON.stringify(p);
  // only a policy that cannot change later may be remembered by identity
  if (Object.isFrozen(p) && Object.values(p).every((v) => typeof v !== 'object' || v === null || Object.isFrozen(v))) policyIds.set(p, id);
  return id;
}

/** Cryptographic check only: does `issuerCert`'s key verify the CRL's signature under `algorithms`? */
export function verifyCrlSignature(crl: Crl, issuerCert: Certificate, algorithms: AlgorithmPolicy = DEFAULT_ALGORITHM_POLICY): SignatureCheck {
  return verifyCrlSignatureWithKey(crl, issuerCert.spki, algorithms);
}

/**
 * The same with a bare key (a trust anchor's, or a working key that inherited
 * DSA parameters). Memoised per CRL object (a replaced CRL is a new object,
 * checked again) and by the key's DER and the policy's content: only the
 * signature math is remembered; names, keyUsage and times are the caller's
 * and run every time.
 */
export function verifyCrlSignatureWithKey(crl: Crl, spki: SubjectPublicKeyInfo, algorithms: AlgorithmPolicy = DEFAULT_ALGORITHM_POLICY): SignatureCheck {
  const kid = keyId(spki);
  const pid = policyId(algorithms);
  let byKey = memo.get(crl);
  let byPolicy = byKey?.get(kid);
  const hit = byPolicy?.get(pid);
  if (hit) return hit;
  const res: SignatureCheck =
    crl.signatureUnusedBits !== 0
      ? { ok: false, reason: 'BAD_SIGNATURE', detail: 'signatureValue BIT STRING has unused bits' }
      : verifySignature(crl.signatureAlgorithm, spki, crl.tbsDer, crl.signature, algorithms);
  if (!byKey) {
    byKey = new Map();
    memo.set(crl, byKey);
  }
  if (!byPolicy && byKey.size < 16) {
    byPolicy = new Map();
    byKey.set(kid, byPolicy);
  }
  if (byPolicy && byPolicy.size < 16) byPolicy.set(pid, res);
  return res;
}

/**
 * Is `signer` entitled to sign this CRL (RFC 5280 §6.3.3 (f))? Its subject is
 * the CRL issuer, its SKI equals the CRL's AKI keyIdentifier when both exist,
 * and it has cRLSign when it has a keyUsage extension. Returns the problem, or undefined.
 */
export function crlSignerProblem(crl: Crl, signer: Certificate): { reason: 'BAD_SIGNATURE' | 'UNAUTHORIZED_RESPONDER'; detail: string } | undefined {
  if (signer.subject.key !== crl.issuer.key) {
    return { reason: 'UNAUTHORIZED_RESPONDER', detail: `CRL issuer "${crl.issuer.text}" is not the signer "${signer.subject.text}"` };
  }
  const aki = crl.authorityKeyIdentifier?.keyIdentifier;
  const ski = signer.ext.subjectKeyIdentifier;
  if (aki && ski && !Buffer.from(aki.buffer, aki.byteOffset, aki.byteLength).equals(ski)) {
    return { reason: 'BAD_SIGNATURE', detail: `CRL authorityKeyIdentifier ${toHex(aki)} is not the issuer key ${toHex(ski)}` };
  }
  const ku = signer.ext.keyUsage;
  if (ku && !ku.has('cRLSign')) return { reason: 'UNAUTHORIZED_RESPONDER', detail: 'CRL signer lacks keyUsage cRLSign' };
  return undefined;
}
