// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IWithdrawalQueue
/// @notice The withdrawal queue of dvETH: each request is an ERC-721 token that locks dvETH *shares* until the
///         oracle report finalizes it, after which its owner claims ETH, capped at the lower of the share rate at
///         request and the share rate at finalization.
/// @dev Units: `shares` are dvETH shares (wei of the token), `ether` amounts are wei, share rates are ETH per share
///      scaled by 1e27 (the convention of `IStakingPool.shareRate()`).
///
///      What the pool (holder of FINALIZE_ROLE) calls, in this order, while it processes an oracle report:
///        1. `prefinalize(batches, finalizationShareRate)`  (view) -> (ethToLock, sharesToBurn)
///        2. `finalize{value: ethToLock}(batches[batches.length - 1], finalizationShareRate)`
///        3. take `sharesToBurn` dvETH shares out of the queue's dvETH (they leave `unfinalizedShares` in step 2)
///        4. after applying the report's new rate: `notifyShareRate(pool.shareRate())`
///      Steps 1-3 are skipped when the report finalizes nothing; step 4 is due on every report that moves the rate
///      (and is a cheap no-op otherwise). `batches` comes from the oracle, which computed it off-chain with
///      `calculateFinalizationBatches` at the report's reference block.
interface IWithdrawalQueue {
    /// @notice Everything known about one request.
    struct WithdrawalRequestStatus {
        uint256 shares; // dvETH shares locked by the request
        uint256 etherAtRequest; // value at the request rate, the cap (rounded down or 1 wei up: WithdrawalMath)
        address owner; // current NFT owner
        uint256 timestamp; // block timestamp of the request
        bool isFinalized;
        bool isClaimed;
    }

    // ---------------------------------------------------------------- events

    /// @notice A request was created (also announced as an ERC-721 `Transfer` from address(0)); `etherAmount` is
    ///         its recorded ETH value (`etherAtRequest`).
    event WithdrawalRequested(
        uint256 indexed requestId, address indexed requestor, address indexed owner, uint256 shares, uint256 etherAmount
    );
    /// @notice Requests `fromRequestId..toRequestId` were finalized at `shareRate`; `etherLocked` arrived with the
    ///         call and `sharesToBurn` are now due to be burnt by the pool.
    event WithdrawalsFinalized(
        uint256 indexed fromRequestId,
        uint256 indexed toRequestId,
        uint256 indexed checkpointIndex,
        uint256 etherLocked,
        uint256 sharesToBurn,
        uint256 shareRate,
        uint256 timestamp
    );
    /// @notice A finalized request was paid out.
    event WithdrawalClaimed(
        uint256 indexed requestId, address indexed owner, address indexed recipient, uint256 etherAmount
    );
    /// @notice New requests from `fromRequestId` on are valued at `shareRate`.
    event RequestShareRateUpdated(uint256 shareRate, uint256 fromRequestId);
    /// @notice The ETH bounds of one request, announced once at initialization: they are immutables of the
    ///         implementation, so only an upgrade changes them (read `requestLimits()` after an `Upgraded`).
    event RequestLimitsSet(uint256 minRequestEther, uint256 maxRequestEther);
    /// @notice The ERC-721 base URI changed.
    event BaseURISet(string baseURI);
    /// @notice Requests and claims were paused by `account`.
    event Paused(address indexed account);
    /// @notice Requests and claims were resumed by `account`.
    event Resumed(address indexed account);

    // ---------------------------------------------------------------- errors

    error ZeroAddress();
    error EmptyRequestList();
    error ArrayLengthMismatch(uint256 idsLength, uint256 hintsLength);
    error QueuePaused();
    error QueueNotPaused();
    error RequestTooSmall(uint256 shares, uint256 etherAmount, uint256 minRequestEther);
    error RequestTooLarge(uint256 shares, uint256 etherAmount, uint256 maxRequestEther);
    error InvalidRequestLimits(uint256 minRequestEther, uint256 maxRequestEther);
    error InvalidShareRate(uint256 shareRate);
    error InvalidFinalizationTarget(
        uint256 lastRequestIdToFinalize, uint256 lastFinalizedRequestId, uint256 lastRequestId
    );
    error EtherToLockMismatch(uint256 sent, uint256 required);
    error EmptyBatches();
    error BatchesNotSorted(uint256 batchIndex, uint256 batchEnd, uint256 previousEnd);
    error BatchMixesSides(uint256 batchIndex, uint256 requestId);
    error InvalidRequestId(uint256 requestId);
    error RequestNotFinalized(uint256 requestId);
    error RequestAlreadyClaimed(uint256 requestId);
    error NotRequestOwner(uint256 requestId, address caller);
    error InvalidHint(uint256 requestId, uint256 hint);
    error InvalidHintRange(uint256 firstIndex, uint256 lastIndex, uint256 checkpointCount);
    error RequestIdsNotSorted(uint256 index);
    error EtherTransferFailed(address recipient, uint256 amount);
    error TooManyHolders();

    // ---------------------------------------------------------------- requests

    /// @notice Locks `shares` dvETH shares of the caller in one request and mints its NFT to the caller. No
    ///         allowance is needed: the queue takes the caller's shares through the pool
    ///         (`IStakingPool.pullSharesForWithdrawal`), never anyone else's.
    /// @return requestId The new request's id.
    function requestWithdrawal(uint256 shares) external returns (uint256 requestId);

    /// @notice Locks `shares[i]` dvETH shares of the caller per request and mints one request NFT each to `owner`
    ///         (the caller when `owner` is zero). The caller's shares are taken, whoever `owner` is; no allowance.
    /// @return requestIds The new request ids, in order.
    function requestWithdrawals(uint256[] calldata shares, address owner) external returns (uint256[] memory requestIds);

    // ---------------------------------------------------------------- finalization (the pool)

    /// @notice ETH to lock and shares to burn to finalize up to the last entry of `batches` at `shareRate`.
    /// @param batches Ascending request ids, each ending one batch; every batch must lie wholly on one side of
    ///        `shareRate` (all its requests capped by their request rate, or all by `shareRate`).
    function prefinalize(uint256[] calldata batches, uint256 shareRate)
        external
        view
        returns (uint256 ethToLock, uint256 sharesToBurn);

    /// @notice Finalizes requests up to `lastRequestIdToFinalize` at `shareRate`; `msg.value` must equal the ETH to
    ///         lock (as `prefinalize` computes it). The returned shares leave `unfinalizedShares`, hence the queue's
    ///         dvETH as the pool counts it; the pool credits them to its burner and burns them.
    /// @return sharesToBurn dvETH shares of the finalized range, now to be burnt by the pool.
    function finalize(uint256 lastRequestIdToFinalize, uint256 shareRate)
        external
        payable
        returns (uint256 sharesToBurn);

    /// @notice The pool's current share rate, against which new requests are valued.
    function notifyShareRate(uint256 shareRate) external;

    /// @notice Which requests the available ETH can finalize at `shareRate`, counting only requests made at or
    ///         before `maxRequestTimestamp` (the report's reference time).
    /// @return batches Ends of maximal one-sided batches, ready for `prefinalize` (empty if nothing fits).
    function calculateFinalizationBatches(uint256 shareRate, uint256 availableEther, uint256 maxRequestTimestamp)
        external
        view
        returns (uint256[] memory batches, uint256 ethToLock, uint256 sharesToBurn);

    // ---------------------------------------------------------------- claims

    /// @notice Claims finalized requests the caller owns, paying the caller; `hints[i]` is the checkpoint index of
    ///         `requestIds[i]` (see `findCheckpointHints`).
    function claimWithdrawals(uint256[] calldata requestIds, uint256[] calldata hints) external;

    /// @notice As `claimWithdrawals`, paying `recipient`.
    function claimWithdrawalsTo(uint256[] calldata requestIds, uint256[] calldata hints, address recipient) external;

    /// @notice Claims one finalized request the caller owns, finding its checkpoint on-chain (O(log n)).
    function claimWithdrawal(uint256 requestId) external;

    // ---------------------------------------------------------------- views

    /// @notice Checkpoint index of each of the ascending `requestIds` among checkpoints `firstIndex..lastIndex`
    ///         (0 where not finalized or not in that range).
    function findCheckpointHints(uint256[] calldata requestIds, uint256 firstIndex, uint256 lastIndex)
        external
        view
        returns (uint256[] memory hints);

    function getWithdrawalStatus(uint256[] calldata requestIds)
        external
        view
        returns (WithdrawalRequestStatus[] memory statuses);

    /// @notice ETH each request can claim now (0 if unfinalized or already claimed).
    function getClaimableEther(uint256[] calldata requestIds, uint256[] calldata hints)
        external
        view
        returns (uint256[] memory claimableEther);

    /// @notice ETH request `requestId` can claim now (0 if unfinalized or already claimed).
    function claimableEther(uint256 requestId) external view returns (uint256);

    function lockedEther() external view returns (uint256);
    function unfinalizedShares() external view returns (uint256);
    function unfinalizedEther() external view returns (uint256);
    function lastRequestId() external view returns (uint256);
    function lastFinalizedRequestId() external view returns (uint256);
    function lastCheckpointIndex() external view returns (uint256);
    function requestShareRate() external view returns (uint256);
    function isPaused() external view returns (bool);
}
