/** dv-node operator identity: the bonded secp256k1 key, its peer id, and key files. */
export * from './identity.ts';
export * from './keyfile.ts';
