/**
 * Injection tokens of the registry for values that are not classes: the
 * configuration object, the clock and the logger. Tests replace the clock.
 */
export const APP_CONFIG = Symbol('registry.config');
export const CLOCK = Symbol('registry.clock');
export const LOGGER = Symbol('registry.logger');
/** The ServiceCaller that reaches the verifier (over the transport, or in this process: VERIFIER_MODE). */
export const VERIFIER = Symbol('registry.verifier');

/** The only source of "now" in the registry (epoch milliseconds). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
