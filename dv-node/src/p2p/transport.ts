/** Adapter: the consensus component's `Transport` on top of a ClusterNetwork topic. */
import type { Transport } from '../consensus/types.ts';
import type { ClusterNetwork } from './types.ts';

/** The default topic QBFT messages travel on. */
export const CONSENSUS_TOPIC = 'qbft';

/**
 * QBFT messages are self-authenticating (signed by the consensus layer), so the sender index the network gives is
 * not passed on; the network has already checked the envelope signature of the operator who sent it.
 */
export function consensusTransport(network: ClusterNetwork, topic: string = CONSENSUS_TOPIC): Transport {
  return {
    broadcast: (message) => network.broadcast(topic, message),
    onMessage: (handler) => network.onMessage(topic, (_from, payload) => handler(payload)),
  };
}
