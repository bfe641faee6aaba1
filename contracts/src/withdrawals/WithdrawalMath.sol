// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title WithdrawalMath
/// @notice The queue's arithmetic in one place. Every division rounds down, i.e. towards the queue and away from
///         the claimer, except where stated.
/// @dev A request's ETH value is defined from cumulative shares, not from its own shares alone. With S_i the
///      shares of requests 1..i and r the request share rate of the run request i is in (rates change only at
///      reports, and every request of a run is valued at its rate):
///
///          E_i = floor(S_i * r / 1e27) - floor(S_(i-1) * r / 1e27)
///
///      so over any range a+1..b inside one run the values telescope exactly: sum E_i = floor(S_b*r) - floor(S_a*r)
///      (all /1e27), two multiplications whatever the number of requests, and no cumulative ETH needs storing.
///      How this differs from valuing each request alone, e_i = floor(s_i * r / 1e27) (s_i = S_i - S_(i-1)):
///      E_i is e_i or e_i + 1 (floor(x) + floor(y) <= floor(x + y) <= floor(x) + floor(y) + 1), so at most
///      1 wei more per request; and E_i < s_i * r / 1e27 + 1, i.e. E_i never exceeds the exact (unrounded) value
///      of the request's shares at r, rounded up. Over a whole run the sum is floor(S_b*r) - floor(S_a*r), at most
///      the exact value of the run's shares rounded up: a request's +1 wei is made of the fractions cut off
///      before it (floor(S_(i-1) * r) dropped them), so the excess over the exact value never accumulates: less
///      than 1 wei per run, where valuing each request alone kept up to 1 wei per request for the pool.
///
///      Claims and locks (request i finalized at rate R pays c_i = min(E_i, floor(s_i * R / 1e27))):
///      - r <= R ("nominal" side): the segment a+1..b locks floor(S_b*r) - floor(S_a*r) = sum E_i >= sum c_i;
///        usually c_i = E_i, but when E_i = e_i + 1 exceeds floor(s_i * R) the claim pays the latter and the
///        wei stays in the queue as dust;
///      - r >  R ("discounted" side): c_i = floor(s_i * R) (as E_i >= e_i >= floor(s_i * R)) and the segment
///        locks floor(S_b*R) - floor(S_a*R) >= sum c_i (floor is superadditive; the excess, < 1 wei per request,
///        stays in the queue as dust).
///      Both are one formula, floor(S_b*m) - floor(S_a*m) with m = min(r, R), additive over any split of a range,
///      so the oracle's batches, `prefinalize` and `finalize` always agree to the wei, and the queue stays solvent:
///      the ETH locked for each finalized range is at least what all of its claims can pay.
library WithdrawalMath {
    /// @dev Share rates are ETH per share scaled by 1e27 (IStakingPool convention).
    uint256 internal constant RATE_PRECISION = 1e27;

    /// @notice ETH value of `shares` at `shareRate`, rounded down.
    function toEther(uint256 shares, uint256 shareRate) internal pure returns (uint256) {
        return shares * shareRate / RATE_PRECISION;
    }

    /// @notice ETH value of the requests between cumulative shares `sharesBefore` and `sharesAfter`, all in one
    ///         run valued at `shareRate` (for one request: its E_i).
    function rangeValue(uint256 sharesBefore, uint256 sharesAfter, uint256 shareRate) internal pure returns (uint256) {
        return toEther(sharesAfter, shareRate) - toEther(sharesBefore, shareRate);
    }

    /// @notice What one request pays at finalization rate `shareRate`: the lower of its request-time value and
    ///         its shares' value at `shareRate` (rounded down).
    function claimable(uint256 shares, uint256 etherAtRequest, uint256 shareRate) internal pure returns (uint256) {
        uint256 discounted = toEther(shares, shareRate);
        return discounted < etherAtRequest ? discounted : etherAtRequest;
    }

    /// @notice ETH to lock for the requests between cumulative shares `sharesBefore` and `sharesAfter`, all in one
    ///         run valued at `runRate`, finalized at `shareRate`: the range's value at the lower of the two rates.
    function segmentLock(uint256 sharesBefore, uint256 sharesAfter, uint256 runRate, uint256 shareRate)
        internal
        pure
        returns (uint256)
    {
        return rangeValue(sharesBefore, sharesAfter, runRate <= shareRate ? runRate : shareRate);
    }
}
