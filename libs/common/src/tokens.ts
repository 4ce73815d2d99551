import type { Provider } from '@nestjs/common';
import { systemClock, type Clock } from './clock';
import type { AppConfig } from './config';
import { createLogger, type Logger } from './logging/logger';

/**
 * Injection tokens shared by every service for values that are not classes.
 * Each app's `XModule.forRoot(config, overrides)` provides them; tests replace
 * the clock and the logger through the overrides. App-specific tokens (the
 * registry's VERIFIER, the verifier's TRUST_STORE, ...) stay in the app.
 */
/** The validated AppConfig (config.ts). */
export const CONFIG = Symbol('jointcert.config');
/** The Clock (clock.ts): the only "now". */
export const CLOCK = Symbol('jointcert.clock');
/** The service's pino Logger. */
export const LOGGER = Symbol('jointcert.logger');

/** CONFIG, CLOCK (default: the system clock) and LOGGER (default: a logger named `name`): the providers every `XModule.forRoot` starts with. */
export function serviceProviders(name: string, config: AppConfig, overrides: { clock?: Clock; logger?: Logger } = {}): Provider[] {
  return [
    { provide: CONFIG, useValue: config },
    { provide: CLOCK, useValue: overrides.clock ?? systemClock },
    { provide: LOGGER, useValue: overrides.logger ?? createLogger(config, { name }) },
  ];
}
