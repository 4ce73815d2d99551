export * from './context';
export * from './request-id';
export * from './logger';
export * from './request-context.interceptor';
