export * from './parse';
export * from './verify';
export { cachedCertificate, certificateCacheSize } from './cert-cache';
export * from './signer-id';
