// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReportFixture} from "../accounting/ReportFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {AccountingOracle} from "../../src/oracle/AccountingOracle.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @notice The queue and the real pool together: requests take dvETH without an allowance through the pool's
///         queue-only `pullSharesForWithdrawal`, and the pool counts the queue's dvETH as its stored balance plus
///         the shares of its unfinalized requests (no balance slot written per request).
contract WithdrawalPoolTest is ReportFixture {
    event Transfer(address indexed from, address indexed to, uint256 value);

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal mallory = makeAddr("mallory");

    function setUp() public {
        setUpShoal();
        stake(alice, 20 ether);
        stake(bob, 5 ether);
    }

    // ------------------------------------------------------------------------------------------ the pull

    function test_pull_onlyTheQueue() public {
        address[4] memory callers = [mallory, alice, admin, address(this)];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(abi.encodeWithSelector(StakingPool.UnexpectedSender.selector, callers[i]));
            pool.pullSharesForWithdrawal(alice, 1 ether);
        }
        vm.assertEq(pool.balanceOf(alice), 20 ether, "nothing moved");
        vm.assertEq(pool.balanceOf(address(withdrawalQueue)), 0);
    }

    function test_request_needsNoAllowance_andEmitsTheErc20Transfer() public {
        vm.assertEq(pool.allowance(alice, address(withdrawalQueue)), 0);
        vm.expectEmit(address(pool));
        emit Transfer(alice, address(withdrawalQueue), 3 ether);
        vm.prank(alice);
        uint256 id = withdrawalQueue.requestWithdrawal(3 ether);
        vm.assertEq(withdrawalQueue.ownerOf(id), alice);
        vm.assertEq(pool.balanceOf(alice), 17 ether);
        vm.assertEq(pool.balanceOf(address(withdrawalQueue)), 3 ether);
        _assertSupplyExact();
    }

    /// @dev The owner argument names who gets the NFT; the shares always come from the caller.
    function test_request_forAnotherOwner_takesOnlyTheCallersShares() public {
        vm.prank(alice);
        uint256 id = withdrawalQueue.requestWithdrawals(_one(2 ether), bob)[0];
        vm.assertEq(withdrawalQueue.ownerOf(id), bob);
        vm.assertEq(pool.balanceOf(alice), 18 ether);
        vm.assertEq(pool.balanceOf(bob), 5 ether, "the owner's dvETH is untouched");
    }

    /// @dev Even with an ERC-20 allowance from alice, mallory can only lock her own (absent) shares.
    function test_request_cannotLockAnotherHoldersShares() public {
        vm.prank(alice);
        pool.approve(mallory, type(uint256).max);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, mallory, 0, 1 ether));
        withdrawalQueue.requestWithdrawal(1 ether);
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, mallory, 0, 1 ether));
        withdrawalQueue.requestWithdrawals(_one(1 ether), alice);
        vm.assertEq(pool.balanceOf(alice), 20 ether);
        vm.assertEq(withdrawalQueue.lastRequestId(), 0, "no request was recorded");
    }

    // ------------------------------------------------------------------------------------------ the queue's dvETH

    function test_queueBalance_followsRequestsAndFinalization_supplyStaysExact() public {
        vm.prank(alice);
        withdrawalQueue.requestWithdrawal(4 ether);
        vm.prank(bob);
        withdrawalQueue.requestWithdrawals(_two(1 ether, 2 ether), bob);
        vm.assertEq(pool.balanceOf(address(withdrawalQueue)), 7 ether);
        vm.assertEq(withdrawalQueue.unfinalizedShares(), 7 ether);
        _assertSupplyExact();

        uint256 supply = pool.totalSupply();
        vm.recordLogs();
        _reportFinalizingAll();
        vm.assertTrue(_emitted(address(withdrawalQueue), pool.BURNER(), 7 ether), "Transfer(queue, BURNER, shares)");
        vm.assertEq(withdrawalQueue.lastFinalizedRequestId(), 3);
        vm.assertEq(pool.balanceOf(address(withdrawalQueue)), 0, "finalized shares left the queue");
        vm.assertEq(pool.totalSupply() + pool.balanceOf(pool.BURNER()), supply - 7 ether + _feeShares(), "burnt or waiting");
        _assertSupplyExact();
    }

    /// @dev dvETH sent to the queue by mistake stays in its stored balance, counted once, never burnt with requests.
    function test_strayShares_sentToTheQueue_areCountedOnce() public {
        vm.prank(alice);
        pool.transfer(address(withdrawalQueue), 1 ether);
        vm.prank(alice);
        withdrawalQueue.requestWithdrawal(2 ether);
        vm.assertEq(pool.balanceOf(address(withdrawalQueue)), 3 ether);
        _assertSupplyExact();
        _reportFinalizingAll();
        vm.assertEq(pool.balanceOf(address(withdrawalQueue)), 1 ether, "only the request's shares went to the burner");
        _assertSupplyExact();
    }

    // ------------------------------------------------------------------------------------------ the binding

    function test_setProtocolContracts_refusesAnotherQueue() public {
        (, address vault, address elVault, address checker) = pool.getProtocolContracts();
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(StakingPool.QueueMismatch.selector, mallory, address(withdrawalQueue))
        );
        pool.setProtocolContracts(mallory, vault, elVault, checker);
    }

    function test_upgrade_toAnotherQueue_refusedWhileTheQueueHoldsShares() public {
        vm.prank(alice);
        withdrawalQueue.requestWithdrawal(2 ether);
        address otherQueueImpl = address(new StakingPool(IWithdrawalQueue(mallory)));
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(StakingPool.QueueHoldsShares.selector, address(withdrawalQueue), 2 ether)
        );
        UUPSUpgradeable(address(pool)).upgradeToAndCall(otherQueueImpl, "");
        // the same queue: fine
        address sameQueueImpl = address(new StakingPool(withdrawalQueue));
        vm.prank(admin);
        UUPSUpgradeable(address(pool)).upgradeToAndCall(sameQueueImpl, "");
        // once the queue holds nothing, another queue may be bound
        _reportFinalizingAll();
        vm.prank(admin);
        UUPSUpgradeable(address(pool)).upgradeToAndCall(otherQueueImpl, "");
        vm.assertEq(address(pool.WITHDRAWAL_QUEUE()), mallory);
    }

    // ------------------------------------------------------------------------------------------ helpers

    uint256 internal feeSharesMinted;

    function _feeShares() internal view returns (uint256) {
        return feeSharesMinted;
    }

    /// @dev A report one frame on, with a little EL reward, finalizing every request the buffer can pay.
    function _reportFinalizingAll() internal {
        nextFrame();
        uint256 rewards = 0.001 ether;
        vm.deal(address(elRewardsVault), rewards);
        AccountingOracle.ReportData memory data = baseReport();
        data.elRewardsVaultBalance = rewards;
        data.simulatedShareRate = (pool.totalPooledEther() + rewards - rewards / 10) * 1e27 / pool.totalSupply();
        (data.withdrawalFinalizationBatches,,) = withdrawalQueue.calculateFinalizationBatches(
            data.simulatedShareRate, pool.getBufferedEther(), block.timestamp
        );
        uint256 feeHoldersBefore = pool.balanceOf(treasury) + pool.balanceOf(address(registry));
        voteAndSubmit(data, 2);
        feeSharesMinted += pool.balanceOf(treasury) + pool.balanceOf(address(registry)) - feeHoldersBefore;
    }

    /// @dev Whether the pool emitted ERC-20 `Transfer(from, to, value)` among the recorded logs.
    function _emitted(address from, address to, uint256 value) internal returns (bool) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (
                l.emitter == address(pool) && l.topics.length == 3 && l.topics[0] == Transfer.selector
                    && l.topics[1] == bytes32(uint256(uint160(from))) && l.topics[2] == bytes32(uint256(uint160(to)))
                    && abi.decode(l.data, (uint256)) == value
            ) return true;
        }
        return false;
    }

    /// @dev Σ balanceOf over every holder there is == totalSupply.
    function _assertSupplyExact() internal view {
        uint256 sum = pool.balanceOf(pool.DEAD_SHARES_HOLDER()) + pool.balanceOf(alice) + pool.balanceOf(bob)
            + pool.balanceOf(mallory) + pool.balanceOf(treasury) + pool.balanceOf(address(registry))
            + pool.balanceOf(address(withdrawalQueue)) + pool.balanceOf(pool.BURNER());
        vm.assertEq(sum, pool.totalSupply(), "sum of balances == totalSupply");
    }

    function _one(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }

    function _two(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        (r[0], r[1]) = (a, b);
    }
}
