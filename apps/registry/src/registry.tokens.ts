/**
 * Injection tokens of the registry's own values. The configuration, the clock
 * and the logger use the shared tokens of libs/common (CONFIG, CLOCK, LOGGER).
 */
/** The ServiceCaller that reaches the verifier (over the transport, or in this process: VERIFIER_MODE). */
export const VERIFIER = Symbol('registry.verifier');
