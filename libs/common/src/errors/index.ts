export * from './problem-types';
export * from './domain-error';
export * from './problem';
export * from './rpc';
export * from './outage';
