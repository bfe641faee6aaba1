/**
 * The DKG ceremony's public surface (implementation in ceremony.ts).
 *
 *   const out = await runDkg({ definition, identity, network, outputDir });
 *   // out.lock is verified and signed by every operator; keystores and deposit data are on disk.
 *
 * `runDealerSplit` is the separate, explicit dealer mode: one operator holds existing validator keys and splits
 * them; same phases after the deal, same outputs.
 */
import type { ClusterDefinition, ClusterLock } from '../cluster/types.ts';
import type { OperatorIdentity } from '../identity/identity.ts';
import type { KdfChoice } from '../keystore/keystore.ts';
import type { ClusterNetwork } from '../p2p/types.ts';

/** Ceremony phases, in order. */
export const DKG_PHASES = ['sync', 'deal', 'verify', 'sign-deposits', 'sign-lock'] as const;
export type DkgPhase = (typeof DKG_PHASES)[number];

/** Milliseconds each phase may take before the ceremony aborts (naming the operators it still waits for). */
export type DkgTimeouts = Record<DkgPhase, number>;

export type DkgFailureReason =
  | 'timeout' // a phase did not complete in time (the missing operators are named)
  | 'faulty-dealer' // a dealer's shares or commitments are wrong (named, with evidence checked by every node)
  | 'equivocation' // an operator sent different signed messages to different peers
  | 'false-complaint' // an operator accused an honest dealer (the evidence did not hold)
  | 'bad-partial' // a partial deposit or lock signature did not verify (the signer is named)
  | 'peer-abort' // another operator aborted and said why
  | 'invalid-definition'
  | 'restarted'; // a peer restarted the ceremony after this node had moved past the sync phase

export interface DkgProgress {
  phase: DkgPhase;
  /** Free text an operator understands, e.g. "received deals from 3/4 operators". */
  message: string;
}

export interface DkgOptions {
  /** The signed definition (verified again by the ceremony). */
  definition: ClusterDefinition;
  /** This operator's identity; must be one of the definition's operators. */
  identity: OperatorIdentity;
  /** A ClusterNetwork among the definition's operators (its `self` must be this operator's index). */
  network: ClusterNetwork;
  /** Where to write cluster-lock.json, deposit_data-*.json and validator_keys/keystore-*.json (+ .txt). */
  outputDir: string;
  timeouts?: Partial<DkgTimeouts>;
  /** One password for every keystore; default: a random password per keystore, written beside it (keystore-i.txt). */
  keystorePassword?: string;
  /** Keystore KDF; default EIP-2335's pbkdf2 2^18. Cheaper settings are for tests only. */
  keystoreKdf?: KdfChoice;
  onProgress?: (p: DkgProgress) => void;
  /** Clock for the deposit file name (default: now). */
  now?: () => Date;
}

export interface DkgOutput {
  lock: ClusterLock;
  lockPath: string;
  depositDataPath: string;
  /** keystorePaths[v]: keystore of this node's share of validator v. */
  keystorePaths: string[];
  /** passwordPaths[v]: its password file (empty when `keystorePassword` was given). */
  passwordPaths: string[];
  /** Time spent in each phase (ms). */
  timings: Record<DkgPhase, number>;
}

export interface DealerSplitOptions extends DkgOptions {
  /** Operator index of the dealer (the operator holding the existing keys). */
  dealer: number;
  /**
   * The existing validator secret keys, on the dealer only (must be `definition.validators` of them); undefined on
   * every other node.
   */
  existingKeys?: readonly bigint[];
}
