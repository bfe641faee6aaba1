/** dv-node's cryptographic core: F_r arithmetic and Shamir sharing, BLS threshold operations, the pure DKG. */
export * from './field.ts';
export * from './bls.ts';
export * from './dkg.ts';
