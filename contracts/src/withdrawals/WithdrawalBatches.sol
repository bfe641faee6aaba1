// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWithdrawalQueue} from "../interfaces/IWithdrawalQueue.sol";
import {WithdrawalMath} from "./WithdrawalMath.sol";
import {WithdrawalRequestNFT} from "./WithdrawalRequestNFT.sol";

/// @title WithdrawalBatches
/// @notice How much ETH a finalization must lock, computed by walking *runs* (stretches of requests valued at one
///         request share rate) instead of requests: O(runs in the range), independent of the number of requests.
/// @dev Runs change only when the pool reports a new rate (`notifyShareRate`), so a finalization that happens on
///      every report walks one or two runs. See WithdrawalMath for why the sums are exact and additive.
abstract contract WithdrawalBatches is WithdrawalRequestNFT {
    /// @dev Result of walking the requests `after + 1 .. to`.
    struct Walk {
        uint256 ethToLock;
        uint256 shares;
        uint256 nextRun; // the run holding request `to + 1`
        uint256 mixedAt; // 0, or the first request id on a different side than the range's first request
    }

    /// @dev Sums the lock and shares of requests `afterId + 1 .. to` at `shareRate`, starting at run `runIndex`
    ///      (which must hold request `afterId + 1`). Reads two entries per run: the run and the request ending it.
    ///      With `shareRate` = type(uint256).max every run is on the nominal side and `ethToLock` is the range's
    ///      value at request time (sum of E_i).
    function _walk(uint256 afterId, uint256 to, uint256 shareRate, uint256 runIndex)
        internal
        view
        returns (Walk memory w)
    {
        Layout storage $ = _s();
        uint256 runCount = $.runCount;
        uint256 prevShares = $.requests[afterId].cumulativeShares;
        bool firstSide;
        for (bool first = true;; first = false) {
            uint256 end = to;
            uint256 nextFrom = runIndex + 1 < runCount ? $.runs[runIndex + 1].fromRequestId : type(uint256).max;
            if (nextFrom <= to) end = nextFrom - 1;
            bool nominal;
            (prevShares, nominal) = _addSegment(w, prevShares, end, runIndex, shareRate);
            if (first) firstSide = nominal;
            else if (nominal != firstSide && w.mixedAt == 0) w.mixedAt = afterId + 1;
            if (end == to) {
                w.nextRun = nextFrom == to + 1 ? runIndex + 1 : runIndex;
                return w;
            }
            afterId = end;
            ++runIndex;
        }
    }

    /// @dev Adds to `w` the lock and shares of the requests after cumulative shares `prevShares` up to request
    ///      `end`, all in run `runIndex`; returns the cumulative shares at `end` and the run's side.
    function _addSegment(Walk memory w, uint256 prevShares, uint256 end, uint256 runIndex, uint256 shareRate)
        private
        view
        returns (uint256 endShares, bool nominal)
    {
        Layout storage $ = _s();
        uint256 runRate = $.runs[runIndex].shareRate;
        nominal = runRate <= shareRate;
        endShares = $.requests[end].cumulativeShares;
        w.ethToLock += WithdrawalMath.segmentLock(prevShares, endShares, runRate, shareRate);
        w.shares += endShares - prevShares;
    }

    /// @dev Largest request id in `lo..hi` whose timestamp is <= `maxTimestamp` (`lo` if none; ids are in time
    ///      order, so timestamps never decrease).
    function _lastRequestAtOrBefore(uint256 lo, uint256 hi, uint256 maxTimestamp) internal view returns (uint256) {
        mapping(uint256 => Request) storage requests = _s().requests;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (requests[mid].timestamp <= maxTimestamp) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /// @dev Cursor of `calculateFinalizationBatches` (a struct keeps the stack shallow).
    struct Cursor {
        uint256 prevId; // last request already counted
        uint256 to; // last request eligible by timestamp
        uint256 runIndex;
        uint256 runCount;
        uint256 count; // batches filled
        bool lastSide; // nominal side of the last batch
        uint256 budget; // ETH still available
        uint256 shares; // shares of the requests taken
    }

    /// @inheritdoc IWithdrawalQueue
    function calculateFinalizationBatches(uint256 shareRate, uint256 availableEther, uint256 maxRequestTimestamp)
        external
        view
        returns (uint256[] memory batches, uint256 ethToLock, uint256 sharesToBurn)
    {
        _checkFinalizationRate(shareRate);
        Layout storage $ = _s();
        Cursor memory c;
        c.prevId = $.claim.lastFinalizedRequestId;
        c.to = _lastRequestAtOrBefore(c.prevId, $.req.lastRequestId, maxRequestTimestamp);
        c.runIndex = $.firstUnfinalizedRun;
        c.runCount = $.runCount;
        c.budget = availableEther;
        batches = new uint256[](c.runCount - c.runIndex);
        uint256 prevShares = $.requests[c.prevId].cumulativeShares;
        while (c.prevId < c.to) {
            (uint256 end, bool nominal, bool stop) = _fitRun(c, prevShares, shareRate);
            if (end == c.prevId) break; // not even one more request fits
            uint256 endShares = $.requests[end].cumulativeShares;
            c.shares += endShares - prevShares;
            if (c.count > 0 && nominal == c.lastSide) {
                batches[c.count - 1] = end; // same side as the previous run: one batch
            } else {
                batches[c.count++] = end;
                c.lastSide = nominal;
            }
            if (stop) break;
            prevShares = endShares;
            c.prevId = end;
            ++c.runIndex;
        }
        uint256 count = c.count;
        assembly {
            mstore(batches, count) // shrink to the batches actually filled
        }
        return (batches, availableEther - c.budget, c.shares);
    }

    /// @dev The furthest end inside run `c.runIndex` (and <= c.to) whose lock fits `budget`, its side (the
    ///      budget is charged); `stop` when the run could not be taken whole. The lock grows with the end id, so a binary search works.
    function _fitRun(Cursor memory c, uint256 prevShares, uint256 shareRate)
        private
        view
        returns (uint256 end, bool nominal, bool stop)
    {
        uint256 budget = c.budget;
        Layout storage $ = _s();
        end = c.to;
        if (c.runIndex + 1 < c.runCount && $.runs[c.runIndex + 1].fromRequestId <= c.to) {
            end = $.runs[c.runIndex + 1].fromRequestId - 1;
        }
        uint256 runRate = $.runs[c.runIndex].shareRate;
        nominal = runRate <= shareRate;
        uint256 lock = WithdrawalMath.segmentLock(prevShares, $.requests[end].cumulativeShares, runRate, shareRate);
        if (lock <= budget) {
            c.budget = budget - lock;
            return (end, nominal, false);
        }
        uint256 lo = c.prevId;
        uint256 hi = end - 1;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            uint256 midLock =
                WithdrawalMath.segmentLock(prevShares, $.requests[mid].cumulativeShares, runRate, shareRate);
            if (midLock <= budget) lo = mid;
            else hi = mid - 1;
        }
        end = lo;
        if (lo != c.prevId) {
            c.budget =
                budget - WithdrawalMath.segmentLock(prevShares, $.requests[lo].cumulativeShares, runRate, shareRate);
        }
        stop = true;
    }

    /// @dev A finalization rate must be positive and fit a checkpoint (uint128).
    function _checkFinalizationRate(uint256 shareRate) internal pure {
        if (shareRate == 0 || shareRate > type(uint128).max) revert InvalidShareRate(shareRate);
    }
}
