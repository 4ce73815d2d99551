export * from './types';
export * from './name';
export * from './general-name';
export * from './extensions';
export * from './parse';
