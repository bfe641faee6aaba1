/** Placeholder replaced by the libp2p implementation in the next commit (interface is final). */
import type { OperatorIdentity } from '../identity/identity.ts';
import type { ClusterNetwork, Hex, P2pMetrics } from './types.ts';

/** One cluster member as the network needs it. */
export interface ClusterMember {
  /** Ethereum address of the operator (lower-case). */
  address: Hex;
  /** libp2p peer id (derived from the operator key). */
  peerId: string;
  /** Multiaddrs to dial, e.g. /ip4/127.0.0.1/tcp/9000 (the peer id is appended if missing). */
  multiaddrs: string[];
}

export interface Libp2pClusterNetworkOptions {
  identity: OperatorIdentity;
  /** The cluster's members in lock order; must include this node's identity. */
  members: readonly ClusterMember[];
  /** Cluster id the envelopes are bound to: definition hash (DKG) or lock hash (run). */
  cluster: Hex;
  /** Where to listen, e.g. ['/ip4/127.0.0.1/tcp/0']. */
  listen: string[];
  metrics?: P2pMetrics;
  /** First reconnect delay (ms), doubling up to `maxBackoffMs`. Defaults 100 and 5000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Largest frame accepted (default 16 MiB). */
  maxFrameBytes?: number;
  /** Messages kept per unreachable peer until it connects (default 4096; oldest dropped first). */
  queueLimit?: number;
  /** Called for each dropped message (logging). */
  onInvalid?: (reason: string, fromIndex: number | null, detail: string) => void;
}

export interface Libp2pClusterNetwork extends ClusterNetwork {
  /** The multiaddrs this node listens on (with /p2p/<peer id>). */
  listenAddresses(): string[];
  /** Resolves when every other member is connected (or rejects at the deadline naming who is missing). */
  waitForPeers(timeoutMs: number): Promise<void>;
}

export async function startClusterNetwork(options: Libp2pClusterNetworkOptions): Promise<Libp2pClusterNetwork> {
  throw new Error(`libp2p cluster network not implemented yet (${options.listen.join(',')})`);
}
