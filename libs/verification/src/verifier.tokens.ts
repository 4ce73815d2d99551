/**
 * Injection tokens of the verifier's own values (the configuration, the clock
 * and the logger use the shared tokens of libs/common). Values, not classes:
 * the network seams are plain functions/objects so that tests replace them
 * without subclassing.
 */
export const TRUST_STORE = Symbol('verifier.trust-store');
/** TrustMetrics (trust/trust-metrics.ts): anchors loaded and refused at load. */
export const TRUST_METRICS = Symbol('verifier.trust-metrics');
export const REDIS = Symbol('verifier.redis');
export const HTTP_FETCHER = Symbol('verifier.http-fetcher');
export const LDAP_FETCHER = Symbol('verifier.ldap-fetcher');
