// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title WithdrawalQueueStorage
/// @notice The withdrawal queue's whole state, in one ERC-7201 namespace, packed for the two hot paths.
/// @dev Gas budget drives the layout (see WithdrawalGas.t.sol and WithdrawalSystemGas.t.sol):
///      - a request writes ONE fresh slot (`Request`): the owner is a 31-bit holder index, not a 160-bit address,
///        so cumulative shares, the request's ETH value, timestamp, owner and the claimed flag fit in 256 bits;
///      - a request reads/writes only `RequestState` (slot 0), which carries the running cumulative shares, plus
///        the holder's `Holder` slot; it never reads the previous request. A holder's first request also touches
///        slot 2 (`holderCount`). The request limits are immutables of the implementation, not storage;
///      - a claim reads/writes only `ClaimState` (slot 1) plus its request, the request before it (for its
///        shares), its checkpoint and the caller's `Holder` slot.
///      Bounds of the packed types (all enforced with reverts, never truncation):
///      - uint96 cumulative shares and a request's ETH value: 7.9e28 wei = 79 billion ETH;
///      - uint96 request share rate: up to 79 ETH per share (the pool starts at 1);
///      - uint32 timestamp: seconds until year 2106; uint40 request ids: 1.1e12 requests;
///      - uint31 holder index: 2.1e9 distinct addresses ever holding a request.
abstract contract WithdrawalQueueStorage {
    /// @dev Top bit of `Request.owner`: the request has been claimed (the NFT stays as a receipt).
    uint32 internal constant CLAIMED_FLAG = 1 << 31;
    /// @dev Low 31 bits of `Request.owner`: the owner's holder index (0 = none).
    uint32 internal constant HOLDER_INDEX_MASK = CLAIMED_FLAG - 1;

    /// @dev One slot per request. Cumulative shares over requests 1..id make any range's shares two reads, and
    ///      any range's ETH value inside one run two multiplications (see WithdrawalMath).
    struct Request {
        uint96 cumulativeShares; // S_id = shares of requests 1..id
        uint96 etherAtRequest; // E_id = floor(S_id * r) - floor(S_(id-1) * r), r = its run's rate (WithdrawalMath)
        uint32 timestamp;
        uint32 owner; // holder index | CLAIMED_FLAG
    }

    /// @dev A finalization: requests `fromRequestId..toRequestId` are capped at `shareRate`.
    struct Checkpoint {
        uint40 fromRequestId;
        uint40 toRequestId;
        uint128 shareRate;
    }

    /// @dev A run of consecutive requests valued at one request share rate (rates change only at reports), so the
    ///      side of the finalization rate each request is on is known per run, not per request.
    struct Run {
        uint40 fromRequestId;
        uint96 shareRate;
    }

    /// @dev ERC-721 holder: a compact index (stored in requests instead of the address) and the NFT balance.
    struct Holder {
        uint32 index;
        uint64 balance;
    }

    /// @dev Everything a request reads and writes in the queue's own state, in one slot.
    struct RequestState {
        uint40 lastRequestId;
        uint96 shareRate; // request share rate (of the last run)
        uint96 cumulativeShares; // S_lastRequestId, a copy kept here so a request need not read the last request
        bool paused;
    }

    /// @dev Everything a claim reads and writes in the queue's own state, in one slot.
    struct ClaimState {
        uint40 lastFinalizedRequestId;
        uint32 lastCheckpointIndex; // checkpoints are 1-based: 0 = none
        uint128 lockedEther;
        bool paused; // mirror of RequestState.paused, so a claim need not read slot 0
    }

    /// @custom:storage-location erc7201:shoal.storage.WithdrawalQueue
    struct Layout {
        RequestState req; // slot +0
        ClaimState claim; // slot +1
        uint32 runCount; // slot +2
        uint32 firstUnfinalizedRun; // the run holding request lastFinalizedRequestId + 1
        uint32 holderCount; // holder indexes handed out (only a holder's first request touches this slot)
        mapping(uint256 requestId => Request) requests; // request 0 is the all-zero sentinel
        mapping(uint256 index => Checkpoint) checkpoints;
        mapping(uint256 index => Run) runs;
        mapping(address account => Holder) holders;
        mapping(uint256 index => address) holderAt;
        mapping(uint256 requestId => address) tokenApprovals;
        mapping(address owner => mapping(address operator => bool)) operatorApprovals;
        string baseURI;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("shoal.storage.WithdrawalQueue")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_SLOT = 0x840a1a3bce9b6bc198162ef15ba8d20c284119ea1884933484070074ef30c900;

    function _s() internal pure returns (Layout storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }
}
