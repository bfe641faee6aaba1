// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModuleHooks} from "./ModuleHooks.sol";
import {IDvtModule} from "../interfaces/IDvtModule.sol";

/// @title ExitRequests
/// @notice The protocol asks clusters to exit validators when withdrawals need ETH; a cluster that does not exit
///         a requested key by its deadline is penalised and forced out through EIP-7002.
///
///   keys of a cluster:  0 ........ exited ........ requested ........ deposited
///                       └ exited ─┘└─ pending (asked, │└─ active, not asked ─┘
///                                     deadline each)  │
///
/// What it promises:
///  - Requests take each cluster's **oldest** active keys not yet asked (the next after `requested`, never
///    below `exited`), in key order, and emit `ExitRequested(clusterId, keyIndex, pubkey, deadline)` per key.
///  - A request is stored once per (cluster, call) as {upTo, deadline}: a key's deadline is that of the first
///    request whose `upTo` exceeds its index (O(log requests) lookup), so requesting n keys writes one slot.
///  - Keepers (`EXIT_REQUESTER_ROLE`) may request at most `keeperDailyExitLimit` keys per UTC day in total;
///    the oracle (`REPORTER_ROLE`) is bounded by its own sanity checks, not here.
///  - A key counts as exited when the cluster's reported `exitedTotal` exceeds its index.
///
/// Assumption: clusters exit in key order (dv-node signs exits in the order of the events). The oracle reports
/// a *count*, not which keys; if a later key exits first (e.g. it was slashed), the count credits the oldest
/// pending key, so that key can no longer be forced even though it may still be live, until the count passes
/// it again. The protocol then simply asks for more exits; nobody is penalised wrongly, but a deliberately
/// out-of-order cluster can delay one forced exit by one request.
///
/// What it trusts: the oracle's exited counts; the WithdrawalVault to submit EIP-7002 requests.
abstract contract ExitRequests is ModuleHooks, IDvtModule {
    /// @notice Keepers: request exits within the daily limit.
    bytes32 public constant EXIT_REQUESTER_ROLE = keccak256("EXIT_REQUESTER_ROLE");
    /// @notice Sets the exit deadline and the keepers' daily limit.
    bytes32 public constant MANAGE_EXITS_ROLE = keccak256("MANAGE_EXITS_ROLE");

    /// @dev Four days to exit, the delay after which Lido's CSM treats a requested validator as stuck: long
    ///      enough for a cluster to reach quorum on a signature across time zones and outages.
    uint256 internal constant DEFAULT_EXIT_DEADLINE = 4 days;
    /// @dev Keys keepers may ask to exit per day by default: ≈ 3,200 ETH/day, a busy day's withdrawal demand
    ///      for a module of a few thousand validators; larger exits go through the oracle's report.
    uint256 internal constant DEFAULT_KEEPER_DAILY_EXIT_LIMIT = 100;
    /// @dev A deadline shorter than an hour could not be met by any cluster (exits need threshold signing and
    ///      a beacon block); the shortest allowed.
    uint256 internal constant MIN_EXIT_DEADLINE = 1 hours;

    struct ExitBatch {
        uint32 upTo; // keys [previous upTo, upTo) were requested together
        uint64 deadline;
    }

    struct ClusterExits {
        uint32 requested; // keys [0, requested) have been asked to exit (or had exited before being asked)
        uint32 forced; // late keys forced out
        ExitBatch[] batches;
        mapping(uint256 keyIndex => bool) wasForced;
    }

    /// @custom:storage-location erc7201:shoal.storage.ExitRequests
    struct ExitsStorage {
        uint32 exitDeadline;
        uint32 keeperDailyLimit;
        uint32 keeperDay; // block.timestamp / 1 days of `keeperUsed`
        uint32 keeperUsed;
        mapping(uint256 clusterId => ClusterExits) clusters;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.ExitRequests")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant EXITS_STORAGE = 0x33a847a13bb9d809d534a6524df8fbef3a3063343fa9f6ceb002dce339866600;

    function _exits() private pure returns (ExitsStorage storage $) {
        assembly {
            $.slot := EXITS_STORAGE
        }
    }

    // ------------------------------------------------------------------------------------------ parameters
    function _initExitParams() internal {
        _setExitParams(DEFAULT_EXIT_DEADLINE, DEFAULT_KEEPER_DAILY_EXIT_LIMIT);
    }

    function _setExitParams(uint256 exitDeadline, uint256 keeperDailyLimit) internal {
        if (exitDeadline < MIN_EXIT_DEADLINE || exitDeadline > type(uint32).max) {
            revert InvalidExitParam("exitDeadline", exitDeadline);
        }
        if (keeperDailyLimit > type(uint32).max) revert InvalidExitParam("keeperDailyExitLimit", keeperDailyLimit);
        ExitsStorage storage $ = _exits();
        ($.exitDeadline, $.keeperDailyLimit) = (uint32(exitDeadline), uint32(keeperDailyLimit));
        emit ExitParamsSet(exitDeadline, keeperDailyLimit);
    }

    function _exitParams() internal view returns (uint256 exitDeadline, uint256 limit, uint256 leftToday) {
        ExitsStorage storage $ = _exits();
        (exitDeadline, limit) = ($.exitDeadline, $.keeperDailyLimit);
        uint256 used = $.keeperDay == block.timestamp / 1 days ? $.keeperUsed : 0;
        leftToday = used < limit ? limit - used : 0;
    }

    // ------------------------------------------------------------------------------------------ requests
    /// @dev Requests exits; `limited` applies the keepers' daily limit to the total.
    function _requestExits(uint256[] calldata clusterIds, uint256[] calldata counts, bool limited) internal {
        if (clusterIds.length != counts.length) revert LengthMismatch(clusterIds.length, counts.length);
        ExitsStorage storage $ = _exits();
        uint256 deadline = block.timestamp + $.exitDeadline;
        uint256 total;
        for (uint256 i; i < clusterIds.length; ++i) {
            total += _requestClusterExits($.clusters[clusterIds[i]], clusterIds[i], counts[i], deadline);
        }
        if (limited) {
            uint256 today = block.timestamp / 1 days;
            uint256 used = $.keeperDay == today ? $.keeperUsed : 0;
            uint256 left = used < $.keeperDailyLimit ? $.keeperDailyLimit - used : 0;
            if (total > left) revert ExitLimitExceeded(total, left);
            ($.keeperDay, $.keeperUsed) = (uint32(today), uint32(used + total));
        }
    }

    function _requestClusterExits(ClusterExits storage ce, uint256 clusterId, uint256 count, uint256 deadline)
        private
        returns (uint256)
    {
        (uint256 deposited, uint256 exited) = _clusterKeys(clusterId); // reverts for an unknown cluster
        if (count == 0) revert InvalidExitCount(clusterId, count);
        uint256 from = ce.requested > exited ? ce.requested : exited;
        uint256 upTo = from + count;
        if (upTo > deposited) revert NotEnoughActiveKeys(clusterId, upTo, deposited);
        for (uint256 k = from; k < upTo; ++k) {
            emit ExitRequested(clusterId, k, _pubkeyOf(clusterId, k), deadline);
        }
        ce.requested = uint32(upTo);
        ce.batches.push(ExitBatch({upTo: uint32(upTo), deadline: uint64(deadline)}));
        return count;
    }

    // ------------------------------------------------------------------------------------------ late exits
    /// @dev Checks that a key is late (requested, deadline passed, not reported exited, not yet forced), marks
    ///      it forced and returns its pubkey.
    function _markLateExit(uint256 clusterId, uint256 keyIndex) internal returns (bytes memory pubkey) {
        (, uint256 exited) = _clusterKeys(clusterId); // reverts for an unknown cluster
        ClusterExits storage ce = _exits().clusters[clusterId];
        uint256 deadline = _deadlineOf(ce, keyIndex);
        if (deadline == 0) revert ExitNotRequested(clusterId, keyIndex);
        if (keyIndex < exited) revert AlreadyExited(clusterId, keyIndex);
        if (block.timestamp <= deadline) revert ExitNotLate(clusterId, keyIndex, deadline);
        if (ce.wasForced[keyIndex]) revert LateExitAlreadyForced(clusterId, keyIndex);
        ce.wasForced[keyIndex] = true;
        ce.forced += 1;
        return _pubkeyOf(clusterId, keyIndex);
    }

    /// @dev Deadline of a key: that of the first request whose `upTo` exceeds it (0 if none).
    function _deadlineOf(ClusterExits storage ce, uint256 keyIndex) private view returns (uint256) {
        if (keyIndex >= ce.requested) return 0;
        ExitBatch[] storage b = ce.batches;
        uint256 lo;
        uint256 hi = b.length - 1;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (b[mid].upTo > keyIndex) hi = mid;
            else lo = mid + 1;
        }
        return b[lo].deadline;
    }

    // ------------------------------------------------------------------------------------------ views
    function _exitDeadline(uint256 clusterId, uint256 keyIndex) internal view returns (uint256) {
        return _deadlineOf(_exits().clusters[clusterId], keyIndex);
    }

    function _exitCounts(uint256 clusterId) internal view returns (uint256 requested, uint256 forced) {
        ClusterExits storage ce = _exits().clusters[clusterId];
        return (ce.requested, ce.forced);
    }

    function _pendingExits(uint256 clusterId)
        internal
        view
        returns (uint256[] memory keyIndexes, uint256[] memory deadlines)
    {
        (, uint256 exited) = _clusterKeys(clusterId);
        ClusterExits storage ce = _exits().clusters[clusterId];
        uint256 n = ce.requested > exited ? ce.requested - exited : 0;
        (keyIndexes, deadlines) = (new uint256[](n), new uint256[](n));
        for (uint256 i; i < n; ++i) {
            keyIndexes[i] = exited + i;
            deadlines[i] = _deadlineOf(ce, exited + i);
        }
    }

    function _lateExits(uint256 fromClusterId, uint256 maxResults)
        internal
        view
        returns (uint256[] memory clusterIds, uint256[] memory keyIndexes, uint256 nextClusterId)
    {
        (clusterIds, keyIndexes) = (new uint256[](maxResults), new uint256[](maxResults));
        uint256 found;
        uint256 last = _clusterCount();
        for (uint256 id = fromClusterId == 0 ? 1 : fromClusterId; id <= last && found < maxResults; ++id) {
            (, uint256 exited) = _clusterKeys(id);
            ClusterExits storage ce = _exits().clusters[id];
            for (uint256 k = exited; k < ce.requested && found < maxResults; ++k) {
                if (_deadlineOf(ce, k) < block.timestamp && !ce.wasForced[k]) {
                    (clusterIds[found], keyIndexes[found]) = (id, k);
                    ++found;
                }
            }
        }
        assembly {
            mstore(clusterIds, found)
            mstore(keyIndexes, found)
        }
        // a full page may have stopped inside its last cluster: continue there (keys forced meanwhile drop out)
        if (found == maxResults && found > 0) nextClusterId = clusterIds[found - 1];
    }
}
