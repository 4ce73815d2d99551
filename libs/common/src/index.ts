export * from './config';
export * from './transport';
export * from './microservice';
export * from './errors';
export * from './logging';
export * from './auth';
export * from './redis/connection';
export * from './shutdown';
