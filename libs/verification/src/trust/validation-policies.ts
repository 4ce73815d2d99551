/**
 * One immutable ValidationPolicy per purpose, built at boot.
 *
 * Challenge purposes (register, login, replace) and documents share the RFC
 * 5280 requirements of the NPKI profile:
 *   - the leaf's keyUsage must contain digitalSignature or nonRepudiation, and
 *     a leaf without a keyUsage extension is refused (requireLeafKeyUsageExtension:
 *     every NPKI user certificate carries a critical keyUsage, so a missing one
 *     is not a Korean joint certificate);
 *   - RSA ≥ 2048 bits and SHA-256 or stronger (SHA-1 refused). RSA-2048 gives
 *     about 112 bits of security, below the 128-bit level OWASP ASVS 5.0 asks
 *     for (V11 cryptography); NPKI mandates RSA-2048 for user certificates, so
 *     the verifier accepts it as a documented exception — raising the minimum
 *     would refuse every joint certificate in circulation;
 *   - the trust anchors and intermediates of the trust store; the configured
 *     intermediates are tried as issuers before any certificate the message
 *     carries (policy.intermediates), so decoy copies of a CA in a message
 *     never run before the real one;
 *   - bounded work per message: RSA keys 2048–4096 bits with e = 3 or 65537
 *     (anything else is refused before any signature math: KEY_NOT_ALLOWED),
 *     and a budget of 400 cost units (one unit = one RSA-2048 verification)
 *     besides the count budget of 100 checks (libs/pki path/build.ts).
 * The site's accepted certificate types (ACCEPTED_CERT_TYPES, resolved once by
 * npki/profile buildAcceptedTypes) are a separate step after path validation
 * for challenges (see verify-challenge.use-case.ts: POLICY_NOT_ACCEPTED with the
 * typed reason); documents are reported with their type but not refused by it.
 *
 * The validation time is not part of the template: `at(purpose, t)` returns a
 * frozen copy with `at = t` (validatePath accepts frozen policies as they are),
 * memoised for the last instant asked so bursts in one millisecond share it.
 * The copy shares the template's frozen anchor and intermediate lists, so
 * validatePath's indexes of them (libs/pki path/build.ts, kept per list) are
 * built once at boot, not per copy.
 */
import { type AcceptedTypes, buildAcceptedTypes, type Certificate, createValidationPolicy, DEFAULT_ALGORITHM_POLICY, type ValidationPolicy } from '@jointcert/pki';
import type { AppConfig } from '@jointcert/common';
import type { TrustStore } from './trust-store';

export type Purpose = 'register' | 'login' | 'replace' | 'document';
export const PURPOSES: readonly Purpose[] = ['register', 'login', 'replace', 'document'];

export class ValidationPolicies {
  readonly accepted: AcceptedTypes;
  private readonly templates = new Map<Purpose, ValidationPolicy>();
  private readonly last = new Map<Purpose, ValidationPolicy>();

  constructor(
    readonly trust: TrustStore,
    config: Pick<AppConfig, 'ACCEPTED_CERT_TYPES'>,
  ) {
    this.accepted = buildAcceptedTypes(config.ACCEPTED_CERT_TYPES);
    if (this.accepted.oids.size === 0) throw new Error(`ACCEPTED_CERT_TYPES (${config.ACCEPTED_CERT_TYPES.join(', ')}) selects no certificate type`);
    for (const purpose of PURPOSES) {
      this.templates.set(
        purpose,
        createValidationPolicy({
          trustAnchors: trust.anchors,
          intermediates: trust.intermediates,
          at: 0,
          algorithms: { ...DEFAULT_ALGORITHM_POLICY, allowSha1: false, minRsaBits: 2048 },
          requiredKeyUsage: ['digitalSignature', 'nonRepudiation'],
          requireLeafKeyUsageExtension: true,
        }),
      );
    }
  }

  /** The purpose's policy at validation time `at` (epoch ms). */
  at(purpose: Purpose, at: number): ValidationPolicy {
    const prev = this.last.get(purpose);
    if (prev !== undefined && prev.at === at) return prev;
    const p = Object.freeze({ ...this.templates.get(purpose)!, at });
    this.last.set(purpose, p);
    return p;
  }

  get intermediates(): readonly Certificate[] {
    return this.trust.intermediates;
  }
}
