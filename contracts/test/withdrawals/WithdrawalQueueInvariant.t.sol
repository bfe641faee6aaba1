// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../utils/Vm.sol";
import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueue} from "../../src/withdrawals/WithdrawalQueue.sol";
import {TestShareToken} from "./TestShareToken.sol";
import {WithdrawalQueueFixture} from "./WithdrawalQueueFixture.sol";

/// @notice Drives the queue the way the world does: requests (single and batched), NFT transfers, share rate moves
///         up and down, finalizations of what a random budget allows at rates around the current one (with the
///         pool's burn), claims, and time passing. Records what it paid so the invariants can check it.
contract WithdrawalQueueHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant E27 = 1e27;

    WithdrawalQueue internal immutable queue;
    TestShareToken internal immutable token;
    address[] internal actors;

    uint256 public ghostLocked;
    uint256 public ghostClaimed;
    uint256 public overpaidCount;
    /// @notice Requests recorded at a value other than their shares' value at the request rate rounded down or
    ///         1 wei more (WithdrawalMath: E_i from cumulative shares), or whose run total exceeds the exact value
    ///         of the run's shares rounded up.
    uint256 public misvaluedCount;
    uint256 internal runRate; // the request rate of the requests since `runStartShares`
    uint256 internal runStartShares; // cumulative shares before the current run
    uint256 internal runEther; // recorded values of the current run's requests
    uint256 internal cumulativeShares;
    uint256 public claims;
    uint256 public finalizations;

    constructor(WithdrawalQueue q, TestShareToken t) payable {
        queue = q;
        token = t;
        for (uint256 i; i < 5; ++i) {
            actors.push(address(uint160(0x10000 + i)));
        }
    }

    function request(uint256 actorSeed, uint256 sharesSeed, uint256 countSeed) external {
        address actor = actors[actorSeed % actors.length];
        uint256 rate = queue.requestShareRate();
        (uint256 minEther, uint256 maxEther) = queue.requestLimits();
        uint256 minShares = (minEther * E27 + rate - 1) / rate;
        uint256 maxShares = maxEther * E27 / rate;
        if (maxShares > 200 ether) maxShares = 200 ether;
        uint256[] memory amounts = new uint256[](countSeed % 3 + 1);
        uint256 total;
        for (uint256 i; i < amounts.length; ++i) {
            sharesSeed = uint256(keccak256(abi.encode(sharesSeed, i)));
            // half the requests tiny (rounding stress), half sizeable
            uint256 hi = sharesSeed % 2 == 0 ? minShares + 1000 : maxShares;
            amounts[i] = minShares + (sharesSeed >> 1) % (hi - minShares + 1);
            total += amounts[i];
        }
        token.mint(actor, total);
        vm.prank(actor);
        uint256[] memory ids = queue.requestWithdrawals(amounts, actor);
        _checkValues(ids, amounts, rate);
    }

    /// @dev Independent of the queue's arithmetic: each request's recorded value is its shares' value at the
    ///      request rate rounded down, or 1 wei more, and the run's total never exceeds its shares' exact value
    ///      rounded up.
    function _checkValues(uint256[] memory ids, uint256[] memory amounts, uint256 rate) internal {
        if (rate != runRate) (runRate, runStartShares, runEther) = (rate, cumulativeShares, 0);
        IWithdrawalQueue.WithdrawalRequestStatus[] memory st = queue.getWithdrawalStatus(ids);
        for (uint256 i; i < ids.length; ++i) {
            uint256 floorValue = amounts[i] * rate / E27;
            if (st[i].etherAtRequest < floorValue || st[i].etherAtRequest > floorValue + 1) ++misvaluedCount;
            cumulativeShares += amounts[i];
            runEther += st[i].etherAtRequest;
        }
        // the run's total is floor(S_b r) - floor(S_a r): at most its shares' exact value rounded up
        if (runEther * E27 >= (cumulativeShares - runStartShares) * rate + E27) ++misvaluedCount;
    }

    function transfer(uint256 idSeed, uint256 toSeed) external {
        uint256 last = queue.lastRequestId();
        if (last == 0) return;
        uint256 id = idSeed % last + 1;
        if (_status(id).isClaimed) return;
        address owner = queue.ownerOf(id);
        vm.prank(owner);
        queue.transferFrom(owner, actors[toSeed % actors.length], id);
    }

    /// @dev A report moves the rate between -10% and +12%, within [0.3, 5] ETH per share.
    function moveRate(uint256 seed) external {
        uint256 rate = token.shareRate() * (90 + seed % 23) / 100;
        if (rate < 0.3e27) rate = 0.3e27;
        if (rate > 5e27) rate = 5e27;
        token.setShareRate(rate);
        queue.notifyShareRate(rate);
    }

    /// @dev Finalizes what `budget` allows at a rate within ±20% of the current one, as the pool would.
    function finalize(uint256 budgetSeed, uint256 rateSeed) external {
        uint256 rate = token.shareRate() * (80 + rateSeed % 41) / 100;
        uint256 budget = budgetSeed % (queue.unfinalizedEther() * 6 / 5 + 1);
        (uint256[] memory batches, uint256 eth, uint256 shares) =
            queue.calculateFinalizationBatches(rate, budget, block.timestamp);
        if (batches.length == 0) return;
        (uint256 pre, uint256 preShares) = queue.prefinalize(batches, rate);
        require(pre == eth && preShares == shares, "prefinalize disagrees with the batch view");
        uint256 burnt = queue.finalize{value: eth}(batches[batches.length - 1], rate);
        require(burnt == shares, "finalize disagrees with the batch view");
        token.burnShares(address(queue), shares);
        ghostLocked += eth;
        ++finalizations;
    }

    function claim(uint256 idSeed, bool withHintSearch) external {
        uint256 lastFinalized = queue.lastFinalizedRequestId();
        if (lastFinalized == 0) return;
        uint256 id = idSeed % lastFinalized + 1;
        IWithdrawalQueue.WithdrawalRequestStatus memory s = _status(id);
        if (s.isClaimed) return;
        uint256 hint = queue.findCheckpointHints(_one(id), 1, queue.lastCheckpointIndex())[0];
        (,, uint256 cpRate) = queue.getCheckpoint(hint);
        uint256 before = s.owner.balance;
        vm.prank(s.owner);
        if (withHintSearch) queue.claimWithdrawal(id);
        else queue.claimWithdrawals(_one(id), _one(hint));
        uint256 got = s.owner.balance - before;
        if (got > s.etherAtRequest || got * E27 > s.shares * cpRate) ++overpaidCount;
        ghostClaimed += got;
        ++claims;
    }

    function passTime(uint256 secondsSeed) external {
        vm.warp(block.timestamp + secondsSeed % 1 days);
    }

    function _status(uint256 id) internal view returns (IWithdrawalQueue.WithdrawalRequestStatus memory) {
        return queue.getWithdrawalStatus(_one(id))[0];
    }

    function _one(uint256 x) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = x;
    }
}

contract WithdrawalQueueInvariantTest is WithdrawalQueueFixture {
    WithdrawalQueueHandler internal handler;

    function setUp() public {
        setUpQueue();
        handler = new WithdrawalQueueHandler{value: 1e28}(queue, token);
        vm.startPrank(admin);
        queue.grantRole(queue.FINALIZE_ROLE(), address(handler));
        vm.stopPrank();
        targetContract(address(handler));
    }

    /// @dev Σ claimable of finalized, unclaimed requests <= locked ETH <= the queue's ETH balance.
    function invariant_claimableWithinLockedWithinBalance() public view {
        uint256 lastFinalized = queue.lastFinalizedRequestId();
        uint256 claimable;
        for (uint256 id = 1; id <= lastFinalized; ++id) {
            claimable += queue.claimableEther(id);
        }
        vm.assertLe(claimable, queue.lockedEther(), "claimable above locked");
        vm.assertLe(queue.lockedEther(), address(queue).balance, "locked above balance");
    }

    function invariant_noRequestPaidAboveItsCap() public view {
        vm.assertEq(handler.overpaidCount(), 0, "a claim exceeded its cap");
    }

    function invariant_requestValuesWithinOneWeiAndRunTotalsWithinExactValue() public view {
        vm.assertEq(handler.misvaluedCount(), 0, "a request's recorded value is off");
    }

    function invariant_queueHoldsExactlyUnfinalizedShares() public view {
        vm.assertEq(token.balanceOf(address(queue)), queue.unfinalizedShares(), "share balance != unfinalized");
    }

    function invariant_lockedEtherIsFinalizedMinusClaimed() public view {
        vm.assertEq(queue.lockedEther(), handler.ghostLocked() - handler.ghostClaimed(), "locked ETH accounting");
        vm.assertEq(address(queue).balance, queue.lockedEther(), "stray ETH in the queue");
    }
}
