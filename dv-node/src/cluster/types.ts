/**
 * The cluster definition and the cluster lock: the JSON documents every dv-node of a cluster agrees on.
 *
 *   definition  = what the operators agreed to create (who, how many validators, where the money goes), signed by
 *                 every operator (EIP-712 over the definition hash, see definition.ts);
 *   lock        = definition + what the DKG produced (group keys, public shares in operator order, threshold-signed
 *                 deposit data), signed by every operator (EIP-712 over the lock hash, see lock.ts).
 *
 * The lock is the cluster's single source of truth: every command loads it through `verifyLock` / `loadLock`
 * before use. All byte strings are 0x-prefixed lower-case hex; indices are positions in `operators`.
 */
import type { DepositDataJson } from '../deposit/deposit.ts';

export type Hex = `0x${string}`;

export const DEFINITION_VERSION = 'shoal/cluster-definition/v1';
export const LOCK_VERSION = 'shoal/cluster-lock/v1';

export interface ClusterOperator {
  /** The operator's id in the OperatorRegistry (DVT module). */
  operatorId: number;
  /** The operator's Ethereum address, the one bonded on-chain (lower-case). */
  address: Hex;
  /**
   * libp2p peer id (base58btc). It is derived from the operator's secp256k1 key itself, so `verifyDefinition`
   * checks peerId ⇔ address without any further signature.
   */
  peerId: string;
  /** Where the node listens (multiaddr strings, e.g. /ip4/1.2.3.4/tcp/9000); hints, may be overridden at run time. */
  multiaddrs: string[];
}

export interface ClusterNetworkConfig {
  /** Network name as the staking deposit CLI writes it (`network_name`). */
  name: string;
  /** Execution-layer chain id (also the EIP-712 domain's chainId). */
  chainId: number;
  /** The consensus layer's GENESIS_FORK_VERSION (4 bytes): deposits are signed under it. */
  genesisForkVersion: Hex;
}

/** Everything the operators agree on, without signatures. */
export interface ClusterDefinitionBody {
  version: typeof DEFINITION_VERSION;
  name: string;
  /** Random id (uuid v4) making every definition unique, so two clusters of the same operators differ. */
  uuid: string;
  /** ISO-8601 creation time (informational). */
  createdAt: string;
  network: ClusterNetworkConfig;
  /** 32 bytes: 0x01 or 0x02 ‖ 11 zero bytes ‖ the protocol's WithdrawalVault address. */
  withdrawalCredentials: Hex;
  /** Execution-layer fee recipient (the protocol's ExecutionRewardsVault). */
  feeRecipient: Hex;
  /** Deposit amount in gwei (32 ETH for the protocol's deposits). */
  depositAmountGwei: number;
  /** Number of distributed validators V created by the ceremony. */
  validators: number;
  /** t = ceil(2n/3). */
  threshold: number;
  /** The n operators; their order is the share order (operator index k holds share index k + 1). */
  operators: ClusterOperator[];
}

export interface ClusterDefinition extends ClusterDefinitionBody {
  /** keccak256 of the canonical encoding of the body (see definition.ts). */
  definitionHash: Hex;
  /** signatures[k]: operator k's EIP-712 `ClusterDefinition(bytes32 definitionHash)` signature, 65 bytes. */
  signatures: Hex[];
}

export interface DistributedValidator {
  /** Group public key (48 bytes). */
  pubkey: Hex;
  /** publicShares[k]: public key of operator k's share (48 bytes each, n entries). */
  publicShares: Hex[];
  /** Threshold-signed deposit data, exactly one entry of the deposit CLI's `deposit_data-*.json`. */
  depositData: DepositDataJson;
}

export interface ClusterLock {
  version: typeof LOCK_VERSION;
  definition: ClusterDefinition;
  validators: DistributedValidator[];
  /** keccak256 of the canonical encoding of (definition hash, validators); used as the cluster id on the wire. */
  lockHash: Hex;
  /** signatures[k]: operator k's EIP-712 `ClusterLock(bytes32 lockHash)` signature, 65 bytes. */
  signatures: Hex[];
}
