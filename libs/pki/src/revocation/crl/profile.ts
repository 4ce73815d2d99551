/**
 * RFC 5280 §5.2.3 for CRLs used as evidence: conforming CRL issuers MUST
 * include cRLNumber in every CRL, and it MUST be non-critical. A CRL without
 * one, or with a critical one, is not used (the certificate's status stays
 * unknown from it: CRL_PROFILE), so it can never say "good". Shared by both
 * CRL checkers.
 */
import { CRL_OID, type Crl } from './types';

export function crlProfileProblem(crl: Crl): { reason: 'CRL_PROFILE'; detail: string } | undefined {
  const n = crl.extensions.find((e) => e.oid === CRL_OID.crlNumber);
  if (!n) return { reason: 'CRL_PROFILE', detail: `CRL of ${crl.issuer.text} has no cRLNumber (RFC 5280 §5.2.3)` };
  if (n.critical) return { reason: 'CRL_PROFILE', detail: `CRL of ${crl.issuer.text} marks cRLNumber critical (RFC 5280 §5.2.3: MUST be non-critical)` };
  return undefined;
}
