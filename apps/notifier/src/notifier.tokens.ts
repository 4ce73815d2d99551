/** The notifier's clock: milliseconds since the epoch. Tests move it instead of waiting days. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();

export const DAY_MS = 86_400_000;

/** Asia/Seoul: reminders are scheduled and dates shown in Korea time. */
export const KOREA_TZ = 'Asia/Seoul';
