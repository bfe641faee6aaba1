// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {Predeploys} from "../predeploys/Predeploys.sol";
import {WithdrawalVault} from "../../src/vaults/WithdrawalVault.sol";
import {ExecutionRewardsVault} from "../../src/vaults/ExecutionRewardsVault.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract VaultsTest is ShoalFixture {
    function setUp() public {
        setUpShoal();
    }

    function test_withdrawalVault_onlyPoolWithdraws() public {
        vm.deal(address(withdrawalVault), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(WithdrawalVault.NotPool.selector, address(this)));
        withdrawalVault.withdrawWithdrawals(1 ether);
        vm.prank(address(pool));
        vm.expectRevert(abi.encodeWithSelector(WithdrawalVault.NotEnoughEther.selector, 2 ether, 1 ether));
        withdrawalVault.withdrawWithdrawals(2 ether);
    }

    function test_elVault_onlyPoolWithdraws_andCapsAtBalance() public {
        vm.deal(address(this), 1 ether);
        (bool ok,) = address(elRewardsVault).call{value: 1 ether}("");
        vm.assertTrue(ok);
        vm.expectRevert(abi.encodeWithSelector(ExecutionRewardsVault.NotPool.selector, address(this)));
        elRewardsVault.withdrawRewards(1 ether);
        vm.expectRevert(ExecutionRewardsVault.ZeroPool.selector);
        new ExecutionRewardsVault(address(0));
    }

    function test_pool_acceptsVaultEtherOnlyFromVaults() public {
        vm.deal(address(this), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(StakingPool.UnexpectedSender.selector, address(this)));
        pool.receiveWithdrawals{value: 1}();
        vm.expectRevert(abi.encodeWithSelector(StakingPool.UnexpectedSender.selector, address(this)));
        pool.receiveELRewards{value: 1}();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, address(this), pool.PENALTY_SOURCE_ROLE())
        );
        pool.receivePenalty{value: 1}();
    }

    function test_pool_penaltyIsHeld_notInTheRateUntilAReport() public {
        stake(makeAddr("alice"), 10 ether);
        vm.deal(address(registry), 1 ether);
        vm.prank(address(registry));
        pool.receivePenalty{value: 1 ether}();
        vm.assertEq(pool.getPendingPenalties(), 1 ether);
        vm.assertEq(pool.totalPooledEther(), 10 ether + pool.BOOTSTRAP_DEPOSIT());
        vm.assertEq(pool.shareRate(), 1e27);
        vm.assertEq(address(pool).balance, 11 ether + pool.BOOTSTRAP_DEPOSIT(), "the ETH is in the pool");
    }

    function test_triggerExits_paysTheEip7002FeeAndQueuesFullExits() public {
        bytes memory pubkeys = bytes.concat(keccak256("k1"), bytes16(keccak256("k1b")), keccak256("k2"), bytes16(keccak256("k2b")));
        uint256 fee = withdrawalVault.exitRequestFee();
        vm.assertEq(fee, Predeploys.withdrawalRequestFee());
        address keeper = makeAddr("keeper");
        vm.deal(keeper, 1 ether);
        // only TRIGGER_EXIT_ROLE (the DVT module)
        bytes32 role = withdrawalVault.TRIGGER_EXIT_ROLE();
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, keeper, role));
        withdrawalVault.triggerExits{value: 2 * fee}(pubkeys);
        vm.prank(admin);
        withdrawalVault.grantRole(role, keeper);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(WithdrawalVault.InsufficientFee.selector, fee, 2 * fee));
        withdrawalVault.triggerExits{value: fee}(pubkeys);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(WithdrawalVault.InvalidPubkeysLength.selector, 47));
        withdrawalVault.triggerExits{value: fee}(new bytes(47));
        uint256 before = keeper.balance;
        vm.prank(keeper);
        withdrawalVault.triggerExits{value: 2 * fee + 0.5 ether}(pubkeys);
        vm.assertEq(keeper.balance, before - 2 * fee, "the excess is refunded");
        // the system call dequeues both, from the vault's address (the withdrawal credentials), amount 0 = full exit
        vm.roll(block.number + 1);
        bytes memory requests = Predeploys.dequeueWithdrawalRequests(vm);
        vm.assertEq(requests.length, 2 * 76);
        address source;
        assembly {
            source := shr(96, mload(add(requests, 0x20)))
        }
        vm.assertEq(source, address(withdrawalVault));
        for (uint256 i; i < 48; ++i) vm.assertEq(uint8(requests[20 + i]), uint8(pubkeys[i]));
        for (uint256 i; i < 8; ++i) vm.assertEq(uint8(requests[68 + i]), 0);
    }
}
