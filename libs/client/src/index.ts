// @jointcert/client: the client half of 공동인증서 login, for browsers and Node.
export * from './errors';
export * from './bytes';
export * from './webcrypto';
export * from './keyfile';
export * from './passwd';
export * from './certificate';
export * from './cms';
export * from './npki';
export * from './pfx';
export * from './api';
export * from './transfer';
