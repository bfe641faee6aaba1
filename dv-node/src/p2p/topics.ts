/** Topic names shared by the p2p layer and its users. */

/** The default topic QBFT messages travel on. */
export const CONSENSUS_TOPIC = 'qbft';
