export * from './reader';
export * from './values';
export * from './encoding';
export * from './writer';
