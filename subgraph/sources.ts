/**
 * The subgraph's data sources: which deployed contract feeds which mapping, and which handler takes each of
 * its events. This is the committed template of `subgraph.yaml`; `scripts/generate.ts` fills in the network,
 * addresses and start block from a deployment manifest and the event signatures from the forge artifacts.
 *
 * Every event in a contract's ABI must be named here, either with a dedicated handler (`handlers`) or as a
 * governance event (`governance`: configuration/role/upgrade events recorded as `GovernanceEvent` entities,
 * handled by `src/governance.ts`). The generator refuses an ABI event that is in neither, and
 * `test/coverage.test.ts` checks the same against the artifacts.
 */

export interface DataSourceSpec {
  /** Data source name = key in the deployment manifest's `contracts`. */
  name: string;
  /** Forge artifact: `out/<file>/<contract>.json`. */
  artifact: { file: string; contract: string };
  /** Mapping file, relative to subgraph/. */
  mapping: string;
  /** Event name → handler exported by the mapping. */
  handlers: Record<string, string>;
  /** Events recorded generically as GovernanceEvent (handler `governance<Event>` from src/governance.ts). */
  governance: string[];
  /** Why this source is indexed from the manifest's start block (or 'chain' for the deposit contract). */
  note?: string;
}

/** OpenZeppelin upgradeable/AccessControl plumbing every proxy emits. */
const OZ_PROXY = ['Initialized', 'Upgraded', 'RoleAdminChanged', 'RoleGranted', 'RoleRevoked'];

export const DATA_SOURCES: DataSourceSpec[] = [
  {
    name: 'StakingPool',
    artifact: { file: 'StakingPool.sol', contract: 'StakingPool' },
    mapping: 'src/mapping.ts',
    handlers: {
      Staked: 'handleStaked',
      Referral: 'handleReferral',
      Transfer: 'handleTransfer',
      Approval: 'handleApproval',
      ValidatorsDeposited: 'handleValidatorsDeposited',
      BeaconStatUpdated: 'handleBeaconStatUpdated',
      VaultsCollected: 'handleVaultsCollected',
      TokenRebased: 'handleTokenRebased',
      WithdrawalsFinalized: 'handlePoolWithdrawalsFinalized',
      FeeSharesMinted: 'handleFeeSharesMinted',
      PenaltyReceived: 'handlePenaltyReceived',
      PenaltiesReleased: 'handlePenaltiesReleased',
      StakingPaused: 'handleStakingPaused',
      StakingResumed: 'handleStakingResumed',
    },
    governance: [...OZ_PROXY, 'EIP712DomainChanged', 'StakingLimitSet', 'StakingLimitRemoved', 'RouterSet', 'ProtocolContractsSet'],
  },
  {
    name: 'WithdrawalQueue',
    artifact: { file: 'WithdrawalQueue.sol', contract: 'WithdrawalQueue' },
    mapping: 'src/mapping.ts',
    handlers: {
      WithdrawalRequested: 'handleWithdrawalRequested',
      WithdrawalsFinalized: 'handleWithdrawalsFinalized',
      WithdrawalClaimed: 'handleWithdrawalClaimed',
      Transfer: 'handleRequestTransfer',
      RequestShareRateUpdated: 'handleRequestShareRateUpdated',
      Paused: 'handlePaused',
      Resumed: 'handleResumed',
    },
    governance: [...OZ_PROXY, 'Approval', 'ApprovalForAll', 'BaseURISet', 'RequestLimitsSet'],
  },
  {
    name: 'StakingRouter',
    artifact: { file: 'StakingRouter.sol', contract: 'StakingRouter' },
    mapping: 'src/mapping.ts',
    handlers: {
      StakingModuleAdded: 'handleStakingModuleAdded',
      StakingModuleUpdated: 'handleStakingModuleUpdated',
      StakingModuleStatusSet: 'handleStakingModuleStatusSet',
      Deposited: 'handleDeposited',
      RewardsMinted: 'handleRewardsMinted',
    },
    governance: [...OZ_PROXY, 'TreasurySet', 'WithdrawalCredentialsSet'],
  },
  {
    name: 'OperatorRegistry',
    artifact: { file: 'OperatorRegistry.sol', contract: 'OperatorRegistry' },
    mapping: 'src/mapping.ts',
    handlers: {
      OperatorRegistered: 'handleOperatorRegistered',
      OperatorRewardAddressSet: 'handleOperatorRewardAddressSet',
      OperatorManagerSet: 'handleOperatorManagerSet',
      BondDeposited: 'handleBondDeposited',
      BondWithdrawn: 'handleBondWithdrawn',
      BondDebtRepaid: 'handleBondDebtRepaid',
      ClusterCreated: 'handleClusterCreated',
      ClusterActiveSet: 'handleClusterActiveSet',
      KeysAdded: 'handleKeysAdded',
      KeysConfirmed: 'handleKeysConfirmed',
      KeyBatchFullyConfirmed: 'handleKeyBatchFullyConfirmed',
      KeysRemoved: 'handleKeysRemoved',
      KeysDeposited: 'handleKeysDeposited',
      RewardsDistributed: 'handleRewardsDistributed',
      RewardsDeferred: 'handleRewardsDeferred',
      RewardsClaimed: 'handleRewardsClaimed',
      ClusterDepositsEarning: 'handleClusterDepositsEarning',
      ClusterRewardsForfeited: 'handleClusterRewardsForfeited',
      ClusterRewardsRestored: 'handleClusterRewardsRestored',
      ClusterValidatorsExited: 'handleClusterValidatorsExited',
      ClusterPenalised: 'handleClusterPenalised',
      OperatorPenalised: 'handleOperatorPenalised',
      StrikeRecorded: 'handleStrikeRecorded',
      StrikesReset: 'handleStrikesReset',
      ExitRequested: 'handleExitRequested',
      LateExitForced: 'handleLateExitForced',
    },
    governance: [
      ...OZ_PROXY, 'BondCurveSet', 'NonceChanged', 'ProtocolContractsSet', 'PenaltyParamsSet', 'ExitParamsSet',
      'PenaltiesTransferred',
    ],
  },
  {
    name: 'DepositSecurityModule',
    artifact: { file: 'DepositSecurityModule.sol', contract: 'DepositSecurityModule' },
    mapping: 'src/mapping.ts',
    handlers: {
      GuardianAdded: 'handleGuardianAdded',
      GuardianRemoved: 'handleGuardianRemoved',
      DepositsPaused: 'handleDepositsPaused',
      DepositsAttested: 'handleDepositsAttested',
    },
    governance: [...OZ_PROXY, 'GuardianQuorumChanged', 'PauseIntentValidityBlocksChanged', 'MaxDepositsPerCallChanged', 'DepositsUnpaused'],
  },
  {
    name: 'HashConsensus',
    artifact: { file: 'HashConsensus.sol', contract: 'HashConsensus' },
    mapping: 'src/mapping.ts',
    handlers: {
      MemberAdded: 'handleMemberAdded',
      MemberRemoved: 'handleMemberRemoved',
      ReportReceived: 'handleReportReceived',
      ConsensusReached: 'handleConsensusReached',
      ConsensusLost: 'handleConsensusLost',
    },
    governance: [...OZ_PROXY, 'QuorumSet', 'FrameConfigSet', 'ChainConfigSet', 'ReportProcessorSet', 'ConsensusVersionSet'],
  },
  {
    name: 'AccountingOracle',
    artifact: { file: 'AccountingOracle.sol', contract: 'AccountingOracle' },
    mapping: 'src/mapping.ts',
    handlers: {
      ReportSubmitted: 'handleReportSubmitted',
      ReportDiscarded: 'handleReportDiscarded',
      ProcessingStarted: 'handleProcessingStarted',
      ProcessingMissed: 'handleProcessingMissed',
      ReportApplied: 'handleReportApplied',
    },
    governance: [...OZ_PROXY, 'ConsensusContractSet'],
  },
  {
    name: 'SanityChecker',
    artifact: { file: 'SanityChecker.sol', contract: 'SanityChecker' },
    mapping: 'src/mapping.ts',
    handlers: { LimitSet: 'handleLimitSet' },
    governance: [...OZ_PROXY],
  },
  {
    name: 'WithdrawalVault',
    artifact: { file: 'WithdrawalVault.sol', contract: 'WithdrawalVault' },
    mapping: 'src/mapping.ts',
    handlers: { WithdrawalsTransferred: 'handleWithdrawalsTransferred', ExitTriggered: 'handleExitTriggered' },
    governance: [...OZ_PROXY],
  },
  {
    name: 'ExecutionRewardsVault',
    artifact: { file: 'ExecutionRewardsVault.sol', contract: 'ExecutionRewardsVault' },
    mapping: 'src/mapping.ts',
    handlers: { ELRewardsReceived: 'handleELRewardsReceived', ELRewardsTransferred: 'handleELRewardsTransferred' },
    governance: [],
  },
  {
    name: 'DepositContract',
    artifact: { file: 'DepositContract.sol', contract: 'DepositContract' },
    mapping: 'src/mapping.ts',
    handlers: { DepositEvent: 'handleDepositEvent' },
    governance: [],
    note: 'the chain deposit contract: only deposits with the protocol withdrawal credentials are stored',
  },
];
