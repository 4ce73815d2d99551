/** The SSRF guard now lives in libs/common (shared with the notifier's revocation re-check). */
export { createFetchAllow, createGuardedHttpFetcher, createGuardedLdapFetcher, normaliseHost } from '@jointcert/common';
