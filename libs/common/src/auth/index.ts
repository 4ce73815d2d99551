export * from './access-token';
export * from './session-revocations';
export * from './signed-links';
