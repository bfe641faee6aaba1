// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IStakingModuleRewards} from "./IStakingModule.sol";

/// @notice What the DVT module (OperatorRegistry) asks of the WithdrawalVault: EIP-7002 triggerable exits.
interface IWithdrawalVaultExits {
    /// @notice Requests full exits of the validators `pubkeys` (48 bytes each, concatenated), paying the current
    ///         EIP-7002 fee per key from `msg.value`; the excess goes back to the caller. Only `TRIGGER_EXIT_ROLE`.
    function triggerExits(bytes calldata pubkeys) external payable;

    /// @notice The EIP-7002 fee for one exit request right now.
    function exitRequestFee() external view returns (uint256);
}

/// @notice What the DVT module asks of the StakingPool: a way to hand penalties to the stakers.
interface IStakingPoolPenalties {
    /// @notice Adds `msg.value` to the pool's buffered and pooled ether (raises the share rate for every
    ///         staker). Only `PENALTY_SOURCE_ROLE`.
    function receivePenalty() external payable;
}

/// @notice The DVT module's economics: operator rewards, penalties taken from bonds, and exit requests.
///         Implemented by `OperatorRegistry` (see `contracts/src/modules/`).
/// @dev Callers: the StakingRouter (`ROUTER_ROLE`) for `onRewardsMinted`; the AccountingOracle (`REPORTER_ROLE`)
///      for `processClusterReports` and `requestExits`; keepers (`EXIT_REQUESTER_ROLE`) for `requestExits` within
///      a daily limit; anyone for `claimRewards` and `forceLateExit`.
interface IDvtModule is IStakingModuleRewards {
    // ------------------------------------------------------------------------------------------ types
    /// @notice One cluster's part of an oracle report.
    /// @param clusterId the cluster
    /// @param exitedTotal validators of the cluster that have exited, cumulative: never decreases, ≤ deposited
    /// @param newlySlashed validators of the cluster slashed since the previous report
    /// @param missedDutyBps share of the cluster's duties missed in the report's frame, 0..10,000
    /// @param stolenExecutionRewards wei of execution-layer rewards the cluster's proposals sent elsewhere than
    ///        the protocol's fee recipient in the frame
    struct ClusterReport {
        uint256 clusterId;
        uint256 exitedTotal;
        uint256 newlySlashed;
        uint256 missedDutyBps;
        uint256 stolenExecutionRewards;
    }

    /// @notice Governable penalty parameters (`MANAGE_PENALTIES_ROLE`). Amounts in wei.
    /// @param slashingPenalty per newly slashed validator, split among the cluster's members
    /// @param missedDutyThresholdBps a frame with more missed duties than this is "bad": the cluster forfeits the
    ///        report's rewards and gets a strike (0..10,000)
    /// @param maxStrikes strikes within `strikeWindow` that cost the cluster `missedDutyPenalty` (then reset)
    /// @param strikeWindow seconds from a window's first strike during which strikes add up
    /// @param missedDutyPenalty per cluster, when its strikes reach `maxStrikes`
    /// @param stolenRewardsFine per report in which a cluster stole execution rewards, on top of what it stole
    /// @param lateExitPenalty per key forced out through EIP-7002 after its exit deadline
    struct PenaltyParams {
        uint256 slashingPenalty;
        uint256 missedDutyThresholdBps;
        uint256 maxStrikes;
        uint256 strikeWindow;
        uint256 missedDutyPenalty;
        uint256 stolenRewardsFine;
        uint256 lateExitPenalty;
    }

    /// @notice Why a penalty was taken.
    enum PenaltyReason {
        Slashing,
        MissedDuties,
        StolenExecutionRewards,
        LateExit
    }

    /// @notice A cluster's economic state (one view for dashboards and the keeper).
    struct ClusterEconomics {
        bool rewardsForfeited; // excluded from the rewards of the current report (bad performance)
        uint256 activeValidators; // deposited − exited
        uint256 earningValidators; // active and deposited before the last report (what rewards are split by)
        uint256 strikes; // strikes in the current window
        uint256 strikeWindowStart; // unix seconds; 0 if no window is open
        uint256 penaltiesCharged; // wei, all reasons, since creation
        uint256 penaltiesCollected; // wei actually taken from bonds (the rest became members' bond debt)
        uint256 exitsRequested; // keys [0, exitsRequested) have been asked to exit
        uint256 exitedValidators; // as reported by the oracle
        uint256 lateExitsForced; // keys forced out through EIP-7002
    }

    // ------------------------------------------------------------------------------------------ events
    /// @notice The pool and the withdrawal vault the module talks to.
    event ProtocolContractsSet(address pool, address withdrawalVault);
    /// @notice `shares` dvETH minted to the module were spread over `totalWeight` (together with `carried`
    ///         shares waiting from earlier reports); `rewardPerWeight` is the accumulator after the report.
    event RewardsDistributed(uint256 shares, uint256 carried, uint256 totalWeight, uint256 rewardPerWeight);
    /// @notice No cluster could earn (no active validators outside forfeiting clusters): the shares wait for the
    ///         next report.
    event RewardsDeferred(uint256 shares, uint256 undistributed);
    /// @notice An operator's rewards went to its reward address.
    event RewardsClaimed(uint256 indexed operatorId, address indexed rewardAddress, uint256 shares);
    /// @notice Deposits made to the cluster since the previous report now earn: `earningValidators` in total.
    event ClusterDepositsEarning(uint256 indexed clusterId, uint256 earningValidators);
    /// @notice A cluster performed badly in a report and earns nothing from that report's rewards.
    event ClusterRewardsForfeited(uint256 indexed clusterId, uint256 missedDutyBps);
    /// @notice A cluster earns rewards again (the report whose rewards it forfeited is done).
    event ClusterRewardsRestored(uint256 indexed clusterId);
    /// @notice The oracle reported more exited validators for a cluster; each member's bond covers fewer.
    event ClusterValidatorsExited(uint256 indexed clusterId, uint256 exitedTotal, uint256 newlyExited);
    /// @notice A cluster was penalised `amount` wei, split among its members; `collected` came from bonds.
    event ClusterPenalised(uint256 indexed clusterId, PenaltyReason indexed reason, uint256 amount, uint256 collected);
    /// @notice A member's part of a cluster penalty: `taken` from its bond (now `bond`), the rest added to
    ///         its bond debt (now `bondDebt`).
    event OperatorPenalised(
        uint256 indexed operatorId,
        uint256 indexed clusterId,
        PenaltyReason indexed reason,
        uint256 amount,
        uint256 taken,
        uint256 bond,
        uint256 bondDebt
    );
    /// @notice A bad frame counted as a strike; `strikes` in the window that opened at `windowStart`.
    event StrikeRecorded(uint256 indexed clusterId, uint256 strikes, uint256 windowStart, uint256 missedDutyBps);
    /// @notice A cluster's strikes went back to zero (after its missed-duty penalty).
    event StrikesReset(uint256 indexed clusterId);
    /// @notice A top-up paid (part of) an operator's bond debt; the ETH went to the pool.
    event BondDebtRepaid(uint256 indexed operatorId, address indexed from, uint256 amount, uint256 bondDebt);
    /// @notice Penalty ETH handed to the pool (`receivePenalty`).
    event PenaltiesTransferred(uint256 amount);
    event PenaltyParamsSet(PenaltyParams params);
    event ExitParamsSet(uint256 exitDeadline, uint256 keeperDailyExitLimit);
    /// @notice The cluster must exit the validator `pubkey` (its key number `keyIndex`) by `deadline` (unix
    ///         seconds). dv-nodes watch this event and threshold-sign the voluntary exit.
    event ExitRequested(uint256 indexed clusterId, uint256 indexed keyIndex, bytes pubkey, uint256 deadline);
    /// @notice A key missed its exit deadline: the cluster was penalised and the exit was triggered through
    ///         EIP-7002 (the caller paid `fee`).
    event LateExitForced(
        uint256 indexed clusterId, uint256 indexed keyIndex, address indexed caller, bytes pubkey, uint256 fee
    );

    // ------------------------------------------------------------------------------------------ errors
    error LengthMismatch(uint256 a, uint256 b);
    error ClusterReportsNotSorted(uint256 index);
    error ExitedCountDecreased(uint256 clusterId, uint256 reported, uint256 current);
    error ExitedCountTooHigh(uint256 clusterId, uint256 reported, uint256 deposited);
    error SlashedCountTooHigh(uint256 clusterId, uint256 reported, uint256 deposited);
    error InvalidMissedDutyBps(uint256 clusterId, uint256 missedDutyBps);
    error InvalidPenaltyParam(string name, uint256 value);
    error InvalidExitParam(string name, uint256 value);
    error ProtocolContractsNotSet();
    error BondDebtOutstanding(uint256 operatorId, uint256 bondDebt);
    error NothingToClaim(uint256 operatorId);
    error InvalidExitCount(uint256 clusterId, uint256 count);
    error NotEnoughActiveKeys(uint256 clusterId, uint256 requestedUpTo, uint256 deposited);
    error ExitLimitExceeded(uint256 requested, uint256 remainingToday);
    error ExitNotRequested(uint256 clusterId, uint256 keyIndex);
    error AlreadyExited(uint256 clusterId, uint256 keyIndex);
    error ExitNotLate(uint256 clusterId, uint256 keyIndex, uint256 deadline);
    error LateExitAlreadyForced(uint256 clusterId, uint256 keyIndex);
    error InsufficientExitFee(uint256 provided, uint256 required);
    error NotDelegated();

    // ------------------------------------------------------------------------------------------ rewards
    // onRewardsMinted(uint256 shares) (IStakingModuleRewards): the router minted `shares` dvETH to this module
    // as its fee from an oracle report; they are spread over clusters by earning validators (active, deposited
    // before the last `processClusterReports`) and, inside a cluster, equally over its members. Clusters that
    // performed badly in the report get nothing of it. Only `ROUTER_ROLE`.

    /// @notice Sends an operator's rewards (dvETH shares) to its reward address. Anyone may call it: the
    ///         shares can only go to the reward address the manager chose. Reverts while the operator has
    ///         bond debt (pay the debt first with `topUpBond`).
    /// @return shares dvETH shares sent
    function claimRewards(uint256 operatorId) external returns (uint256 shares);

    // ------------------------------------------------------------------------------------------ reports
    /// @notice Applies the oracle's per-cluster report: deposits since the last report start earning; exits
    ///         (unlocking bond), slashing penalties, missed-duty strikes and reward forfeits, stolen execution
    ///         rewards. Entries sorted by strictly ascending
    ///         `clusterId`; clusters without news may be left out. Penalty ETH goes to the pool. Call it before
    ///         the report's rewards are minted so that forfeits apply to that report. Only `REPORTER_ROLE`.
    function processClusterReports(ClusterReport[] calldata reports) external;

    // ------------------------------------------------------------------------------------------ exits
    /// @notice Asks cluster `clusterIds[i]` to exit its `counts[i]` oldest active validators not yet asked,
    ///         each by `block.timestamp + exitDeadline`; emits `ExitRequested` per key. `REPORTER_ROLE` without
    ///         limit, or `EXIT_REQUESTER_ROLE` (keepers) within the daily limit.
    function requestExits(uint256[] calldata clusterIds, uint256[] calldata counts) external;

    /// @notice After a requested key's deadline, if the oracle has not reported it exited: penalises its cluster
    ///         (`lateExitPenalty`) and triggers its exit through EIP-7002 via the WithdrawalVault. Anyone; the
    ///         caller pays the EIP-7002 fee in `msg.value` and gets the excess back. Once per key.
    function forceLateExit(uint256 clusterId, uint256 keyIndex) external payable;

    // ------------------------------------------------------------------------------------------ governance
    /// @notice Sets the pool (dvETH, penalty receiver) and the WithdrawalVault (EIP-7002). `DEFAULT_ADMIN_ROLE`.
    function setProtocolContracts(address pool, address withdrawalVault) external;

    /// @notice Sets every penalty parameter. `MANAGE_PENALTIES_ROLE`.
    function setPenaltyParams(PenaltyParams calldata params) external;

    /// @notice Sets the exit deadline (seconds after a request) and the keepers' daily exit limit (keys per UTC
    ///         day). `MANAGE_EXITS_ROLE`.
    function setExitParams(uint256 exitDeadline, uint256 keeperDailyExitLimit) external;

    // ------------------------------------------------------------------------------------------ views
    /// @notice Rewards an operator can claim now (dvETH shares) and its current reward weight (see
    ///         `ClusterRewards`: 140 per earning validator of a cluster, split equally among its members).
    function getOperatorRewards(uint256 operatorId) external view returns (uint256 claimable, uint256 weight);

    /// @notice The reward accumulator, the total earning weight, shares waiting for weight, and the active
    ///         validators of clusters forfeiting the current report.
    function getRewardsState()
        external
        view
        returns (uint256 rewardPerWeight, uint256 totalWeight, uint256 undistributed, uint256 forfeitingValidators);

    /// @notice Penalty an operator's bond could not cover (wei); a top-up pays it first.
    function getBondDebt(uint256 operatorId) external view returns (uint256);

    /// @notice A cluster's rewards status, strikes, penalties and exits.
    function getClusterEconomics(uint256 clusterId) external view returns (ClusterEconomics memory);

    function getPenaltyParams() external view returns (PenaltyParams memory);

    /// @return exitDeadline seconds a cluster has to exit a requested key
    /// @return keeperDailyExitLimit keys keepers may request per UTC day
    /// @return keeperExitsLeftToday what keepers may still request today
    function getExitParams()
        external
        view
        returns (uint256 exitDeadline, uint256 keeperDailyExitLimit, uint256 keeperExitsLeftToday);

    function getProtocolContracts() external view returns (address pool, address withdrawalVault);

    /// @notice Deadline of a requested key (0 if not requested).
    function getExitDeadline(uint256 clusterId, uint256 keyIndex) external view returns (uint256);

    /// @notice A cluster's requested keys not yet reported exited, oldest first, with their deadlines.
    function getPendingExitRequests(uint256 clusterId)
        external
        view
        returns (uint256[] memory keyIndexes, uint256[] memory deadlines);

    /// @notice Keys past their deadline, not reported exited, not yet forced: what a keeper passes to
    ///         `forceLateExit`. Scans clusters from `fromClusterId` and stops after `maxResults` keys.
    ///         Keys forced meanwhile drop out, so a keeper forces what it got and asks again from `nextClusterId`.
    /// @return clusterIds clusters of the late keys
    /// @return keyIndexes the late keys' indexes in their clusters
    /// @return nextClusterId when the page is full, the cluster to continue from; 0 when the scan is complete
    function getLateExits(uint256 fromClusterId, uint256 maxResults)
        external
        view
        returns (uint256[] memory clusterIds, uint256[] memory keyIndexes, uint256 nextClusterId);
}
