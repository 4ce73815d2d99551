/**
 * Browser bundle only (esbuild alias for node:crypto). libs/pki's certificate
 * parser imports hash (one-shot) for the lazily computed fingerprintSha256; the
 * client never reads that field in a browser (WebCrypto digests are async).
 * Anything else reaching node:crypto in the bundle fails loudly here.
 */
export function createHash(algorithm: string): never {
  throw new Error(`node:crypto createHash(${algorithm}) is not available in the browser bundle of @jointcert/client`);
}

export function hash(algorithm: string): never {
  throw new Error(`node:crypto hash(${algorithm}) is not available in the browser bundle of @jointcert/client`);
}
