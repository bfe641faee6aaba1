/** Adapter: the consensus component's `Transport` on top of a ClusterNetwork topic. */
import type { Transport } from '../consensus/types.ts';
import type { ClusterNetwork } from './types.ts';

import { CONSENSUS_TOPIC } from './topics.ts';

export { CONSENSUS_TOPIC };

/**
 * QBFT messages are self-authenticating (signed by the consensus layer), so the sender index the network gives is
 * not passed on. On the default topic their frames carry no envelope signature (p2p/envelope.ts
 * `PAYLOAD_SIGNED_TOPICS`); on another topic they are signed twice, which is correct but slower.
 */
export function consensusTransport(network: ClusterNetwork, topic: string = CONSENSUS_TOPIC): Transport {
  return {
    broadcast: (message) => network.broadcast(topic, message),
    onMessage: (handler) => network.onMessage(topic, (_from, payload) => handler(payload)),
  };
}
