import type { CertificateView, SignerCertificate } from '@jointcert/contracts';
import { classifyPolicies } from '@jointcert/pki';
import type { NewCertificate, RegisteredCertificate } from '@jointcert/registry-db';

const DAY_MS = 86_400_000;

/** Whole days from `nowMs` until notAfter, negative once expired (floor: half a day left is 0). */
export function daysLeft(notAfter: Date, nowMs: number): number {
  return Math.floor((notAfter.getTime() - nowMs) / DAY_MS);
}

export function certificateView(c: RegisteredCertificate, nowMs: number): CertificateView {
  return {
    id: c.id,
    status: c.status,
    subject: c.subjectDn,
    issuer: c.issuerDn,
    serialHex: c.serialHex,
    fingerprintSha256: c.fingerprintSha256,
    ca: c.ca,
    type: c.certType,
    typeLabel: c.policyOid ? (classifyPolicies([c.policyOid])?.label ?? null) : null,
    policyOid: c.policyOid,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    daysLeft: daysLeft(c.notAfter, nowMs),
    registeredAt: c.createdAt.toISOString(),
    replacedBy: c.replacedBy,
    revokedAt: c.revokedAt?.toISOString() ?? null,
    revocationReason: c.revocationReason,
    locked: c.lockedAt !== null,
    lockedAt: c.lockedAt?.toISOString() ?? null,
    lastUsedAt: null,
    passwordChangedAt: c.passwordChangedAt?.toISOString() ?? null,
  };
}

/** The row to store for a certificate the verifier accepted. */
export function newCertificate(accountId: string, s: SignerCertificate): NewCertificate {
  return {
    accountId,
    der: Buffer.from(s.der, 'base64'),
    fingerprintSha256: s.fingerprintSha256,
    issuerDn: s.issuer,
    issuerKey: s.issuerKey,
    serialHex: s.serialHex,
    subjectDn: s.subject,
    policyOid: s.policyOid,
    certType: s.type,
    ca: s.ca,
    cnBase: s.cnBase,
    notBefore: new Date(s.notBefore),
    notAfter: new Date(s.notAfter),
  };
}
