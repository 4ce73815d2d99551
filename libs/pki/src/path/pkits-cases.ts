/**
 * NIST PKITS (Public Key Interoperability Test Suite, certification path
 * validation, sections 4.1–4.16) as data.
 *
 * Transcribed from the generated table `pkits_testcases-inl.h` of Chromium /
 * BoringSSL (chromium/chromium net/third_party/nist-pkits/pkits_testcases-inl.h,
 * google/boringssl pki/testdata/nist-pkits/pkits_testcases-inl.h), with the
 * defaults of its `PkitsTestInfo` (nist_pkits_unittest.cc): initial policy set
 * {anyPolicy}, user-constrained policy set {NIST-test-policy-1}, the three
 * initial flags false.
 *
 * Each entry: `certs` are the file names (without `.crt`) in PKITS_data/certs,
 * in path order from the one below the trust anchor down to the end entity
 * (last). The anchor "TrustAnchorRootCertificate" and the CRL
 * "TrustAnchorRootCRL" are implied for every case and omitted. `crls` are the
 * other CRLs (PKITS_data/crls, `.crl`). Policy sets use PKITS's own names
 * ("NIST-test-policy-1" = 2.16.840.1.101.3.2.1.48.1, "anyPolicy"), written as in
 * the source (comma separated, "" = the empty set). `ucps` is the expected
 * user-constrained policy set of a valid path.
 */
export interface PkitsCase {
  /** Test number, with the subpart when the source splits a test. */
  id: string;
  title: string;
  certs: readonly string[];
  crls: readonly string[];
  valid: boolean;
  /** initial-policy-set (default "anyPolicy"). */
  ips?: string;
  /** initial-explicit-policy. */
  iep?: boolean;
  /** initial-policy-mapping-inhibit. */
  ipmi?: boolean;
  /** initial-any-policy-inhibit. */
  iapi?: boolean;
  /** Expected user-constrained-policy-set (default "NIST-test-policy-1"). */
  ucps?: string;
}

export const PKITS_SECTIONS: Readonly<Record<string, string>> = {
  '4.1': 'Signature Verification',
  '4.2': 'Validity Periods',
  '4.3': 'Verifying Name Chaining',
  '4.4': 'Basic Certificate Revocation Tests',
  '4.5': 'Verifying Paths with Self-Issued Certificates',
  '4.6': 'Verifying Basic Constraints',
  '4.7': 'Key Usage',
  '4.8': 'Certificate Policies',
  '4.9': 'Require Explicit Policy',
  '4.10': 'Policy Mappings',
  '4.11': 'Inhibit Policy Mapping',
  '4.12': 'Inhibit Any Policy',
  '4.13': 'Name Constraints',
  '4.14': 'Distribution Points',
  '4.15': 'Delta-CRLs',
  '4.16': 'Private Certificate Extensions',
};

export const PKITS_CASES: readonly PkitsCase[] = [
  // 4.1 Signature Verification
  { id: '4.1.1', title: 'Valid Signatures Test1', certs: ['GoodCACert', 'ValidCertificatePathTest1EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.1.2', title: 'Invalid CA Signature Test2', certs: ['BadSignedCACert', 'InvalidCASignatureTest2EE'], crls: ['BadSignedCACRL'], valid: false },
  { id: '4.1.3', title: 'Invalid EE Signature Test3', certs: ['GoodCACert', 'InvalidEESignatureTest3EE'], crls: ['GoodCACRL'], valid: false },
  { id: '4.1.4', title: 'Valid DSA Signatures Test4', certs: ['DSACACert', 'ValidDSASignaturesTest4EE'], crls: ['DSACACRL'], valid: true },
  { id: '4.1.5', title: 'Valid DSA Parameter Inheritance Test5', certs: ['DSACACert', 'DSAParametersInheritedCACert', 'ValidDSAParameterInheritanceTest5EE'], crls: ['DSACACRL', 'DSAParametersInheritedCACRL'], valid: true },
  { id: '4.1.6', title: 'Invalid DSA Signature Test6', certs: ['DSACACert', 'InvalidDSASignatureTest6EE'], crls: ['DSACACRL'], valid: false },

  // 4.2 Validity Periods
  { id: '4.2.1', title: 'Invalid CA notBefore Date Test1', certs: ['BadnotBeforeDateCACert', 'InvalidCAnotBeforeDateTest1EE'], crls: ['BadnotBeforeDateCACRL'], valid: false },
  { id: '4.2.2', title: 'Invalid EE notBefore Date Test2', certs: ['GoodCACert', 'InvalidEEnotBeforeDateTest2EE'], crls: ['GoodCACRL'], valid: false },
  { id: '4.2.3', title: 'Valid pre2000 UTC notBefore Date Test3', certs: ['GoodCACert', 'Validpre2000UTCnotBeforeDateTest3EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.2.4', title: 'Valid GeneralizedTime notBefore Date Test4', certs: ['GoodCACert', 'ValidGeneralizedTimenotBeforeDateTest4EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.2.5', title: 'Invalid CA notAfter Date Test5', certs: ['BadnotAfterDateCACert', 'InvalidCAnotAfterDateTest5EE'], crls: ['BadnotAfterDateCACRL'], valid: false },
  { id: '4.2.6', title: 'Invalid EE notAfter Date Test6', certs: ['GoodCACert', 'InvalidEEnotAfterDateTest6EE'], crls: ['GoodCACRL'], valid: false },
  { id: '4.2.7', title: 'Invalid pre2000 UTC EE notAfter Date Test7', certs: ['GoodCACert', 'Invalidpre2000UTCEEnotAfterDateTest7EE'], crls: ['GoodCACRL'], valid: false },
  { id: '4.2.8', title: 'Valid GeneralizedTime notAfter Date Test8', certs: ['GoodCACert', 'ValidGeneralizedTimenotAfterDateTest8EE'], crls: ['GoodCACRL'], valid: true },

  // 4.3 Verifying Name Chaining
  { id: '4.3.1', title: 'Invalid Name Chaining EE Test1', certs: ['GoodCACert', 'InvalidNameChainingTest1EE'], crls: ['GoodCACRL'], valid: false },
  { id: '4.3.2', title: 'Invalid Name Chaining Order Test2', certs: ['NameOrderingCACert', 'InvalidNameChainingOrderTest2EE'], crls: ['NameOrderCACRL'], valid: false },
  { id: '4.3.3', title: 'Valid Name Chaining Whitespace Test3', certs: ['GoodCACert', 'ValidNameChainingWhitespaceTest3EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.3.4', title: 'Valid Name Chaining Whitespace Test4', certs: ['GoodCACert', 'ValidNameChainingWhitespaceTest4EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.3.5', title: 'Valid Name Chaining Capitalization Test5', certs: ['GoodCACert', 'ValidNameChainingCapitalizationTest5EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.3.6', title: 'Valid Name Chaining UIDs Test6', certs: ['UIDCACert', 'ValidNameUIDsTest6EE'], crls: ['UIDCACRL'], valid: true },
  { id: '4.3.7', title: 'Valid RFC3280 Mandatory Attribute Types Test7', certs: ['RFC3280MandatoryAttributeTypesCACert', 'ValidRFC3280MandatoryAttributeTypesTest7EE'], crls: ['RFC3280MandatoryAttributeTypesCACRL'], valid: true },
  { id: '4.3.8', title: 'Valid RFC3280 Optional Attribute Types Test8', certs: ['RFC3280OptionalAttributeTypesCACert', 'ValidRFC3280OptionalAttributeTypesTest8EE'], crls: ['RFC3280OptionalAttributeTypesCACRL'], valid: true },
  { id: '4.3.9', title: 'Valid UTF8String Encoded Names Test9', certs: ['UTF8StringEncodedNamesCACert', 'ValidUTF8StringEncodedNamesTest9EE'], crls: ['UTF8StringEncodedNamesCACRL'], valid: true },
  { id: '4.3.10', title: 'Valid Rollover from PrintableString to UTF8String Test10', certs: ['RolloverfromPrintableStringtoUTF8StringCACert', 'ValidRolloverfromPrintableStringtoUTF8StringTest10EE'], crls: ['RolloverfromPrintableStringtoUTF8StringCACRL'], valid: true },
  { id: '4.3.11', title: 'Valid UTF8String Case Insensitive Match Test11', certs: ['UTF8StringCaseInsensitiveMatchCACert', 'ValidUTF8StringCaseInsensitiveMatchTest11EE'], crls: ['UTF8StringCaseInsensitiveMatchCACRL'], valid: true },

  // 4.4 Basic Certificate Revocation Tests
  { id: '4.4.1', title: 'Missing CRL Test1', certs: ['NoCRLCACert', 'InvalidMissingCRLTest1EE'], crls: [], valid: false },
  { id: '4.4.2', title: 'Invalid Revoked CA Test2', certs: ['GoodCACert', 'RevokedsubCACert', 'InvalidRevokedCATest2EE'], crls: ['GoodCACRL', 'RevokedsubCACRL'], valid: false },
  { id: '4.4.3', title: 'Invalid Revoked EE Test3', certs: ['GoodCACert', 'InvalidRevokedEETest3EE'], crls: ['GoodCACRL'], valid: false },
  { id: '4.4.4', title: 'Invalid Bad CRL Signature Test4', certs: ['BadCRLSignatureCACert', 'InvalidBadCRLSignatureTest4EE'], crls: ['BadCRLSignatureCACRL'], valid: false },
  { id: '4.4.5', title: 'Invalid Bad CRL Issuer Name Test5', certs: ['BadCRLIssuerNameCACert', 'InvalidBadCRLIssuerNameTest5EE'], crls: ['BadCRLIssuerNameCACRL'], valid: false },
  { id: '4.4.6', title: 'Invalid Wrong CRL Test6', certs: ['WrongCRLCACert', 'InvalidWrongCRLTest6EE'], crls: ['WrongCRLCACRL'], valid: false },
  { id: '4.4.7', title: 'Valid Two CRLs Test7', certs: ['TwoCRLsCACert', 'ValidTwoCRLsTest7EE'], crls: ['TwoCRLsCAGoodCRL', 'TwoCRLsCABadCRL'], valid: true },
  { id: '4.4.8', title: 'Invalid Unknown CRL Entry Extension Test8', certs: ['UnknownCRLEntryExtensionCACert', 'InvalidUnknownCRLEntryExtensionTest8EE'], crls: ['UnknownCRLEntryExtensionCACRL'], valid: false },
  { id: '4.4.9', title: 'Invalid Unknown CRL Extension Test9', certs: ['UnknownCRLExtensionCACert', 'InvalidUnknownCRLExtensionTest9EE'], crls: ['UnknownCRLExtensionCACRL'], valid: false },
  { id: '4.4.10', title: 'Invalid Unknown CRL Extension Test10', certs: ['UnknownCRLExtensionCACert', 'InvalidUnknownCRLExtensionTest10EE'], crls: ['UnknownCRLExtensionCACRL'], valid: false },
  { id: '4.4.11', title: 'Invalid Old CRL nextUpdate Test11', certs: ['OldCRLnextUpdateCACert', 'InvalidOldCRLnextUpdateTest11EE'], crls: ['OldCRLnextUpdateCACRL'], valid: false },
  { id: '4.4.12', title: 'Invalid pre2000 CRL nextUpdate Test12', certs: ['pre2000CRLnextUpdateCACert', 'Invalidpre2000CRLnextUpdateTest12EE'], crls: ['pre2000CRLnextUpdateCACRL'], valid: false },
  { id: '4.4.13', title: 'Valid GeneralizedTime CRL nextUpdate Test13', certs: ['GeneralizedTimeCRLnextUpdateCACert', 'ValidGeneralizedTimeCRLnextUpdateTest13EE'], crls: ['GeneralizedTimeCRLnextUpdateCACRL'], valid: true },
  { id: '4.4.14', title: 'Valid Negative Serial Number Test14', certs: ['NegativeSerialNumberCACert', 'ValidNegativeSerialNumberTest14EE'], crls: ['NegativeSerialNumberCACRL'], valid: true },
  { id: '4.4.15', title: 'Invalid Negative Serial Number Test15', certs: ['NegativeSerialNumberCACert', 'InvalidNegativeSerialNumberTest15EE'], crls: ['NegativeSerialNumberCACRL'], valid: false },
  { id: '4.4.16', title: 'Valid Long Serial Number Test16', certs: ['LongSerialNumberCACert', 'ValidLongSerialNumberTest16EE'], crls: ['LongSerialNumberCACRL'], valid: true },
  { id: '4.4.17', title: 'Valid Long Serial Number Test17', certs: ['LongSerialNumberCACert', 'ValidLongSerialNumberTest17EE'], crls: ['LongSerialNumberCACRL'], valid: true },
  { id: '4.4.18', title: 'Invalid Long Serial Number Test18', certs: ['LongSerialNumberCACert', 'InvalidLongSerialNumberTest18EE'], crls: ['LongSerialNumberCACRL'], valid: false },
  { id: '4.4.19', title: 'Valid Separate Certificate and CRL Keys Test19', certs: ['SeparateCertificateandCRLKeysCertificateSigningCACert', 'SeparateCertificateandCRLKeysCRLSigningCert', 'ValidSeparateCertificateandCRLKeysTest19EE'], crls: ['SeparateCertificateandCRLKeysCRL'], valid: true },
  { id: '4.4.20', title: 'Invalid Separate Certificate and CRL Keys Test20', certs: ['SeparateCertificateandCRLKeysCertificateSigningCACert', 'SeparateCertificateandCRLKeysCRLSigningCert', 'InvalidSeparateCertificateandCRLKeysTest20EE'], crls: ['SeparateCertificateandCRLKeysCRL'], valid: false },
  { id: '4.4.21', title: 'Invalid Separate Certificate and CRL Keys Test21', certs: ['SeparateCertificateandCRLKeysCA2CertificateSigningCACert', 'SeparateCertificateandCRLKeysCA2CRLSigningCert', 'InvalidSeparateCertificateandCRLKeysTest21EE'], crls: ['SeparateCertificateandCRLKeysCA2CRL'], valid: false },

  // 4.5 Verifying Paths with Self-Issued Certificates
  { id: '4.5.1', title: 'Valid Basic Self-Issued Old With New Test1', certs: ['BasicSelfIssuedNewKeyCACert', 'BasicSelfIssuedNewKeyOldWithNewCACert', 'ValidBasicSelfIssuedOldWithNewTest1EE'], crls: ['BasicSelfIssuedNewKeyCACRL'], valid: true },
  { id: '4.5.2', title: 'Invalid Basic Self-Issued Old With New Test2', certs: ['BasicSelfIssuedNewKeyCACert', 'BasicSelfIssuedNewKeyOldWithNewCACert', 'InvalidBasicSelfIssuedOldWithNewTest2EE'], crls: ['BasicSelfIssuedNewKeyCACRL'], valid: false },
  { id: '4.5.3', title: 'Valid Basic Self-Issued New With Old Test3', certs: ['BasicSelfIssuedOldKeyCACert', 'BasicSelfIssuedOldKeyNewWithOldCACert', 'ValidBasicSelfIssuedNewWithOldTest3EE'], crls: ['BasicSelfIssuedOldKeySelfIssuedCertCRL', 'BasicSelfIssuedOldKeyCACRL'], valid: true },
  { id: '4.5.4', title: 'Valid Basic Self-Issued New With Old Test4', certs: ['BasicSelfIssuedOldKeyCACert', 'BasicSelfIssuedOldKeyNewWithOldCACert', 'ValidBasicSelfIssuedNewWithOldTest4EE'], crls: ['BasicSelfIssuedOldKeySelfIssuedCertCRL', 'BasicSelfIssuedOldKeyCACRL'], valid: true },
  { id: '4.5.5', title: 'Invalid Basic Self-Issued New With Old Test5', certs: ['BasicSelfIssuedOldKeyCACert', 'BasicSelfIssuedOldKeyNewWithOldCACert', 'InvalidBasicSelfIssuedNewWithOldTest5EE'], crls: ['BasicSelfIssuedOldKeySelfIssuedCertCRL', 'BasicSelfIssuedOldKeyCACRL'], valid: false },
  { id: '4.5.6', title: 'Valid Basic Self-Issued CRL Signing Key Test6', certs: ['BasicSelfIssuedCRLSigningKeyCACert', 'BasicSelfIssuedCRLSigningKeyCRLCert', 'ValidBasicSelfIssuedCRLSigningKeyTest6EE'], crls: ['BasicSelfIssuedCRLSigningKeyCRLCertCRL', 'BasicSelfIssuedCRLSigningKeyCACRL'], valid: true },
  { id: '4.5.7', title: 'Invalid Basic Self-Issued CRL Signing Key Test7', certs: ['BasicSelfIssuedCRLSigningKeyCACert', 'BasicSelfIssuedCRLSigningKeyCRLCert', 'InvalidBasicSelfIssuedCRLSigningKeyTest7EE'], crls: ['BasicSelfIssuedCRLSigningKeyCRLCertCRL', 'BasicSelfIssuedCRLSigningKeyCACRL'], valid: false },
  { id: '4.5.8', title: 'Invalid Basic Self-Issued CRL Signing Key Test8', certs: ['BasicSelfIssuedCRLSigningKeyCACert', 'BasicSelfIssuedCRLSigningKeyCRLCert', 'InvalidBasicSelfIssuedCRLSigningKeyTest8EE'], crls: ['BasicSelfIssuedCRLSigningKeyCRLCertCRL', 'BasicSelfIssuedCRLSigningKeyCACRL'], valid: false },

  // 4.6 Verifying Basic Constraints
  { id: '4.6.1', title: 'Invalid Missing basicConstraints Test1', certs: ['MissingbasicConstraintsCACert', 'InvalidMissingbasicConstraintsTest1EE'], crls: ['MissingbasicConstraintsCACRL'], valid: false },
  { id: '4.6.2', title: 'Invalid cA False Test2', certs: ['basicConstraintsCriticalcAFalseCACert', 'InvalidcAFalseTest2EE'], crls: ['basicConstraintsCriticalcAFalseCACRL'], valid: false },
  { id: '4.6.3', title: 'Invalid cA False Test3', certs: ['basicConstraintsNotCriticalcAFalseCACert', 'InvalidcAFalseTest3EE'], crls: ['basicConstraintsNotCriticalcAFalseCACRL'], valid: false },
  { id: '4.6.4', title: 'Valid basicConstraints Not Critical Test4', certs: ['basicConstraintsNotCriticalCACert', 'ValidbasicConstraintsNotCriticalTest4EE'], crls: ['basicConstraintsNotCriticalCACRL'], valid: true },
  { id: '4.6.5', title: 'Invalid pathLenConstraint Test5', certs: ['pathLenConstraint0CACert', 'pathLenConstraint0subCACert', 'InvalidpathLenConstraintTest5EE'], crls: ['pathLenConstraint0CACRL', 'pathLenConstraint0subCACRL'], valid: false },
  { id: '4.6.6', title: 'Invalid pathLenConstraint Test6', certs: ['pathLenConstraint0CACert', 'pathLenConstraint0subCACert', 'InvalidpathLenConstraintTest6EE'], crls: ['pathLenConstraint0CACRL', 'pathLenConstraint0subCACRL'], valid: false },
  { id: '4.6.7', title: 'Valid pathLenConstraint Test7', certs: ['pathLenConstraint0CACert', 'ValidpathLenConstraintTest7EE'], crls: ['pathLenConstraint0CACRL'], valid: true },
  { id: '4.6.8', title: 'Valid pathLenConstraint Test8', certs: ['pathLenConstraint0CACert', 'ValidpathLenConstraintTest8EE'], crls: ['pathLenConstraint0CACRL'], valid: true },
  { id: '4.6.9', title: 'Invalid pathLenConstraint Test9', certs: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA0Cert', 'pathLenConstraint6subsubCA00Cert', 'InvalidpathLenConstraintTest9EE'], crls: ['pathLenConstraint6CACRL', 'pathLenConstraint6subCA0CRL', 'pathLenConstraint6subsubCA00CRL'], valid: false },
  { id: '4.6.10', title: 'Invalid pathLenConstraint Test10', certs: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA0Cert', 'pathLenConstraint6subsubCA00Cert', 'InvalidpathLenConstraintTest10EE'], crls: ['pathLenConstraint6CACRL', 'pathLenConstraint6subCA0CRL', 'pathLenConstraint6subsubCA00CRL'], valid: false },
  { id: '4.6.11', title: 'Invalid pathLenConstraint Test11', certs: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA1Cert', 'pathLenConstraint6subsubCA11Cert', 'pathLenConstraint6subsubsubCA11XCert', 'InvalidpathLenConstraintTest11EE'], crls: ['pathLenConstraint6CACRL', 'pathLenConstraint6subCA1CRL', 'pathLenConstraint6subsubCA11CRL', 'pathLenConstraint6subsubsubCA11XCRL'], valid: false },
  { id: '4.6.12', title: 'Invalid pathLenConstraint Test12', certs: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA1Cert', 'pathLenConstraint6subsubCA11Cert', 'pathLenConstraint6subsubsubCA11XCert', 'InvalidpathLenConstraintTest12EE'], crls: ['pathLenConstraint6CACRL', 'pathLenConstraint6subCA1CRL', 'pathLenConstraint6subsubCA11CRL', 'pathLenConstraint6subsubsubCA11XCRL'], valid: false },
  { id: '4.6.13', title: 'Valid pathLenConstraint Test13', certs: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA4Cert', 'pathLenConstraint6subsubCA41Cert', 'pathLenConstraint6subsubsubCA41XCert', 'ValidpathLenConstraintTest13EE'], crls: ['pathLenConstraint6CACRL', 'pathLenConstraint6subCA4CRL', 'pathLenConstraint6subsubCA41CRL', 'pathLenConstraint6subsubsubCA41XCRL'], valid: true },
  { id: '4.6.14', title: 'Valid pathLenConstraint Test14', certs: ['pathLenConstraint6CACert', 'pathLenConstraint6subCA4Cert', 'pathLenConstraint6subsubCA41Cert', 'pathLenConstraint6subsubsubCA41XCert', 'ValidpathLenConstraintTest14EE'], crls: ['pathLenConstraint6CACRL', 'pathLenConstraint6subCA4CRL', 'pathLenConstraint6subsubCA41CRL', 'pathLenConstraint6subsubsubCA41XCRL'], valid: true },
  { id: '4.6.15', title: 'Valid Self-Issued pathLenConstraint Test15', certs: ['pathLenConstraint0CACert', 'pathLenConstraint0SelfIssuedCACert', 'ValidSelfIssuedpathLenConstraintTest15EE'], crls: ['pathLenConstraint0CACRL'], valid: true },
  { id: '4.6.16', title: 'Invalid Self-Issued pathLenConstraint Test16', certs: ['pathLenConstraint0CACert', 'pathLenConstraint0SelfIssuedCACert', 'pathLenConstraint0subCA2Cert', 'InvalidSelfIssuedpathLenConstraintTest16EE'], crls: ['pathLenConstraint0CACRL', 'pathLenConstraint0subCA2CRL'], valid: false },
  { id: '4.6.17', title: 'Valid Self-Issued pathLenConstraint Test17', certs: ['pathLenConstraint1CACert', 'pathLenConstraint1SelfIssuedCACert', 'pathLenConstraint1subCACert', 'pathLenConstraint1SelfIssuedsubCACert', 'ValidSelfIssuedpathLenConstraintTest17EE'], crls: ['pathLenConstraint1CACRL', 'pathLenConstraint1subCACRL'], valid: true },

  // 4.7 Key Usage
  { id: '4.7.1', title: 'Invalid keyUsage Critical keyCertSign False Test1', certs: ['keyUsageCriticalkeyCertSignFalseCACert', 'InvalidkeyUsageCriticalkeyCertSignFalseTest1EE'], crls: ['keyUsageCriticalkeyCertSignFalseCACRL'], valid: false },
  { id: '4.7.2', title: 'Invalid keyUsage Not Critical keyCertSign False Test2', certs: ['keyUsageNotCriticalkeyCertSignFalseCACert', 'InvalidkeyUsageNotCriticalkeyCertSignFalseTest2EE'], crls: ['keyUsageNotCriticalkeyCertSignFalseCACRL'], valid: false },
  { id: '4.7.3', title: 'Valid keyUsage Not Critical Test3', certs: ['keyUsageNotCriticalCACert', 'ValidkeyUsageNotCriticalTest3EE'], crls: ['keyUsageNotCriticalCACRL'], valid: true },
  { id: '4.7.4', title: 'Invalid keyUsage Critical cRLSign False Test4', certs: ['keyUsageCriticalcRLSignFalseCACert', 'InvalidkeyUsageCriticalcRLSignFalseTest4EE'], crls: ['keyUsageCriticalcRLSignFalseCACRL'], valid: false },
  { id: '4.7.5', title: 'Invalid keyUsage Not Critical cRLSign False Test5', certs: ['keyUsageNotCriticalcRLSignFalseCACert', 'InvalidkeyUsageNotCriticalcRLSignFalseTest5EE'], crls: ['keyUsageNotCriticalcRLSignFalseCACRL'], valid: false },

  // 4.8 Certificate Policies
  { id: '4.8.1 (1)', title: 'All Certificates Same Policy Test1 (Subpart 1)', certs: ['GoodCACert', 'ValidCertificatePathTest1EE'], crls: ['GoodCACRL'], valid: true, iep: true },
  { id: '4.8.1 (2)', title: 'All Certificates Same Policy Test1 (Subpart 2)', certs: ['GoodCACert', 'ValidCertificatePathTest1EE'], crls: ['GoodCACRL'], valid: true, ips: 'NIST-test-policy-1', iep: true },
  { id: '4.8.1 (3)', title: 'All Certificates Same Policy Test1 (Subpart 3)', certs: ['GoodCACert', 'ValidCertificatePathTest1EE'], crls: ['GoodCACRL'], valid: false, ips: 'NIST-test-policy-2', iep: true, ucps: '' },
  { id: '4.8.1 (4)', title: 'All Certificates Same Policy Test1 (Subpart 4)', certs: ['GoodCACert', 'ValidCertificatePathTest1EE'], crls: ['GoodCACRL'], valid: true, ips: 'NIST-test-policy-1,NIST-test-policy-2', iep: true },
  { id: '4.8.2 (1)', title: 'All Certificates No Policies Test2 (Subpart 1)', certs: ['NoPoliciesCACert', 'AllCertificatesNoPoliciesTest2EE'], crls: ['NoPoliciesCACRL'], valid: true, ucps: '' },
  { id: '4.8.2 (2)', title: 'All Certificates No Policies Test2 (Subpart 2)', certs: ['NoPoliciesCACert', 'AllCertificatesNoPoliciesTest2EE'], crls: ['NoPoliciesCACRL'], valid: false, iep: true, ucps: '' },
  { id: '4.8.3 (1)', title: 'Different Policies Test3 (Subpart 1)', certs: ['GoodCACert', 'PoliciesP2subCACert', 'DifferentPoliciesTest3EE'], crls: ['GoodCACRL', 'PoliciesP2subCACRL'], valid: true, ucps: '' },
  { id: '4.8.3 (2)', title: 'Different Policies Test3 (Subpart 2)', certs: ['GoodCACert', 'PoliciesP2subCACert', 'DifferentPoliciesTest3EE'], crls: ['GoodCACRL', 'PoliciesP2subCACRL'], valid: false, iep: true, ucps: '' },
  { id: '4.8.3 (3)', title: 'Different Policies Test3 (Subpart 3)', certs: ['GoodCACert', 'PoliciesP2subCACert', 'DifferentPoliciesTest3EE'], crls: ['GoodCACRL', 'PoliciesP2subCACRL'], valid: false, ips: 'NIST-test-policy-1,NIST-test-policy-2', iep: true, ucps: '' },
  { id: '4.8.4', title: 'Different Policies Test4', certs: ['GoodCACert', 'GoodsubCACert', 'DifferentPoliciesTest4EE'], crls: ['GoodCACRL', 'GoodsubCACRL'], valid: false, ucps: '' },
  { id: '4.8.5', title: 'Different Policies Test5', certs: ['GoodCACert', 'PoliciesP2subCA2Cert', 'DifferentPoliciesTest5EE'], crls: ['GoodCACRL', 'PoliciesP2subCA2CRL'], valid: false, ucps: '' },
  { id: '4.8.6 (1)', title: 'Overlapping Policies Test6 (Subpart 1)', certs: ['PoliciesP1234CACert', 'PoliciesP1234subCAP123Cert', 'PoliciesP1234subsubCAP123P12Cert', 'OverlappingPoliciesTest6EE'], crls: ['PoliciesP1234CACRL', 'PoliciesP1234subCAP123CRL', 'PoliciesP1234subsubCAP123P12CRL'], valid: true },
  { id: '4.8.6 (2)', title: 'Overlapping Policies Test6 (Subpart 2)', certs: ['PoliciesP1234CACert', 'PoliciesP1234subCAP123Cert', 'PoliciesP1234subsubCAP123P12Cert', 'OverlappingPoliciesTest6EE'], crls: ['PoliciesP1234CACRL', 'PoliciesP1234subCAP123CRL', 'PoliciesP1234subsubCAP123P12CRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.8.6 (3)', title: 'Overlapping Policies Test6 (Subpart 3)', certs: ['PoliciesP1234CACert', 'PoliciesP1234subCAP123Cert', 'PoliciesP1234subsubCAP123P12Cert', 'OverlappingPoliciesTest6EE'], crls: ['PoliciesP1234CACRL', 'PoliciesP1234subCAP123CRL', 'PoliciesP1234subsubCAP123P12CRL'], valid: false, ips: 'NIST-test-policy-2', ucps: '' },
  { id: '4.8.7', title: 'Different Policies Test7', certs: ['PoliciesP123CACert', 'PoliciesP123subCAP12Cert', 'PoliciesP123subsubCAP12P1Cert', 'DifferentPoliciesTest7EE'], crls: ['PoliciesP123CACRL', 'PoliciesP123subCAP12CRL', 'PoliciesP123subsubCAP12P1CRL'], valid: false, ucps: '' },
  { id: '4.8.8', title: 'Different Policies Test8', certs: ['PoliciesP12CACert', 'PoliciesP12subCAP1Cert', 'PoliciesP12subsubCAP1P2Cert', 'DifferentPoliciesTest8EE'], crls: ['PoliciesP12CACRL', 'PoliciesP12subCAP1CRL', 'PoliciesP12subsubCAP1P2CRL'], valid: false, ucps: '' },
  { id: '4.8.9', title: 'Different Policies Test9', certs: ['PoliciesP123CACert', 'PoliciesP123subCAP12Cert', 'PoliciesP123subsubCAP12P2Cert', 'PoliciesP123subsubsubCAP12P2P1Cert', 'DifferentPoliciesTest9EE'], crls: ['PoliciesP123CACRL', 'PoliciesP123subCAP12CRL', 'PoliciesP123subsubCAP2P2CRL', 'PoliciesP123subsubsubCAP12P2P1CRL'], valid: false, ucps: '' },
  { id: '4.8.10 (1)', title: 'All Certificates Same Policies Test10 (Subpart 1)', certs: ['PoliciesP12CACert', 'AllCertificatesSamePoliciesTest10EE'], crls: ['PoliciesP12CACRL'], valid: true, ucps: 'NIST-test-policy-1,NIST-test-policy-2' },
  { id: '4.8.10 (2)', title: 'All Certificates Same Policies Test10 (Subpart 2)', certs: ['PoliciesP12CACert', 'AllCertificatesSamePoliciesTest10EE'], crls: ['PoliciesP12CACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.8.10 (3)', title: 'All Certificates Same Policies Test10 (Subpart 3)', certs: ['PoliciesP12CACert', 'AllCertificatesSamePoliciesTest10EE'], crls: ['PoliciesP12CACRL'], valid: true, ips: 'NIST-test-policy-2', ucps: 'NIST-test-policy-2' },
  { id: '4.8.11 (1)', title: 'All Certificates AnyPolicy Test11 (Subpart 1)', certs: ['anyPolicyCACert', 'AllCertificatesanyPolicyTest11EE'], crls: ['anyPolicyCACRL'], valid: true, ucps: 'anyPolicy' },
  { id: '4.8.11 (2)', title: 'All Certificates AnyPolicy Test11 (Subpart 2)', certs: ['anyPolicyCACert', 'AllCertificatesanyPolicyTest11EE'], crls: ['anyPolicyCACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.8.12', title: 'Different Policies Test12', certs: ['PoliciesP3CACert', 'DifferentPoliciesTest12EE'], crls: ['PoliciesP3CACRL'], valid: false, ucps: '' },
  { id: '4.8.13 (1)', title: 'All Certificates Same Policies Test13 (Subpart 1)', certs: ['PoliciesP123CACert', 'AllCertificatesSamePoliciesTest13EE'], crls: ['PoliciesP123CACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.8.13 (2)', title: 'All Certificates Same Policies Test13 (Subpart 2)', certs: ['PoliciesP123CACert', 'AllCertificatesSamePoliciesTest13EE'], crls: ['PoliciesP123CACRL'], valid: true, ips: 'NIST-test-policy-2', ucps: 'NIST-test-policy-2' },
  { id: '4.8.13 (3)', title: 'All Certificates Same Policies Test13 (Subpart 3)', certs: ['PoliciesP123CACert', 'AllCertificatesSamePoliciesTest13EE'], crls: ['PoliciesP123CACRL'], valid: true, ips: 'NIST-test-policy-3', ucps: 'NIST-test-policy-3' },
  { id: '4.8.14 (1)', title: 'AnyPolicy Test14 (Subpart 1)', certs: ['anyPolicyCACert', 'AnyPolicyTest14EE'], crls: ['anyPolicyCACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.8.14 (2)', title: 'AnyPolicy Test14 (Subpart 2)', certs: ['anyPolicyCACert', 'AnyPolicyTest14EE'], crls: ['anyPolicyCACRL'], valid: false, ips: 'NIST-test-policy-2', ucps: '' },
  { id: '4.8.15', title: 'User Notice Qualifier Test15', certs: ['UserNoticeQualifierTest15EE'], crls: [], valid: true },
  { id: '4.8.16', title: 'User Notice Qualifier Test16', certs: ['GoodCACert', 'UserNoticeQualifierTest16EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.8.17', title: 'User Notice Qualifier Test17', certs: ['GoodCACert', 'UserNoticeQualifierTest17EE'], crls: ['GoodCACRL'], valid: true },
  { id: '4.8.18 (1)', title: 'User Notice Qualifier Test18 (Subpart 1)', certs: ['PoliciesP12CACert', 'UserNoticeQualifierTest18EE'], crls: ['PoliciesP12CACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.8.18 (2)', title: 'User Notice Qualifier Test18 (Subpart 2)', certs: ['PoliciesP12CACert', 'UserNoticeQualifierTest18EE'], crls: ['PoliciesP12CACRL'], valid: true, ips: 'NIST-test-policy-2', ucps: 'NIST-test-policy-2' },
  { id: '4.8.19', title: 'User Notice Qualifier Test19', certs: ['UserNoticeQualifierTest19EE'], crls: [], valid: true },
  { id: '4.8.20', title: 'CPS Pointer Qualifier Test20', certs: ['GoodCACert', 'CPSPointerQualifierTest20EE'], crls: ['GoodCACRL'], valid: true, ips: 'NIST-test-policy-1', iep: true },

  // 4.9 Require Explicit Policy
  { id: '4.9.1', title: 'Valid RequireExplicitPolicy Test1', certs: ['requireExplicitPolicy10CACert', 'requireExplicitPolicy10subCACert', 'requireExplicitPolicy10subsubCACert', 'requireExplicitPolicy10subsubsubCACert', 'ValidrequireExplicitPolicyTest1EE'], crls: ['requireExplicitPolicy10CACRL', 'requireExplicitPolicy10subCACRL', 'requireExplicitPolicy10subsubCACRL', 'requireExplicitPolicy10subsubsubCACRL'], valid: true, ucps: '' },
  { id: '4.9.2', title: 'Valid RequireExplicitPolicy Test2', certs: ['requireExplicitPolicy5CACert', 'requireExplicitPolicy5subCACert', 'requireExplicitPolicy5subsubCACert', 'requireExplicitPolicy5subsubsubCACert', 'ValidrequireExplicitPolicyTest2EE'], crls: ['requireExplicitPolicy5CACRL', 'requireExplicitPolicy5subCACRL', 'requireExplicitPolicy5subsubCACRL', 'requireExplicitPolicy5subsubsubCACRL'], valid: true, ucps: '' },
  { id: '4.9.3', title: 'Invalid RequireExplicitPolicy Test3', certs: ['requireExplicitPolicy4CACert', 'requireExplicitPolicy4subCACert', 'requireExplicitPolicy4subsubCACert', 'requireExplicitPolicy4subsubsubCACert', 'InvalidrequireExplicitPolicyTest3EE'], crls: ['requireExplicitPolicy4CACRL', 'requireExplicitPolicy4subCACRL', 'requireExplicitPolicy4subsubCACRL', 'requireExplicitPolicy4subsubsubCACRL'], valid: false, ucps: '' },
  { id: '4.9.4', title: 'Valid RequireExplicitPolicy Test4', certs: ['requireExplicitPolicy0CACert', 'requireExplicitPolicy0subCACert', 'requireExplicitPolicy0subsubCACert', 'requireExplicitPolicy0subsubsubCACert', 'ValidrequireExplicitPolicyTest4EE'], crls: ['requireExplicitPolicy0CACRL', 'requireExplicitPolicy0subCACRL', 'requireExplicitPolicy0subsubCACRL', 'requireExplicitPolicy0subsubsubCACRL'], valid: true },
  { id: '4.9.5', title: 'Invalid RequireExplicitPolicy Test5', certs: ['requireExplicitPolicy7CACert', 'requireExplicitPolicy7subCARE2Cert', 'requireExplicitPolicy7subsubCARE2RE4Cert', 'requireExplicitPolicy7subsubsubCARE2RE4Cert', 'InvalidrequireExplicitPolicyTest5EE'], crls: ['requireExplicitPolicy7CACRL', 'requireExplicitPolicy7subCARE2CRL', 'requireExplicitPolicy7subsubCARE2RE4CRL', 'requireExplicitPolicy7subsubsubCARE2RE4CRL'], valid: false, ucps: '' },
  { id: '4.9.6', title: 'Valid Self-Issued requireExplicitPolicy Test6', certs: ['requireExplicitPolicy2CACert', 'requireExplicitPolicy2SelfIssuedCACert', 'ValidSelfIssuedrequireExplicitPolicyTest6EE'], crls: ['requireExplicitPolicy2CACRL'], valid: true, ucps: '' },
  { id: '4.9.7', title: 'Invalid Self-Issued requireExplicitPolicy Test7', certs: ['requireExplicitPolicy2CACert', 'requireExplicitPolicy2SelfIssuedCACert', 'requireExplicitPolicy2subCACert', 'InvalidSelfIssuedrequireExplicitPolicyTest7EE'], crls: ['requireExplicitPolicy2CACRL', 'requireExplicitPolicy2subCACRL'], valid: false, ucps: '' },
  { id: '4.9.8', title: 'Invalid Self-Issued requireExplicitPolicy Test8', certs: ['requireExplicitPolicy2CACert', 'requireExplicitPolicy2SelfIssuedCACert', 'requireExplicitPolicy2subCACert', 'requireExplicitPolicy2SelfIssuedsubCACert', 'InvalidSelfIssuedrequireExplicitPolicyTest8EE'], crls: ['requireExplicitPolicy2CACRL', 'requireExplicitPolicy2subCACRL'], valid: false, ucps: '' },

  // 4.10 Policy Mappings
  { id: '4.10.1 (1)', title: 'Valid Policy Mapping Test1 (Subpart 1)', certs: ['Mapping1to2CACert', 'ValidPolicyMappingTest1EE'], crls: ['Mapping1to2CACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.10.1 (2)', title: 'Valid Policy Mapping Test1 (Subpart 2)', certs: ['Mapping1to2CACert', 'ValidPolicyMappingTest1EE'], crls: ['Mapping1to2CACRL'], valid: false, ips: 'NIST-test-policy-2', ucps: '' },
  { id: '4.10.1 (3)', title: 'Valid Policy Mapping Test1 (Subpart 3)', certs: ['Mapping1to2CACert', 'ValidPolicyMappingTest1EE'], crls: ['Mapping1to2CACRL'], valid: false, ipmi: true, ucps: '' },
  { id: '4.10.2 (1)', title: 'Invalid Policy Mapping Test2 (Subpart 1)', certs: ['Mapping1to2CACert', 'InvalidPolicyMappingTest2EE'], crls: ['Mapping1to2CACRL'], valid: false, ucps: '' },
  { id: '4.10.2 (2)', title: 'Invalid Policy Mapping Test2 (Subpart 2)', certs: ['Mapping1to2CACert', 'InvalidPolicyMappingTest2EE'], crls: ['Mapping1to2CACRL'], valid: false, ipmi: true, ucps: '' },
  { id: '4.10.3 (1)', title: 'Valid Policy Mapping Test3 (Subpart 1)', certs: ['P12Mapping1to3CACert', 'P12Mapping1to3subCACert', 'P12Mapping1to3subsubCACert', 'ValidPolicyMappingTest3EE'], crls: ['P12Mapping1to3CACRL', 'P12Mapping1to3subCACRL', 'P12Mapping1to3subsubCACRL'], valid: false, ips: 'NIST-test-policy-1', ucps: '' },
  { id: '4.10.3 (2)', title: 'Valid Policy Mapping Test3 (Subpart 2)', certs: ['P12Mapping1to3CACert', 'P12Mapping1to3subCACert', 'P12Mapping1to3subsubCACert', 'ValidPolicyMappingTest3EE'], crls: ['P12Mapping1to3CACRL', 'P12Mapping1to3subCACRL', 'P12Mapping1to3subsubCACRL'], valid: true, ips: 'NIST-test-policy-2', ucps: 'NIST-test-policy-2' },
  { id: '4.10.4', title: 'Invalid Policy Mapping Test4', certs: ['P12Mapping1to3CACert', 'P12Mapping1to3subCACert', 'P12Mapping1to3subsubCACert', 'InvalidPolicyMappingTest4EE'], crls: ['P12Mapping1to3CACRL', 'P12Mapping1to3subCACRL', 'P12Mapping1to3subsubCACRL'], valid: false, ucps: '' },
  { id: '4.10.5 (1)', title: 'Valid Policy Mapping Test5 (Subpart 1)', certs: ['P1Mapping1to234CACert', 'P1Mapping1to234subCACert', 'ValidPolicyMappingTest5EE'], crls: ['P1Mapping1to234CACRL', 'P1Mapping1to234subCACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.10.5 (2)', title: 'Valid Policy Mapping Test5 (Subpart 2)', certs: ['P1Mapping1to234CACert', 'P1Mapping1to234subCACert', 'ValidPolicyMappingTest5EE'], crls: ['P1Mapping1to234CACRL', 'P1Mapping1to234subCACRL'], valid: false, ips: 'NIST-test-policy-6', ucps: '' },
  { id: '4.10.6 (1)', title: 'Valid Policy Mapping Test6 (Subpart 1)', certs: ['P1Mapping1to234CACert', 'P1Mapping1to234subCACert', 'ValidPolicyMappingTest6EE'], crls: ['P1Mapping1to234CACRL', 'P1Mapping1to234subCACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.10.6 (2)', title: 'Valid Policy Mapping Test6 (Subpart 2)', certs: ['P1Mapping1to234CACert', 'P1Mapping1to234subCACert', 'ValidPolicyMappingTest6EE'], crls: ['P1Mapping1to234CACRL', 'P1Mapping1to234subCACRL'], valid: false, ips: 'NIST-test-policy-6', ucps: '' },
  { id: '4.10.7', title: 'Invalid Mapping From anyPolicy Test7', certs: ['MappingFromanyPolicyCACert', 'InvalidMappingFromanyPolicyTest7EE'], crls: ['MappingFromanyPolicyCACRL'], valid: false, ucps: '' },
  { id: '4.10.8', title: 'Invalid Mapping To anyPolicy Test8', certs: ['MappingToanyPolicyCACert', 'InvalidMappingToanyPolicyTest8EE'], crls: ['MappingToanyPolicyCACRL'], valid: false, ucps: '' },
  { id: '4.10.9', title: 'Valid Policy Mapping Test9', certs: ['PanyPolicyMapping1to2CACert', 'ValidPolicyMappingTest9EE'], crls: ['PanyPolicyMapping1to2CACRL'], valid: true },
  { id: '4.10.10', title: 'Invalid Policy Mapping Test10', certs: ['GoodCACert', 'GoodsubCAPanyPolicyMapping1to2CACert', 'InvalidPolicyMappingTest10EE'], crls: ['GoodCACRL', 'GoodsubCAPanyPolicyMapping1to2CACRL'], valid: false, ucps: '' },
  { id: '4.10.11', title: 'Valid Policy Mapping Test11', certs: ['GoodCACert', 'GoodsubCAPanyPolicyMapping1to2CACert', 'ValidPolicyMappingTest11EE'], crls: ['GoodCACRL', 'GoodsubCAPanyPolicyMapping1to2CACRL'], valid: true },
  { id: '4.10.12 (1)', title: 'Valid Policy Mapping Test12 (Subpart 1)', certs: ['P12Mapping1to3CACert', 'ValidPolicyMappingTest12EE'], crls: ['P12Mapping1to3CACRL'], valid: true, ips: 'NIST-test-policy-1' },
  { id: '4.10.12 (2)', title: 'Valid Policy Mapping Test12 (Subpart 2)', certs: ['P12Mapping1to3CACert', 'ValidPolicyMappingTest12EE'], crls: ['P12Mapping1to3CACRL'], valid: true, ips: 'NIST-test-policy-2', ucps: 'NIST-test-policy-2' },
  { id: '4.10.13', title: 'Valid Policy Mapping Test13', certs: ['P1anyPolicyMapping1to2CACert', 'ValidPolicyMappingTest13EE'], crls: ['P1anyPolicyMapping1to2CACRL'], valid: true },
  { id: '4.10.14', title: 'Valid Policy Mapping Test14', certs: ['P1anyPolicyMapping1to2CACert', 'ValidPolicyMappingTest14EE'], crls: ['P1anyPolicyMapping1to2CACRL'], valid: true },

  // 4.11 Inhibit Policy Mapping
  { id: '4.11.1', title: 'Invalid inhibitPolicyMapping Test1', certs: ['inhibitPolicyMapping0CACert', 'inhibitPolicyMapping0subCACert', 'InvalidinhibitPolicyMappingTest1EE'], crls: ['inhibitPolicyMapping0CACRL', 'inhibitPolicyMapping0subCACRL'], valid: false, ucps: '' },
  { id: '4.11.2', title: 'Valid inhibitPolicyMapping Test2', certs: ['inhibitPolicyMapping1P12CACert', 'inhibitPolicyMapping1P12subCACert', 'ValidinhibitPolicyMappingTest2EE'], crls: ['inhibitPolicyMapping1P12CACRL', 'inhibitPolicyMapping1P12subCACRL'], valid: true },
  { id: '4.11.3', title: 'Invalid inhibitPolicyMapping Test3', certs: ['inhibitPolicyMapping1P12CACert', 'inhibitPolicyMapping1P12subCACert', 'inhibitPolicyMapping1P12subsubCACert', 'InvalidinhibitPolicyMappingTest3EE'], crls: ['inhibitPolicyMapping1P12CACRL', 'inhibitPolicyMapping1P12subCACRL', 'inhibitPolicyMapping1P12subsubCACRL'], valid: false, ucps: '' },
  { id: '4.11.4', title: 'Valid inhibitPolicyMapping Test4', certs: ['inhibitPolicyMapping1P12CACert', 'inhibitPolicyMapping1P12subCACert', 'inhibitPolicyMapping1P12subsubCACert', 'ValidinhibitPolicyMappingTest4EE'], crls: ['inhibitPolicyMapping1P12CACRL', 'inhibitPolicyMapping1P12subCACRL', 'inhibitPolicyMapping1P12subsubCACRL'], valid: true, ucps: 'NIST-test-policy-2' },
  { id: '4.11.5', title: 'Invalid inhibitPolicyMapping Test5', certs: ['inhibitPolicyMapping5CACert', 'inhibitPolicyMapping5subCACert', 'inhibitPolicyMapping5subsubCACert', 'inhibitPolicyMapping5subsubsubCACert', 'InvalidinhibitPolicyMappingTest5EE'], crls: ['inhibitPolicyMapping5CACRL', 'inhibitPolicyMapping5subCACRL', 'inhibitPolicyMapping5subsubCACRL', 'inhibitPolicyMapping5subsubsubCACRL'], valid: false, ucps: '' },
  { id: '4.11.6', title: 'Invalid inhibitPolicyMapping Test6', certs: ['inhibitPolicyMapping1P12CACert', 'inhibitPolicyMapping1P12subCAIPM5Cert', 'inhibitPolicyMapping1P12subsubCAIPM5Cert', 'InvalidinhibitPolicyMappingTest6EE'], crls: ['inhibitPolicyMapping1P12CACRL', 'inhibitPolicyMapping1P12subCAIPM5CRL', 'inhibitPolicyMapping1P12subsubCAIPM5CRL'], valid: false, ucps: '' },
  { id: '4.11.7', title: 'Valid Self-Issued inhibitPolicyMapping Test7', certs: ['inhibitPolicyMapping1P1CACert', 'inhibitPolicyMapping1P1SelfIssuedCACert', 'inhibitPolicyMapping1P1subCACert', 'ValidSelfIssuedinhibitPolicyMappingTest7EE'], crls: ['inhibitPolicyMapping1P1CACRL', 'inhibitPolicyMapping1P1subCACRL'], valid: true },
  { id: '4.11.8', title: 'Invalid Self-Issued inhibitPolicyMapping Test8', certs: ['inhibitPolicyMapping1P1CACert', 'inhibitPolicyMapping1P1SelfIssuedCACert', 'inhibitPolicyMapping1P1subCACert', 'inhibitPolicyMapping1P1subsubCACert', 'InvalidSelfIssuedinhibitPolicyMappingTest8EE'], crls: ['inhibitPolicyMapping1P1CACRL', 'inhibitPolicyMapping1P1subCACRL', 'inhibitPolicyMapping1P1subsubCACRL'], valid: false, ucps: '' },
  { id: '4.11.9', title: 'Invalid Self-Issued inhibitPolicyMapping Test9', certs: ['inhibitPolicyMapping1P1CACert', 'inhibitPolicyMapping1P1SelfIssuedCACert', 'inhibitPolicyMapping1P1subCACert', 'inhibitPolicyMapping1P1subsubCACert', 'InvalidSelfIssuedinhibitPolicyMappingTest9EE'], crls: ['inhibitPolicyMapping1P1CACRL', 'inhibitPolicyMapping1P1subCACRL', 'inhibitPolicyMapping1P1subsubCACRL'], valid: false, ucps: '' },
  { id: '4.11.10', title: 'Invalid Self-Issued inhibitPolicyMapping Test10', certs: ['inhibitPolicyMapping1P1CACert', 'inhibitPolicyMapping1P1SelfIssuedCACert', 'inhibitPolicyMapping1P1subCACert', 'inhibitPolicyMapping1P1SelfIssuedsubCACert', 'InvalidSelfIssuedinhibitPolicyMappingTest10EE'], crls: ['inhibitPolicyMapping1P1CACRL', 'inhibitPolicyMapping1P1subCACRL'], valid: false, ucps: '' },
  { id: '4.11.11', title: 'Invalid Self-Issued inhibitPolicyMapping Test11', certs: ['inhibitPolicyMapping1P1CACert', 'inhibitPolicyMapping1P1SelfIssuedCACert', 'inhibitPolicyMapping1P1subCACert', 'inhibitPolicyMapping1P1SelfIssuedsubCACert', 'InvalidSelfIssuedinhibitPolicyMappingTest11EE'], crls: ['inhibitPolicyMapping1P1CACRL', 'inhibitPolicyMapping1P1subCACRL'], valid: false, ucps: '' },

  // 4.12 Inhibit Any Policy
  { id: '4.12.1', title: 'Invalid inhibitAnyPolicy Test1', certs: ['inhibitAnyPolicy0CACert', 'InvalidinhibitAnyPolicyTest1EE'], crls: ['inhibitAnyPolicy0CACRL'], valid: false, ucps: '' },
  { id: '4.12.2', title: 'Valid inhibitAnyPolicy Test2', certs: ['inhibitAnyPolicy0CACert', 'ValidinhibitAnyPolicyTest2EE'], crls: ['inhibitAnyPolicy0CACRL'], valid: true },
  { id: '4.12.3 (1)', title: 'inhibitAnyPolicy Test3 (Subpart 1)', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1subCA1Cert', 'inhibitAnyPolicyTest3EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCA1CRL'], valid: true },
  { id: '4.12.3 (2)', title: 'inhibitAnyPolicy Test3 (Subpart 2)', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1subCA1Cert', 'inhibitAnyPolicyTest3EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCA1CRL'], valid: false, iapi: true, ucps: '' },
  { id: '4.12.4', title: 'Invalid inhibitAnyPolicy Test4', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1subCA1Cert', 'InvalidinhibitAnyPolicyTest4EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCA1CRL'], valid: false, ucps: '' },
  { id: '4.12.5', title: 'Invalid inhibitAnyPolicy Test5', certs: ['inhibitAnyPolicy5CACert', 'inhibitAnyPolicy5subCACert', 'inhibitAnyPolicy5subsubCACert', 'InvalidinhibitAnyPolicyTest5EE'], crls: ['inhibitAnyPolicy5CACRL', 'inhibitAnyPolicy5subCACRL', 'inhibitAnyPolicy5subsubCACRL'], valid: false, ucps: '' },
  { id: '4.12.6', title: 'Invalid inhibitAnyPolicy Test6', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1subCAIAP5Cert', 'InvalidinhibitAnyPolicyTest6EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCAIAP5CRL'], valid: false, ucps: '' },
  { id: '4.12.7', title: 'Valid Self-Issued inhibitAnyPolicy Test7', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1SelfIssuedCACert', 'inhibitAnyPolicy1subCA2Cert', 'ValidSelfIssuedinhibitAnyPolicyTest7EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCA2CRL'], valid: true },
  { id: '4.12.8', title: 'Invalid Self-Issued inhibitAnyPolicy Test8', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1SelfIssuedCACert', 'inhibitAnyPolicy1subCA2Cert', 'inhibitAnyPolicy1subsubCA2Cert', 'InvalidSelfIssuedinhibitAnyPolicyTest8EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCA2CRL', 'inhibitAnyPolicy1subsubCA2CRL'], valid: false, ucps: '' },
  { id: '4.12.9', title: 'Valid Self-Issued inhibitAnyPolicy Test9', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1SelfIssuedCACert', 'inhibitAnyPolicy1subCA2Cert', 'inhibitAnyPolicy1SelfIssuedsubCA2Cert', 'ValidSelfIssuedinhibitAnyPolicyTest9EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCA2CRL'], valid: true },
  { id: '4.12.10', title: 'Invalid Self-Issued inhibitAnyPolicy Test10', certs: ['inhibitAnyPolicy1CACert', 'inhibitAnyPolicy1SelfIssuedCACert', 'inhibitAnyPolicy1subCA2Cert', 'InvalidSelfIssuedinhibitAnyPolicyTest10EE'], crls: ['inhibitAnyPolicy1CACRL', 'inhibitAnyPolicy1subCA2CRL'], valid: false, ucps: '' },

  // 4.13 Name Constraints
  { id: '4.13.1', title: 'Valid DN nameConstraints Test1', certs: ['nameConstraintsDN1CACert', 'ValidDNnameConstraintsTest1EE'], crls: ['nameConstraintsDN1CACRL'], valid: true },
  { id: '4.13.2', title: 'Invalid DN nameConstraints Test2', certs: ['nameConstraintsDN1CACert', 'InvalidDNnameConstraintsTest2EE'], crls: ['nameConstraintsDN1CACRL'], valid: false },
  { id: '4.13.3', title: 'Invalid DN nameConstraints Test3', certs: ['nameConstraintsDN1CACert', 'InvalidDNnameConstraintsTest3EE'], crls: ['nameConstraintsDN1CACRL'], valid: false },
  { id: '4.13.4', title: 'Valid DN nameConstraints Test4', certs: ['nameConstraintsDN1CACert', 'ValidDNnameConstraintsTest4EE'], crls: ['nameConstraintsDN1CACRL'], valid: true },
  { id: '4.13.5', title: 'Valid DN nameConstraints Test5', certs: ['nameConstraintsDN2CACert', 'ValidDNnameConstraintsTest5EE'], crls: ['nameConstraintsDN2CACRL'], valid: true },
  { id: '4.13.6', title: 'Valid DN nameConstraints Test6', certs: ['nameConstraintsDN3CACert', 'ValidDNnameConstraintsTest6EE'], crls: ['nameConstraintsDN3CACRL'], valid: true },
  { id: '4.13.7', title: 'Invalid DN nameConstraints Test7', certs: ['nameConstraintsDN3CACert', 'InvalidDNnameConstraintsTest7EE'], crls: ['nameConstraintsDN3CACRL'], valid: false },
  { id: '4.13.8', title: 'Invalid DN nameConstraints Test8', certs: ['nameConstraintsDN4CACert', 'InvalidDNnameConstraintsTest8EE'], crls: ['nameConstraintsDN4CACRL'], valid: false },
  { id: '4.13.9', title: 'Invalid DN nameConstraints Test9', certs: ['nameConstraintsDN4CACert', 'InvalidDNnameConstraintsTest9EE'], crls: ['nameConstraintsDN4CACRL'], valid: false },
  { id: '4.13.10', title: 'Invalid DN nameConstraints Test10', certs: ['nameConstraintsDN5CACert', 'InvalidDNnameConstraintsTest10EE'], crls: ['nameConstraintsDN5CACRL'], valid: false },
  { id: '4.13.11', title: 'Valid DN nameConstraints Test11', certs: ['nameConstraintsDN5CACert', 'ValidDNnameConstraintsTest11EE'], crls: ['nameConstraintsDN5CACRL'], valid: true },
  { id: '4.13.12', title: 'Invalid DN nameConstraints Test12', certs: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA1Cert', 'InvalidDNnameConstraintsTest12EE'], crls: ['nameConstraintsDN1CACRL', 'nameConstraintsDN1subCA1CRL'], valid: false },
  { id: '4.13.13', title: 'Invalid DN nameConstraints Test13', certs: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA2Cert', 'InvalidDNnameConstraintsTest13EE'], crls: ['nameConstraintsDN1CACRL', 'nameConstraintsDN1subCA2CRL'], valid: false },
  { id: '4.13.14', title: 'Valid DN nameConstraints Test14', certs: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA2Cert', 'ValidDNnameConstraintsTest14EE'], crls: ['nameConstraintsDN1CACRL', 'nameConstraintsDN1subCA2CRL'], valid: true },
  { id: '4.13.15', title: 'Invalid DN nameConstraints Test15', certs: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA1Cert', 'InvalidDNnameConstraintsTest15EE'], crls: ['nameConstraintsDN3CACRL', 'nameConstraintsDN3subCA1CRL'], valid: false },
  { id: '4.13.16', title: 'Invalid DN nameConstraints Test16', certs: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA1Cert', 'InvalidDNnameConstraintsTest16EE'], crls: ['nameConstraintsDN3CACRL', 'nameConstraintsDN3subCA1CRL'], valid: false },
  { id: '4.13.17', title: 'Invalid DN nameConstraints Test17', certs: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA2Cert', 'InvalidDNnameConstraintsTest17EE'], crls: ['nameConstraintsDN3CACRL', 'nameConstraintsDN3subCA2CRL'], valid: false },
  { id: '4.13.18', title: 'Valid DN nameConstraints Test18', certs: ['nameConstraintsDN3CACert', 'nameConstraintsDN3subCA2Cert', 'ValidDNnameConstraintsTest18EE'], crls: ['nameConstraintsDN3CACRL', 'nameConstraintsDN3subCA2CRL'], valid: true },
  { id: '4.13.19', title: 'Valid Self-Issued DN nameConstraints Test19', certs: ['nameConstraintsDN1CACert', 'nameConstraintsDN1SelfIssuedCACert', 'ValidDNnameConstraintsTest19EE'], crls: ['nameConstraintsDN1CACRL'], valid: true },
  { id: '4.13.20', title: 'Invalid Self-Issued DN nameConstraints Test20', certs: ['nameConstraintsDN1CACert', 'InvalidDNnameConstraintsTest20EE'], crls: ['nameConstraintsDN1CACRL'], valid: false },
  { id: '4.13.21', title: 'Valid RFC822 nameConstraints Test21', certs: ['nameConstraintsRFC822CA1Cert', 'ValidRFC822nameConstraintsTest21EE'], crls: ['nameConstraintsRFC822CA1CRL'], valid: true },
  { id: '4.13.22', title: 'Invalid RFC822 nameConstraints Test22', certs: ['nameConstraintsRFC822CA1Cert', 'InvalidRFC822nameConstraintsTest22EE'], crls: ['nameConstraintsRFC822CA1CRL'], valid: false },
  { id: '4.13.23', title: 'Valid RFC822 nameConstraints Test23', certs: ['nameConstraintsRFC822CA2Cert', 'ValidRFC822nameConstraintsTest23EE'], crls: ['nameConstraintsRFC822CA2CRL'], valid: true },
  { id: '4.13.24', title: 'Invalid RFC822 nameConstraints Test24', certs: ['nameConstraintsRFC822CA2Cert', 'InvalidRFC822nameConstraintsTest24EE'], crls: ['nameConstraintsRFC822CA2CRL'], valid: false },
  { id: '4.13.25', title: 'Valid RFC822 nameConstraints Test25', certs: ['nameConstraintsRFC822CA3Cert', 'ValidRFC822nameConstraintsTest25EE'], crls: ['nameConstraintsRFC822CA3CRL'], valid: true },
  { id: '4.13.26', title: 'Invalid RFC822 nameConstraints Test26', certs: ['nameConstraintsRFC822CA3Cert', 'InvalidRFC822nameConstraintsTest26EE'], crls: ['nameConstraintsRFC822CA3CRL'], valid: false },
  { id: '4.13.27', title: 'Valid DN and RFC822 nameConstraints Test27', certs: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA3Cert', 'ValidDNandRFC822nameConstraintsTest27EE'], crls: ['nameConstraintsDN1CACRL', 'nameConstraintsDN1subCA3CRL'], valid: true },
  { id: '4.13.28', title: 'Invalid DN and RFC822 nameConstraints Test28', certs: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA3Cert', 'InvalidDNandRFC822nameConstraintsTest28EE'], crls: ['nameConstraintsDN1CACRL', 'nameConstraintsDN1subCA3CRL'], valid: false },
  { id: '4.13.29', title: 'Invalid DN and RFC822 nameConstraints Test29', certs: ['nameConstraintsDN1CACert', 'nameConstraintsDN1subCA3Cert', 'InvalidDNandRFC822nameConstraintsTest29EE'], crls: ['nameConstraintsDN1CACRL', 'nameConstraintsDN1subCA3CRL'], valid: false },
  { id: '4.13.30', title: 'Valid DNS nameConstraints Test30', certs: ['nameConstraintsDNS1CACert', 'ValidDNSnameConstraintsTest30EE'], crls: ['nameConstraintsDNS1CACRL'], valid: true },
  { id: '4.13.31', title: 'Invalid DNS nameConstraints Test31', certs: ['nameConstraintsDNS1CACert', 'InvalidDNSnameConstraintsTest31EE'], crls: ['nameConstraintsDNS1CACRL'], valid: false },
  { id: '4.13.32', title: 'Valid DNS nameConstraints Test32', certs: ['nameConstraintsDNS2CACert', 'ValidDNSnameConstraintsTest32EE'], crls: ['nameConstraintsDNS2CACRL'], valid: true },
  { id: '4.13.33', title: 'Invalid DNS nameConstraints Test33', certs: ['nameConstraintsDNS2CACert', 'InvalidDNSnameConstraintsTest33EE'], crls: ['nameConstraintsDNS2CACRL'], valid: false },
  { id: '4.13.34', title: 'Valid URI nameConstraints Test34', certs: ['nameConstraintsURI1CACert', 'ValidURInameConstraintsTest34EE'], crls: ['nameConstraintsURI1CACRL'], valid: true },
  { id: '4.13.35', title: 'Invalid URI nameConstraints Test35', certs: ['nameConstraintsURI1CACert', 'InvalidURInameConstraintsTest35EE'], crls: ['nameConstraintsURI1CACRL'], valid: false },
  { id: '4.13.36', title: 'Valid URI nameConstraints Test36', certs: ['nameConstraintsURI2CACert', 'ValidURInameConstraintsTest36EE'], crls: ['nameConstraintsURI2CACRL'], valid: true },
  { id: '4.13.37', title: 'Invalid URI nameConstraints Test37', certs: ['nameConstraintsURI2CACert', 'InvalidURInameConstraintsTest37EE'], crls: ['nameConstraintsURI2CACRL'], valid: false },
  { id: '4.13.38', title: 'Invalid DNS nameConstraints Test38', certs: ['nameConstraintsDNS1CACert', 'InvalidDNSnameConstraintsTest38EE'], crls: ['nameConstraintsDNS1CACRL'], valid: false },

  // 4.14 Distribution Points
  { id: '4.14.1', title: 'Valid distributionPoint Test1', certs: ['distributionPoint1CACert', 'ValiddistributionPointTest1EE'], crls: ['distributionPoint1CACRL'], valid: true },
  { id: '4.14.2', title: 'Invalid distributionPoint Test2', certs: ['distributionPoint1CACert', 'InvaliddistributionPointTest2EE'], crls: ['distributionPoint1CACRL'], valid: false },
  { id: '4.14.3', title: 'Invalid distributionPoint Test3', certs: ['distributionPoint1CACert', 'InvaliddistributionPointTest3EE'], crls: ['distributionPoint1CACRL'], valid: false },
  { id: '4.14.4', title: 'Valid distributionPoint Test4', certs: ['distributionPoint1CACert', 'ValiddistributionPointTest4EE'], crls: ['distributionPoint1CACRL'], valid: true },
  { id: '4.14.5', title: 'Valid distributionPoint Test5', certs: ['distributionPoint2CACert', 'ValiddistributionPointTest5EE'], crls: ['distributionPoint2CACRL'], valid: true },
  { id: '4.14.6', title: 'Invalid distributionPoint Test6', certs: ['distributionPoint2CACert', 'InvaliddistributionPointTest6EE'], crls: ['distributionPoint2CACRL'], valid: false },
  { id: '4.14.7', title: 'Valid distributionPoint Test7', certs: ['distributionPoint2CACert', 'ValiddistributionPointTest7EE'], crls: ['distributionPoint2CACRL'], valid: true },
  { id: '4.14.8', title: 'Invalid distributionPoint Test8', certs: ['distributionPoint2CACert', 'InvaliddistributionPointTest8EE'], crls: ['distributionPoint2CACRL'], valid: false },
  { id: '4.14.9', title: 'Invalid distributionPoint Test9', certs: ['distributionPoint2CACert', 'InvaliddistributionPointTest9EE'], crls: ['distributionPoint2CACRL'], valid: false },
  { id: '4.14.10', title: 'Valid No issuingDistributionPoint Test10', certs: ['NoissuingDistributionPointCACert', 'ValidNoissuingDistributionPointTest10EE'], crls: ['NoissuingDistributionPointCACRL'], valid: true },
  { id: '4.14.11', title: 'Invalid onlyContainsUserCerts CRL Test11', certs: ['onlyContainsUserCertsCACert', 'InvalidonlyContainsUserCertsTest11EE'], crls: ['onlyContainsUserCertsCACRL'], valid: false },
  { id: '4.14.12', title: 'Invalid onlyContainsCACerts CRL Test12', certs: ['onlyContainsCACertsCACert', 'InvalidonlyContainsCACertsTest12EE'], crls: ['onlyContainsCACertsCACRL'], valid: false },
  { id: '4.14.13', title: 'Valid onlyContainsCACerts CRL Test13', certs: ['onlyContainsCACertsCACert', 'ValidonlyContainsCACertsTest13EE'], crls: ['onlyContainsCACertsCACRL'], valid: true },
  { id: '4.14.14', title: 'Invalid onlyContainsAttributeCerts Test14', certs: ['onlyContainsAttributeCertsCACert', 'InvalidonlyContainsAttributeCertsTest14EE'], crls: ['onlyContainsAttributeCertsCACRL'], valid: false },
  { id: '4.14.15', title: 'Invalid onlySomeReasons Test15', certs: ['onlySomeReasonsCA1Cert', 'InvalidonlySomeReasonsTest15EE'], crls: ['onlySomeReasonsCA1compromiseCRL', 'onlySomeReasonsCA1otherreasonsCRL'], valid: false },
  { id: '4.14.16', title: 'Invalid onlySomeReasons Test16', certs: ['onlySomeReasonsCA1Cert', 'InvalidonlySomeReasonsTest16EE'], crls: ['onlySomeReasonsCA1compromiseCRL', 'onlySomeReasonsCA1otherreasonsCRL'], valid: false },
  { id: '4.14.17', title: 'Invalid onlySomeReasons Test17', certs: ['onlySomeReasonsCA2Cert', 'InvalidonlySomeReasonsTest17EE'], crls: ['onlySomeReasonsCA2CRL1', 'onlySomeReasonsCA2CRL2'], valid: false },
  { id: '4.14.18', title: 'Valid onlySomeReasons Test18', certs: ['onlySomeReasonsCA3Cert', 'ValidonlySomeReasonsTest18EE'], crls: ['onlySomeReasonsCA3compromiseCRL', 'onlySomeReasonsCA3otherreasonsCRL'], valid: true },
  { id: '4.14.19', title: 'Valid onlySomeReasons Test19', certs: ['onlySomeReasonsCA4Cert', 'ValidonlySomeReasonsTest19EE'], crls: ['onlySomeReasonsCA4compromiseCRL', 'onlySomeReasonsCA4otherreasonsCRL'], valid: true },
  { id: '4.14.20', title: 'Invalid onlySomeReasons Test20', certs: ['onlySomeReasonsCA4Cert', 'InvalidonlySomeReasonsTest20EE'], crls: ['onlySomeReasonsCA4compromiseCRL', 'onlySomeReasonsCA4otherreasonsCRL'], valid: false },
  { id: '4.14.21', title: 'Invalid onlySomeReasons Test21', certs: ['onlySomeReasonsCA4Cert', 'InvalidonlySomeReasonsTest21EE'], crls: ['onlySomeReasonsCA4compromiseCRL', 'onlySomeReasonsCA4otherreasonsCRL'], valid: false },
  { id: '4.14.22', title: 'Valid IDP with indirectCRL Test22', certs: ['indirectCRLCA1Cert', 'ValidIDPwithindirectCRLTest22EE'], crls: ['indirectCRLCA1CRL'], valid: true },
  { id: '4.14.23', title: 'Invalid IDP with indirectCRL Test23', certs: ['indirectCRLCA1Cert', 'InvalidIDPwithindirectCRLTest23EE'], crls: ['indirectCRLCA1CRL'], valid: false },
  { id: '4.14.24', title: 'Valid IDP with indirectCRL Test24', certs: ['indirectCRLCA2Cert', 'indirectCRLCA1Cert', 'ValidIDPwithindirectCRLTest24EE'], crls: ['indirectCRLCA1CRL'], valid: true },
  { id: '4.14.25', title: 'Valid IDP with indirectCRL Test25', certs: ['indirectCRLCA2Cert', 'indirectCRLCA1Cert', 'ValidIDPwithindirectCRLTest25EE'], crls: ['indirectCRLCA1CRL'], valid: true },
  { id: '4.14.26', title: 'Invalid IDP with indirectCRL Test26', certs: ['indirectCRLCA2Cert', 'indirectCRLCA1Cert', 'InvalidIDPwithindirectCRLTest26EE'], crls: ['indirectCRLCA1CRL'], valid: false },
  { id: '4.14.27', title: 'Invalid cRLIssuer Test27', certs: ['indirectCRLCA2Cert', 'GoodCACert', 'InvalidcRLIssuerTest27EE'], crls: ['GoodCACRL'], valid: false },
  { id: '4.14.28', title: 'Valid cRLIssuer Test28', certs: ['indirectCRLCA3Cert', 'indirectCRLCA3cRLIssuerCert', 'ValidcRLIssuerTest28EE'], crls: ['indirectCRLCA3CRL', 'indirectCRLCA3cRLIssuerCRL'], valid: true },
  { id: '4.14.29', title: 'Valid cRLIssuer Test29', certs: ['indirectCRLCA3Cert', 'indirectCRLCA3cRLIssuerCert', 'ValidcRLIssuerTest29EE'], crls: ['indirectCRLCA3CRL', 'indirectCRLCA3cRLIssuerCRL'], valid: true },
  { id: '4.14.30', title: 'Valid cRLIssuer Test30', certs: ['indirectCRLCA4Cert', 'indirectCRLCA4cRLIssuerCert', 'ValidcRLIssuerTest30EE'], crls: ['indirectCRLCA4cRLIssuerCRL'], valid: true },
  { id: '4.14.31', title: 'Invalid cRLIssuer Test31', certs: ['indirectCRLCA5Cert', 'indirectCRLCA6Cert', 'InvalidcRLIssuerTest31EE'], crls: ['indirectCRLCA5CRL'], valid: false },
  { id: '4.14.32', title: 'Invalid cRLIssuer Test32', certs: ['indirectCRLCA5Cert', 'indirectCRLCA6Cert', 'InvalidcRLIssuerTest32EE'], crls: ['indirectCRLCA5CRL'], valid: false },
  { id: '4.14.33', title: 'Valid cRLIssuer Test33', certs: ['indirectCRLCA5Cert', 'indirectCRLCA6Cert', 'ValidcRLIssuerTest33EE'], crls: ['indirectCRLCA5CRL'], valid: true },
  { id: '4.14.34', title: 'Invalid cRLIssuer Test34', certs: ['indirectCRLCA5Cert', 'InvalidcRLIssuerTest34EE'], crls: ['indirectCRLCA5CRL'], valid: false },
  { id: '4.14.35', title: 'Invalid cRLIssuer Test35', certs: ['indirectCRLCA5Cert', 'InvalidcRLIssuerTest35EE'], crls: ['indirectCRLCA5CRL'], valid: false },

  // 4.15 Delta-CRLs
  { id: '4.15.1', title: 'Invalid deltaCRLIndicator No Base Test1', certs: ['deltaCRLIndicatorNoBaseCACert', 'InvaliddeltaCRLIndicatorNoBaseTest1EE'], crls: ['deltaCRLIndicatorNoBaseCACRL'], valid: false },
  { id: '4.15.2', title: 'Valid delta-CRL Test2', certs: ['deltaCRLCA1Cert', 'ValiddeltaCRLTest2EE'], crls: ['deltaCRLCA1CRL', 'deltaCRLCA1deltaCRL'], valid: true },
  { id: '4.15.3', title: 'Invalid delta-CRL Test3', certs: ['deltaCRLCA1Cert', 'InvaliddeltaCRLTest3EE'], crls: ['deltaCRLCA1CRL', 'deltaCRLCA1deltaCRL'], valid: false },
  { id: '4.15.4', title: 'Invalid delta-CRL Test4', certs: ['deltaCRLCA1Cert', 'InvaliddeltaCRLTest4EE'], crls: ['deltaCRLCA1CRL', 'deltaCRLCA1deltaCRL'], valid: false },
  { id: '4.15.5', title: 'Valid delta-CRL Test5', certs: ['deltaCRLCA1Cert', 'ValiddeltaCRLTest5EE'], crls: ['deltaCRLCA1CRL', 'deltaCRLCA1deltaCRL'], valid: true },
  { id: '4.15.6', title: 'Invalid delta-CRL Test6', certs: ['deltaCRLCA1Cert', 'InvaliddeltaCRLTest6EE'], crls: ['deltaCRLCA1CRL', 'deltaCRLCA1deltaCRL'], valid: false },
  { id: '4.15.7', title: 'Valid delta-CRL Test7', certs: ['deltaCRLCA1Cert', 'ValiddeltaCRLTest7EE'], crls: ['deltaCRLCA1CRL', 'deltaCRLCA1deltaCRL'], valid: true },
  { id: '4.15.8', title: 'Valid delta-CRL Test8', certs: ['deltaCRLCA2Cert', 'ValiddeltaCRLTest8EE'], crls: ['deltaCRLCA2CRL', 'deltaCRLCA2deltaCRL'], valid: true },
  { id: '4.15.9', title: 'Invalid delta-CRL Test9', certs: ['deltaCRLCA2Cert', 'InvaliddeltaCRLTest9EE'], crls: ['deltaCRLCA2CRL', 'deltaCRLCA2deltaCRL'], valid: false },
  { id: '4.15.10', title: 'Invalid delta-CRL Test10', certs: ['deltaCRLCA3Cert', 'InvaliddeltaCRLTest10EE'], crls: ['deltaCRLCA3CRL', 'deltaCRLCA3deltaCRL'], valid: false },

  // 4.16 Private Certificate Extensions
  { id: '4.16.1', title: 'Valid Unknown Not Critical Certificate Extension Test1', certs: ['ValidUnknownNotCriticalCertificateExtensionTest1EE'], crls: [], valid: true },
  { id: '4.16.2', title: 'Invalid Unknown Critical Certificate Extension Test2', certs: ['InvalidUnknownCriticalCertificateExtensionTest2EE'], crls: [], valid: false },
];
