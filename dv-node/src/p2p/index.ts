/** dv-node peers: the ClusterNetwork interface, its libp2p and in-memory implementations, the consensus adapter. */
export * from './types.ts';
export { sealEnvelope, openEnvelope, EnvelopeError, type Envelope } from './envelope.ts';
export { MemoryClusterHub, MemoryClusterNetwork, type MemoryLinkFilter } from './memory.ts';
export { consensusTransport, CONSENSUS_TOPIC } from './transport.ts';
export { startClusterNetwork, type Libp2pClusterNetwork, type Libp2pClusterNetworkOptions, type ClusterMember } from './libp2p.ts';
