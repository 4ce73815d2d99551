/**
 * The only source of "now" in every service: epoch milliseconds behind an
 * object, so that tests pass one they move (instead of sleeping) and code
 * reads `clock.now()` wherever it needs the time.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const DAY_MS = 86_400_000;
