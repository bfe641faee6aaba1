/** dv-node DKG ceremony: runDkg (joint-Feldman, no dealer) and runDealerSplit (explicit trusted-dealer mode). */
export * from './types.ts';
export { runDkg, runDealerSplit, DkgCeremonyError, DEFAULT_DKG_TIMEOUTS } from './ceremony.ts';
export { LOCK_FILE, KEYS_DIR } from './outputs.ts';
