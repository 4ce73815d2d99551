/**
 * What a path ends at: a certificate, or (RFC 5914 style) a bare name and key.
 * Its own module so the policy and the result can both name it without
 * importing each other.
 */
import type { Certificate, Name, NameConstraints, SubjectPublicKeyInfo } from '../cert/types';

/**
 * A trust anchor without a certificate (RFC 5914 style): a name and a key, and
 * optionally name constraints applied to every path under it.
 */
export interface BareTrustAnchor {
  name: Name;
  spki: SubjectPublicKeyInfo;
  nameConstraints?: NameConstraints;
}

export type TrustAnchor = Certificate | BareTrustAnchor;

export function isCertificateAnchor(a: TrustAnchor): a is Certificate {
  return (a as Certificate).tbsDer !== undefined;
}
