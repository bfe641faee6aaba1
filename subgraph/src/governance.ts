// Configuration, role and upgrade events: recorded as GovernanceEvent entities (contract, name, parameters).
// Every mapping re-exports these handlers (`export * from './governance'`); subgraph/sources.ts says which
// events of which contract go here. The handlers take the generic ethereum.Event: the parameters are rendered
// from their ABI kinds, so one handler serves the same event name on every contract.
import { ethereum } from '@graphprotocol/graph-ts';
import { GovernanceEvent } from '../generated/schema';
import { eventId } from './helpers';

function render(v: ethereum.Value): string {
  let k = v.kind;
  if (k == ethereum.ValueKind.ADDRESS) return v.toAddress().toHexString();
  if (k == ethereum.ValueKind.FIXED_BYTES || k == ethereum.ValueKind.BYTES) return v.toBytes().toHexString();
  if (k == ethereum.ValueKind.INT || k == ethereum.ValueKind.UINT) return v.toBigInt().toString();
  if (k == ethereum.ValueKind.BOOL) return v.toBoolean() ? 'true' : 'false';
  if (k == ethereum.ValueKind.STRING) return v.toString();
  if (k == ethereum.ValueKind.TUPLE) return '(' + renderAll(v.toTuple()) + ')';
  if (k == ethereum.ValueKind.ARRAY || k == ethereum.ValueKind.FIXED_ARRAY) return '[' + renderAll(v.toArray()) + ']';
  return '?';
}

function renderAll(values: Array<ethereum.Value>): string {
  let parts = new Array<string>(0);
  for (let i = 0; i < values.length; i++) parts.push(render(values[i]));
  return parts.join(',');
}

/** Stores one governance event. */
export function recordGovernance(event: ethereum.Event, name: string): void {
  let e = new GovernanceEvent(eventId(event));
  e.contract = event.address;
  e.name = name;
  let parts = new Array<string>(0);
  for (let i = 0; i < event.parameters.length; i++) {
    let p = event.parameters[i];
    parts.push(p.name + '=' + render(p.value));
  }
  e.params = parts.join('; ');
  e.blockNumber = event.block.number;
  e.timestamp = event.block.timestamp;
  e.transaction = event.transaction.hash;
  e.save();
}

export function governanceInitialized(event: ethereum.Event): void {
  recordGovernance(event, 'Initialized');
}

export function governanceUpgraded(event: ethereum.Event): void {
  recordGovernance(event, 'Upgraded');
}

export function governanceRoleAdminChanged(event: ethereum.Event): void {
  recordGovernance(event, 'RoleAdminChanged');
}

export function governanceRoleGranted(event: ethereum.Event): void {
  recordGovernance(event, 'RoleGranted');
}

export function governanceRoleRevoked(event: ethereum.Event): void {
  recordGovernance(event, 'RoleRevoked');
}

export function governanceEIP712DomainChanged(event: ethereum.Event): void {
  recordGovernance(event, 'EIP712DomainChanged');
}

export function governanceStakingLimitSet(event: ethereum.Event): void {
  recordGovernance(event, 'StakingLimitSet');
}

export function governanceStakingLimitRemoved(event: ethereum.Event): void {
  recordGovernance(event, 'StakingLimitRemoved');
}

export function governanceRouterSet(event: ethereum.Event): void {
  recordGovernance(event, 'RouterSet');
}

export function governanceProtocolContractsSet(event: ethereum.Event): void {
  recordGovernance(event, 'ProtocolContractsSet');
}

export function governanceApproval(event: ethereum.Event): void {
  recordGovernance(event, 'Approval');
}

export function governanceApprovalForAll(event: ethereum.Event): void {
  recordGovernance(event, 'ApprovalForAll');
}

export function governanceBaseURISet(event: ethereum.Event): void {
  recordGovernance(event, 'BaseURISet');
}

export function governanceRequestLimitsSet(event: ethereum.Event): void {
  recordGovernance(event, 'RequestLimitsSet');
}

export function governanceTreasurySet(event: ethereum.Event): void {
  recordGovernance(event, 'TreasurySet');
}

export function governanceWithdrawalCredentialsSet(event: ethereum.Event): void {
  recordGovernance(event, 'WithdrawalCredentialsSet');
}

export function governanceBondCurveSet(event: ethereum.Event): void {
  recordGovernance(event, 'BondCurveSet');
}

export function governanceNonceChanged(event: ethereum.Event): void {
  recordGovernance(event, 'NonceChanged');
}

export function governancePenaltyParamsSet(event: ethereum.Event): void {
  recordGovernance(event, 'PenaltyParamsSet');
}

export function governanceExitParamsSet(event: ethereum.Event): void {
  recordGovernance(event, 'ExitParamsSet');
}

export function governancePenaltiesTransferred(event: ethereum.Event): void {
  recordGovernance(event, 'PenaltiesTransferred');
}

export function governanceGuardianQuorumChanged(event: ethereum.Event): void {
  recordGovernance(event, 'GuardianQuorumChanged');
}

export function governancePauseIntentValidityBlocksChanged(event: ethereum.Event): void {
  recordGovernance(event, 'PauseIntentValidityBlocksChanged');
}

export function governanceMaxDepositsPerCallChanged(event: ethereum.Event): void {
  recordGovernance(event, 'MaxDepositsPerCallChanged');
}

export function governanceDepositsUnpaused(event: ethereum.Event): void {
  recordGovernance(event, 'DepositsUnpaused');
}

export function governanceQuorumSet(event: ethereum.Event): void {
  recordGovernance(event, 'QuorumSet');
}

export function governanceFrameConfigSet(event: ethereum.Event): void {
  recordGovernance(event, 'FrameConfigSet');
}

export function governanceChainConfigSet(event: ethereum.Event): void {
  recordGovernance(event, 'ChainConfigSet');
}

export function governanceReportProcessorSet(event: ethereum.Event): void {
  recordGovernance(event, 'ReportProcessorSet');
}

export function governanceConsensusVersionSet(event: ethereum.Event): void {
  recordGovernance(event, 'ConsensusVersionSet');
}

export function governanceConsensusContractSet(event: ethereum.Event): void {
  recordGovernance(event, 'ConsensusContractSet');
}
