/**
 * Domains and signing roots as the consensus specs define them (compute_domain, compute_signing_root).
 * TEMPORARY local copy until common/eth2/signing.ts lands; then this file re-exports the shared module.
 */
import { ssz } from '@lodestar/types';

/** compute_domain(domain_type, fork_version, genesis_validators_root) */
export function computeDomain(domainType: Uint8Array, forkVersion: Uint8Array, genesisValidatorsRoot: Uint8Array): Uint8Array {
  const forkDataRoot = ssz.phase0.ForkData.hashTreeRoot({ currentVersion: forkVersion, genesisValidatorsRoot });
  const domain = new Uint8Array(32);
  domain.set(domainType.subarray(0, 4), 0);
  domain.set(forkDataRoot.subarray(0, 28), 4);
  return domain;
}

/** compute_signing_root(ssz_object, domain) given the object's hash_tree_root. */
export function computeSigningRootFromRoot(objectRoot: Uint8Array, domain: Uint8Array): Uint8Array {
  return ssz.phase0.SigningData.hashTreeRoot({ objectRoot, domain });
}

/** compute_signing_root for any SSZ type. */
export function computeSigningRoot<T>(type: { hashTreeRoot(value: T): Uint8Array }, value: T, domain: Uint8Array): Uint8Array {
  return computeSigningRootFromRoot(type.hashTreeRoot(value), domain);
}
