// ConsensusFrame: one frame's consensus (HashConsensus) and processing (AccountingOracle), keyed by refSlot.
import { BigInt } from '@graphprotocol/graph-ts';
import { ConsensusFrame } from '../generated/schema';

export function loadFrame(refSlot: BigInt): ConsensusFrame {
  let id = refSlot.toString();
  let f = ConsensusFrame.load(id);
  if (f == null) {
    f = new ConsensusFrame(id);
    f.refSlot = refSlot;
    f.votes = 0;
    f.submittedToOracle = false;
    f.processingStarted = false;
    f.processed = false;
    f.discarded = false;
    f.missed = false;
  }
  return f;
}
