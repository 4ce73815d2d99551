/**
 * The CRL model (RFC 5280 §5). A parsed CRL keeps its header fields as plain
 * data and its revoked-certificate list as a compact index (see ./index-table.ts):
 * no object per entry, O(1) lookups by serial.
 *
 * Times are epoch milliseconds (UTC). Serials are the INTEGER content octets as
 * encoded (two's complement, minimal DER), the same form as `Certificate.serial`,
 * so equal serials are equal bytes.
 */
import type {
  AccessDescription,
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  DistributionPoint,
  Extension,
  GeneralName,
  Name,
  ReasonFlag,
  RelativeDistinguishedName,
} from '../../cert/types';
import type { RevocationReason } from '../types';

/** CRL extension and entry-extension OIDs (RFC 5280 §5.2, §5.3). */
export const CRL_OID = {
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  freshestCrl: '2.5.29.46',
  authorityKeyIdentifier: '2.5.29.35',
  issuerAltName: '2.5.29.18',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  // entry extensions
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
} as const;

/** IssuingDistributionPoint (RFC 5280 §5.2.5). Booleans are false when absent (DEFAULT FALSE). */
export interface IssuingDistributionPoint {
  fullName?: GeneralName[];
  nameRelativeToCrlIssuer?: RelativeDistinguishedName;
  onlyContainsUserCerts: boolean;
  onlyContainsCACerts: boolean;
  /** Reasons this CRL covers; undefined = all reasons. */
  onlySomeReasons?: ReasonFlag[];
  indirectCrl: boolean;
  onlyContainsAttributeCerts: boolean;
  /** extnValue DER, to compare the scope of a delta CRL with its base. */
  der: Uint8Array;
}

/** What `Crl.lookup` returns for a listed serial. */
export interface CrlEntryHit {
  /** Position of the entry in the revokedCertificates list. */
  index: number;
  /** revocationDate, epoch ms. */
  revokedAt: number;
  /** reasonCode; undefined when the entry has none. Unknown reason values read as 'unspecified'. */
  reason?: RevocationReason;
  /** invalidityDate entry extension, epoch ms. */
  invalidityDate?: number;
  /** The entry carries a critical entry extension we do not understand. */
  unknownCriticalExtension: boolean;
}

/** One revoked-certificate entry, materialised on request (tests, listings): not used on the hot path. */
export interface CrlEntry extends CrlEntryHit {
  serial: Uint8Array;
  serialHex: string;
  /** The certificate issuer of this entry: the CRL issuer, or the certificateIssuer in force (indirect CRLs). */
  certificateIssuer: GeneralName[] | 'crlIssuer';
}

export interface Crl {
  /** The whole input (DER). */
  readonly der: Uint8Array;
  /** DER of tbsCertList: what the issuer signed (a view into `der`). */
  readonly tbsDer: Uint8Array;
  /** 1 or 2. */
  readonly version: number;
  /** The outer signatureAlgorithm (checked equal to the one inside tbsCertList). */
  readonly signatureAlgorithm: AlgorithmIdentifier;
  /** signatureValue BIT STRING contents. */
  readonly signature: Uint8Array;
  /** Unused-bits octet of signatureValue: not 0 means the signature cannot verify (kept for a BAD_SIGNATURE answer, not a parse error). */
  readonly signatureUnusedBits: number;
  readonly issuer: Name;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  /** All crlExtensions, raw, in order. */
  readonly extensions: readonly Extension[];
  /** cRLNumber. */
  readonly crlNumber?: bigint;
  readonly authorityKeyIdentifier?: AuthorityKeyIdentifier;
  readonly issuingDistributionPoint?: IssuingDistributionPoint;
  /** deltaCRLIndicator (BaseCRLNumber): present ⇔ this is a delta CRL. */
  readonly deltaCrlIndicator?: bigint;
  readonly freshestCrl?: DistributionPoint[];
  readonly issuerAltName?: GeneralName[];
  readonly authorityInfoAccess?: AccessDescription[];
  /** OIDs of critical CRL extensions we do not understand (a CRL with any MUST NOT be used). */
  readonly unknownCriticalExtensions: readonly string[];
  /** Number of entries carrying an unknown critical entry extension (also makes the CRL unusable). */
  readonly unknownCriticalEntryExtensions: number;
  /** Number of entries in revokedCertificates (duplicates included). */
  readonly size: number;
  /** Entries whose (serial, certificate issuer) was already listed; lookups return the first. */
  readonly duplicates: number;
  /** Some entry carries certificateIssuer (meaningful only in an indirect CRL). */
  readonly hasCertificateIssuerEntries: boolean;
  /**
   * Find a serial. `certIssuerKey` (a `Name.key`) selects entries of that
   * certificate issuer; omitted, entries attributed to the CRL issuer itself.
   */
  lookup(serial: Uint8Array, certIssuerKey?: string): CrlEntryHit | undefined;
  /** Materialise entry i (0 ≤ i < size). */
  entry(i: number): CrlEntry;
}

export interface ParseCrlOptions {
  /** Reject larger inputs with INPUT_TOO_LARGE. Default 64 MiB. */
  maxBytes?: number;
  /** Reject CRLs with more entries (MALFORMED_CRL). Default 10,000,000. */
  maxEntries?: number;
}
