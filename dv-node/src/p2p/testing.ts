/** Test helpers for ClusterNetwork users: a local libp2p cluster on loopback, and bounded polling. */
import type { OperatorIdentity } from '../identity/identity.ts';
import { startClusterNetwork, type ClusterMember, type Libp2pClusterNetwork, type Libp2pClusterNetworkOptions } from './libp2p.ts';
import type { Hex } from './types.ts';

/** Polls `cond` every few ms until it holds; rejects after `timeoutMs` with `what`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function membersOf(identities: readonly OperatorIdentity[]): ClusterMember[] {
  return identities.map((id) => ({ address: id.address, peerId: id.peerId, multiaddrs: [] }));
}

/**
 * Starts one libp2p node per identity on 127.0.0.1 (port 0), then tells every node where the others listen.
 * `only` restricts which members are started (the others stay offline).
 */
export async function startLoopbackCluster(
  identities: readonly OperatorIdentity[],
  cluster: Hex,
  options: Partial<Libp2pClusterNetworkOptions> & { only?: number[] } = {},
): Promise<(Libp2pClusterNetwork | undefined)[]> {
  const members = membersOf(identities);
  const nets: (Libp2pClusterNetwork | undefined)[] = [];
  for (let i = 0; i < identities.length; i++) {
    if (options.only && !options.only.includes(i)) {
      nets.push(undefined);
      continue;
    }
    nets.push(await startClusterNetwork({ minBackoffMs: 20, maxBackoffMs: 500, ...options, identity: identities[i]!, members, cluster, listen: ['/ip4/127.0.0.1/tcp/0'] }));
  }
  connectLoopback(nets);
  return nets;
}

/** Tells every started node the listen addresses of every other started node. */
export function connectLoopback(nets: readonly (Libp2pClusterNetwork | undefined)[]): void {
  nets.forEach((a, i) => {
    if (!a) return;
    nets.forEach((b, j) => {
      if (b && i !== j) a.setMemberAddresses(j, b.listenAddresses());
    });
  });
}
