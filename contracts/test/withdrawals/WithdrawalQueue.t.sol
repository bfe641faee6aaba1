// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

import {IStakingPool} from "../../src/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueue} from "../../src/withdrawals/WithdrawalQueue.sol";
import {WithdrawalQueueFixture} from "./WithdrawalQueueFixture.sol";

/// @dev Owner contract that tries to re-enter the queue when paid.
contract ReentrantClaimer {
    WithdrawalQueue internal immutable queue;
    uint256 public reenterId;

    constructor(WithdrawalQueue q) {
        queue = q;
    }

    function claim(uint256 id) external {
        reenterId = id;
        queue.claimWithdrawal(id);
    }

    receive() external payable {
        queue.claimWithdrawal(reenterId); // must fail: the guard is held
    }
}

/// @dev Owner contract that refuses ETH.
contract EtherRefuser {
    function claim(WithdrawalQueue q, uint256 id) external {
        q.claimWithdrawal(id);
    }
}

contract WithdrawalQueueTest is WithdrawalQueueFixture {
    function setUp() public {
        setUpQueue();
    }

    // ================================================================ set-up

    function test_initialize_setsRateLimitsAndAdmin() public view {
        vm.assertEq(queue.requestShareRate(), E27);
        (uint256 minE, uint256 maxE) = queue.requestLimits();
        vm.assertEq(minE, MIN_REQUEST);
        vm.assertEq(maxE, MAX_REQUEST);
        vm.assertTrue(queue.hasRole(queue.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertEq(address(queue.POOL()), address(token));
        (uint256 from, uint256 rate, uint256 runs) = queue.getRun(0);
        vm.assertEq(from, 1);
        vm.assertEq(rate, E27);
        vm.assertEq(runs, 1);
    }

    function test_initialize_onlyOnce() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        queue.initialize(admin, E27);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize(admin, E27);
    }

    function test_initialize_announcesTheImplementationsLimits() public {
        WithdrawalQueue impl = new WithdrawalQueue(IStakingPool(address(token)), 1 gwei, 5000 ether);
        vm.expectEmit();
        emit IWithdrawalQueue.RequestLimitsSet(1 gwei, 5000 ether);
        WithdrawalQueue q = WithdrawalQueue(
            payable(address(new ERC1967Proxy(address(impl), abi.encodeCall(WithdrawalQueue.initialize, (admin, E27)))))
        );
        (uint256 minE, uint256 maxE) = q.requestLimits();
        vm.assertEq(minE, 1 gwei);
        vm.assertEq(maxE, 5000 ether);
        vm.assertEq(q.MIN_REQUEST_ETHER(), 1 gwei);
        vm.assertEq(q.MAX_REQUEST_ETHER(), 5000 ether);
    }

    function test_constructor_rejectsZeroPool() public {
        vm.expectRevert(IWithdrawalQueue.ZeroAddress.selector);
        new WithdrawalQueue(IStakingPool(address(0)), MIN_REQUEST, MAX_REQUEST);
    }

    function test_constructor_rejectsInvalidLimits() public {
        IStakingPool pool = IStakingPool(address(token));
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidRequestLimits.selector, 0, 1 ether));
        new WithdrawalQueue(pool, 0, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidRequestLimits.selector, 2 ether, 1 ether));
        new WithdrawalQueue(pool, 2 ether, 1 ether);
        uint256 tooLarge = type(uint96).max; // a request's value, up to max + 1, is stored as uint96
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidRequestLimits.selector, 1, tooLarge));
        new WithdrawalQueue(pool, 1, tooLarge);
        // the extremes that fit are accepted: 1 wei, and min == max
        new WithdrawalQueue(pool, 1, type(uint96).max - 1);
        new WithdrawalQueue(pool, 1 ether, 1 ether);
    }

    // ================================================================ requests

    function test_request_recordsSharesEtherOwnerAndTime() public {
        pushRate(1.01e27);
        vm.warp(1_700_000_000);
        uint256 id = requestAs(alice, 2 ether);
        IWithdrawalQueue.WithdrawalRequestStatus memory s = status(id);
        vm.assertEq(id, 1);
        vm.assertEq(s.shares, 2 ether);
        vm.assertEq(s.etherAtRequest, 2.02 ether);
        vm.assertEq(s.owner, alice);
        vm.assertEq(s.timestamp, 1_700_000_000);
        vm.assertFalse(s.isFinalized);
        vm.assertFalse(s.isClaimed);
        vm.assertEq(token.balanceOf(address(queue)), 2 ether);
        vm.assertEq(token.balanceOf(alice), 0);
        vm.assertEq(queue.ownerOf(id), alice);
        vm.assertEq(queue.balanceOf(alice), 1);
        vm.assertEq(queue.lastRequestId(), 1);
        vm.assertEq(queue.unfinalizedShares(), 2 ether);
        vm.assertEq(queue.unfinalizedEther(), 2.02 ether);
    }

    /// @dev At rate 2/3 (truncated to 1e27 precision) three requests of 300 gwei + 1 wei shares are each worth
    ///      200 gwei (+ 0.67 wei) alone; valued from cumulative shares they record 200 gwei, 200 gwei + 1 and
    ///      200 gwei: the second collects the fractions the first two were rounded down by. The run's total is
    ///      floor(S_3 * r) = 600 gwei + 1, not above the exact value of all its shares (600 gwei + 1.99...).
    function test_requestValue_isDefinedFromCumulativeShares_andTelescopesInARun() public {
        uint256 rate = 2 * E27 / 3;
        pushRate(rate);
        uint256 shares = 300 gwei + 1;
        requestAs(alice, shares);
        requestAs(bob, shares);
        requestAs(alice, shares);
        vm.assertEq(shares * rate / E27, 200 gwei, "each request's shares alone");
        vm.assertEq(status(1).etherAtRequest, 200 gwei);
        vm.assertEq(status(2).etherAtRequest, 200 gwei + 1);
        vm.assertEq(status(3).etherAtRequest, 200 gwei);
        vm.assertEq(queue.unfinalizedEther(), 600 gwei + 1);
        vm.assertEq(queue.unfinalizedEther(), 3 * shares * rate / E27, "the run's total is floor(S * r)");
        vm.assertLt(queue.unfinalizedEther() * E27, 3 * shares * rate, "never above the run's exact value");

        // a new run: its first request continues from S_3 at the new rate
        pushRate(E27);
        requestAs(bob, shares);
        vm.assertEq(status(4).etherAtRequest, 4 * shares - 3 * shares);
        vm.assertEq(queue.unfinalizedEther(), 600 gwei + 1 + shares);

        // nominal side (R = 1 >= r): the lock is exactly the recorded values, and each claim pays its value
        (uint256 eth,) = finalizeUpTo(3, E27);
        vm.assertEq(eth, 600 gwei + 1);
        vm.prank(bob);
        queue.claimWithdrawal(2);
        vm.assertEq(bob.balance, 200 gwei + 1);
        vm.prank(alice);
        queue.claimWithdrawal(1);
        vm.prank(alice);
        queue.claimWithdrawal(3);
        vm.assertEq(alice.balance, 400 gwei);
        vm.assertEq(queue.lockedEther(), 0, "no dust on the nominal side here");

        // discounted side (R = 1/2 < 1): capped at floor(s * R) = 150 gwei; the lock floor(S_4 R) - floor(S_3 R)
        (eth,) = finalizeUpTo(4, E27 / 2);
        vm.assertEq(eth, 4 * shares / 2 - 3 * shares / 2);
        vm.prank(bob);
        queue.claimWithdrawal(4);
        vm.assertEq(bob.balance, 200 gwei + 1 + 150 gwei);
        vm.assertEq(queue.lockedEther(), 1, "1 wei of dust stays locked");
        vm.assertEq(address(queue).balance, 1);
    }

    function test_request_batchMintsConsecutiveIdsAndEmits() public {
        token.mint(alice, 3 ether);
        vm.startPrank(alice);
        uint256[] memory amounts = ids(1 ether, 2 ether);
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.WithdrawalRequested(1, alice, bob, 1 ether, 1 ether);
        vm.expectEmit(address(queue));
        emit Transfer(address(0), bob, 1);
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.WithdrawalRequested(2, alice, bob, 2 ether, 2 ether);
        uint256[] memory got = queue.requestWithdrawals(amounts, bob);
        vm.stopPrank();
        vm.assertEq(got.length, 2);
        vm.assertEq(got[0], 1);
        vm.assertEq(got[1], 2);
        vm.assertEq(queue.balanceOf(bob), 2);
        vm.assertEq(queue.balanceOf(alice), 0);
        vm.assertEq(token.balanceOf(alice), 0);
        vm.assertEq(status(2).shares, 2 ether);
    }

    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    function test_request_zeroOwnerMeansCaller() public {
        token.mint(alice, 1 ether);
        vm.startPrank(alice);
        uint256 id = queue.requestWithdrawals(ids(1 ether), address(0))[0];
        vm.stopPrank();
        vm.assertEq(queue.ownerOf(id), alice);
    }

    function test_request_revertsBelowMinimumAtCurrentRate() public {
        // 100 gwei of shares is exactly the minimum at rate 1 ...
        requestAs(alice, 100 gwei);
        // ... and below it once the rate falls
        pushRate(0.99e27);
        token.mint(alice, 100 gwei);
        vm.startPrank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.RequestTooSmall.selector, 100 gwei, 99 gwei, MIN_REQUEST)
        );
        queue.requestWithdrawals(ids(100 gwei), alice);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.RequestTooSmall.selector, 100 gwei, 99 gwei, MIN_REQUEST)
        );
        queue.requestWithdrawal(100 gwei);
        vm.stopPrank();
    }

    function test_request_revertsAboveMaximum() public {
        token.mint(alice, 1001 ether);
        vm.startPrank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.RequestTooLarge.selector, 1001 ether, 1001 ether, MAX_REQUEST)
        );
        queue.requestWithdrawals(ids(1001 ether), alice);
        vm.expectRevert(
            abi.encodeWithSelector(
                IWithdrawalQueue.RequestTooLarge.selector, uint256(1) << 200, type(uint256).max, MAX_REQUEST
            )
        );
        queue.requestWithdrawals(ids(uint256(1) << 200), alice);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.RequestTooLarge.selector, 1001 ether, 1001 ether, MAX_REQUEST)
        );
        queue.requestWithdrawal(1001 ether);
        vm.stopPrank();
    }

    function test_request_revertsOnEmptyList() public {
        vm.expectRevert(IWithdrawalQueue.EmptyRequestList.selector);
        queue.requestWithdrawals(new uint256[](0), alice);
    }

    function test_request_needsNoAllowance() public {
        token.mint(alice, 3 ether);
        vm.assertEq(token.allowance(alice, address(queue)), 0);
        vm.startPrank(alice);
        uint256 one = queue.requestWithdrawal(1 ether);
        uint256 two = queue.requestWithdrawals(ids(2 ether), alice)[0];
        vm.stopPrank();
        vm.assertEq(status(one).shares, 1 ether);
        vm.assertEq(status(two).shares, 2 ether);
        vm.assertEq(token.balanceOf(alice), 0);
        vm.assertEq(token.balanceOf(address(queue)), 3 ether);
    }

    /// @dev Naming another owner gives them the NFT, never takes their shares: the caller always pays.
    function test_request_forAnotherOwner_takesOnlyTheCallersShares() public {
        token.mint(alice, 1 ether);
        token.mint(bob, 5 ether);
        vm.prank(alice);
        uint256 id = queue.requestWithdrawals(ids(1 ether), bob)[0];
        vm.assertEq(queue.ownerOf(id), bob);
        vm.assertEq(token.balanceOf(alice), 0);
        vm.assertEq(token.balanceOf(bob), 5 ether, "the owner's dvETH is untouched");
        // and without dvETH of its own, a caller cannot lock anyone's
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 0, 1 ether));
        queue.requestWithdrawals(ids(1 ether), bob);
    }

    function test_request_revertsWithoutBalance() public {
        token.mint(alice, 0.5 ether);
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 0.5 ether, 1 ether)
        );
        queue.requestWithdrawal(1 ether);
    }

    function test_requestWithdrawal_recordsAndEmitsLikeTheBatch() public {
        pushRate(1.01e27);
        token.mint(alice, 1 ether);
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.WithdrawalRequested(1, alice, alice, 1 ether, 1.01 ether);
        vm.expectEmit(address(queue));
        emit Transfer(address(0), alice, 1);
        vm.prank(alice);
        vm.assertEq(queue.requestWithdrawal(1 ether), 1);
        uint256 second = requestAs(alice, 2 ether);
        vm.assertEq(second, 2);
        vm.assertEq(status(1).shares, 1 ether);
        vm.assertEq(status(1).etherAtRequest, 1.01 ether);
        vm.assertEq(status(2).shares, 2 ether, "cumulative sums continue from the single request");
        vm.assertEq(status(2).etherAtRequest, 2.02 ether);
        vm.assertEq(queue.balanceOf(alice), 2);
        vm.assertEq(queue.unfinalizedShares(), 3 ether);
        vm.assertEq(queue.unfinalizedEther(), 3.03 ether);
    }

    function test_request_revertsWhenPaused() public {
        vm.prank(guardian);
        queue.pause();
        token.mint(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(IWithdrawalQueue.QueuePaused.selector);
        queue.requestWithdrawals(ids(1 ether), alice);
        vm.prank(alice);
        vm.expectRevert(IWithdrawalQueue.QueuePaused.selector);
        queue.requestWithdrawal(1 ether);
    }

    // ================================================================ share rate runs

    function test_notifyShareRate_onlyFinalizeRole() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, queue.FINALIZE_ROLE())
        );
        vm.prank(bob);
        queue.notifyShareRate(2e27);
    }

    function test_notifyShareRate_startsRunAfterRequestsAndRerateEmptyRun() public {
        queue.notifyShareRate(1.1e27); // no request yet: re-rates run 0
        (uint256 from, uint256 rate, uint256 runs) = queue.getRun(0);
        vm.assertEq(runs, 1);
        vm.assertEq(rate, 1.1e27);
        vm.assertEq(from, 1);
        requestAs(alice, 1 ether);
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.RequestShareRateUpdated(1.2e27, 2);
        queue.notifyShareRate(1.2e27);
        (from, rate, runs) = queue.getRun(1);
        vm.assertEq(runs, 2);
        vm.assertEq(from, 2);
        vm.assertEq(rate, 1.2e27);
        queue.notifyShareRate(1.2e27); // same rate: nothing changes
        (,, runs) = queue.getRun(1);
        vm.assertEq(runs, 2);
        vm.assertEq(queue.requestShareRate(), 1.2e27);
    }

    function test_notifyShareRate_rejectsZeroAndHuge() public {
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidShareRate.selector, 0));
        queue.notifyShareRate(0);
        uint256 huge = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidShareRate.selector, huge));
        queue.notifyShareRate(huge);
    }

    // ================================================================ finalization

    function test_finalize_locksEtherAndWritesCheckpoint() public {
        requestAs(alice, 1 ether);
        requestAs(bob, 2 ether);
        vm.warp(5000);
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.WithdrawalsFinalized(1, 2, 1, 3 ether, 3 ether, E27, 5000);
        uint256 burn = queue.finalize{value: 3 ether}(2, E27);
        vm.assertEq(burn, 3 ether);
        vm.assertEq(queue.lockedEther(), 3 ether);
        vm.assertEq(address(queue).balance, 3 ether);
        vm.assertEq(queue.lastFinalizedRequestId(), 2);
        vm.assertEq(queue.lastCheckpointIndex(), 1);
        (uint256 from, uint256 to, uint256 rate) = queue.getCheckpoint(1);
        vm.assertEq(from, 1);
        vm.assertEq(to, 2);
        vm.assertEq(rate, E27);
        vm.assertTrue(status(2).isFinalized);
        vm.assertEq(queue.unfinalizedShares(), 0);
    }

    function test_finalize_onlyFinalizeRole() public {
        requestAs(alice, 1 ether);
        vm.deal(bob, 1 ether);
        bytes32 role = queue.FINALIZE_ROLE();
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, role));
        queue.finalize{value: 1 ether}(1, E27);
    }

    function test_finalize_requiresExactEther() public {
        requestAs(alice, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.EtherToLockMismatch.selector, 1 ether - 1, 1 ether));
        queue.finalize{value: 1 ether - 1}(1, E27);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.EtherToLockMismatch.selector, 1 ether + 1, 1 ether));
        queue.finalize{value: 1 ether + 1}(1, E27);
    }

    function test_finalize_rejectsBadTargetAndRate() public {
        requestAs(alice, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidFinalizationTarget.selector, 0, 0, 1));
        queue.finalize(0, E27);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidFinalizationTarget.selector, 2, 0, 1));
        queue.finalize(2, E27);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidShareRate.selector, 0));
        queue.finalize(1, 0);
        queue.finalize{value: 1 ether}(1, E27);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidFinalizationTarget.selector, 1, 1, 1));
        queue.finalize(1, E27);
    }

    /// @dev Two runs (requested at 1.0 and at 1.2), finalized at 1.1: the first run locks its request value, the
    ///      second its shares at 1.1.
    function test_finalize_exactLockAcrossRuns() public {
        requestAs(alice, 1 ether); // worth 1.0 ETH
        pushRate(1.2e27);
        requestAs(bob, 1 ether); // worth 1.2 ETH, capped to 1.1 at finalization
        requestAs(bob, 3 ether); // worth 3.6, capped to 3.3
        uint256 expected = 1 ether + 1.1 ether + 3.3 ether;
        (uint256 eth, uint256 shares) = queue.prefinalize(ids(1, 3), 1.1e27);
        vm.assertEq(eth, expected);
        vm.assertEq(shares, 5 ether);
        queue.finalize{value: expected}(3, 1.1e27);
        vm.assertEq(queue.claimableEther(1), 1 ether);
        vm.assertEq(queue.claimableEther(2), 1.1 ether);
        vm.assertEq(queue.claimableEther(3), 3.3 ether);
    }

    function test_prefinalize_validatesBatches() public {
        requestAs(alice, 1 ether);
        pushRate(1.2e27);
        requestAs(bob, 1 ether);
        vm.expectRevert(IWithdrawalQueue.EmptyBatches.selector);
        queue.prefinalize(new uint256[](0), E27);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.BatchesNotSorted.selector, 1, 1, 1));
        queue.prefinalize(ids(1, 1), E27);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidFinalizationTarget.selector, 3, 0, 2));
        queue.prefinalize(ids(3), E27);
        // one batch across runs on both sides of 1.1 is refused; split at the run boundary it is fine
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.BatchMixesSides.selector, 0, 2));
        queue.prefinalize(ids(2), 1.1e27);
        (uint256 eth,) = queue.prefinalize(ids(1, 2), 1.1e27);
        vm.assertEq(eth, 2.1 ether);
        // at 1.3 both runs are on the nominal side: one batch is fine
        (eth,) = queue.prefinalize(ids(2), 1.3e27);
        vm.assertEq(eth, 2.2 ether);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidShareRate.selector, 0));
        queue.prefinalize(ids(2), 0);
    }

    function test_calculateFinalizationBatches_stopsAtBudget() public {
        requestAs(alice, 1 ether);
        requestAs(alice, 1 ether);
        requestAs(alice, 1 ether);
        (uint256[] memory batches, uint256 eth, uint256 shares) =
            queue.calculateFinalizationBatches(E27, 2.5 ether, block.timestamp);
        vm.assertEq(batches.length, 1);
        vm.assertEq(batches[0], 2);
        vm.assertEq(eth, 2 ether);
        vm.assertEq(shares, 2 ether);
        (batches, eth,) = queue.calculateFinalizationBatches(E27, 0.5 ether, block.timestamp);
        vm.assertEq(batches.length, 0);
        vm.assertEq(eth, 0);
    }

    function test_calculateFinalizationBatches_onlyRequestsBeforeTimestamp() public {
        vm.warp(100);
        requestAs(alice, 1 ether);
        vm.warp(200);
        requestAs(alice, 1 ether);
        (uint256[] memory batches, uint256 eth,) = queue.calculateFinalizationBatches(E27, 100 ether, 150);
        vm.assertEq(batches.length, 1);
        vm.assertEq(batches[0], 1);
        vm.assertEq(eth, 1 ether);
        (batches,,) = queue.calculateFinalizationBatches(E27, 100 ether, 99);
        vm.assertEq(batches.length, 0);
    }

    function test_calculateFinalizationBatches_splitsSidesAndMergesRuns() public {
        requestAs(alice, 1 ether); // run 0 @1.0
        pushRate(1.2e27);
        requestAs(alice, 1 ether); // run 1 @1.2
        pushRate(1.05e27);
        requestAs(alice, 1 ether); // run 2 @1.05
        pushRate(1.3e27);
        requestAs(alice, 1 ether); // run 3 @1.3
        // at 1.1: nominal, discounted, nominal, discounted -> four batches
        (uint256[] memory batches, uint256 eth,) =
            queue.calculateFinalizationBatches(1.1e27, 100 ether, block.timestamp);
        vm.assertEq(batches.length, 4);
        vm.assertEq(eth, 1 ether + 1.1 ether + 1.05 ether + 1.1 ether);
        (uint256 pre,) = queue.prefinalize(batches, 1.1e27);
        vm.assertEq(pre, eth);
        // at 2.0 every run is nominal -> one batch
        (batches, eth,) = queue.calculateFinalizationBatches(2e27, 100 ether, block.timestamp);
        vm.assertEq(batches.length, 1);
        vm.assertEq(batches[0], 4);
        vm.assertEq(eth, 1 ether + 1.2 ether + 1.05 ether + 1.3 ether);
        // a budget that ends inside run 3
        (batches, eth,) = queue.calculateFinalizationBatches(1.1e27, 4.2 ether, block.timestamp);
        vm.assertEq(batches.length, 3);
        vm.assertEq(batches[2], 3);
    }

    // ================================================================ claims

    function test_claim_paysRequestValueWhenRateRose() public {
        uint256 id = requestAs(alice, 1 ether);
        finalizeUpTo(id, 1.5e27);
        uint256 before = alice.balance;
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.WithdrawalClaimed(id, alice, alice, 1 ether);
        vm.prank(alice);
        queue.claimWithdrawals(ids(id), ids(1));
        vm.assertEq(alice.balance - before, 1 ether);
        vm.assertEq(queue.lockedEther(), 0);
        vm.assertTrue(status(id).isClaimed);
        vm.assertEq(queue.ownerOf(id), alice); // the NFT stays as a receipt
    }

    function test_claim_cappedAtFinalizationRate() public {
        pushRate(1.1e27);
        uint256 id = requestAs(alice, 1 ether); // worth 1.1 at request
        finalizeUpTo(id, 0.9e27); // a loss before finalization is shared
        vm.prank(alice);
        queue.claimWithdrawal(id);
        vm.assertEq(alice.balance, 0.9 ether);
    }

    function test_claim_onlyOnce() public {
        uint256 id = requestAs(alice, 1 ether);
        finalizeUpTo(id, E27);
        vm.startPrank(alice);
        queue.claimWithdrawal(id);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, id));
        queue.claimWithdrawals(ids(id), ids(1));
        vm.stopPrank();
    }

    function test_claim_rejectsNonOwnerUnfinalizedAndBadInput() public {
        uint256 id = requestAs(alice, 1 ether);
        uint256 later = requestAs(alice, 1 ether);
        finalizeUpTo(id, E27);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.NotRequestOwner.selector, id, bob));
        queue.claimWithdrawal(id);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestNotFinalized.selector, later));
        queue.claimWithdrawal(later);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidRequestId.selector, 0));
        queue.claimWithdrawals(ids(0), ids(1));
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, id, 0));
        queue.claimWithdrawals(ids(id), ids(0));
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, id, 2));
        queue.claimWithdrawals(ids(id), ids(2));
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.ArrayLengthMismatch.selector, 1, 2));
        queue.claimWithdrawals(ids(id), ids(1, 1));
        vm.expectRevert(IWithdrawalQueue.EmptyRequestList.selector);
        queue.claimWithdrawals(new uint256[](0), new uint256[](0));
        vm.expectRevert(IWithdrawalQueue.ZeroAddress.selector);
        queue.claimWithdrawalsTo(ids(id), ids(1), address(0));
        vm.stopPrank();
    }

    function test_claim_wrongCheckpointHintReverts() public {
        uint256 a = requestAs(alice, 1 ether);
        uint256 b = requestAs(alice, 1 ether);
        finalizeUpTo(a, E27);
        finalizeUpTo(b, E27);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHint.selector, b, 1));
        queue.claimWithdrawals(ids(b), ids(1));
    }

    function test_claimTo_paysRecipientInOneTransfer() public {
        uint256 a = requestAs(alice, 1 ether);
        pushRate(2e27);
        uint256 b = requestAs(alice, 1 ether);
        finalizeUpTo(a, 1.5e27);
        finalizeUpTo(b, 1.5e27);
        uint256[] memory hints = queue.findCheckpointHints(ids(a, b), 1, queue.lastCheckpointIndex());
        vm.assertEq(hints[0], 1);
        vm.assertEq(hints[1], 2);
        vm.prank(alice);
        queue.claimWithdrawalsTo(ids(a, b), hints, bob);
        vm.assertEq(bob.balance, 1 ether + 1.5 ether);
        vm.assertEq(queue.lockedEther(), 0);
    }

    function test_claim_revertsWhenPausedAndWorksAfterResume() public {
        uint256 id = requestAs(alice, 1 ether);
        finalizeUpTo(id, E27);
        vm.prank(guardian);
        queue.pause();
        vm.prank(alice);
        vm.expectRevert(IWithdrawalQueue.QueuePaused.selector);
        queue.claimWithdrawal(id);
        vm.prank(alice);
        vm.expectRevert(IWithdrawalQueue.QueuePaused.selector);
        queue.claimWithdrawals(ids(id), ids(1));
        vm.prank(guardian);
        queue.resume();
        vm.prank(alice);
        queue.claimWithdrawal(id);
        vm.assertEq(alice.balance, 1 ether);
    }

    function test_claim_newOwnerClaimsAfterTransfer() public {
        uint256 id = requestAs(alice, 1 ether);
        vm.prank(alice);
        queue.transferFrom(alice, bob, id);
        finalizeUpTo(id, E27);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.NotRequestOwner.selector, id, alice));
        queue.claimWithdrawal(id);
        vm.prank(bob);
        queue.claimWithdrawal(id);
        vm.assertEq(bob.balance, 1 ether);
    }

    function test_claim_reentrancyIsBlocked() public {
        ReentrantClaimer attacker = new ReentrantClaimer(queue);
        token.mint(address(attacker), 0); // nothing; the attacker gets the NFT by transfer
        uint256 id = requestAs(alice, 1 ether);
        vm.prank(alice);
        queue.transferFrom(alice, address(attacker), id);
        finalizeUpTo(id, E27);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.EtherTransferFailed.selector, address(attacker), 1 ether)
        );
        attacker.claim(id);
        vm.assertFalse(status(id).isClaimed);
        vm.assertEq(queue.lockedEther(), 1 ether);
    }

    function test_claim_refusingRecipientReverts() public {
        EtherRefuser refuser = new EtherRefuser();
        uint256 id = requestAs(alice, 1 ether);
        vm.prank(alice);
        queue.transferFrom(alice, address(refuser), id);
        finalizeUpTo(id, E27);
        vm.expectRevert(
            abi.encodeWithSelector(IWithdrawalQueue.EtherTransferFailed.selector, address(refuser), 1 ether)
        );
        refuser.claim(queue, id);
    }

    // ================================================================ views

    function test_findCheckpointHints_binarySearch() public {
        uint256[] memory reqs = new uint256[](6);
        for (uint256 i; i < 6; ++i) {
            reqs[i] = requestAs(alice, 1 ether);
        }
        finalizeUpTo(2, E27); // cp 1: 1..2
        finalizeUpTo(3, E27); // cp 2: 3
        finalizeUpTo(5, E27); // cp 3: 4..5
        uint256[] memory hints = queue.findCheckpointHints(reqs, 1, 3);
        vm.assertEq(hints[0], 1);
        vm.assertEq(hints[1], 1);
        vm.assertEq(hints[2], 2);
        vm.assertEq(hints[3], 3);
        vm.assertEq(hints[4], 3);
        vm.assertEq(hints[5], 0); // not finalized
        hints = queue.findCheckpointHints(reqs, 2, 2); // only checkpoint 2 searched
        vm.assertEq(hints[0], 0);
        vm.assertEq(hints[2], 2);
        vm.assertEq(hints[3], 0);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintRange.selector, 0, 3, 3));
        queue.findCheckpointHints(reqs, 0, 3);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidHintRange.selector, 1, 4, 3));
        queue.findCheckpointHints(reqs, 1, 4);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestIdsNotSorted.selector, 1));
        queue.findCheckpointHints(ids(3, 2), 1, 3);
    }

    function test_claimableEther_beforeAfterAndClaimed() public {
        uint256 id = requestAs(alice, 1 ether);
        vm.assertEq(queue.claimableEther(id), 0);
        finalizeUpTo(id, 0.5e27);
        vm.assertEq(queue.claimableEther(id), 0.5 ether);
        vm.assertEq(queue.getClaimableEther(ids(id), ids(1))[0], 0.5 ether);
        vm.prank(alice);
        queue.claimWithdrawal(id);
        vm.assertEq(queue.claimableEther(id), 0);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.InvalidRequestId.selector, 2));
        queue.claimableEther(2);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.ArrayLengthMismatch.selector, 1, 2));
        queue.getClaimableEther(ids(id), ids(1, 1));
    }

    function test_getWithdrawalStatus_revertsForUnknownId() public {
        vm.expectRevert(abi.encodeWithSignature("ERC721NonexistentToken(uint256)", 1));
        queue.getWithdrawalStatus(ids(1));
    }

    // ================================================================ admin

    function test_requestLimits_haveNoSetterAndChangeOnlyByUpgrade() public {
        // no setter and no limits role: the old entry point is not in the ABI any more
        (bool ok,) = address(queue).call(abi.encodeWithSignature("setRequestLimits(uint256,uint256)", 1, 2 ether));
        vm.assertFalse(ok, "setRequestLimits must not exist");
        (ok,) = address(queue).call(abi.encodeWithSignature("LIMITS_MANAGER_ROLE()"));
        vm.assertFalse(ok, "LIMITS_MANAGER_ROLE must not exist");
        requestAs(alice, 1 ether);

        // an upgrade to an implementation built with other limits changes them; the state stays
        WithdrawalQueue next = new WithdrawalQueue(IStakingPool(address(token)), 2 ether, 5000 ether);
        vm.prank(admin);
        queue.upgradeToAndCall(address(next), "");
        (uint256 minE, uint256 maxE) = queue.requestLimits();
        vm.assertEq(minE, 2 ether);
        vm.assertEq(maxE, 5000 ether);
        token.mint(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestTooSmall.selector, 1 ether, 1 ether, 2 ether));
        queue.requestWithdrawal(1 ether);
        uint256 id = requestAs(alice, 2000 ether);
        vm.assertEq(id, 2);
        vm.assertEq(status(id).etherAtRequest, 2000 ether);
    }

    function test_pause_rolesAndState() public {
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, queue.PAUSE_ROLE())
        );
        vm.prank(bob);
        queue.pause();
        vm.startPrank(guardian);
        vm.expectRevert(IWithdrawalQueue.QueueNotPaused.selector);
        queue.resume();
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.Paused(guardian);
        queue.pause();
        vm.assertTrue(queue.isPaused());
        vm.expectRevert(IWithdrawalQueue.QueuePaused.selector);
        queue.pause();
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, bob, queue.RESUME_ROLE())
        );
        vm.prank(bob);
        queue.resume();
        vm.prank(guardian);
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.Resumed(guardian);
        queue.resume();
        vm.assertFalse(queue.isPaused());
    }

    function test_pause_doesNotStopFinalization() public {
        uint256 id = requestAs(alice, 1 ether);
        vm.prank(guardian);
        queue.pause();
        finalizeUpTo(id, E27);
        vm.assertEq(queue.lastFinalizedRequestId(), id);
    }

    function test_upgrade_onlyAdminAndKeepsState() public {
        uint256 id = requestAs(alice, 1 ether);
        WithdrawalQueue next = new WithdrawalQueue(IStakingPool(address(token)), MIN_REQUEST, MAX_REQUEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, bob, queue.DEFAULT_ADMIN_ROLE()
            )
        );
        vm.prank(bob);
        queue.upgradeToAndCall(address(next), "");
        vm.prank(admin);
        queue.upgradeToAndCall(address(next), "");
        vm.assertEq(queue.ownerOf(id), alice);
        vm.assertEq(status(id).shares, 1 ether);
    }
}
