export * from './config';
export * from './transport';
export * from './microservice';
