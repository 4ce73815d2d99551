/**
 * Injection tokens of the verifier. Values, not classes: the configuration
 * object, the clock and the network seams are plain functions/objects so that
 * tests replace them without subclassing.
 */
export const APP_CONFIG = Symbol('verifier.config');
/** `() => number` (epoch ms): the only source of "now" in the verifier. */
export const CLOCK = Symbol('verifier.clock');
export const LOGGER = Symbol('verifier.logger');
export const TRUST_STORE = Symbol('verifier.trust-store');
/** TrustMetrics (trust/trust-metrics.ts): anchors loaded and refused at load. */
export const TRUST_METRICS = Symbol('verifier.trust-metrics');
export const REDIS = Symbol('verifier.redis');
export const HTTP_FETCHER = Symbol('verifier.http-fetcher');
export const LDAP_FETCHER = Symbol('verifier.ldap-fetcher');

export type Clock = () => number;
