// OperatorRegistry (the DVT module): operators and bonds, clusters and key batches, deposits of keys, rewards
// (reward-per-weight accumulator), penalties, strikes, exit requests and forced late exits.
import { BigInt, Bytes, ethereum } from '@graphprotocol/graph-ts';
import {
  BondDebtRepaid,
  BondDeposited,
  BondWithdrawn,
  ClusterActiveSet,
  ClusterCreated,
  ClusterDepositsEarning,
  ClusterPenalised,
  ClusterRewardsForfeited,
  ClusterRewardsRestored,
  ClusterValidatorsExited,
  ExitRequested,
  KeyBatchFullyConfirmed,
  KeysAdded,
  KeysConfirmed,
  KeysDeposited,
  KeysRemoved,
  LateExitForced,
  OperatorManagerSet,
  OperatorPenalised,
  OperatorRegistered,
  OperatorRewardAddressSet,
  RewardsClaimed,
  RewardsDeferred,
  RewardsDistributed,
  StrikeRecorded,
  StrikesReset,
} from '../generated/OperatorRegistry/OperatorRegistry';
import {
  BondChange,
  Cluster,
  ExitRequest,
  KeyBatch,
  Operator,
  OperatorPenalty,
  Penalty,
  PendingKeySlot,
  RewardClaim,
  RewardDistribution,
  RewardsState,
  Strike,
  Validator,
  ValidatorKey,
} from '../generated/schema';
import { ONE, ZERO, ZERO_ADDRESS, eventId, loadProtocol } from './helpers';

/** IDvtModule.PenaltyReason, by enum index. */
const PENALTY_REASONS = ['SLASHING', 'MISSED_DUTIES', 'STOLEN_EXECUTION_REWARDS', 'LATE_EXIT'];
/** ClusterRewards.REWARD_WEIGHT_PER_VALIDATOR: lcm(4, 7, 10), split equally among a cluster's members. */
const REWARD_WEIGHT_PER_VALIDATOR = BigInt.fromI32(140);
/** ClusterRewards.REWARD_PRECISION: fixed-point scale of rewardPerWeight. */
const REWARD_PRECISION = BigInt.fromI32(10).pow(12);
/** The accumulator wraps modulo 2^120 (ClusterRewards). */
const ACC_MODULUS = BigInt.fromI32(2).pow(120);

function reasonName(i: i32): string {
  return i >= 0 && i < PENALTY_REASONS.length ? PENALTY_REASONS[i] : 'SLASHING';
}

function loadOperator(id: BigInt, event: ethereum.Event): Operator {
  let op = Operator.load(id.toString());
  if (op == null) {
    // a bond deposit can precede OperatorRegistered in the registration transaction
    op = new Operator(id.toString());
    op.operatorId = id;
    op.manager = ZERO_ADDRESS;
    op.rewardAddress = ZERO_ADDRESS;
    op.name = '';
    op.bond = ZERO;
    op.bondDebt = ZERO;
    op.totalBondDeposited = ZERO;
    op.totalBondWithdrawn = ZERO;
    op.totalPenalised = ZERO;
    op.totalPenaltyTaken = ZERO;
    op.rewardsClaimed = ZERO;
    op.rewardsEarned = ZERO;
    op.registeredAt = event.block.timestamp;
  }
  return op;
}

function requireCluster(id: BigInt): Cluster {
  let c = Cluster.load(id.toString());
  if (c == null) throw new Error('cluster ' + id.toString() + ' was never created');
  return c;
}

function bondChange(event: ethereum.Event, op: Operator, kind: string, amount: BigInt, account: Bytes | null): void {
  let b = new BondChange(eventId(event));
  b.operator = op.id;
  b.kind = kind;
  b.amount = amount;
  b.bond = op.bond;
  b.account = account;
  b.blockNumber = event.block.number;
  b.timestamp = event.block.timestamp;
  b.transaction = event.transaction.hash;
  b.save();
}

// ------------------------------------------------------------------------------------------ operators, bonds
export function handleOperatorRegistered(event: OperatorRegistered): void {
  let e = event.params;
  let op = loadOperator(e.operatorId, event);
  op.manager = e.manager;
  op.rewardAddress = e.rewardAddress;
  op.name = e.name;
  op.registeredAt = event.block.timestamp;
  op.save();
  let p = loadProtocol(event);
  p.operators = p.operators + 1;
  p.save();
}

export function handleOperatorRewardAddressSet(event: OperatorRewardAddressSet): void {
  let op = loadOperator(event.params.operatorId, event);
  op.rewardAddress = event.params.rewardAddress;
  op.save();
}

export function handleOperatorManagerSet(event: OperatorManagerSet): void {
  let op = loadOperator(event.params.operatorId, event);
  op.manager = event.params.manager;
  op.save();
}

export function handleBondDeposited(event: BondDeposited): void {
  let e = event.params;
  let op = loadOperator(e.operatorId, event);
  op.bond = e.bond;
  op.totalBondDeposited = op.totalBondDeposited.plus(e.amount);
  op.save();
  bondChange(event, op, 'DEPOSIT', e.amount, e.from);
}

export function handleBondWithdrawn(event: BondWithdrawn): void {
  let e = event.params;
  let op = loadOperator(e.operatorId, event);
  op.bond = e.bond;
  op.totalBondWithdrawn = op.totalBondWithdrawn.plus(e.amount);
  op.save();
  bondChange(event, op, 'WITHDRAWAL', e.amount, e.to);
}

export function handleBondDebtRepaid(event: BondDebtRepaid): void {
  let e = event.params;
  let op = loadOperator(e.operatorId, event);
  op.bondDebt = e.bondDebt;
  op.save();
  bondChange(event, op, 'DEBT_REPAID', e.amount, e.from);
}

// ------------------------------------------------------------------------------------------ clusters, keys
export function handleClusterCreated(event: ClusterCreated): void {
  let e = event.params;
  let c = new Cluster(e.clusterId.toString());
  c.clusterId = e.clusterId;
  let members = new Array<string>(0);
  for (let i = 0; i < e.operatorIds.length; i++) members.push(e.operatorIds[i].toString());
  c.members = members;
  c.size = members.length;
  c.threshold = e.threshold.toI32();
  c.active = true;
  c.totalKeys = ZERO;
  c.confirmedKeys = ZERO;
  c.depositedValidators = ZERO;
  c.exitedValidators = ZERO;
  c.activeValidators = ZERO;
  c.earningValidators = ZERO;
  c.earningDeposits = ZERO;
  c.exitsRequested = ZERO;
  c.lateExitsForced = ZERO;
  c.rewardsForfeited = false;
  c.strikes = ZERO;
  c.rewardsEarned = ZERO;
  c.penaltiesCharged = ZERO;
  c.penaltiesCollected = ZERO;
  c.createdAt = event.block.timestamp;
  c.save();
  let p = loadProtocol(event);
  p.clusters = p.clusters + 1;
  p.save();
}

export function handleClusterActiveSet(event: ClusterActiveSet): void {
  let c = requireCluster(event.params.clusterId);
  c.active = event.params.active;
  c.save();
}

function batchId(clusterId: BigInt, batchIndex: BigInt): string {
  return clusterId.toString() + '-' + batchIndex.toString();
}

export function handleKeysAdded(event: KeysAdded): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  c.totalKeys = c.totalKeys.plus(e.count);
  c.save();
  let b = new KeyBatch(batchId(e.clusterId, e.batchIndex));
  b.cluster = c.id;
  b.batchIndex = e.batchIndex;
  b.firstIndex = e.firstIndex;
  b.count = e.count;
  b.codeHash = e.codeHash;
  b.confirmations = new Array<string>(0);
  b.fullyConfirmed = false;
  b.removed = false;
  b.addedAt = event.block.timestamp;
  b.save();
}

export function handleKeysConfirmed(event: KeysConfirmed): void {
  let e = event.params;
  let b = KeyBatch.load(batchId(e.clusterId, e.batchIndex));
  if (b == null) throw new Error('confirmation of unknown key batch ' + batchId(e.clusterId, e.batchIndex));
  let confirmations = b.confirmations;
  confirmations.push(e.operatorId.toString());
  b.confirmations = confirmations;
  b.save();
}

export function handleKeyBatchFullyConfirmed(event: KeyBatchFullyConfirmed): void {
  let e = event.params;
  let b = KeyBatch.load(batchId(e.clusterId, e.batchIndex));
  if (b != null) {
    b.fullyConfirmed = true;
    b.save();
  }
  let c = requireCluster(e.clusterId);
  c.confirmedKeys = e.confirmedKeys;
  c.save();
}

export function handleKeysRemoved(event: KeysRemoved): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  c.totalKeys = e.totalKeys;
  if (c.confirmedKeys.gt(e.totalKeys)) c.confirmedKeys = e.totalKeys;
  c.save();
  for (let i = e.fromBatchIndex; ; i = i.plus(ONE)) {
    let b = KeyBatch.load(batchId(e.clusterId, i));
    if (b == null) break;
    b.removed = true;
    b.fullyConfirmed = false;
    b.save();
  }
}

/** Keys handed to the router; the deposit contract's events of the same transaction take these slots in order. */
export function handleKeysDeposited(event: KeysDeposited): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  c.depositedValidators = c.depositedValidators.plus(e.count);
  c.activeValidators = c.depositedValidators.minus(c.exitedValidators);
  c.save();

  let id = event.transaction.hash.toHexString();
  let slots = PendingKeySlot.load(id);
  if (slots == null) {
    slots = new PendingKeySlot(id);
    slots.clusters = new Array<string>(0);
    slots.keyIndexes = new Array<BigInt>(0);
    slots.next = 0;
  }
  let clusters = slots.clusters;
  let keys = slots.keyIndexes;
  for (let k = e.fromIndex; k.lt(e.fromIndex.plus(e.count)); k = k.plus(ONE)) {
    clusters.push(c.id);
    keys.push(k);
  }
  slots.clusters = clusters;
  slots.keyIndexes = keys;
  slots.save();
}

// ------------------------------------------------------------------------------------------ rewards
function loadRewardsState(): RewardsState {
  let s = RewardsState.load('1');
  if (s == null) {
    s = new RewardsState('1');
    s.rewardPerWeight = ZERO;
    s.totalWeight = ZERO;
  }
  return s;
}

/** Deposits made since the previous cluster report start earning (ClusterRewards: earning = deposited − exited). */
export function handleClusterDepositsEarning(event: ClusterDepositsEarning): void {
  let c = requireCluster(event.params.clusterId);
  c.earningValidators = event.params.earningValidators;
  c.earningDeposits = event.params.earningValidators.plus(c.exitedValidators);
  c.save();
}

/**
 * Attributes the report's accumulator step to every earning cluster and its members, as ClusterRewards does:
 * weight(member) = earning × 140 / size, earned = weight × Δ(rewardPerWeight) / 1e12 (rounded down per report;
 * the contract rounds per settlement, so an operator's figure here may differ by a wei-share per report).
 */
export function handleRewardsDistributed(event: RewardsDistributed): void {
  let e = event.params;
  let s = loadRewardsState();
  let delta = e.rewardPerWeight.minus(s.rewardPerWeight);
  if (delta.lt(ZERO)) delta = delta.plus(ACC_MODULUS);
  s.rewardPerWeight = e.rewardPerWeight;
  s.totalWeight = e.totalWeight;
  s.save();

  let count = loadProtocol(event).clusters;
  for (let i = 1; i <= count; i++) {
    let c = Cluster.load(i.toString());
    if (c == null || c.rewardsForfeited || c.earningValidators.equals(ZERO)) continue;
    let clusterWeight = c.earningValidators.times(REWARD_WEIGHT_PER_VALIDATOR);
    c.rewardsEarned = c.rewardsEarned.plus(clusterWeight.times(delta).div(REWARD_PRECISION));
    c.save();
    let memberWeight = clusterWeight.div(BigInt.fromI32(c.size));
    let members = c.members;
    for (let m = 0; m < members.length; m++) {
      let op = Operator.load(members[m]);
      if (op == null) continue;
      op.rewardsEarned = op.rewardsEarned.plus(memberWeight.times(delta).div(REWARD_PRECISION));
      op.save();
    }
  }

  let d = new RewardDistribution(eventId(event));
  d.shares = e.shares;
  d.carried = e.carried;
  d.totalWeight = e.totalWeight;
  d.rewardPerWeight = e.rewardPerWeight;
  d.deferred = false;
  d.blockNumber = event.block.number;
  d.timestamp = event.block.timestamp;
  d.transaction = event.transaction.hash;
  d.save();
}

export function handleRewardsDeferred(event: RewardsDeferred): void {
  let s = loadRewardsState();
  let d = new RewardDistribution(eventId(event));
  d.shares = event.params.shares;
  d.carried = event.params.undistributed;
  d.totalWeight = ZERO;
  d.rewardPerWeight = s.rewardPerWeight;
  d.deferred = true;
  d.blockNumber = event.block.number;
  d.timestamp = event.block.timestamp;
  d.transaction = event.transaction.hash;
  d.save();
}

export function handleRewardsClaimed(event: RewardsClaimed): void {
  let e = event.params;
  let op = loadOperator(e.operatorId, event);
  op.rewardsClaimed = op.rewardsClaimed.plus(e.shares);
  op.save();
  let r = new RewardClaim(eventId(event));
  r.operator = op.id;
  r.rewardAddress = e.rewardAddress;
  r.shares = e.shares;
  r.blockNumber = event.block.number;
  r.timestamp = event.block.timestamp;
  r.transaction = event.transaction.hash;
  r.save();
}

export function handleClusterRewardsForfeited(event: ClusterRewardsForfeited): void {
  let c = requireCluster(event.params.clusterId);
  c.rewardsForfeited = true;
  c.lastMissedDutyBps = event.params.missedDutyBps;
  c.save();
}

export function handleClusterRewardsRestored(event: ClusterRewardsRestored): void {
  let c = requireCluster(event.params.clusterId);
  c.rewardsForfeited = false;
  c.save();
}

// ------------------------------------------------------------------------------------------ exits, penalties
/** Keys below the reported exited count are exited (ExitRequests: "a key counts as exited when exitedTotal exceeds its index"). */
export function handleClusterValidatorsExited(event: ClusterValidatorsExited): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  let before = c.exitedValidators;
  c.exitedValidators = e.exitedTotal;
  c.activeValidators = c.depositedValidators.minus(c.exitedValidators);
  c.earningValidators = c.earningDeposits.gt(e.exitedTotal) ? c.earningDeposits.minus(e.exitedTotal) : ZERO;
  c.save();
  for (let k = before; k.lt(e.exitedTotal); k = k.plus(ONE)) {
    let slot = c.id + '-' + k.toString();
    let key = ValidatorKey.load(slot);
    if (key != null) {
      let v = Validator.load(key.validator);
      if (v != null) {
        v.status = 'EXITED';
        v.save();
      }
    }
    let r = ExitRequest.load(slot);
    if (r != null) {
      r.exited = true;
      r.save();
    }
  }
}

export function handleClusterPenalised(event: ClusterPenalised): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  c.penaltiesCharged = c.penaltiesCharged.plus(e.amount);
  c.penaltiesCollected = c.penaltiesCollected.plus(e.collected);
  c.save();
  let p = loadProtocol(event);
  p.totalPenaltiesCharged = p.totalPenaltiesCharged.plus(e.amount);
  p.totalPenaltiesCollected = p.totalPenaltiesCollected.plus(e.collected);
  p.save();

  let pen = new Penalty(eventId(event));
  pen.cluster = c.id;
  pen.reason = reasonName(e.reason);
  pen.amount = e.amount;
  pen.collected = e.collected;
  pen.blockNumber = event.block.number;
  pen.timestamp = event.block.timestamp;
  pen.transaction = event.transaction.hash;
  pen.save();
}

export function handleOperatorPenalised(event: OperatorPenalised): void {
  let e = event.params;
  let op = loadOperator(e.operatorId, event);
  op.bond = e.bond;
  op.bondDebt = e.bondDebt;
  op.totalPenalised = op.totalPenalised.plus(e.amount);
  op.totalPenaltyTaken = op.totalPenaltyTaken.plus(e.taken);
  op.save();
  bondChange(event, op, 'PENALTY', e.taken, null);

  let pen = new OperatorPenalty(eventId(event));
  pen.operator = op.id;
  pen.cluster = e.clusterId.toString();
  pen.reason = reasonName(e.reason);
  pen.amount = e.amount;
  pen.taken = e.taken;
  pen.bond = e.bond;
  pen.bondDebt = e.bondDebt;
  pen.blockNumber = event.block.number;
  pen.timestamp = event.block.timestamp;
  pen.transaction = event.transaction.hash;
  pen.save();
}

export function handleStrikeRecorded(event: StrikeRecorded): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  c.strikes = e.strikes;
  c.save();
  let s = new Strike(eventId(event));
  s.cluster = c.id;
  s.strikes = e.strikes;
  s.windowStart = e.windowStart;
  s.missedDutyBps = e.missedDutyBps;
  s.blockNumber = event.block.number;
  s.timestamp = event.block.timestamp;
  s.save();
}

export function handleStrikesReset(event: StrikesReset): void {
  let c = requireCluster(event.params.clusterId);
  c.strikes = ZERO;
  c.save();
}

export function handleExitRequested(event: ExitRequested): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  let next = e.keyIndex.plus(ONE);
  if (next.gt(c.exitsRequested)) c.exitsRequested = next;
  c.save();

  let r = new ExitRequest(c.id + '-' + e.keyIndex.toString());
  r.cluster = c.id;
  r.keyIndex = e.keyIndex;
  r.pubkey = e.pubkey;
  r.deadline = e.deadline;
  r.requestedAt = event.block.timestamp;
  r.requestTransaction = event.transaction.hash;
  r.exited = false;
  r.forced = false;
  let v = Validator.load(e.pubkey);
  if (v != null) {
    r.validator = v.id;
    if (v.status == 'DEPOSITED') v.status = 'EXIT_REQUESTED';
    v.exitRequest = r.id;
    v.save();
  }
  r.save();

  let p = loadProtocol(event);
  p.exitRequests = p.exitRequests + 1;
  p.save();
}

export function handleLateExitForced(event: LateExitForced): void {
  let e = event.params;
  let c = requireCluster(e.clusterId);
  c.lateExitsForced = c.lateExitsForced.plus(ONE);
  c.save();
  let r = ExitRequest.load(c.id + '-' + e.keyIndex.toString());
  if (r == null) throw new Error('late exit forced for a key never requested: ' + c.id + '-' + e.keyIndex.toString());
  r.forced = true;
  r.forcedBy = e.caller;
  r.forcedAt = event.block.timestamp;
  r.forceFee = e.fee;
  r.save();
  let v = Validator.load(e.pubkey);
  if (v != null && v.status != 'EXITED') {
    v.status = 'EXIT_FORCED';
    v.save();
  }
}
