// HashConsensus: the oracle committee, its votes per frame and consensus reached or lost.
import { BigInt, Bytes } from '@graphprotocol/graph-ts';
import {
  ConsensusLost,
  ConsensusReached,
  MemberAdded,
  MemberRemoved,
  ReportReceived,
} from '../generated/HashConsensus/HashConsensus';
import { ConsensusVote, OracleMember } from '../generated/schema';
import { eventId } from './helpers';
import { loadFrame } from './frame';

function loadMember(address: Bytes, timestamp: BigInt): OracleMember {
  let m = OracleMember.load(address);
  if (m == null) {
    m = new OracleMember(address);
    m.active = false;
    m.votes = 0;
    m.addedAt = timestamp;
  }
  return m;
}

export function handleMemberAdded(event: MemberAdded): void {
  let m = loadMember(event.params.member, event.block.timestamp);
  m.active = true;
  m.addedAt = event.block.timestamp;
  m.save();
}

export function handleMemberRemoved(event: MemberRemoved): void {
  let m = loadMember(event.params.member, event.block.timestamp);
  m.active = false;
  m.save();
}

export function handleReportReceived(event: ReportReceived): void {
  let e = event.params;
  let m = loadMember(e.member, event.block.timestamp);
  m.votes = m.votes + 1;
  m.lastVoteRefSlot = e.refSlot;
  m.save();
  let f = loadFrame(e.refSlot);
  f.votes = f.votes + 1;
  f.save();
  let v = new ConsensusVote(eventId(event));
  v.frame = f.id;
  v.member = m.id;
  v.report = e.report;
  v.blockNumber = event.block.number;
  v.timestamp = event.block.timestamp;
  v.transaction = event.transaction.hash;
  v.save();
}

export function handleConsensusReached(event: ConsensusReached): void {
  let f = loadFrame(event.params.refSlot);
  f.consensusReport = event.params.report;
  f.support = event.params.support;
  f.save();
}

export function handleConsensusLost(event: ConsensusLost): void {
  let f = loadFrame(event.params.refSlot);
  f.consensusReport = null;
  f.support = null;
  f.save();
}
