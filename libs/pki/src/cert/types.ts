/**
 * The certificate model: what the rest of jointcert reads from an X.509
 * certificate. Plain data (no methods that do I/O); raw DER kept beside every
 * decoded structure so signatures and exact comparisons stay possible.
 *
 * Produced by `parseCertificate(der)` (./parse.ts). Times are epoch
 * milliseconds (UTC). Serials are bytes (two's complement), never numbers.
 */

/** OIDs used across the library. */
export const OID = {
  // extensions
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  freshestCrl: '2.5.29.46',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  subjectInfoAccess: '1.3.6.1.5.5.7.1.11',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  // access methods
  adOcsp: '1.3.6.1.5.5.7.48.1',
  adCaIssuers: '1.3.6.1.5.5.7.48.2',
  // policies and qualifiers
  anyPolicy: '2.5.29.32.0',
  qtCps: '1.3.6.1.5.5.7.2.1',
  qtUnotice: '1.3.6.1.5.5.7.2.2',
  // extended key usages
  anyExtendedKeyUsage: '2.5.29.37.0',
  kpServerAuth: '1.3.6.1.5.5.7.3.1',
  kpClientAuth: '1.3.6.1.5.5.7.3.2',
  kpCodeSigning: '1.3.6.1.5.5.7.3.3',
  kpEmailProtection: '1.3.6.1.5.5.7.3.4',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  // key and signature algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  md5WithRSA: '1.2.840.113549.1.1.4',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  sha224WithRSA: '1.2.840.113549.1.1.14',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA1: '1.2.840.10045.4.1',
  ecdsaWithSHA224: '1.2.840.10045.4.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  dsa: '1.2.840.10040.4.1',
  dsaWithSHA1: '1.2.840.10040.4.3',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  mgf1: '1.2.840.113549.1.1.8',
  // curves
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',
  // digests
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  md5: '1.2.840.113549.2.5',
  // name attributes
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  serialNumber: '2.5.4.5',
  countryName: '2.5.4.6',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',
  domainComponent: '0.9.2342.19200300.100.1.25',
  // Korean NPKI
  npkiIdentifyData: '1.2.410.200004.10.1.1',
  npkiVid: '1.2.410.200004.10.1.1.1',
  npkiRandomNum: '1.2.410.200004.10.1.1.3',
} as const;

export interface AlgorithmIdentifier {
  oid: string;
  /** DER of the parameters element when present (NULL included: 05 00); undefined when absent. */
  params?: Uint8Array;
  /** DER of the whole AlgorithmIdentifier. */
  der: Uint8Array;
}

export type PublicKeyType = 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';

export interface SubjectPublicKeyInfo {
  /** DER of the whole SubjectPublicKeyInfo (what crypto.createPublicKey takes as 'spki'). */
  der: Uint8Array;
  algorithm: AlgorithmIdentifier;
  /** subjectPublicKey BIT STRING contents without the unused-bits octet. */
  publicKey: Uint8Array;
  keyType: PublicKeyType;
  /** RSA modulus size in bits (RSA keys only). */
  rsaBits?: number;
  /** RSA public exponent size in bits (RSA keys only). */
  rsaExponentBits?: number;
  /** RSA public exponent when it fits in 32 bits (RSA keys only). */
  rsaExponent?: number;
  /** Named curve OID (EC keys only). */
  curve?: string;
}

export interface AttributeTypeAndValue {
  type: string;
  /** Identifier octet of the value (0x13 PrintableString, 0x0c UTF8String, 0x1e BMPString, ...). */
  valueTag: number;
  /** The value as text; for non-string values the hex of its DER. */
  value: string;
  /** DER of the value element. */
  valueDer: Uint8Array;
}

export type RelativeDistinguishedName = AttributeTypeAndValue[];

export interface Name {
  /** DER of the Name (the RDNSequence SEQUENCE). */
  der: Uint8Array;
  rdns: RelativeDistinguishedName[];
  /**
   * Comparison key per RFC 5280 §7.1: equal keys ⇔ equal names. String values are
   * compared case-insensitively with whitespace folded (RFC 4518 simplified),
   * multi-valued RDNs as sets; non-string values byte for byte.
   */
  key: string;
  /** Human-readable form, RFC 4514 style, most significant RDN last ("CN=..,O=..,C=KR"). */
  text: string;
}

export interface Extension {
  oid: string;
  critical: boolean;
  /** extnValue OCTET STRING contents (the DER of the extension's own value). */
  value: Uint8Array;
}

export interface BasicConstraints {
  ca: boolean;
  pathLen?: number;
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

export const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

export type GeneralName =
  | { type: 'otherName'; typeId: string; /** DER of the value inside [0] EXPLICIT */ value: Uint8Array }
  | { type: 'rfc822Name'; value: string }
  | { type: 'dNSName'; value: string }
  | { type: 'x400Address'; der: Uint8Array }
  | { type: 'directoryName'; name: Name }
  | { type: 'ediPartyName'; der: Uint8Array }
  | { type: 'uniformResourceIdentifier'; value: string }
  | { type: 'iPAddress'; /** 4 or 16 bytes in SAN; 8 or 32 (address+mask) in name constraints */ bytes: Uint8Array }
  | { type: 'registeredID'; oid: string };

export interface UserNotice {
  noticeRef?: { organization: string; noticeNumbers: number[] };
  explicitText?: string;
}

export interface PolicyQualifier {
  oid: string;
  cps?: string;
  userNotice?: UserNotice;
  /** DER of the qualifier value, whatever its type. */
  der: Uint8Array;
}

export interface PolicyInformation {
  oid: string;
  qualifiers: PolicyQualifier[];
}

export interface CertificatePolicies {
  critical: boolean;
  policies: PolicyInformation[];
}

export interface PolicyMapping {
  issuerDomainPolicy: string;
  subjectDomainPolicy: string;
}

export interface PolicyConstraints {
  requireExplicitPolicy?: number;
  inhibitPolicyMapping?: number;
}

export interface GeneralSubtree {
  base: GeneralName;
  minimum: number;
  maximum?: number;
}

export interface NameConstraints {
  permitted?: GeneralSubtree[];
  excluded?: GeneralSubtree[];
}

export interface AccessDescription {
  method: string;
  location: GeneralName;
}

export type ReasonFlag =
  | 'unused'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'privilegeWithdrawn'
  | 'aACompromise';

export const REASON_FLAGS: readonly ReasonFlag[] = [
  'unused',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
];

/** The reasons a complete CRL covers: every ReasonFlag but 'unused'. */
export const ALL_REVOCATION_REASON_FLAGS: readonly ReasonFlag[] = REASON_FLAGS.filter((r) => r !== 'unused');

export interface DistributionPoint {
  /** distributionPoint.fullName */
  fullName?: GeneralName[];
  /** distributionPoint.nameRelativeToCRLIssuer, as the RDN's attributes */
  nameRelativeToCrlIssuer?: RelativeDistinguishedName;
  reasons?: ReasonFlag[];
  crlIssuer?: GeneralName[];
}

export interface AuthorityKeyIdentifier {
  keyIdentifier?: Uint8Array;
  authorityCertIssuer?: GeneralName[];
  authorityCertSerialNumber?: Uint8Array;
}

/** Typed view of the extensions that matter; each undefined when absent. */
export interface CertificateExtensions {
  basicConstraints?: BasicConstraints;
  /** Bits set in keyUsage. */
  keyUsage?: ReadonlySet<KeyUsageName>;
  /** extKeyUsage purpose OIDs. */
  extKeyUsage?: string[];
  certificatePolicies?: CertificatePolicies;
  policyMappings?: PolicyMapping[];
  policyConstraints?: PolicyConstraints;
  /** inhibitAnyPolicy SkipCerts. */
  inhibitAnyPolicy?: number;
  nameConstraints?: NameConstraints;
  subjectAltName?: GeneralName[];
  issuerAltName?: GeneralName[];
  authorityKeyIdentifier?: AuthorityKeyIdentifier;
  subjectKeyIdentifier?: Uint8Array;
  authorityInfoAccess?: AccessDescription[];
  crlDistributionPoints?: DistributionPoint[];
  freshestCrl?: DistributionPoint[];
  /** id-pkix-ocsp-nocheck present. */
  ocspNoCheck?: boolean;
  /** subjectInfoAccess (1.3.6.1.5.5.7.1.11), e.g. caRepository / timeStamping locations. */
  subjectInfoAccess?: AccessDescription[];
}

export interface Certificate {
  /** DER of the whole certificate. */
  der: Uint8Array;
  /** DER of tbsCertificate: what the issuer signed. */
  tbsDer: Uint8Array;
  /** 1, 2 or 3. */
  version: number;
  /** serialNumber content octets, two's complement, as encoded (negative serials kept). */
  serial: Uint8Array;
  /** Lower-case hex of `serial` (as encoded, so negative serials start with 8..f). */
  serialHex: string;
  /** The signatureAlgorithm outside tbsCertificate. */
  signatureAlgorithm: AlgorithmIdentifier;
  /** The signature field inside tbsCertificate (must equal signatureAlgorithm: checked in path validation). */
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  /** signatureValue BIT STRING contents. */
  signature: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: number;
  notAfter: number;
  spki: SubjectPublicKeyInfo;
  issuerUniqueId?: Uint8Array;
  subjectUniqueId?: Uint8Array;
  /** All extensions, raw, in order (unknown ones included). */
  extensions: Extension[];
  /** Typed view of the known extensions. */
  ext: CertificateExtensions;
  /** Lower-case hex SHA-256 of `der`. */
  fingerprintSha256: string;
  /** True when subject and issuer names are equal (a candidate self-issued/self-signed certificate). */
  selfIssued: boolean;
}
