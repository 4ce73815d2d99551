export * from './parse';
export * from './verify';
export { certificateCacheSize } from './cert-cache';
export * from './signer-id';
