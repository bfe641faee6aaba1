// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModuleHooks} from "./ModuleHooks.sol";
import {IDvtModule, IStakingPoolPenalties} from "../interfaces/IDvtModule.sol";

/// @title ClusterPenalties
/// @notice Penalties a cluster earns by its faults, taken from **every member's bond in equal parts** and handed
///         to the pool (`receivePenalty`, which raises the share rate for every staker):
///
///   | reason                  | amount                                         | when                                  |
///   |-------------------------|------------------------------------------------|---------------------------------------|
///   | Slashing                | newlySlashed × slashingPenalty                 | the oracle reports slashed validators |
///   | MissedDuties            | missedDutyPenalty                              | maxStrikes bad frames within a window |
///   | StolenExecutionRewards  | stolen + stolenRewardsFine                     | the oracle reports stolen EL rewards  |
///   | LateExit                | lateExitPenalty                                | a requested exit is forced (EIP-7002) |
///
/// What it promises:
///  - A member pays ⌊amount / n⌋ (the first `amount mod n` members one wei more), so the parts add up to the
///    amount exactly.
///  - A bond never goes negative: what a member's bond cannot cover becomes its `bondDebt`, which the next
///    top-ups pay first (to the pool). Invariant: bondDebt > 0 ⇒ bond = 0, so the operator covers no validator
///    (`validatorsForBond(0) = 0`) and none of its clusters can receive deposits until the debt is paid and the
///    bond is topped up again.
///  - Bond taken lowers `unlockedBond` at once (it is bond − what the validators require).
///  - Strikes: a frame with more missed duties than the threshold is a strike; strikes add up in a window that
///    opens at the first strike and lasts `strikeWindow`; at `maxStrikes` the cluster pays `missedDutyPenalty`
///    and its strikes reset. A strike that comes after the window closed opens a new window.
///
/// What it trusts: the oracle (`REPORTER_ROLE`) for slashings, performance and stolen rewards; the pool to
/// account the penalty ETH to the stakers.
abstract contract ClusterPenalties is ModuleHooks, IDvtModule {
    /// @notice Sets the penalty parameters.
    bytes32 public constant MANAGE_PENALTIES_ROLE = keccak256("MANAGE_PENALTIES_ROLE");

    /// @notice Basis points in 100 %.
    uint256 internal constant TOTAL_BASIS_POINTS = 10_000;

    // Defaults set at initialisation (governance tunes them):
    /// @dev The initial slashing penalty of a 32 ETH validator under the Bellatrix rules the consensus specs
    ///      used until Electra (MIN_SLASHING_PENALTY_QUOTIENT_BELLATRIX = 32): a validator's loss on a slashing.
    uint256 internal constant DEFAULT_SLASHING_PENALTY = 1 ether;
    /// @dev 10 % of duties missed in a frame: a DV tolerates f faulty nodes without missing anything, so this
    ///      means the cluster as a whole was down (≈ 2.4 hours a day).
    uint256 internal constant DEFAULT_MISSED_DUTY_THRESHOLD_BPS = 1_000;
    /// @dev Three bad frames within 30 days, as Lido's CSM counts strikes before acting.
    uint256 internal constant DEFAULT_MAX_STRIKES = 3;
    uint256 internal constant DEFAULT_STRIKE_WINDOW = 30 days;
    /// @dev Roughly what a validator loses being offline for a month of frames: a cost, not a ruin.
    uint256 internal constant DEFAULT_MISSED_DUTY_PENALTY = 0.1 ether;
    /// @dev Lido CSM's "EL rewards stealing additional fine": stealing must cost more than it brings.
    uint256 internal constant DEFAULT_STOLEN_REWARDS_FINE = 0.1 ether;
    /// @dev Paid per key the protocol had to force out: covers the stakers' cost of the delay.
    uint256 internal constant DEFAULT_LATE_EXIT_PENALTY = 0.1 ether;

    struct StoredParams {
        // slot 0
        uint96 slashingPenalty;
        uint96 missedDutyPenalty;
        uint16 missedDutyThresholdBps;
        uint8 maxStrikes;
        uint32 strikeWindow;
        // slot 1
        uint96 stolenRewardsFine;
        uint96 lateExitPenalty;
    }

    struct ClusterPenaltyState {
        // slot 0
        uint8 strikes;
        uint64 strikeWindowStart;
        // slot 1
        uint128 charged; // wei, all reasons
        uint128 collected; // wei taken from bonds
    }

    /// @custom:storage-location erc7201:shoal.storage.ClusterPenalties
    struct PenaltiesStorage {
        StoredParams params;
        mapping(uint256 clusterId => ClusterPenaltyState) clusters;
        mapping(uint256 operatorId => uint256) bondDebt;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.ClusterPenalties")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant PENALTIES_STORAGE = 0x12e8e2b7be7f2cc1b7cf7301a219de5fc81fdb5e27671a83d78c847ccf043700;

    function _penalties() private pure returns (PenaltiesStorage storage $) {
        assembly {
            $.slot := PENALTIES_STORAGE
        }
    }

    // ------------------------------------------------------------------------------------------ parameters
    function _initPenaltyParams() internal {
        _setPenaltyParams(
            PenaltyParams({
                slashingPenalty: DEFAULT_SLASHING_PENALTY,
                missedDutyThresholdBps: DEFAULT_MISSED_DUTY_THRESHOLD_BPS,
                maxStrikes: DEFAULT_MAX_STRIKES,
                strikeWindow: DEFAULT_STRIKE_WINDOW,
                missedDutyPenalty: DEFAULT_MISSED_DUTY_PENALTY,
                stolenRewardsFine: DEFAULT_STOLEN_REWARDS_FINE,
                lateExitPenalty: DEFAULT_LATE_EXIT_PENALTY
            })
        );
    }

    function _setPenaltyParams(PenaltyParams memory p) internal {
        _checkWei("slashingPenalty", p.slashingPenalty);
        _checkWei("missedDutyPenalty", p.missedDutyPenalty);
        _checkWei("stolenRewardsFine", p.stolenRewardsFine);
        _checkWei("lateExitPenalty", p.lateExitPenalty);
        if (p.missedDutyThresholdBps > TOTAL_BASIS_POINTS) {
            revert InvalidPenaltyParam("missedDutyThresholdBps", p.missedDutyThresholdBps);
        }
        if (p.maxStrikes == 0 || p.maxStrikes > type(uint8).max) {
            revert InvalidPenaltyParam("maxStrikes", p.maxStrikes);
        }
        if (p.strikeWindow == 0 || p.strikeWindow > type(uint32).max) {
            revert InvalidPenaltyParam("strikeWindow", p.strikeWindow);
        }
        _penalties().params = StoredParams({
            slashingPenalty: uint96(p.slashingPenalty),
            missedDutyPenalty: uint96(p.missedDutyPenalty),
            missedDutyThresholdBps: uint16(p.missedDutyThresholdBps),
            maxStrikes: uint8(p.maxStrikes),
            strikeWindow: uint32(p.strikeWindow),
            stolenRewardsFine: uint96(p.stolenRewardsFine),
            lateExitPenalty: uint96(p.lateExitPenalty)
        });
        emit PenaltyParamsSet(p);
    }

    /// @dev Amounts are stored in 96 bits: more than all the ETH there is.
    function _checkWei(string memory name, uint256 value) private pure {
        if (value > type(uint96).max) revert InvalidPenaltyParam(name, value);
    }

    function _penaltyParams() internal view returns (PenaltyParams memory) {
        StoredParams storage s = _penalties().params;
        return PenaltyParams({
            slashingPenalty: s.slashingPenalty,
            missedDutyThresholdBps: s.missedDutyThresholdBps,
            maxStrikes: s.maxStrikes,
            strikeWindow: s.strikeWindow,
            missedDutyPenalty: s.missedDutyPenalty,
            stolenRewardsFine: s.stolenRewardsFine,
            lateExitPenalty: s.lateExitPenalty
        });
    }

    // ------------------------------------------------------------------------------------------ penalties
    /// @dev Takes `amount` wei from the cluster's members in equal parts (debt for what a bond lacks).
    /// @return collected wei actually taken from bonds (the caller sends it to the pool)
    function _penalise(uint256 clusterId, PenaltyReason reason, uint256 amount) internal returns (uint256 collected) {
        if (amount == 0) return 0;
        PenaltiesStorage storage $ = _penalties();
        (uint256 size, uint256 members) = _clusterShape(clusterId);
        uint256 part = amount / size;
        uint256 extra = amount % size; // the first `extra` members pay one wei more
        for (uint256 m; m < size; ++m) {
            uint256 id = _memberId(members, m);
            uint256 due = m < extra ? part + 1 : part;
            (uint256 taken, uint256 bondLeft) = _takeBond(id, due);
            uint256 debt = $.bondDebt[id];
            if (taken < due) {
                debt += due - taken;
                $.bondDebt[id] = debt;
            }
            collected += taken;
            emit OperatorPenalised(id, clusterId, reason, due, taken, bondLeft, debt);
        }
        ClusterPenaltyState storage c = $.clusters[clusterId];
        (c.charged, c.collected) = (uint128(c.charged + amount), uint128(c.collected + collected));
        emit ClusterPenalised(clusterId, reason, amount, collected);
    }

    /// @dev Slashing penalty for `newlySlashed` validators.
    function _penaliseSlashing(uint256 clusterId, uint256 newlySlashed) internal returns (uint256) {
        return _penalise(clusterId, PenaltyReason.Slashing, newlySlashed * _penalties().params.slashingPenalty);
    }

    /// @dev Stolen execution rewards are paid back with a fine on top.
    function _penaliseStolenRewards(uint256 clusterId, uint256 stolen) internal returns (uint256) {
        return
            _penalise(clusterId, PenaltyReason.StolenExecutionRewards, stolen + _penalties().params.stolenRewardsFine);
    }

    function _penaliseLateExit(uint256 clusterId) internal returns (uint256) {
        return _penalise(clusterId, PenaltyReason.LateExit, _penalties().params.lateExitPenalty);
    }

    /// @dev Counts a strike when the frame was bad; at `maxStrikes` in the window, the missed-duty penalty.
    /// @return bad whether the frame was bad (the caller forfeits the cluster's rewards)
    /// @return collected wei taken from bonds
    function _recordPerformance(uint256 clusterId, uint256 missedDutyBps)
        internal
        returns (bool bad, uint256 collected)
    {
        PenaltiesStorage storage $ = _penalties();
        StoredParams memory p = $.params;
        if (missedDutyBps <= p.missedDutyThresholdBps) return (false, 0);
        ClusterPenaltyState storage c = $.clusters[clusterId];
        if (c.strikes == 0 || block.timestamp >= uint256(c.strikeWindowStart) + p.strikeWindow) {
            (c.strikes, c.strikeWindowStart) = (0, uint64(block.timestamp));
        }
        uint256 strikes = c.strikes + 1;
        c.strikes = uint8(strikes);
        emit StrikeRecorded(clusterId, strikes, c.strikeWindowStart, missedDutyBps);
        if (strikes >= p.maxStrikes) {
            collected = _penalise(clusterId, PenaltyReason.MissedDuties, p.missedDutyPenalty);
            (c.strikes, c.strikeWindowStart) = (0, 0);
            emit StrikesReset(clusterId);
        }
        return (true, collected);
    }

    /// @dev Hands penalty ETH to the pool.
    function _sendPenaltiesToPool(uint256 amount) internal {
        if (amount == 0) return;
        (address pool,) = _protocolContracts();
        if (pool == address(0)) revert ProtocolContractsNotSet();
        emit PenaltiesTransferred(amount);
        IStakingPoolPenalties(pool).receivePenalty{value: amount}();
    }

    // ------------------------------------------------------------------------------------------ bond debt
    /// @dev Pays an operator's bond debt first out of `amount` (to the pool); returns what is left for the bond.
    function _repayBondDebt(uint256 operatorId, uint256 amount) internal returns (uint256 left) {
        PenaltiesStorage storage $ = _penalties();
        uint256 debt = $.bondDebt[operatorId];
        if (debt == 0) return amount;
        uint256 repaid = amount < debt ? amount : debt;
        debt -= repaid;
        $.bondDebt[operatorId] = debt;
        emit BondDebtRepaid(operatorId, msg.sender, repaid, debt);
        _sendPenaltiesToPool(repaid);
        return amount - repaid;
    }

    function _bondDebt(uint256 operatorId) internal view returns (uint256) {
        return _penalties().bondDebt[operatorId];
    }

    function _clusterPenaltyState(uint256 clusterId) internal view returns (ClusterPenaltyState memory) {
        return _penalties().clusters[clusterId];
    }
}
