/**
 * @jointcert/client: the client half, for browsers and Node.
 * (This file is the minimum for the transfer module; the client issue owns the rest.)
 */
export * from './transfer';
