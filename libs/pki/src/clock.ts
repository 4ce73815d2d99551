/**
 * The time source libs/pki is handed (the revocation checker, its caches and
 * the CRL source): epoch milliseconds behind an object. libs/pki imports
 * nothing from the services, so this is declared here; it is structurally the
 * same as libs/common's Clock, so a service passes its injected clock as is.
 */
export interface Clock {
  now(): number;
}
