export * from './types';
export * from './parse';
export * from './request';
export * from './verify';
export * from './fetch';
