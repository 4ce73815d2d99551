// Korean NPKI profile: SEED, signPri.key, identifyData/VID, policy types, NPKI folders.
export * from './seed';
export * from './keyfile';
export * from './vid';
export * from './profile';
export * from './folder';
export * from './km';
export * from './pkcs12';
export * from './subject';
