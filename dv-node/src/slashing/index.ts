/** EIP-3076 slashing protection (minimal strategy) for dv-node: see db.ts for the durability promise. */
export * from './rules.ts';
export * from './interchange.ts';
export * from './db.ts';
