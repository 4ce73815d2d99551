/**
 * Public API of libs/pki (`@jointcert/pki`): framework-free PKI for jointcert.
 * Every name here is used by an app, another lib, a script, a benchmark or a
 * test outside libs/pki; add a name when a caller needs it. Two sub-paths:
 *
 *   @jointcert/pki/der      DER reader and builders (the CLI's inspector, tests
 *                           and fixtures that build ASN.1 by hand)
 *   @jointcert/pki/issuing  the certificate/CRL/OCSP/NPKI issuing toolkit the
 *                           dev CA ships on (and tests build their chains with)
 *
 * Tests of libs/pki itself import the module they test by relative path.
 */

// Errors: one error type with a typed code.
export { isPkiError, PkiError, type PkiErrorCode } from './errors';

// Text encodings: PEM, Base64 (size-bounded), hex.
export { decodeBase64, decodePem, decodePemAll, encodePem } from './der/encoding';
export { toHex } from './der/values';

// Certificates and names.
export { parseCertificate, parseCertificates } from './cert/parse';
export { nameFromDer, namesEqual } from './cert/name';
export { OID, type Certificate, type Name } from './cert/types';

// Signature algorithms and digests.
export { DEFAULT_ALGORITHM_POLICY } from './crypto/signature';
export { DIGEST_OID, type DigestName } from './crypto/digest';

// CMS SignedData: parsing, signer lookup, verification.
export { CMS_OID, parseSignedData, type SignerInfo } from './cms/parse';
export { findSignerCertificates } from './cms/signer-id';
export { cachedCertificate } from './cms/cert-cache';
export {
  clearCmsCaches,
  DEFAULT_ALLOWED_DIGESTS,
  verifySignedData,
  type CmsReason,
  type CmsSignerResult,
  type CmsVerification,
  type VerifySignedDataOptions,
} from './cms/verify';

// Path validation: an explicit policy in, a result with every check out.
export { createValidationPolicy, type ValidationPolicy } from './path/policy';
export { validatePath } from './path/build';
export { type PathCheck, type PathReason, type PathResult } from './path/result';
export { KNOWN_EXTENSIONS } from './path/process';
export { anchorDefects } from './path/profile';

// Revocation: the checker (OCSP then CRL), its cache and fetchers, on the clock they are handed.
export { type Clock, isoString } from './clock';
export { REVOCATION_REASONS, type HttpFetcher, type RevocationReason, type RevocationStatus } from './revocation/types';
export {
  RevocationChecker,
  revocationVerdict,
  type CertificateRevocation,
  type OcspOverride,
  type RevocationMode,
  type RevocationVerdict,
} from './revocation/checker';
export { type CachedEntry, type RevocationCache } from './revocation/cache';
export { createNodeHttpFetcher, isRestrictedAddress } from './revocation/node-http-fetcher';

// Revocation: CRLs.
export { crlUrlsOf, FetchingCrlSource } from './revocation/crl-source';
export { parseCrl } from './revocation/crl/parse';
export { checkCrl } from './revocation/crl/check';
export { fetchCrl, type CrlFetchResult, type LdapFetcher, type LdapRequest } from './revocation/crl/fetch';
export { createLdapFetcher, defaultLdapFetcher } from './revocation/crl/ldap-fetcher';

// Revocation: OCSP.
export { buildOcspRequest, issuerHashes } from './revocation/ocsp/request';
export { parseOcspRequest, parseOcspResponse } from './revocation/ocsp/parse';
export { verifyOcspResponse } from './revocation/ocsp/verify';
export { ocspGetUrl } from './revocation/ocsp/fetch';
export { type OcspRequestInfo } from './revocation/ocsp/types';

// Korean NPKI: signPri.key files and NPKI folders.
export {
  addRandomNum,
  assertKeyMatchesCertificate,
  decryptSignPriKey,
  encryptSignPriKey,
  type EncryptOptions,
} from './npki/keyfile';
export { LEGACY_SEED_VARIANTS, parseEncryptedPrivateKeyInfo } from './npki/keyfile-format';
export { listNpkiFolder } from './npki/folder';

// Korean NPKI: identity (identifyData, VID) and the server's key-management exchange.
export { computeVid, encodeIdentifyData, identifyDataOf, normalizeIdn, verifyVid, type IdentifyData } from './npki/vid';
export { decryptEncryptedRandom, encryptVidMsg, type KmKeyPair } from './npki/km';
export { cnBaseOf, commonNameOf, hasIdentifyData } from './npki/subject';

// Korean NPKI: certificate policies and accepted certificate types.
export {
  buildAcceptedTypes,
  certificatePolicyOids,
  checkCertificatePolicy,
  classifyCertificate,
  classifyPolicies,
  NPKI_POLICIES,
  type AcceptedTypes,
  type NpkiCa,
} from './npki/profile';
