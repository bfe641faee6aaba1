// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueueFixture} from "./WithdrawalQueueFixture.sol";
import {Vm} from "../utils/Vm.sol";

/// @notice Fuzz of the request -> finalize -> claim arithmetic.
contract WithdrawalQueueFuzzTest is WithdrawalQueueFixture {
    uint256 internal constant MIN_RATE = 0.5e27;
    uint256 internal constant MAX_RATE = 3e27;

    function setUp() public {
        setUpQueue();
    }

    /// @dev `requestWithdrawal` (written at storage-word level) leaves exactly the state and logs that
    ///      `requestWithdrawals([shares], caller)` leaves, for a caller's first request (holder registration in the
    ///      state word) and a later one, at any rate and amount, after any history of requests by others.
    function testFuzz_requestWithdrawal_sameStateAndLogsAsTheBatch(
        uint256 shares,
        uint256 rate,
        uint8 before,
        bool callerHasHistory
    ) public {
        rate = bound(rate, MIN_RATE, MAX_RATE);
        pushRate(rate);
        for (uint256 i; i < before % 5; ++i) {
            requestAs(i % 2 == 0 ? bob : address(uint160(0xB0B + i)), 1 ether);
        }
        if (callerHasHistory) requestAs(alice, 1 ether);
        uint256 minShares = (MIN_REQUEST * E27 + rate - 1) / rate;
        shares = bound(shares, minShares, MAX_REQUEST * E27 / rate);
        token.mint(alice, shares);
        vm.warp(block.timestamp + 1 days);

        uint256 snap = vm.snapshotState();
        vm.recordLogs();
        vm.prank(alice);
        uint256 id = queue.requestWithdrawal(shares);
        bytes32 single = _digest(id, vm.getRecordedLogs());
        vm.revertToState(snap);
        vm.recordLogs();
        vm.prank(alice);
        uint256 batchId = queue.requestWithdrawals(ids(shares), alice)[0];
        bytes32 batch = _digest(batchId, vm.getRecordedLogs());
        vm.assertEq(id, batchId, "request id");
        vm.assertEq(single, batch, "state and logs differ between the two paths");
    }

    /// @dev Everything a request can change, hashed: the request's status and raw slot, the queue's state slot,
    ///      the slot holding `holderCount`, the caller's holder slot, holder index -> address, NFT and dvETH balances, and the logs.
    function _digest(uint256 id, Vm.Log[] memory logs) internal view returns (bytes32) {
        bytes32 base = 0x840a1a3bce9b6bc198162ef15ba8d20c284119ea1884933484070074ef30c900; // WithdrawalQueueStorage
        bytes32 holderSlot = keccak256(abi.encode(alice, uint256(base) + 6)); // holders
        uint256 index = uint32(uint256(vm.load(address(queue), holderSlot)));
        bytes memory slots = abi.encode(
            vm.load(address(queue), keccak256(abi.encode(id, uint256(base) + 3))), // requests[id]
            vm.load(address(queue), base), // RequestState (with the running cumulative shares)
            vm.load(address(queue), bytes32(uint256(base) + 2)), // runCount | firstUnfinalizedRun | holderCount
            vm.load(address(queue), holderSlot),
            vm.load(address(queue), keccak256(abi.encode(index, uint256(base) + 7))) // holderAt[index]
        );
        bytes memory views = abi.encode(
            status(id),
            queue.balanceOf(alice),
            token.balanceOf(alice),
            token.balanceOf(address(queue)),
            queue.unfinalizedShares(),
            queue.unfinalizedEther()
        );
        return keccak256(abi.encode(slots, views, keccak256(abi.encode(logs))));
    }

    /// @dev One request: the claim is exactly min(value at request, shares at finalization rate), both rounded
    ///      down, so it never exceeds either cap and rounding never favours the claimer.
    function testFuzz_claim_isMinOfBothCapsRoundedDown(uint256 shares, uint256 requestRate, uint256 finalRate) public {
        requestRate = bound(requestRate, MIN_RATE, MAX_RATE);
        finalRate = bound(finalRate, 1, MAX_RATE);
        pushRate(requestRate);
        uint256 minShares = (MIN_REQUEST * E27 + requestRate - 1) / requestRate;
        shares = bound(shares, minShares, MAX_REQUEST * E27 / requestRate);
        uint256 id = requestAs(alice, shares);
        finalizeUpTo(id, finalRate);
        vm.prank(alice);
        queue.claimWithdrawal(id);
        uint256 paid = alice.balance;
        uint256 atRequest = shares * requestRate / E27;
        uint256 atFinal = shares * finalRate / E27;
        vm.assertEq(paid, atRequest < atFinal ? atRequest : atFinal);
        vm.assertLe(paid * E27, shares * requestRate, "paid above the request-rate value");
        vm.assertLe(paid * E27, shares * finalRate, "paid above the finalization-rate value");
        vm.assertEq(queue.lockedEther(), address(queue).balance);
    }

    /// @dev The recorded value of request `id` is defined from cumulative shares at its run's rate: its own
    ///      shares' value rounded down, or 1 wei more (WithdrawalMath). Returns the new cumulative shares.
    function _checkRecordedValue(uint256 id, uint256 shares, uint256 rate, uint256 cumulative)
        internal
        view
        returns (uint256)
    {
        uint256 e = status(id).etherAtRequest;
        vm.assertEq(e, (cumulative + shares) * rate / E27 - cumulative * rate / E27, "E_i from cumulative shares");
        vm.assertGe(e, shares * rate / E27, "E_i below its shares' value rounded down");
        vm.assertLe(e, shares * rate / E27 + 1, "E_i more than 1 wei above its shares' value rounded down");
        return cumulative + shares;
    }

    /// @dev Claims request `id` as its owner; the request cap is the exact value at request rounded up (the
    ///      recorded E_id), the finalization cap rounds down.
    function _claimWithinCaps(uint256 id, uint256 shares, uint256 requestRate, uint256 finalRate)
        internal
        returns (uint256 paid)
    {
        address owner = queue.ownerOf(id);
        uint256 before = owner.balance;
        vm.prank(owner);
        queue.claimWithdrawal(id);
        paid = owner.balance - before;
        vm.assertLt(paid * E27, shares * requestRate + E27, "above request cap");
        vm.assertLe(paid, status(id).etherAtRequest, "above the recorded value");
        vm.assertLe(paid * E27, shares * finalRate, "above finalization cap");
    }

    /// @dev Claims requests 1..shareOf.length-1 (1..mid finalized at `rateA`, the rest at `rateB`), each within
    ///      its caps; returns what each checkpoint paid.
    function _claimEach(uint256 mid, uint256[] memory shareOf, uint256[] memory rateOf, uint256 rateA, uint256 rateB)
        internal
        returns (uint256 paidA, uint256 paidB)
    {
        for (uint256 i = 1; i < shareOf.length; ++i) {
            uint256 paid = _claimWithinCaps(i, shareOf[i], rateOf[i], i <= mid ? rateA : rateB);
            if (i <= mid) paidA += paid;
            else paidB += paid;
        }
    }

    /// @dev Many requests over several runs, finalized in one or two checkpoints at random rates: every claim is
    ///      within its caps, their sum never exceeds the ETH locked, and the leftover is dust (< 1 wei/request).
    function testFuzz_claims_sumWithinLockedEther(uint256 seed, uint8 count, uint256 rateA, uint256 rateB, uint8 cut)
        public
    {
        uint256 n = bound(count, 1, 24);
        rateA = bound(rateA, MIN_RATE, MAX_RATE);
        rateB = bound(rateB, MIN_RATE, MAX_RATE);
        uint256[] memory shareOf = new uint256[](n + 1);
        uint256[] memory rateOf = new uint256[](n + 1);
        {
            uint256 cumulative;
            for (uint256 i = 1; i <= n; ++i) {
                seed = uint256(keccak256(abi.encode(seed, i)));
                if (seed % 3 == 0) pushRate(bound(seed >> 8, MIN_RATE, MAX_RATE)); // a report between requests
                uint256 rate = queue.requestShareRate();
                uint256 shares = bound(seed >> 100, (MIN_REQUEST * E27 + rate - 1) / rate, 50 ether);
                shareOf[i] = shares;
                rateOf[i] = rate;
                requestAs(i % 2 == 0 ? alice : bob, shares);
                cumulative = _checkRecordedValue(i, shares, rate, cumulative);
            }
        }
        uint256 mid = bound(cut, 1, n);
        (uint256 lockA,) = finalizeUpTo(mid, rateA);
        uint256 lockB;
        if (mid < n) (lockB,) = finalizeUpTo(n, rateB);
        vm.assertEq(queue.lockedEther(), lockA + lockB);
        vm.assertEq(token.balanceOf(address(queue)), 0, "all shares burnt");

        (uint256 paidA, uint256 paidB) = _claimEach(mid, shareOf, rateOf, rateA, rateB);
        vm.assertLe(paidA, lockA, "checkpoint A overpaid");
        vm.assertLe(paidB, lockB, "checkpoint B overpaid");
        vm.assertLe(lockA + lockB - paidA - paidB, n, "more than 1 wei of dust per request");
        vm.assertEq(queue.lockedEther(), address(queue).balance);
    }

    /// @dev Whatever the batches, prefinalize and finalize agree to the wei, and the batches from
    ///      `calculateFinalizationBatches` never lock more than the budget; one more request would not fit.
    function testFuzz_calculateFinalizationBatches_fitsBudget(uint256 seed, uint256 budget, uint256 finalRate) public {
        finalRate = bound(finalRate, MIN_RATE, MAX_RATE);
        for (uint256 i = 1; i <= 12; ++i) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            if (seed % 2 == 0) pushRate(bound(seed >> 8, MIN_RATE, MAX_RATE));
            requestAs(alice, bound(seed >> 100, 1 ether, 20 ether));
        }
        budget = bound(budget, 0, 300 ether);
        (uint256[] memory batches, uint256 eth, uint256 shares) =
            queue.calculateFinalizationBatches(finalRate, budget, block.timestamp);
        vm.assertLe(eth, budget);
        if (batches.length == 0) {
            vm.assertEq(eth, 0);
            (uint256 first,) = queue.prefinalize(ids(1), finalRate);
            vm.assertGt(first, budget, "the first request would have fitted");
            return;
        }
        (uint256 pre, uint256 preShares) = queue.prefinalize(batches, finalRate);
        vm.assertEq(pre, eth);
        vm.assertEq(preShares, shares);
        uint256 last = batches[batches.length - 1];
        if (last < 12) {
            uint256[] memory extended = new uint256[](batches.length + 1);
            for (uint256 i; i < batches.length; ++i) {
                extended[i] = batches[i];
            }
            extended[batches.length] = last + 1; // a one-request batch is always one-sided
            (uint256 more,) = queue.prefinalize(extended, finalRate);
            vm.assertGt(more, budget, "one more request would have fitted");
        }
        uint256 burnt = queue.finalize{value: eth}(last, finalRate);
        vm.assertEq(burnt, shares);
    }
}
