/** Cluster definition and lock: types, creation, signing, verification. */
export * from './types.ts';
export * from './errors.ts';
export * from './definition.ts';
export * from './lock.ts';
export { canonicalJson } from './canonical.ts';
export { recoverPublicKey, type IndexedPublicKey } from './interpolate.ts';
