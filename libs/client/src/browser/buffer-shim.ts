// Browser bundle only (esbuild `inject`): the shared libs/pki DER writer and
// SEED build their results as Buffers; in a browser that is the `buffer`
// package (a Uint8Array subclass), so libs/pki's behaviour stays exactly as in Node.
export { Buffer } from 'buffer';
