/**
 * verifyOcspResponse: what a parsed OCSP response says about one certificate,
 * as a RevocationStatus. Never throws for bad responses; the first failed
 * check is the answer, as `unknown` with a typed reason:
 *
 *   1. responseStatus ≠ successful                           → RESPONDER_ERROR
 *   2. no SingleResponse for our CertID (any hash we compute) → CERT_ID_MISMATCH
 *   3. the signer is neither the issuing CA (responderID = issuer by name or
 *      key hash), nor a delegated responder in `certs` (issuer = CA, signature
 *      by the CA verified, EKU id-kp-OCSPSigning, valid at `at`, matching the
 *      responderID), nor one of `trustedResponders`       → UNAUTHORIZED_RESPONDER
 *   4. signature over tbsResponseData                      → BAD_SIGNATURE
 *   5. unknown critical response or single extensions      → UNKNOWN_CRITICAL_EXTENSION
 *   6. nonce sent and echoed differently                   → NONCE_MISMATCH
 *      (not echoed: accepted with a note unless `requireNonce`)
 *   7. thisUpdate > at + skew, nextUpdate < at − skew, or (no nextUpdate)
 *      thisUpdate older than `maxAgeMs`                    → STALE
 *   8. certStatus: good / revoked (time, reason) / unknown → OCSP_UNKNOWN
 *
 * Delegated responders without id-pkix-ocsp-nocheck: we do not check the
 * responder certificate's own revocation (that recursion needs the CA's CRL,
 * and a responder that vouches for itself proves nothing); we accept it and
 * record the note "responder revocation not checked" in the evidence, or refuse
 * it (UNAUTHORIZED_RESPONDER) when `requireNoCheck` is set.
 */
import { createHash } from 'node:crypto';
import { namesEqual } from '../../cert/name';
import type { Certificate } from '../../cert/types';
import { OID } from '../../cert/types';
import { type AlgorithmPolicy, verifySignature } from '../../crypto/signature';
import type { RevocationEvidence, RevocationStatus, RevocationUnknownReason } from '../types';
import { type CertId, type CertIdHash, OCSP_OID, type OcspResponse, type OcspSingleResponse, type ResponderId } from './types';

export interface VerifyOcspOptions {
  cert: Certificate;
  issuer: Certificate;
  /** The CertID we asked about (its hash is tried first). */
  certId?: CertId;
  /** The nonce extension value we sent (DER of the OCTET STRING), or the raw nonce octets. */
  nonce?: Uint8Array;
  at: number;
  maxSkewMs: number;
  algorithms: AlgorithmPolicy;
  /** Locally configured responder certificates (RFC 6960 §4.2.2.2 "local configuration"), trusted as they are. */
  trustedResponders?: readonly Certificate[];
  /** Without nextUpdate, a response is fresh for this long after thisUpdate. Default 1 hour. */
  maxAgeMs?: number;
  /** A sent nonce must be echoed. Default false: many responders ignore nonces (RFC 5019). */
  requireNonce?: boolean;
  /** Refuse delegated responders without id-pkix-ocsp-nocheck. Default false (accepted with a note). */
  requireNoCheck?: boolean;
  /** For the evidence. */
  url?: string;
  cached?: boolean;
}

export const DEFAULT_OCSP_MAX_AGE_MS = 60 * 60 * 1000;

/** Response and single extensions we understand (critical ones among them are fine). */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OCSP_OID.nonce,
  OCSP_OID.crlReason,
  OCSP_OID.invalidityDate,
  OCSP_OID.extendedRevoke,
  OCSP_OID.archiveCutoff,
  OCSP_OID.crlReferences,
]);

type Fail = { reason: RevocationUnknownReason; detail: string };

export function verifyOcspResponse(resp: OcspResponse, opts: VerifyOcspOptions): RevocationStatus {
  const notes: string[] = [];
  const unknown = (f: Fail, ev?: Partial<RevocationEvidence>): RevocationStatus => ({
    status: 'unknown',
    reason: f.reason,
    detail: f.detail,
    source: 'ocsp',
    ...(opts.url !== undefined ? { url: opts.url } : {}),
    attempts: [{ source: 'ocsp', ...(opts.url !== undefined ? { url: opts.url } : {}), cached: opts.cached ?? false, ...ev, ...(notes.length ? { notes: [...notes] } : {}) }],
  });

  // 1
  if (resp.responseStatus !== 'successful') return unknown({ reason: 'RESPONDER_ERROR', detail: `responseStatus ${resp.responseStatus}` });
  const basic = resp.basic;

  // 2
  const single = findSingle(basic.responses, opts);
  if (!single) return unknown({ reason: 'CERT_ID_MISMATCH', detail: `no SingleResponse for serial ${opts.cert.serialHex} of ${opts.issuer.subject.text}` });
  const times: Partial<RevocationEvidence> = {
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate !== undefined ? { nextUpdate: single.nextUpdate } : {}),
    producedAt: basic.producedAt,
  };

  // 3
  const signer = findSigner(basic.responderId, basic.parsedCerts, opts, notes);
  if ('reason' in signer) return unknown(signer, times);
  const signerEv: Partial<RevocationEvidence> = { ...times, signer: signer.cert.subject.text };

  // 4
  const sig = verifySignature(basic.signatureAlgorithm, signer.cert.spki, basic.tbsResponseData, basic.signature, opts.algorithms);
  if (!sig.ok) return unknown({ reason: 'BAD_SIGNATURE', detail: `response signature: ${sig.reason}: ${sig.detail}` }, signerEv);

  // 5
  const crit = [...basic.responseExtensions, ...single.singleExtensions].find((e) => e.critical && !KNOWN_EXTENSIONS.has(e.oid));
  if (crit) return unknown({ reason: 'UNKNOWN_CRITICAL_EXTENSION', detail: `critical extension ${crit.oid}` }, signerEv);

  // 6
  if (opts.nonce !== undefined) {
    if (basic.nonce === undefined) {
      if (opts.requireNonce) return unknown({ reason: 'NONCE_MISMATCH', detail: 'the responder did not echo the nonce' }, signerEv);
      notes.push('nonce not echoed');
    } else if (!nonceMatches(basic.nonce, opts.nonce)) {
      return unknown({ reason: 'NONCE_MISMATCH', detail: 'the echoed nonce differs from the one sent' }, signerEv);
    }
  }

  // 7
  const skew = opts.maxSkewMs;
  if (single.thisUpdate > opts.at + skew) return unknown({ reason: 'STALE', detail: `thisUpdate ${iso(single.thisUpdate)} is in the future` }, signerEv);
  if (single.nextUpdate !== undefined) {
    if (single.nextUpdate < opts.at - skew) return unknown({ reason: 'STALE', detail: `nextUpdate ${iso(single.nextUpdate)} has passed` }, signerEv);
    if (single.nextUpdate < single.thisUpdate) return unknown({ reason: 'STALE', detail: 'nextUpdate before thisUpdate' }, signerEv);
  } else {
    const maxAge = opts.maxAgeMs ?? DEFAULT_OCSP_MAX_AGE_MS;
    if (opts.at - skew > single.thisUpdate + maxAge) {
      return unknown({ reason: 'STALE', detail: `no nextUpdate and thisUpdate ${iso(single.thisUpdate)} is older than ${maxAge} ms` }, signerEv);
    }
    notes.push(`no nextUpdate: fresh for ${maxAge} ms after thisUpdate`);
  }

  // 8
  const evidence: RevocationEvidence = {
    source: 'ocsp',
    ...(opts.url !== undefined ? { url: opts.url } : {}),
    thisUpdate: single.thisUpdate,
    ...(single.nextUpdate !== undefined ? { nextUpdate: single.nextUpdate } : {}),
    producedAt: basic.producedAt,
    cached: opts.cached ?? false,
    signer: signer.cert.subject.text,
    ...(notes.length ? { notes } : {}),
  };
  const cs = single.certStatus;
  switch (cs.status) {
    case 'good':
      return { status: 'good', ...evidence };
    case 'revoked':
      return {
        status: 'revoked',
        revokedAt: cs.revokedAt,
        ...(cs.reason !== undefined ? { reason: cs.reason } : {}),
        ...(cs.invalidityDate !== undefined ? { invalidityDate: cs.invalidityDate } : {}),
        ...evidence,
      };
    case 'unknown':
      return { status: 'unknown', reason: 'OCSP_UNKNOWN', detail: 'the responder does not know this certificate', source: 'ocsp', ...(opts.url !== undefined ? { url: opts.url } : {}), attempts: [evidence] };
    default: {
      const never: never = cs;
      return unknown({ reason: 'MALFORMED_RESPONSE', detail: `certStatus ${String(never)}` });
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The first SingleResponse whose CertID is our certificate's, under whatever hash the responder used. */
function findSingle(responses: readonly OcspSingleResponse[], opts: VerifyOcspOptions): OcspSingleResponse | undefined {
  const hashes = new Map<CertIdHash, { name: Buffer; key: Buffer }>();
  const hashesFor = (h: CertIdHash): { name: Buffer; key: Buffer } => {
    let v = hashes.get(h);
    if (!v) {
      v = { name: createHash(h).update(opts.issuer.subject.der).digest(), key: createHash(h).update(opts.issuer.spki.publicKey).digest() };
      hashes.set(h, v);
    }
    return v;
  };
  for (const r of responses) {
    const id = r.certId;
    if (id.hash === 'unsupported') continue;
    if (!bytesEqual(id.serial, opts.cert.serial)) continue;
    const h = hashesFor(id.hash);
    if (bytesEqual(id.issuerNameHash, h.name) && bytesEqual(id.issuerKeyHash, h.key)) return r;
  }
  return undefined;
}

type Signer = { cert: Certificate; kind: 'issuer' | 'delegated' | 'trusted' };

function responderMatches(id: ResponderId, cert: Certificate): boolean {
  if (id.type === 'byName') return namesEqual(id.name, cert.subject);
  return bytesEqual(id.keyHash, createHash('sha1').update(cert.spki.publicKey).digest());
}

function findSigner(id: ResponderId, certs: readonly Certificate[], opts: VerifyOcspOptions, notes: string[]): Signer | Fail {
  if (responderMatches(id, opts.issuer)) return { cert: opts.issuer, kind: 'issuer' };
  for (const t of opts.trustedResponders ?? []) if (responderMatches(id, t)) return { cert: t, kind: 'trusted' };
  const candidates = certs.filter((c) => responderMatches(id, c));
  if (candidates.length === 0) {
    return { reason: 'UNAUTHORIZED_RESPONDER', detail: `responder ${responderText(id)} is not the issuing CA and no matching certificate came with the response` };
  }
  const problems: string[] = [];
  for (const c of candidates) {
    const p = delegateProblem(c, opts);
    if (p === undefined) {
      if (!c.ext.ocspNoCheck) notes.push('responder revocation not checked');
      return { cert: c, kind: 'delegated' };
    }
    problems.push(p);
  }
  return { reason: 'UNAUTHORIZED_RESPONDER', detail: `delegated responder ${candidates[0]!.subject.text}: ${problems.join('; ')}` };
}

function delegateProblem(c: Certificate, opts: VerifyOcspOptions): string | undefined {
  if (!namesEqual(c.issuer, opts.issuer.subject)) return 'not issued by the certificate issuer';
  if (!(c.ext.extKeyUsage ?? []).includes(OID.kpOcspSigning)) return 'no id-kp-OCSPSigning extended key usage';
  if (c.ext.keyUsage && !c.ext.keyUsage.has('digitalSignature') && !c.ext.keyUsage.has('nonRepudiation')) return 'keyUsage lacks digitalSignature';
  if (opts.at < c.notBefore - opts.maxSkewMs || opts.at > c.notAfter + opts.maxSkewMs) return 'not valid at the validation time';
  if (opts.requireNoCheck && !c.ext.ocspNoCheck) return 'no id-pkix-ocsp-nocheck (required by configuration)';
  if (!bytesEqual(c.signatureAlgorithm.der, c.tbsSignatureAlgorithm.der)) return 'inner and outer signature algorithms differ';
  const sig = verifySignature(c.signatureAlgorithm, opts.issuer.spki, c.tbsDer, c.signature, opts.algorithms);
  if (!sig.ok) return `certificate signature: ${sig.reason}: ${sig.detail}`;
  return undefined;
}

function responderText(id: ResponderId): string {
  return id.type === 'byName' ? `"${id.name.text}"` : `key hash ${Buffer.from(id.keyHash).toString('hex')}`;
}

/** The echo may be the OCTET STRING we sent or (old responders) its contents. */
function nonceMatches(echoed: Uint8Array, sent: Uint8Array): boolean {
  if (bytesEqual(echoed, sent)) return true;
  const inner = (b: Uint8Array): Uint8Array | undefined => (b.length >= 2 && b[0] === 0x04 && b[1] === b.length - 2 ? b.subarray(2) : undefined);
  const e = inner(echoed);
  const s = inner(sent);
  return (e !== undefined && bytesEqual(e, sent)) || (s !== undefined && bytesEqual(echoed, s));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
