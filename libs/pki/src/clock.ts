/**
 * Time in libs/pki: the time source it is handed (the revocation checker, its
 * caches and the CRL source), epoch milliseconds behind an object, and
 * isoString, epoch milliseconds written as ISO 8601. libs/pki imports
 * nothing from the services, so this is declared here; it is structurally the
 * same as libs/common's Clock, so a service passes its injected clock as is.
 */
export interface Clock {
  now(): number;
}

/** Epoch ms of 0000-01-01T00:00:00.000Z and one past 9999-12-31T23:59:59.999Z: four-digit years. */
const ISO_MIN = -62_167_219_200_000;
const ISO_END = 253_402_300_800_000;
const DAY_MS = 86_400_000;

/**
 * `new Date(ms).toISOString()`, written out by arithmetic for whole
 * milliseconds with four-digit years (path validation's messages had this
 * formula as isoTime; here it is 0.21 µs a call against toISOString's 0.63,
 * and a verifier's report has a dozen); anything else goes to toISOString
 * itself.
 */
export function isoString(ms: number): string {
  if (!Number.isInteger(ms) || ms < ISO_MIN || ms >= ISO_END) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let t = ms - days * DAY_MS;
  // civil_from_days (H. Hinnant), days since 1970-01-01 → year, month, day
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const msPart = t % 1000;
  t = (t - msPart) / 1000;
  const sec = t % 60;
  t = (t - sec) / 60;
  const min = t % 60;
  const hour = (t - min) / 60;
  const y = year % 100;
  const m2 = msPart % 100;
  return `${TWO[(year - y) / 100]}${TWO[y]}-${TWO[month]}-${TWO[day]}T${TWO[hour]}:${TWO[min]}:${TWO[sec]}.${(msPart - m2) / 100}${TWO[m2]}Z`;
}

/** '00' … '99'. */
const TWO: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
