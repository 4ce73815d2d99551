/**
 * RFC 5280 profile rules (the MUSTs a conforming CA follows) that path
 * validation enforces on top of §6.1, as the strict validators do (OpenSSL,
 * Go, pyca/cryptography, rustls-webpki), and the trust-anchor checks.
 *
 * Certificates of the path (leaf and intermediates), each rule a typed reason:
 *   AKI_MISSING                     v3 certificate without authorityKeyIdentifier (§4.2.1.1; a self-issued one is exempt)
 *   SKI_MISSING                     v3 CA certificate (basicConstraints cA) without subjectKeyIdentifier (§4.2.1.2)
 *   KEY_ID_CRITICAL                 AKI or SKI marked critical (§4.2.1.1, §4.2.1.2: MUST be non-critical)
 *   NAME_CONSTRAINTS_IN_EE          nameConstraints in a certificate that is not a CA (§4.2.1.10)
 *   POLICY_CONSTRAINTS_NOT_CRITICAL policyConstraints not critical (§4.2.1.11)
 *   SAN_NOT_CRITICAL                empty subject and no critical subjectAltName (§4.1.2.6, §4.2.1.6)
 *   AIA_CRITICAL                    authorityInformationAccess marked critical (§4.2.2.1)
 *   KEY_CERT_SIGN_NOT_CA            keyUsage keyCertSign without basicConstraints cA (§4.2.1.3, §4.2.1.9)
 *   MALFORMED_NAME                  under name constraints: a dNSName or rfc822Name that is not a
 *                                   valid host name / mailbox (underscore, leading dot, empty label...)
 *                                   (§4.2.1.6; checked in process.ts where the constraints are known)
 *
 * Trust anchors (certificates from the trust store) — decided in two halves:
 *   - structural faults, refused when the trust store loads (`anchorDefects`;
 *     the verifier logs each refused anchor and counts it in a metric): an
 *     unknown critical extension (UNKNOWN_CRITICAL_EXTENSION), no
 *     basicConstraints or cA FALSE (NOT_A_CA), basicConstraints not critical
 *     (BASIC_CONSTRAINTS_NOT_CRITICAL), a critical AKI or SKI
 *     (KEY_ID_CRITICAL), an empty subject (EMPTY_SUBJECT), a keyUsage without
 *     keyCertSign (KEY_USAGE). They do not change
 *     with time, so checking once at load is complete;
 *   - time-dependent checks at validation time (process.ts, when
 *     policy.enforceAnchorConstraints, the default): the anchor's validity
 *     period (EXPIRED / NOT_YET_VALID on the anchor), its own
 *     nameConstraints and its pathLenConstraint constrain every path under it.
 *
 * Exceptions are named (`ProfileRule`) and given per policy
 * (`ValidationPolicy.profileExceptions`): the Korean profile's list is
 * KOREAN_PROFILE_EXCEPTIONS, each entry documented with the certificate that
 * needs it. Nothing is relaxed silently.
 */
import { rdnCount } from '../cert/name';
import type { Certificate, GeneralName } from '../cert/types';
import { OID } from '../cert/types';
import type { PathReason } from './result';

/** The profile rules that a policy may name as exceptions. */
export type ProfileRule =
  | 'AKI_MISSING'
  | 'SKI_MISSING'
  | 'KEY_ID_CRITICAL'
  | 'NAME_CONSTRAINTS_IN_EE'
  | 'POLICY_CONSTRAINTS_NOT_CRITICAL'
  | 'SAN_NOT_CRITICAL'
  | 'AIA_CRITICAL'
  | 'KEY_CERT_SIGN_NOT_CA'
  | 'MALFORMED_NAME';

export const PROFILE_RULES: readonly ProfileRule[] = Object.freeze([
  'AKI_MISSING',
  'SKI_MISSING',
  'KEY_ID_CRITICAL',
  'NAME_CONSTRAINTS_IN_EE',
  'POLICY_CONSTRAINTS_NOT_CRITICAL',
  'SAN_NOT_CRITICAL',
  'AIA_CRITICAL',
  'KEY_CERT_SIGN_NOT_CA',
  'MALFORMED_NAME',
]);

/**
 * Exceptions of the Korean (NPKI) profile, by rule, with the reason. Empty:
 * the yessign test certificate (../shared/fixtures/npki-yessign-test, copied
 * to libs/pki/test-vectors/npki/yessign-signCert.der), the toolkit's Korean
 * chain (issuing/korean.ts, modelled on KISA/yessign certificates) and the
 * dev CA's certificates pass every rule above (profile.spec.ts checks each),
 * so no exception is needed. An entry would read
 * `{ rule: 'AKI_MISSING', why: '<which CA, which certificate, fixture>' }`.
 */
export const KOREAN_PROFILE_EXCEPTIONS: ReadonlyArray<{ rule: ProfileRule; why: string }> = Object.freeze([]);

export interface ProfileViolation {
  reason: PathReason;
  detail: string;
}

function critical(cert: Certificate, oid: string): boolean | undefined {
  const e = cert.extensions.find((x) => x.oid === oid);
  return e ? e.critical : undefined;
}

/**
 * The profile rules `cert` breaks as a certificate of a path (not the
 * anchor). `isLeaf`: the end of the path. `except`: rules not applied.
 * MALFORMED_NAME is not here (it depends on the constraints in force:
 * `malformedNames`).
 */
export function profileViolations(cert: Certificate, except: ReadonlySet<ProfileRule> = new Set()): ProfileViolation[] {
  const out: ProfileViolation[] = [];
  const add = (rule: ProfileRule, detail: string): void => {
    if (!except.has(rule)) out.push({ reason: rule, detail });
  };
  if (cert.version < 3) return out; // no extensions to speak of
  const isCa = cert.ext.basicConstraints?.ca === true;
  if (!cert.ext.authorityKeyIdentifier && !cert.selfIssued) add('AKI_MISSING', 'no authorityKeyIdentifier (RFC 5280 §4.2.1.1)');
  if (isCa && !cert.ext.subjectKeyIdentifier) add('SKI_MISSING', 'CA certificate without subjectKeyIdentifier (RFC 5280 §4.2.1.2)');
  if (critical(cert, OID.authorityKeyIdentifier) === true) add('KEY_ID_CRITICAL', 'authorityKeyIdentifier is critical (RFC 5280 §4.2.1.1)');
  if (critical(cert, OID.subjectKeyIdentifier) === true) add('KEY_ID_CRITICAL', 'subjectKeyIdentifier is critical (RFC 5280 §4.2.1.2)');
  if (!isCa && cert.ext.nameConstraints) add('NAME_CONSTRAINTS_IN_EE', 'nameConstraints in a certificate that is not a CA (RFC 5280 §4.2.1.10)');
  if (critical(cert, OID.policyConstraints) === false) add('POLICY_CONSTRAINTS_NOT_CRITICAL', 'policyConstraints is not critical (RFC 5280 §4.2.1.11)');
  // the count is known from parsing: no decoding of the subject's values
  if (rdnCount(cert.subject) === 0) {
    const san = critical(cert, OID.subjectAltName);
    if (san !== true) add('SAN_NOT_CRITICAL', san === undefined ? 'empty subject and no subjectAltName (RFC 5280 §4.1.2.6)' : 'empty subject and a non-critical subjectAltName (RFC 5280 §4.2.1.6)');
  }
  if (critical(cert, OID.authorityInfoAccess) === true) add('AIA_CRITICAL', 'authorityInfoAccess is critical (RFC 5280 §4.2.2.1)');
  if (!isCa && cert.ext.keyUsage?.has('keyCertSign')) add('KEY_CERT_SIGN_NOT_CA', 'keyUsage keyCertSign without basicConstraints cA (RFC 5280 §4.2.1.3)');
  return out;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A dNSName in preferred name syntax (RFC 5280 §4.2.1.6, RFC 1034 §3.5; a leading "*" label allowed for wildcards). */
export function isValidDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  return labels.every((l, i) => LABEL.test(l) || (i === 0 && l === '*' && labels.length > 1));
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** An rfc822Name Mailbox (RFC 5280 §4.2.1.6: local-part@domain, dot-atom local part, host-name domain). */
export function isValidMailbox(mailbox: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (at <= 0 || at === mailbox.length - 1) return false;
  const local = mailbox.slice(0, at);
  return local.length <= 64 && LOCAL_PART.test(local) && isValidDnsName(mailbox.slice(at + 1));
}

/** The dNSName / rfc822Name entries of `names` that are not well formed (checked under name constraints). */
export function malformedNames(names: readonly GeneralName[]): string | undefined {
  for (const n of names) {
    if (n.type === 'dNSName' && !isValidDnsName(n.value)) return `malformed dNSName ${JSON.stringify(n.value)}`;
    if (n.type === 'rfc822Name' && !isValidMailbox(n.value)) return `malformed rfc822Name ${JSON.stringify(n.value)}`;
  }
  return undefined;
}

/**
 * Structural faults of a trust-anchor certificate (see the header): what the
 * trust store refuses at load. `extraKnown`: further extension OIDs the
 * caller processes. Empty = acceptable.
 */
export function anchorDefects(anchor: Certificate, knownExtensions: ReadonlySet<string>): ProfileViolation[] {
  const out: ProfileViolation[] = [];
  const unknown = anchor.extensions.filter((e) => e.critical && !knownExtensions.has(e.oid)).map((e) => e.oid);
  if (unknown.length > 0) out.push({ reason: 'UNKNOWN_CRITICAL_EXTENSION', detail: `unknown critical extension ${unknown.join(', ')}` });
  const bc = critical(anchor, OID.basicConstraints);
  if (bc === undefined) out.push({ reason: 'NOT_A_CA', detail: 'no basicConstraints' });
  else {
    if (!bc) out.push({ reason: 'BASIC_CONSTRAINTS_NOT_CRITICAL', detail: 'basicConstraints is not critical (RFC 5280 §4.2.1.9)' });
    if (anchor.ext.basicConstraints?.ca !== true) out.push({ reason: 'NOT_A_CA', detail: 'basicConstraints cA is FALSE' });
  }
  if (critical(anchor, OID.authorityKeyIdentifier) === true) out.push({ reason: 'KEY_ID_CRITICAL', detail: 'authorityKeyIdentifier is critical (RFC 5280 §4.2.1.1)' });
  if (critical(anchor, OID.subjectKeyIdentifier) === true) out.push({ reason: 'KEY_ID_CRITICAL', detail: 'subjectKeyIdentifier is critical (RFC 5280 §4.2.1.2)' });
  if (anchor.subject.rdns.length === 0) out.push({ reason: 'EMPTY_SUBJECT', detail: 'empty subject (RFC 5280 §4.1.2.6)' });
  if (anchor.ext.keyUsage && !anchor.ext.keyUsage.has('keyCertSign')) out.push({ reason: 'KEY_USAGE', detail: 'keyUsage without keyCertSign: the anchor cannot sign certificates' });
  return out;
}
