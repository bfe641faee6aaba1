// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title WithdrawalMath
/// @notice The queue's arithmetic in one place. Every division rounds down, i.e. towards the queue and away from
///         the claimer.
/// @dev Why the lock of a range can be computed from cumulative sums alone (the claim of request i at finalization
///      rate R is `c_i = min(e_i, floor(s_i * R / 1e27))`, `e_i = floor(s_i * r / 1e27)` at its request rate r):
///      - r <= R ("nominal" side): e_i <= floor(s_i * R / 1e27), so c_i = e_i and the run segment locks exactly
///        `sum e_i`, the difference of two cumulative-ether entries;
///      - r >  R ("discounted" side): c_i = floor(s_i * R / 1e27) and the segment locks
///        `floor(S_b * R / 1e27) - floor(S_a * R / 1e27)` over cumulative shares S. Since
///        floor(x + y) >= floor(x) + floor(y), that is >= sum c_i (the excess, < 1 wei per request, stays in the
///        queue as dust), and it is additive: splitting a range anywhere gives the same total, so the oracle's
///        batches, `prefinalize` and `finalize` always agree to the wei.
library WithdrawalMath {
    /// @dev Share rates are ETH per share scaled by 1e27 (IStakingPool convention).
    uint256 internal constant RATE_PRECISION = 1e27;

    /// @notice ETH value of `shares` at `shareRate`, rounded down.
    function toEther(uint256 shares, uint256 shareRate) internal pure returns (uint256) {
        return shares * shareRate / RATE_PRECISION;
    }

    /// @notice What one request pays at finalization rate `shareRate`: the lower of its request-time value and
    ///         its shares' value at `shareRate` (rounded down).
    function claimable(uint256 shares, uint256 etherAtRequest, uint256 shareRate) internal pure returns (uint256) {
        uint256 discounted = toEther(shares, shareRate);
        return discounted < etherAtRequest ? discounted : etherAtRequest;
    }

    /// @notice ETH to lock for the requests after cumulative point `(sharesBefore, etherBefore)` up to
    ///         `(sharesAfter, etherAfter)`, all valued at one request rate on side `nominal` of `shareRate`.
    function segmentLock(
        uint256 sharesBefore,
        uint256 etherBefore,
        uint256 sharesAfter,
        uint256 etherAfter,
        bool nominal,
        uint256 shareRate
    ) internal pure returns (uint256) {
        if (nominal) return etherAfter - etherBefore;
        return toEther(sharesAfter, shareRate) - toEther(sharesBefore, shareRate);
    }
}
