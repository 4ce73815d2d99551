// Public API of libs/pki: framework-free PKI for jointcert.
export * from './errors';
export * from './der';
export * from './cert/types';
export * from './crypto';
export * from './revocation/types';
export * from './cert';
export * from './npki';
export * from './cms';
export * from './revocation/crl';
export * from './path';
export * from './revocation/ocsp';
export * from './revocation/node-http-fetcher';
export * from './revocation/cache';
export * from './revocation/crl-source';
export * from './revocation/crl-path';
export * from './revocation/checker';
