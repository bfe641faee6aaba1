// StakingRouter: staking modules (fees, limits, status), deposits of buffered ETH, module fee shares.
import { BigInt } from '@graphprotocol/graph-ts';
import {
  Deposited,
  RewardsMinted,
  StakingModuleAdded,
  StakingModuleStatusSet,
  StakingModuleUpdated,
} from '../generated/StakingRouter/StakingRouter';
import { StakingModule, ValidatorDeposit } from '../generated/schema';
import { ZERO, eventId } from './helpers';

/** StakingRouter.ModuleStatus, by its enum index. */
const MODULE_STATUS = ['Active', 'DepositsPaused', 'Stopped'];

function requireModule(id: BigInt): StakingModule {
  let m = StakingModule.load(id.toString());
  if (m == null) throw new Error('staking module ' + id.toString() + ' was never added');
  return m;
}

export function handleStakingModuleAdded(event: StakingModuleAdded): void {
  let e = event.params;
  let m = new StakingModule(e.moduleId.toString());
  m.address = e.module;
  m.name = e.name;
  m.stakeShareLimitBps = e.stakeShareLimitBps;
  m.moduleFeeBps = e.moduleFeeBps;
  m.treasuryFeeBps = e.treasuryFeeBps;
  m.status = MODULE_STATUS[0];
  m.depositedValidators = ZERO;
  m.depositedEther = ZERO;
  m.rewardShares = ZERO;
  m.save();
}

export function handleStakingModuleUpdated(event: StakingModuleUpdated): void {
  let e = event.params;
  let m = requireModule(e.moduleId);
  m.stakeShareLimitBps = e.stakeShareLimitBps;
  m.moduleFeeBps = e.moduleFeeBps;
  m.treasuryFeeBps = e.treasuryFeeBps;
  m.save();
}

export function handleStakingModuleStatusSet(event: StakingModuleStatusSet): void {
  let m = requireModule(event.params.moduleId);
  let s = event.params.status;
  m.status = s >= 0 && s < MODULE_STATUS.length ? MODULE_STATUS[s] : 'Unknown(' + s.toString() + ')';
  m.save();
}

export function handleDeposited(event: Deposited): void {
  let e = event.params;
  let m = requireModule(e.moduleId);
  m.depositedValidators = m.depositedValidators.plus(e.count);
  m.depositedEther = m.depositedEther.plus(e.amount);
  m.save();

  let d = new ValidatorDeposit(eventId(event));
  d.module = m.id;
  d.count = e.count;
  d.amount = e.amount;
  d.blockNumber = event.block.number;
  d.timestamp = event.block.timestamp;
  d.transaction = event.transaction.hash;
  d.save();
}

export function handleRewardsMinted(event: RewardsMinted): void {
  let m = requireModule(event.params.moduleId);
  m.rewardShares = m.rewardShares.plus(event.params.shares);
  m.save();
}
