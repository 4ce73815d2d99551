/**
 * Browser bundle only (esbuild alias for node:crypto). libs/pki's certificate
 * parser imports createHash for the lazily computed fingerprintSha256; the
 * client never reads that field in a browser (WebCrypto digests are async).
 * Anything else reaching node:crypto in the bundle fails loudly here.
 */
export function createHash(algorithm: string): never {
  throw new Error(`node:crypto createHash(${algorithm}) is not available in the browser bundle of @jointcert/client`);
}
