export * from './access-token';
export * from './session-revocations';
