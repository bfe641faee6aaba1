/** QBFT consensus for dv-node: the public surface (see types.ts for the interfaces on one page). */
export * from './types.ts';
export { faultTolerance, quorumSize, leaderOf, dutyTypeCode } from './quorum.ts';
export { hashValue, encodeJsonValue, decodeJsonValue } from './value.ts';
export {
  messageDigest,
  signMessage,
  verifyMessage,
  encodeEnvelope,
  decodeEnvelope,
  MalformedMessageError,
  QBFT_SIGNING_DOMAIN,
} from './message.ts';
export { Secp256k1Signer, Secp256k1Verifier, publicKeyToAddress, privateKeyToAddress } from './secp256k1.ts';
export { systemClock, FakeClock, linearRoundTimer, exponentialRoundTimer } from './clock.ts';
export { noopMetrics, RecordingMetrics } from './metrics.ts';
export { MemoryNetwork, mulberry32, type NetworkFaults } from './memory-transport.ts';
export { QbftInstance, dutyKey } from './instance.ts';
export { QbftConsensus, ConsensusAbortedError, type QbftConsensusOptions } from './consensus.ts';
export { verifyDecision } from './decision.ts';
