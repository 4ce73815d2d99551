import type { CertificateStatus } from '../entities/certificate.entity';

/** A registered certificate as the rest of the system sees it (never the entity). */
export interface RegisteredCertificate {
  id: string;
  accountId: string;
  status: CertificateStatus;
  der: Uint8Array;
  /** Lower-case hex SHA-256 of the DER. */
  fingerprintSha256: string;
  issuerDn: string;
  issuerKey: string;
  serialHex: string;
  subjectDn: string;
  policyOid: string | null;
  certType: string | null;
  ca: string | null;
  cnBase: string | null;
  notBefore: Date;
  notAfter: Date;
  replacedBy: string | null;
  revokedAt: Date | null;
  revocationReason: string | null;
  /** Locked as lost: refused at login until unlocked. */
  lockedAt: Date | null;
  /** When the holder's client last reported a certificate-password change (a hint); null if never. */
  passwordChangedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What registering needs: the verified certificate's facts (the NPKI ones may be absent). */
export type NewCertificate = Pick<
  RegisteredCertificate,
  'accountId' | 'der' | 'fingerprintSha256' | 'issuerDn' | 'issuerKey' | 'serialHex' | 'subjectDn' | 'notBefore' | 'notAfter'
> &
  Partial<Pick<RegisteredCertificate, 'policyOid' | 'certType' | 'ca' | 'cnBase'>>;
