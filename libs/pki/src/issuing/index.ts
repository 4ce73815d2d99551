/**
 * @jointcert/pki/issuing — the Korean-profile issuing toolkit. Production code:
 * the dev CA issues its certificates, CRLs, OCSP responses and LDAP answers with
 * it; tests and benchmarks build their chains with it too. Test-only helpers
 * that are not issuance (decoy issuers) live in libs/pki/test-support/.
 *
 *   keys.ts        RSA/EC key generation and the per-test-file key pool (testKey)
 *   names.ts       distinguished names with chosen string types
 *   signing.ts     signature AlgorithmIdentifiers and signing
 *   extensions.ts  X.509 extension encoders, GeneralNames, distribution points
 *   certificate.ts buildCertificate / issue / issueChain, tamperSignature
 *   korean.ts      issueKoreanChain: a yessign-shaped root → CA → user chain
 *   npki-folder.ts writeNpkiFolder: NPKI/<CA>/USER/<cn=...>/signCert.der + signPri.key
 *   crl.ts         buildCrl, encodeRevokedEntries (written by the revocation work)
 *   ocsp.ts        buildOcspResponse
 *   ldap-responder.ts  a minimal LDAP server answering CRL searches (the dev CA's)
 *   cms.ts         signCms: CMS SignedData as clients, OpenSSL and hostile peers make it (tests)
 */
export * from './keys';
export * from './names';
export * from './signing';
export * from './extensions';
export * from './certificate';
export * from './korean';
export * from './npki-folder';
export * from './crl';
export * from './ocsp';
export * from './cms';
export * from './ldap-responder';
