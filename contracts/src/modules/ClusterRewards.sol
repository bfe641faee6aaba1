// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModuleHooks} from "./ModuleHooks.sol";
import {IDvtModule} from "../interfaces/IDvtModule.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title ClusterRewards
/// @notice Splits the dvETH shares the protocol mints to the DVT module over its operators, in O(1) per report:
///         over clusters by active validators (deposited − exited), inside a cluster equally over its members.
///
/// How (a reward-per-weight accumulator, settled whenever a weight changes):
///
///   weight(operator) = Σ over its clusters c of  earning_c × 140 / size_c         (140 = lcm(4, 7, 10): exact)
///   earning_c        = validators of c deposited before the last oracle report − exited
///   totalWeight      = Σ weight = 140 × (earning validators of clusters not forfeiting this report)
///
///   rewardPerWeight ▲                             report k mints S_k shares:
///                   │                 ┌────────       rewardPerWeight += S_k × 1e12 / totalWeight_k
///                   │        ┌────────┘             (the division's remainder is carried to the next report)
///                   │ ┌──────┘ ◀── S_k
///                   ├─┘
///                   └──┬──────────────┬──────▶ reports
///                      snapshot       now         accrued(op) += weight(op) × (now − snapshot) / 1e12
///
///   Every change of an operator's weight (deposits starting to earn, exits, a forfeit or its end) first
///   settles the operator at its old weight, then moves its snapshot to the current accumulator, so each
///   operator earns exactly weight × Δaccumulator over each interval in which its weight was constant.
///
///   Deposits start earning at the next oracle report (`processClusterReports`), not at once: a deposited
///   validator waits in the beacon chain's activation queue and earns nothing for the stakers in the frame it
///   was deposited in. The deposit itself only notes the cluster in a pending list (one slot, however many
///   members), so the per-member settlement is paid by the oracle's report, not by every deposit.
///
///     deposit ──▶ pending list ──(next processClusterReports)──▶ members settled, weight += k × 140 / n
///
/// What it promises:
///  - Σ claims ≤ Σ minted: each report adds at most S_k / totalWeight_k per weight unit (remainder carried);
///    each settlement rounds down. The dust (< 1 wei-share per settlement, plus the carried remainder / 1e12)
///    stays in the registry's dvETH balance for good.
///  - Clusters and operators with zero weight get nothing; a report minted while the total weight is zero is
///    kept (`undistributed`) and added to the next report that has weight.
///  - A cluster whose report said it missed more duties than the threshold forfeits that report's rewards:
///    its weight is out of the total while the report's shares are spread, so they go to the other clusters.
///    The forfeit ends when those rewards are minted, or at the next report at the latest.
///  - A deposit costs the module one 32-bit pending-list entry (one slot rewritten; the count shares the slot
///    the registry writes anyway); the report settles each pending cluster's members once, however many
///    deposits it had. The list grows with deposit calls between two reports, which the deposit-security
///    module's per-call and per-block limits bound.
///  - Packed state per operator (one slot, read and written once per weight change):
///      [255] registered | [216..254] weight (39 bits) | [96..215] snapshot (120 bits) | [0..95] accrued (96 bits)
///    The accumulator wraps modulo 2^120; differences are taken modulo 2^120, which is exact as long as an
///    operator's rewards between two of its settlements stay below 2^120 / 1e12 × 140 ≈ 1.8e26 wei-shares per
///    validator (180 million ETH): always.
///
/// What it trusts: the router (`ROUTER_ROLE`) to call `onRewardsMinted` once per mint with the shares it actually
/// minted to the registry; the oracle (`REPORTER_ROLE`) for exits and performance.
abstract contract ClusterRewards is ModuleHooks, IDvtModule {
    /// @notice Weight of one active validator, split among its cluster's members: lcm(4, 7, 10), so that every
    ///         allowed cluster size divides it (35, 20 or 14 per member).
    uint256 internal constant REWARD_WEIGHT_PER_VALIDATOR = 140;
    /// @notice Fixed-point scale of `rewardPerWeight`. The per-report remainder is carried, so precision only
    ///         decides how finely a report is spread (1e-12 wei-share per weight unit).
    uint256 internal constant REWARD_PRECISION = 1e12;

    uint256 private constant ACCRUED_BITS = 96;
    uint256 private constant ACCRUED_MASK = (1 << 96) - 1;
    uint256 private constant SNAPSHOT_SHIFT = 96;
    uint256 private constant ACC_MASK = (1 << 120) - 1;
    uint256 private constant WEIGHT_SHIFT = 216;
    uint256 private constant WEIGHT_MASK = (1 << 39) - 1;
    uint256 private constant REGISTERED_BIT = 1 << 255;

    /// @custom:storage-location erc7201:shoal.storage.ClusterRewards
    struct RewardsStorage {
        // slot 0
        uint120 rewardPerWeight; // accumulator, wraps modulo 2^120
        uint32 forfeitingCount; // clusters in `forfeiting`
        uint104 undistributed; // shares minted while the total weight was zero
        // slot 1
        uint64 earningValidators; // Σ earning_c over all clusters (forfeiting ones included)
        uint64 forfeitingValidators; // earning validators of the forfeiting clusters
        uint128 remainder; // (shares × precision) not yet spread, < total weight
        mapping(uint256 operatorId => uint256) operatorState; // packed, see the header
        mapping(uint256 clusterId => bool) isForfeiting;
        uint256[] forfeiting;
        // Clusters that received deposits since the last report (repeats allowed), eight 32-bit ids per word;
        // the count is the registry's `pendingDeposits`. Words are never cleared (a count reset suffices), and
        // the first ones are filled at initialisation, so a deposit rewrites a non-zero slot (2,900 gas, not
        // 22,100).
        mapping(uint256 word => uint256 ids) pending;
        mapping(uint256 clusterId => uint256) earningDeposits; // deposits of the cluster that already earn
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.ClusterRewards")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REWARDS_STORAGE = 0x94a68f0bd10542458131798e99a75013a258789e64124f99bbfa7ce0927cfb00;

    function _rewards() private pure returns (RewardsStorage storage $) {
        assembly {
            $.slot := REWARDS_STORAGE
        }
    }

    // ------------------------------------------------------------------------------------------ operator state
    /// @dev A new operator starts with zero weight and a snapshot of now. The slot is written here, at
    ///      registration, so that deposits later only ever change a non-zero slot (2,900 instead of 22,100 gas).
    function _rewardsOnOperatorRegistered(uint256 operatorId) internal {
        RewardsStorage storage $ = _rewards();
        $.operatorState[operatorId] = REGISTERED_BIT | (uint256($.rewardPerWeight) << SNAPSHOT_SHIFT);
    }

    /// @dev `state` settled at accumulator `acc`: accrued += weight × (acc − snapshot) / precision; snapshot = acc.
    function _settled(uint256 state, uint256 acc) private pure returns (uint256) {
        uint256 weight = (state >> WEIGHT_SHIFT) & WEIGHT_MASK;
        uint256 accrued = state & ACCRUED_MASK;
        if (weight > 0) {
            uint256 delta;
            unchecked {
                delta = (acc - ((state >> SNAPSHOT_SHIFT) & ACC_MASK)) & ACC_MASK; // difference modulo 2^120
            }
            accrued += weight * delta / REWARD_PRECISION; // < 2^96: more shares than all ETH ever staked
        }
        return (state & ~((ACC_MASK << SNAPSHOT_SHIFT) | ACCRUED_MASK)) | (acc << SNAPSHOT_SHIFT) | accrued;
    }

    /// @dev Settles every member of a cluster and moves its weight by (newActive − oldActive) validators.
    function _shiftMembersWeight(uint256 size, uint256 members, uint256 oldActive, uint256 newActive, uint256 acc)
        private
    {
        RewardsStorage storage $ = _rewards();
        uint256 unit = REWARD_WEIGHT_PER_VALIDATOR / size;
        for (uint256 m; m < size; ++m) {
            uint256 id = _memberId(members, m);
            uint256 s = _settled($.operatorState[id], acc);
            uint256 w = (s >> WEIGHT_SHIFT) & WEIGHT_MASK;
            w = w + newActive * unit - oldActive * unit;
            $.operatorState[id] = (s & ~(WEIGHT_MASK << WEIGHT_SHIFT)) | (w << WEIGHT_SHIFT);
        }
    }

    /// @dev Pending-list words written at initialisation: 32 deposit calls per frame before a fresh slot.
    uint256 private constant PREFILLED_PENDING_WORDS = 4;
    uint256 private constant IDS_PER_WORD = 8;
    uint256 private constant ID32_MASK = (1 << 32) - 1;

    function _initRewards() internal {
        RewardsStorage storage $ = _rewards();
        for (uint256 w; w < PREFILLED_PENDING_WORDS; ++w) {
            $.pending[w] = type(uint256).max;
        }
    }

    /// @dev A deposit to the cluster: it earns from the next report (see the header). One 32-bit list entry.
    function _rewardsOnDeposit(uint256 clusterId) internal {
        uint256 n = _pendingDeposits();
        uint256 shift = (n % IDS_PER_WORD) * 32;
        mapping(uint256 => uint256) storage pending = _rewards().pending;
        uint256 word = pending[n / IDS_PER_WORD];
        pending[n / IDS_PER_WORD] = (word & ~(ID32_MASK << shift)) | (clusterId << shift);
        _setPendingDeposits(n + 1);
    }

    /// @dev At a report: the pending clusters' deposits start earning (their members are settled first).
    function _activateDeposits() internal {
        uint256 n = _pendingDeposits();
        if (n == 0) return;
        RewardsStorage storage $ = _rewards();
        uint256 acc = $.rewardPerWeight;
        uint256 added;
        for (uint256 i; i < n; ++i) {
            uint256 clusterId = ($.pending[i / IDS_PER_WORD] >> ((i % IDS_PER_WORD) * 32)) & ID32_MASK;
            (uint256 deposited, uint256 exited) = _clusterKeys(clusterId);
            uint256 earning = $.earningDeposits[clusterId];
            if (deposited == earning) continue; // a repeat: already done
            (uint256 size, uint256 members) = _clusterShape(clusterId);
            _shiftMembersWeight(size, members, earning - exited, deposited - exited, acc);
            $.earningDeposits[clusterId] = deposited;
            added += deposited - earning;
            emit ClusterDepositsEarning(clusterId, deposited - exited);
        }
        $.earningValidators = uint64($.earningValidators + added);
        _setPendingDeposits(0);
    }

    /// @dev The oracle reported exits (`oldExited` → `newExited`); deposits were activated first, so every
    ///      exited validator was earning.
    function _rewardsOnExits(uint256 clusterId, uint256 oldExited, uint256 newExited) internal {
        RewardsStorage storage $ = _rewards();
        uint256 earning = $.earningDeposits[clusterId];
        uint256 delta = newExited - oldExited;
        if ($.isForfeiting[clusterId]) {
            $.forfeitingValidators -= uint64(delta);
        } else {
            (uint256 size, uint256 members) = _clusterShape(clusterId);
            _shiftMembersWeight(size, members, earning - oldExited, earning - newExited, $.rewardPerWeight);
        }
        $.earningValidators -= uint64(delta);
    }

    /// @dev Earning validators of a cluster: deposited before the last report, not exited.
    function _earningOf(uint256 clusterId) internal view returns (uint256) {
        (, uint256 exited) = _clusterKeys(clusterId);
        return _rewards().earningDeposits[clusterId] - exited;
    }

    // ------------------------------------------------------------------------------------------ reports
    /// @dev Spreads `shares` (plus what waited) over the current total weight, then ends the forfeits.
    function _distributeRewards(uint256 shares) internal {
        RewardsStorage storage $ = _rewards();
        uint256 carried = $.undistributed;
        uint256 total = shares + carried;
        uint256 totalWeight = ($.earningValidators - $.forfeitingValidators) * REWARD_WEIGHT_PER_VALIDATOR;
        if (totalWeight == 0) {
            $.undistributed = uint104(total);
            emit RewardsDeferred(shares, total);
        } else {
            uint256 scaled = total * REWARD_PRECISION + $.remainder;
            uint256 acc;
            unchecked {
                // wraps modulo 2^120 by design (see the header)
                acc = (uint256($.rewardPerWeight) + scaled / totalWeight) & ACC_MASK;
            }
            ($.rewardPerWeight, $.remainder, $.undistributed) = (uint120(acc), uint128(scaled % totalWeight), 0);
            emit RewardsDistributed(shares, carried, totalWeight, acc);
        }
        _endForfeits();
    }

    /// @dev The cluster performed badly in the current report: take its weight out of the total until the
    ///      report's rewards have been spread.
    function _forfeitRewards(uint256 clusterId, uint256 missedDutyBps) internal {
        RewardsStorage storage $ = _rewards();
        if ($.isForfeiting[clusterId]) return;
        (uint256 size, uint256 members) = _clusterShape(clusterId);
        uint256 active = _earningOf(clusterId);
        _shiftMembersWeight(size, members, active, 0, $.rewardPerWeight);
        $.isForfeiting[clusterId] = true;
        $.forfeiting.push(clusterId);
        $.forfeitingCount += 1;
        $.forfeitingValidators += uint64(active);
        emit ClusterRewardsForfeited(clusterId, missedDutyBps);
    }

    /// @dev Gives every forfeiting cluster its weight back (after the report's rewards, or at the next report).
    function _endForfeits() internal {
        RewardsStorage storage $ = _rewards();
        uint256 n = $.forfeiting.length;
        if (n == 0) return;
        uint256 acc = $.rewardPerWeight;
        for (uint256 i; i < n; ++i) {
            uint256 clusterId = $.forfeiting[i];
            (uint256 size, uint256 members) = _clusterShape(clusterId);
            _shiftMembersWeight(size, members, 0, _earningOf(clusterId), acc);
            $.isForfeiting[clusterId] = false;
            emit ClusterRewardsRestored(clusterId);
        }
        delete $.forfeiting;
        ($.forfeitingCount, $.forfeitingValidators) = (0, 0);
    }

    // ------------------------------------------------------------------------------------------ claims
    /// @dev Pays an operator's accrued shares to its reward address.
    function _claimRewards(uint256 operatorId) internal returns (uint256 shares) {
        address to = _rewardAddress(operatorId); // reverts for an unknown operator
        (address pool,) = _protocolContracts();
        if (pool == address(0)) revert ProtocolContractsNotSet();
        RewardsStorage storage $ = _rewards();
        uint256 s = _settled($.operatorState[operatorId], $.rewardPerWeight);
        shares = s & ACCRUED_MASK;
        if (shares == 0) revert NothingToClaim(operatorId);
        $.operatorState[operatorId] = s & ~ACCRUED_MASK;
        emit RewardsClaimed(operatorId, to, shares);
        // dvETH is denominated in shares: the amount transferred is the number of shares
        SafeERC20.safeTransfer(IERC20(pool), to, shares);
    }

    // ------------------------------------------------------------------------------------------ views
    function _operatorRewards(uint256 operatorId) internal view returns (uint256 claimable, uint256 weight) {
        _rewardAddress(operatorId); // reverts for an unknown operator
        RewardsStorage storage $ = _rewards();
        uint256 s = _settled($.operatorState[operatorId], $.rewardPerWeight);
        return (s & ACCRUED_MASK, (s >> WEIGHT_SHIFT) & WEIGHT_MASK);
    }

    function _rewardsState()
        internal
        view
        returns (uint256 rewardPerWeight, uint256 totalWeight, uint256 undistributed, uint256 forfeitingValidators)
    {
        RewardsStorage storage $ = _rewards();
        forfeitingValidators = $.forfeitingValidators;
        totalWeight = ($.earningValidators - forfeitingValidators) * REWARD_WEIGHT_PER_VALIDATOR;
        return ($.rewardPerWeight, totalWeight, $.undistributed, forfeitingValidators);
    }

    function _isForfeiting(uint256 clusterId) internal view returns (bool) {
        return _rewards().isForfeiting[clusterId];
    }
}
