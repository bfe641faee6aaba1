// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IStakingPool} from "../interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../interfaces/IWithdrawalQueue.sol";
import {WithdrawalBatches} from "./WithdrawalBatches.sol";
import {WithdrawalMath} from "./WithdrawalMath.sol";
import {WithdrawalRequestNFT} from "./WithdrawalRequestNFT.sol";

/// @title WithdrawalQueue
/// @notice FIFO queue of dvETH withdrawal requests, each an ERC-721 token, finalized by the pool during oracle
///         reports and claimed for ETH by the token's owner.
///
///   request ids   1    2    3    4    5    6    7    8    9   10   11   12
///                 │    │    │    │    │    │    │    │    │    │    │    │   one slot each: cumulative shares S,
///                 ▼    ▼    ▼    ▼    ▼    ▼    ▼    ▼    ▼    ▼    ▼    ▼   its ETH-at-request E, time,
///                ┌─────────────────────────┬─────────────────────────┬────   owner (holder index), claimed bit
///   runs         │ run 0: valued at r0     │ run 1: valued at r1     │ run 2 (new rate pushed by the pool)
///   (rate at     └─────────────────────────┴─────────────────────────┴────
///    request)    ┌──────────────┬──────────────────────────┐
///   checkpoints  │ cp 1: R1     │ cp 2: R2                 │   (not yet finalized)
///   (rate at     └──────────────┴──────────────────────────┘
///    finalization)      lastFinalizedRequestId = 8 ┘              lastRequestId = 12 ┘
///
///   E_id = ⌊S_id·r⌋ − ⌊S_id-1·r⌋  (r = the rate of the run of id)   Σ E over a run segment = ⌊S_end·r⌋ − ⌊S_start·r⌋
///   claim(id, hint = its checkpoint k) = min( E_id, shares × R_k / 1e27 )      O(1): 4 reads
///   lock(checkpoint k) = Σ over runs r in its range:  ⌊S_end·min(r, R_k)⌋ − ⌊S_start·min(r, R_k)⌋
///   locked ETH ≥ Σ claims of every finalized, unclaimed request            (WithdrawalMath explains why)
///
/// @dev What it promises:
///      - a request locks its dvETH shares and records their ETH value at the request-time rate r, defined from
///        cumulative shares (E_id above: its shares' value at r rounded down, or 1 wei more where the fractions
///        cut off before it add up; never above the exact value rounded up — WithdrawalMath); it
///        pays at most that value and at most the shares' value at the finalization rate: losses between request
///        and finalization are shared with stakers, gains after the request stay with stakers;
///      - finalization locks exactly the ETH its range needs (checked against `msg.value`); that ETH can only
///        leave the queue as claims, so it is never available for deposits;
///      - each request is claimed at most once, by its current owner, to the owner or a recipient of its choice;
///      - a request costs one fresh storage slot; a claim is O(1) given the checkpoint hint.
///      What it trusts:
///      - the pool (FINALIZE_ROLE): to pass the finalization rate the oracle reported, to take `sharesToBurn`
///        out of the queue's dvETH right after `finalize`, and to push every new share rate through
///        `notifyShareRate` (new requests are valued at the last pushed rate);
///      - dvETH (the pool) to move exactly the shares asked from the caller in `pullSharesForWithdrawal`, which
///        it lets only this queue call (no allowance: calling the queue is the holder's consent). The pool counts
///        the shares of unfinalized requests as the queue's dvETH through `unfinalizedShares`, so the queue
///        must keep that figure exact: it changes only by a request's shares and by a finalization's
///        `sharesToBurn`;
///      - DEFAULT_ADMIN_ROLE for upgrades and roles; PAUSE_ROLE/RESUME_ROLE for their levers. The request limits
///        are immutables of the implementation (constructor arguments): changing them is an upgrade.
///      Storage: ERC-7201 namespace `shoal.storage.WithdrawalQueue` (see WithdrawalQueueStorage).
contract WithdrawalQueue is
    Initializable,
    AccessControlUpgradeable,
    UUPSUpgradeable,
    ReentrancyGuardTransient,
    WithdrawalBatches
{
    /// @notice Finalizes requests and pushes share rates; held by the pool.
    bytes32 public constant FINALIZE_ROLE = keccak256("FINALIZE_ROLE");
    /// @notice Pauses requests and claims.
    bytes32 public constant PAUSE_ROLE = keccak256("PAUSE_ROLE");
    /// @notice Resumes requests and claims.
    bytes32 public constant RESUME_ROLE = keccak256("RESUME_ROLE");

    /// @dev Masks of the packed fields the single-request path reads from storage words (see `requestWithdrawal`).
    uint256 private constant MASK_32 = type(uint32).max;
    uint256 private constant MASK_40 = type(uint40).max;
    uint256 private constant MASK_64 = type(uint64).max;
    uint256 private constant MASK_96 = type(uint96).max;

    /// @notice dvETH, the pool's share token. Immutable (in the implementation's code) so requests skip a cold
    ///         storage read; a new pool needs a new implementation.
    IStakingPool public immutable POOL;
    /// @notice Smallest ETH value of one request (wei): guards against dust requests that cost more to finalize
    ///         and track than they are worth. Immutable (no storage read on requests); changing it is an upgrade.
    uint256 public immutable MIN_REQUEST_ETHER;
    /// @notice Largest ETH value of one request (wei): bounds how much one request can take from a single
    ///         finalization. Below 2^96-1 (a request's value, up to 1 wei above its shares' rounded-down value, is
    ///         stored as uint96). Changing it is an upgrade.
    uint256 public immutable MAX_REQUEST_ETHER;

    /// @param pool The staking pool whose dvETH shares the queue takes in.
    /// @param minRequestEther Smallest ETH value of one request (wei, > 0), e.g. 100 gwei.
    /// @param maxRequestEther Largest ETH value of one request (wei, >= min, < 2^96 - 1), e.g. 1000 ether.
    /// @dev The limits apply to the value of a request's own shares at the request rate, rounded down.
    constructor(IStakingPool pool, uint256 minRequestEther, uint256 maxRequestEther) {
        if (address(pool) == address(0)) revert ZeroAddress();
        if (minRequestEther == 0 || minRequestEther > maxRequestEther || maxRequestEther >= type(uint96).max) {
            revert InvalidRequestLimits(minRequestEther, maxRequestEther);
        }
        POOL = pool;
        MIN_REQUEST_ETHER = minRequestEther;
        MAX_REQUEST_ETHER = maxRequestEther;
        _disableInitializers();
    }

    /// @notice Sets up the proxy.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants the other roles; FINALIZE_ROLE goes to the pool).
    /// @param initialShareRate The pool's share rate now (1e27 precision); values the first requests.
    /// @dev Emits `RequestLimitsSet` with the implementation's limits, so indexers see the limits the queue
    ///      starts with (a later upgrade to other limits shows as ERC-1967 `Upgraded`; read `requestLimits()`).
    function initialize(address admin, uint256 initialShareRate) external initializer {
        if (admin == address(0)) revert ZeroAddress();
        if (initialShareRate == 0 || initialShareRate > type(uint96).max) revert InvalidShareRate(initialShareRate);
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        Layout storage $ = _s();
        $.req.shareRate = uint96(initialShareRate);
        $.runs[0] = Run(1, uint96(initialShareRate));
        $.runCount = 1;
        emit RequestShareRateUpdated(initialShareRate, 1);
        emit RequestLimitsSet(MIN_REQUEST_ETHER, MAX_REQUEST_ETHER);
    }

    // ================================================================ requests

    // No reentrancy guard on requests: their only external call is the last statement, to the pool (immutable,
    // trusted), whose `pullSharesForWithdrawal` calls nothing outside the pool.

    /// @inheritdoc IWithdrawalQueue
    /// @dev The single-request path, the common case, written at the level of storage words because it is the
    ///      protocol's most frequent user transaction (issue #3 §5 budgets it at 80,000 gas). It does exactly what
    ///      `requestWithdrawals([shares], msg.sender)` does, with the same checks and errors, but reads each of its
    ///      slots once into a word and writes it back once (Solidity would copy the packed structs through
    ///      memory field by field), and needs no array decoding and no returned array. The running cumulative
    ///      shares live in the state word, so the previous request's slot is never read; the limits are
    ///      immutables. The bit positions are those Solidity gives the packed structs (WithdrawalQueueStorage):
    ///      members from the low-order end up.
    ///        RequestState: lastRequestId 0..39 | shareRate 40..135 | cumulativeShares 136..231 | paused 232..239
    ///        Holder:       index 0..31 | balance 32..95
    ///        Request:      cumulativeShares 0..95 | etherAtRequest 96..191 | timestamp 192..223 | owner 224..255
    ///      `test_requestWithdrawal_recordsAndEmitsLikeTheBatch` and the fuzz/invariant suites (which use both
    ///      paths) hold the two to the same state.
    function requestWithdrawal(uint256 shares) external returns (uint256 requestId) {
        Layout storage $ = _s();
        RequestState storage stateRef = $.req;
        uint256 state;
        assembly ("memory-safe") {
            state := sload(stateRef.slot)
        }
        if ((state >> 232) & 0xff != 0) revert QueuePaused();
        (uint256 e, uint256 cumulative) = _checkedValue(shares, (state >> 136) & MASK_96, (state >> 40) & MASK_96);

        // the caller's holder slot: register it on first sight (next holder index from `holderCount`)
        uint256 index;
        {
            Holder storage holderRef = $.holders[msg.sender];
            uint256 holder;
            assembly ("memory-safe") {
                holder := sload(holderRef.slot)
            }
            index = holder & MASK_32;
            if (index == 0) index = _registerHolder(msg.sender);
            // balance + 1 cannot reach 2^64: it counts requests, whose ids are uint40
            holder = index | ((((holder >> 32) & MASK_64) + 1) << 32);
            assembly ("memory-safe") {
                sstore(holderRef.slot, holder)
            }
        }

        // the new request: its cumulative shares, its value (< 2^96: at most MAX_REQUEST_ETHER + 1), time, owner
        {
            uint256 request =
                cumulative | (e << 96) | (uint256(SafeCast.toUint32(block.timestamp)) << 192) | (index << 224);
            requestId = SafeCast.toUint40((state & MASK_40) + 1);
            Request storage requestRef = $.requests[requestId];
            state = (state & ~(MASK_40 | (MASK_96 << 136))) | requestId | (cumulative << 136);
            assembly ("memory-safe") {
                sstore(requestRef.slot, request)
                sstore(stateRef.slot, state)
            }
        }
        emit WithdrawalRequested(requestId, msg.sender, msg.sender, shares, e);
        emit Transfer(address(0), msg.sender, requestId);
        _pullShares(shares);
    }

    /// @inheritdoc IWithdrawalQueue
    function requestWithdrawals(uint256[] calldata shares, address owner)
        external
        returns (uint256[] memory requestIds)
    {
        if (shares.length == 0) revert EmptyRequestList();
        if (owner == address(0)) owner = msg.sender;
        Layout storage $ = _s();
        RequestState memory st = $.req;
        if (st.paused) revert QueuePaused();
        // the request template: owner and time are the same for every request of the call
        Request memory next =
            Request(0, 0, SafeCast.toUint32(block.timestamp), _addToHolder(owner, uint64(shares.length)));

        uint256 id = st.lastRequestId;
        uint256 sharesBefore = st.cumulativeShares;
        uint256 cumulative = sharesBefore; // running cumulative point, starting at the last request
        requestIds = new uint256[](shares.length);
        for (uint256 i; i < shares.length; ++i) {
            uint256 e;
            (e, cumulative) = _checkedValue(shares[i], cumulative, st.shareRate);
            // both fit uint96: `_checkedValue` checked the cumulative shares, and e <= MAX_REQUEST_ETHER + 1 < 2^96
            next.cumulativeShares = uint96(cumulative);
            next.etherAtRequest = uint96(e);
            $.requests[++id] = next;
            requestIds[i] = id;
            emit WithdrawalRequested(id, msg.sender, owner, shares[i], e);
            emit Transfer(address(0), owner, id);
        }
        st.lastRequestId = SafeCast.toUint40(id);
        st.cumulativeShares = uint96(cumulative);
        $.req = st;

        // always the caller's own shares: whoever owns the requests, the caller pays for them
        _pullShares(cumulative - sharesBefore);
    }

    /// @dev Hands out the next holder index to `account` (a holder's first request; `holderCount` is in a slot
    ///      only first requests touch).
    function _registerHolder(address account) private returns (uint256 index) {
        Layout storage $ = _s();
        index = uint256($.holderCount) + 1;
        if (index > HOLDER_INDEX_MASK) revert TooManyHolders();
        $.holderCount = uint32(index);
        $.holderAt[index] = account;
    }

    /// @dev Takes `shares` dvETH of the caller into the queue: `POOL.pullSharesForWithdrawal(msg.sender, shares)`
    ///      as a bare CALL, passing the pool's revert on (e.g. `ERC20InsufficientBalance`). Solidity's own call
    ///      would add an EXTCODESIZE check (the pool is immutable and has code) and memory copies: ~200 gas.
    function _pullShares(uint256 shares) private {
        address pool = address(POOL);
        bytes4 selector = IStakingPool.pullSharesForWithdrawal.selector;
        assembly ("memory-safe") {
            let p := mload(0x40) // scratch past the free memory pointer, not kept
            mstore(p, selector)
            mstore(add(p, 4), caller())
            mstore(add(p, 36), shares)
            if iszero(call(gas(), pool, 0, p, 68, 0, 0)) {
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    /// @dev Checks the limits against the value of `shares` alone at the request rate, rounded down (what
    ///      `convertToAssets` shows the holder, whatever was requested before), and returns the request's
    ///      recorded value E (`WithdrawalMath.rangeValue` after cumulative shares `sharesBefore`: that value or
    ///      1 wei more, so at most MAX_REQUEST_ETHER + 1 < 2^96) and the new cumulative shares (checked to fit
    ///      uint96).
    function _checkedValue(uint256 shares, uint256 sharesBefore, uint256 shareRate)
        private
        view
        returns (uint256 e, uint256 sharesAfter)
    {
        // shares <= 2^128 keeps (sharesBefore + shares) * rate (sharesBefore, rate < 2^96) far from overflow;
        // more is above any max anyway.
        if (shares > type(uint128).max) revert RequestTooLarge(shares, type(uint256).max, MAX_REQUEST_ETHER);
        // unchecked: shares < 2^128 and sharesBefore, shareRate < 2^96 (callers pass uint96 fields), so no sum or
        // product here comes near 2^256, and floor(a*r) >= floor(b*r) for a >= b
        unchecked {
            uint256 value = shares * shareRate / WithdrawalMath.RATE_PRECISION;
            if (value < MIN_REQUEST_ETHER) revert RequestTooSmall(shares, value, MIN_REQUEST_ETHER);
            if (value > MAX_REQUEST_ETHER) revert RequestTooLarge(shares, value, MAX_REQUEST_ETHER);
            sharesAfter = sharesBefore + shares;
            if (sharesAfter > type(uint96).max) revert SafeCast.SafeCastOverflowedUintDowncast(96, sharesAfter);
            // WithdrawalMath.rangeValue(sharesBefore, sharesAfter, shareRate), without the overflow checks
            e = sharesAfter * shareRate / WithdrawalMath.RATE_PRECISION - sharesBefore * shareRate
                / WithdrawalMath.RATE_PRECISION;
        }
    }

    // ================================================================ finalization (the pool)

    /// @inheritdoc IWithdrawalQueue
    function prefinalize(uint256[] calldata batches, uint256 shareRate)
        external
        view
        returns (uint256 ethToLock, uint256 sharesToBurn)
    {
        if (batches.length == 0) revert EmptyBatches();
        _checkFinalizationRate(shareRate);
        Layout storage $ = _s();
        uint256 lastFinalized = $.claim.lastFinalizedRequestId;
        uint256 lastRequest = $.req.lastRequestId;
        uint256 prevEnd = lastFinalized;
        uint256 runIndex = $.firstUnfinalizedRun;
        for (uint256 i; i < batches.length; ++i) {
            uint256 end = batches[i];
            if (end <= prevEnd) revert BatchesNotSorted(i, end, prevEnd);
            if (end > lastRequest) revert InvalidFinalizationTarget(end, lastFinalized, lastRequest);
            Walk memory w = _walk(prevEnd, end, shareRate, runIndex);
            if (w.mixedAt != 0) revert BatchMixesSides(i, w.mixedAt);
            ethToLock += w.ethToLock;
            sharesToBurn += w.shares;
            runIndex = w.nextRun;
            prevEnd = end;
        }
    }

    /// @inheritdoc IWithdrawalQueue
    function finalize(uint256 lastRequestIdToFinalize, uint256 shareRate)
        external
        payable
        onlyRole(FINALIZE_ROLE)
        returns (uint256 sharesToBurn)
    {
        _checkFinalizationRate(shareRate);
        Layout storage $ = _s();
        ClaimState memory cs = $.claim;
        uint256 lastRequest = $.req.lastRequestId;
        uint256 from = uint256(cs.lastFinalizedRequestId) + 1;
        if (lastRequestIdToFinalize < from || lastRequestIdToFinalize > lastRequest) {
            revert InvalidFinalizationTarget(lastRequestIdToFinalize, cs.lastFinalizedRequestId, lastRequest);
        }
        Walk memory w = _walk(from - 1, lastRequestIdToFinalize, shareRate, $.firstUnfinalizedRun);
        if (msg.value != w.ethToLock) revert EtherToLockMismatch(msg.value, w.ethToLock);

        uint256 checkpointIndex = uint256(cs.lastCheckpointIndex) + 1;
        $.checkpoints[checkpointIndex] = Checkpoint(uint40(from), uint40(lastRequestIdToFinalize), uint128(shareRate));
        $.claim = ClaimState({
            lastFinalizedRequestId: uint40(lastRequestIdToFinalize),
            lastCheckpointIndex: SafeCast.toUint32(checkpointIndex),
            lockedEther: SafeCast.toUint128(cs.lockedEther + w.ethToLock),
            paused: cs.paused
        });
        $.firstUnfinalizedRun = uint32(w.nextRun);
        sharesToBurn = w.shares;
        emit WithdrawalsFinalized(
            from, lastRequestIdToFinalize, checkpointIndex, w.ethToLock, sharesToBurn, shareRate, block.timestamp
        );
    }

    /// @inheritdoc IWithdrawalQueue
    /// @dev Starts a new run at the next request id, or re-rates the current run if no request used it yet.
    function notifyShareRate(uint256 shareRate) external onlyRole(FINALIZE_ROLE) {
        if (shareRate == 0 || shareRate > type(uint96).max) revert InvalidShareRate(shareRate);
        Layout storage $ = _s();
        RequestState storage st = $.req;
        if (st.shareRate == shareRate) return;
        uint256 from = uint256(st.lastRequestId) + 1;
        uint256 last = $.runCount - 1;
        if ($.runs[last].fromRequestId == from) {
            $.runs[last].shareRate = uint96(shareRate);
        } else {
            $.runs[last + 1] = Run(uint40(from), uint96(shareRate));
            $.runCount = uint32(last + 2);
        }
        st.shareRate = uint96(shareRate);
        emit RequestShareRateUpdated(shareRate, from);
    }

    // ================================================================ claims

    /// @inheritdoc IWithdrawalQueue
    function claimWithdrawals(uint256[] calldata requestIds, uint256[] calldata hints) external nonReentrant {
        _claimAll(requestIds, hints, msg.sender);
    }

    /// @inheritdoc IWithdrawalQueue
    function claimWithdrawalsTo(uint256[] calldata requestIds, uint256[] calldata hints, address recipient)
        external
        nonReentrant
    {
        if (recipient == address(0)) revert ZeroAddress();
        _claimAll(requestIds, hints, recipient);
    }

    /// @inheritdoc IWithdrawalQueue
    function claimWithdrawal(uint256 requestId) external nonReentrant {
        Layout storage $ = _s();
        ClaimState memory cs = $.claim;
        if (cs.paused) revert QueuePaused();
        uint256 hint = _findCheckpoint(requestId, 1, cs.lastCheckpointIndex, cs.lastFinalizedRequestId);
        uint256 amount = _claimOne(requestId, hint, $.holders[msg.sender].index, cs, msg.sender);
        $.claim.lockedEther = uint128(cs.lockedEther - amount);
        _sendEther(msg.sender, amount);
    }

    function _claimAll(uint256[] calldata requestIds, uint256[] calldata hints, address recipient) private {
        if (requestIds.length != hints.length) revert ArrayLengthMismatch(requestIds.length, hints.length);
        if (requestIds.length == 0) revert EmptyRequestList();
        Layout storage $ = _s();
        ClaimState memory cs = $.claim;
        if (cs.paused) revert QueuePaused();
        uint32 callerIndex = $.holders[msg.sender].index;
        uint256 total;
        for (uint256 i; i < requestIds.length; ++i) {
            total += _claimOne(requestIds[i], hints[i], callerIndex, cs, recipient);
        }
        $.claim.lockedEther = uint128(cs.lockedEther - total);
        _sendEther(recipient, total);
    }

    /// @dev Checks and marks one claim; returns its ETH. Effects only: the caller pays out once at the end.
    function _claimOne(uint256 requestId, uint256 hint, uint32 callerIndex, ClaimState memory cs, address recipient)
        private
        returns (uint256 amount)
    {
        if (requestId == 0) revert InvalidRequestId(requestId);
        if (requestId > cs.lastFinalizedRequestId) revert RequestNotFinalized(requestId);
        Layout storage $ = _s();
        Request storage request = $.requests[requestId];
        Request memory r = request;
        if (r.owner & CLAIMED_FLAG != 0) revert RequestAlreadyClaimed(requestId);
        // Holder indexes start at 1, so an unregistered caller (index 0) never matches.
        if (r.owner != callerIndex) revert NotRequestOwner(requestId, msg.sender);
        amount = _claimableAt(requestId, r, _checkpointOf(requestId, hint, cs.lastCheckpointIndex));
        request.owner = r.owner | CLAIMED_FLAG;
        emit WithdrawalClaimed(requestId, msg.sender, recipient, amount);
    }

    function _sendEther(address recipient, uint256 amount) private {
        (bool ok,) = recipient.call{value: amount}("");
        if (!ok) revert EtherTransferFailed(recipient, amount);
    }

    // ================================================================ admin

    /// @notice Sets the ERC-721 base URI (`tokenURI` = base URI + id).
    function setBaseURI(string calldata baseURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _s().baseURI = baseURI;
        emit BaseURISet(baseURI);
    }

    /// @notice Pauses new requests and claims (finalization and NFT transfers go on).
    function pause() external onlyRole(PAUSE_ROLE) {
        Layout storage $ = _s();
        if ($.req.paused) revert QueuePaused();
        $.req.paused = true;
        $.claim.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Resumes requests and claims.
    function resume() external onlyRole(RESUME_ROLE) {
        Layout storage $ = _s();
        if (!$.req.paused) revert QueueNotPaused();
        $.req.paused = false;
        $.claim.paused = false;
        emit Resumed(msg.sender);
    }

    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    // ================================================================ views

    /// @inheritdoc IWithdrawalQueue
    function findCheckpointHints(uint256[] calldata requestIds, uint256 firstIndex, uint256 lastIndex)
        external
        view
        returns (uint256[] memory hints)
    {
        ClaimState memory cs = _s().claim;
        if (firstIndex == 0 || firstIndex > lastIndex || lastIndex > cs.lastCheckpointIndex) {
            revert InvalidHintRange(firstIndex, lastIndex, cs.lastCheckpointIndex);
        }
        hints = new uint256[](requestIds.length);
        uint256 prevId;
        for (uint256 i; i < requestIds.length; ++i) {
            uint256 id = requestIds[i];
            if (id < prevId) revert RequestIdsNotSorted(i);
            prevId = id;
            uint256 hint = _findCheckpoint(id, firstIndex, lastIndex, cs.lastFinalizedRequestId);
            hints[i] = hint;
            if (hint != 0) firstIndex = hint; // ids ascend, so the next hint is not earlier
        }
    }

    /// @inheritdoc IWithdrawalQueue
    function getWithdrawalStatus(uint256[] calldata requestIds)
        external
        view
        returns (WithdrawalRequestStatus[] memory statuses)
    {
        Layout storage $ = _s();
        uint256 lastFinalized = $.claim.lastFinalizedRequestId;
        statuses = new WithdrawalRequestStatus[](requestIds.length);
        for (uint256 i; i < requestIds.length; ++i) {
            uint256 id = requestIds[i];
            _requireExists(id);
            Request memory r = $.requests[id];
            statuses[i] = WithdrawalRequestStatus({
                shares: r.cumulativeShares - $.requests[id - 1].cumulativeShares,
                etherAtRequest: r.etherAtRequest,
                owner: $.holderAt[r.owner & HOLDER_INDEX_MASK],
                timestamp: r.timestamp,
                isFinalized: id <= lastFinalized,
                isClaimed: r.owner & CLAIMED_FLAG != 0
            });
        }
    }

    /// @inheritdoc IWithdrawalQueue
    function getClaimableEther(uint256[] calldata requestIds, uint256[] calldata hints)
        external
        view
        returns (uint256[] memory amounts)
    {
        if (requestIds.length != hints.length) revert ArrayLengthMismatch(requestIds.length, hints.length);
        ClaimState memory cs = _s().claim;
        amounts = new uint256[](requestIds.length);
        for (uint256 i; i < requestIds.length; ++i) {
            amounts[i] = _claimableView(requestIds[i], hints[i], cs);
        }
    }

    /// @inheritdoc IWithdrawalQueue
    function claimableEther(uint256 requestId) external view returns (uint256) {
        ClaimState memory cs = _s().claim;
        uint256 hint = _findCheckpoint(requestId, 1, cs.lastCheckpointIndex, cs.lastFinalizedRequestId);
        return _claimableView(requestId, hint, cs);
    }

    /// @inheritdoc IWithdrawalQueue
    function lockedEther() external view returns (uint256) {
        return _s().claim.lockedEther;
    }

    /// @inheritdoc IWithdrawalQueue
    function unfinalizedShares() external view returns (uint256) {
        Layout storage $ = _s();
        return $.req.cumulativeShares - $.requests[$.claim.lastFinalizedRequestId].cumulativeShares;
    }

    /// @inheritdoc IWithdrawalQueue
    /// @dev At request-time values (the sum of their E): an upper bound of the ETH the unfinalized requests can
    ///      ever claim. Walks the unfinalized runs (two reads each; one or two when every report finalizes).
    function unfinalizedEther() external view returns (uint256) {
        Layout storage $ = _s();
        uint256 last = $.req.lastRequestId;
        uint256 lastFinalized = $.claim.lastFinalizedRequestId;
        if (last == lastFinalized) return 0;
        return _walk(lastFinalized, last, type(uint256).max, $.firstUnfinalizedRun).ethToLock;
    }

    /// @inheritdoc IWithdrawalQueue
    function lastRequestId() external view returns (uint256) {
        return _s().req.lastRequestId;
    }

    /// @inheritdoc IWithdrawalQueue
    function lastFinalizedRequestId() external view returns (uint256) {
        return _s().claim.lastFinalizedRequestId;
    }

    /// @inheritdoc IWithdrawalQueue
    function lastCheckpointIndex() external view returns (uint256) {
        return _s().claim.lastCheckpointIndex;
    }

    /// @inheritdoc IWithdrawalQueue
    function requestShareRate() external view returns (uint256) {
        return _s().req.shareRate;
    }

    /// @inheritdoc IWithdrawalQueue
    function isPaused() external view returns (bool) {
        return _s().req.paused;
    }

    /// @notice The current ETH bounds of one request, in wei.
    function requestLimits() external view returns (uint256 minRequestEther, uint256 maxRequestEther) {
        return (MIN_REQUEST_ETHER, MAX_REQUEST_ETHER);
    }

    /// @notice Finalization checkpoint `index` (1-based): its request range and share rate.
    function getCheckpoint(uint256 index)
        external
        view
        returns (uint256 fromRequestId, uint256 toRequestId, uint256 shareRate)
    {
        Checkpoint memory cp = _s().checkpoints[index];
        return (cp.fromRequestId, cp.toRequestId, cp.shareRate);
    }

    /// @notice Run `index` (0-based): the first request valued at `shareRate`; `runCount` runs exist.
    function getRun(uint256 index) external view returns (uint256 fromRequestId, uint256 shareRate, uint256 runCount) {
        Layout storage $ = _s();
        Run memory run = $.runs[index];
        return (run.fromRequestId, run.shareRate, $.runCount);
    }

    /// @notice ERC-165: ERC-721, ERC-721 metadata, AccessControl.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(AccessControlUpgradeable, WithdrawalRequestNFT)
        returns (bool)
    {
        return WithdrawalRequestNFT.supportsInterface(interfaceId)
            || AccessControlUpgradeable.supportsInterface(interfaceId);
    }

    // ================================================================ internals

    /// @dev Checkpoint `hint`, which must cover `requestId`.
    function _checkpointOf(uint256 requestId, uint256 hint, uint256 checkpointCount)
        private
        view
        returns (Checkpoint memory cp)
    {
        if (hint == 0 || hint > checkpointCount) revert InvalidHint(requestId, hint);
        cp = _s().checkpoints[hint];
        if (requestId < cp.fromRequestId || requestId > cp.toRequestId) revert InvalidHint(requestId, hint);
    }

    function _claimableAt(uint256 requestId, Request memory r, Checkpoint memory cp) private view returns (uint256) {
        uint256 shares = r.cumulativeShares - _s().requests[requestId - 1].cumulativeShares;
        return WithdrawalMath.claimable(shares, r.etherAtRequest, cp.shareRate);
    }

    function _claimableView(uint256 requestId, uint256 hint, ClaimState memory cs) private view returns (uint256) {
        if (requestId == 0 || requestId > _s().req.lastRequestId) revert InvalidRequestId(requestId);
        if (requestId > cs.lastFinalizedRequestId) return 0;
        Request memory r = _s().requests[requestId];
        if (r.owner & CLAIMED_FLAG != 0) return 0;
        return _claimableAt(requestId, r, _checkpointOf(requestId, hint, cs.lastCheckpointIndex));
    }

    /// @dev Binary search of the checkpoint covering `requestId` among `lo..hi` (1-based); 0 if none. Checkpoints
    ///      tile 1..lastFinalized without gaps, in order, so the last one whose start is <= id is the one.
    function _findCheckpoint(uint256 requestId, uint256 lo, uint256 hi, uint256 lastFinalized)
        private
        view
        returns (uint256)
    {
        if (requestId == 0 || requestId > lastFinalized || lo == 0 || lo > hi) return 0;
        mapping(uint256 => Checkpoint) storage cps = _s().checkpoints;
        if (requestId >= cps[hi].fromRequestId) return requestId <= cps[hi].toRequestId ? hi : 0;
        if (requestId < cps[lo].fromRequestId) return 0;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (cps[mid].fromRequestId <= requestId) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }
}
