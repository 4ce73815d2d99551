export * from './result';
export * from './policy';
export * from './trust-anchor';
export * from './name-constraints';
export * from './process';
export * from './build';
export * from './profile';
