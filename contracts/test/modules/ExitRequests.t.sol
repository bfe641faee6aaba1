// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModulesFixture} from "./ModulesFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {IDvtModule} from "../../src/interfaces/IDvtModule.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {UnknownOperator, UnknownCluster} from "../../src/modules/RegistryLayout.sol";
import {OperatorRegistryExtension} from "../../src/modules/OperatorRegistryExtension.sol";
import {WithdrawalVault} from "../../src/vaults/WithdrawalVault.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice Exit requests (oldest keys first, deadlines, the keepers' daily limit, events dv-node reads) and
///         late exits forced through the real WithdrawalVault and EIP-7002 predeploy; access control of every
///         new function.
contract ExitRequestsTest is ModulesFixture {
    uint256 internal constant DEADLINE = 4 days;
    uint256 internal a;

    function setUp() public {
        setUpModules();
        a = newCluster(1, 4, 10);
        depositTo(a, 6);
    }

    function _pubkey(uint256 clusterId, uint256 keyIndex) internal view returns (bytes memory pk) {
        (pk,) = registry.getKeys(clusterId, keyIndex, 1);
    }

    function test_requestExits_oldestKeysFirst_eventsAndDeadlines() public {
        uint256 t0 = block.timestamp;
        vm.expectEmit(address(registry));
        emit IDvtModule.ExitRequested(a, 0, _pubkey(a, 0), t0 + DEADLINE);
        vm.expectEmit(address(registry));
        emit IDvtModule.ExitRequested(a, 1, _pubkey(a, 1), t0 + DEADLINE);
        requestOne(keeper, a, 2);

        vm.warp(t0 + 1 hours);
        vm.expectEmit(address(registry));
        emit IDvtModule.ExitRequested(a, 2, _pubkey(a, 2), t0 + 1 hours + DEADLINE);
        requestOne(reporter, a, 1);

        (uint256[] memory keys, uint256[] memory deadlines) = registry.getPendingExitRequests(a);
        vm.assertEq(keys.length, 3);
        for (uint256 i; i < 3; ++i) {
            vm.assertEq(keys[i], i);
        }
        vm.assertEq(deadlines[0], t0 + DEADLINE);
        vm.assertEq(deadlines[1], t0 + DEADLINE);
        vm.assertEq(deadlines[2], t0 + 1 hours + DEADLINE);
        vm.assertEq(registry.getExitDeadline(a, 2), t0 + 1 hours + DEADLINE);
        vm.assertEq(registry.getExitDeadline(a, 3), 0, "not requested");
        vm.assertEq(registry.getClusterEconomics(a).exitsRequested, 3);

        // the oracle sees two exits: they leave the pending list
        reportOne(a, 2, 0, 0, 0);
        (keys,) = registry.getPendingExitRequests(a);
        vm.assertEq(keys.length, 1);
        vm.assertEq(keys[0], 2);
    }

    function test_requestExits_startAfterKeysAlreadyExited() public {
        reportOne(a, 2, 0, 0, 0); // two exited before any request
        vm.recordLogs();
        requestOne(keeper, a, 1);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1);
        vm.assertEq(logs[0].topics[0], IDvtModule.ExitRequested.selector);
        vm.assertEq(uint256(logs[0].topics[2]), 2, "key 2 is the oldest active");
    }

    function test_requestExits_badInput() public {
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.NotEnoughActiveKeys.selector, a, 7, 6));
        requestOne(keeper, a, 7);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.InvalidExitCount.selector, a, 0));
        requestOne(keeper, a, 0);
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 5));
        requestOne(keeper, 5, 1);
        uint256[] memory one = new uint256[](1);
        uint256[] memory two = new uint256[](2);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.LengthMismatch.selector, 1, 2));
        vm.prank(keeper);
        registry.requestExits(one, two);
        requestOne(keeper, a, 6);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.NotEnoughActiveKeys.selector, a, 7, 6));
        requestOne(keeper, a, 1);
    }

    function test_requestExits_keeperDailyLimit_oracleUnlimited_strangerRefused() public {
        vm.expectEmit(address(registry));
        emit IDvtModule.ExitParamsSet(DEADLINE, 3);
        vm.prank(admin);
        registry.setExitParams(DEADLINE, 3);
        requestOne(keeper, a, 2);
        (,, uint256 left) = registry.getExitParams();
        vm.assertEq(left, 1);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.ExitLimitExceeded.selector, 2, 1));
        requestOne(keeper, a, 2);
        requestOne(reporter, a, 3); // the oracle is not bound by the keepers' limit
        (,, left) = registry.getExitParams();
        vm.assertEq(left, 1, "the oracle's requests do not use the keepers' allowance");

        vm.warp(block.timestamp + 1 days);
        (,, left) = registry.getExitParams();
        vm.assertEq(left, 3, "a new day");
        requestOne(keeper, a, 1);

        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, registry.EXIT_REQUESTER_ROLE()
            )
        );
        requestOne(stranger, a, 1);
    }

    function test_exitParams_validationAndRole() public {
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.InvalidExitParam.selector, "exitDeadline", 59 minutes));
        vm.prank(admin);
        registry.setExitParams(59 minutes, 10);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, registry.MANAGE_EXITS_ROLE()
            )
        );
        vm.prank(stranger);
        registry.setExitParams(1 days, 10);
        (uint256 deadline, uint256 limit,) = registry.getExitParams();
        vm.assertEq(deadline, DEADLINE);
        vm.assertEq(limit, 100);
    }

    function test_forceLateExit_tooEarly_thenPenalisesAndTriggersEip7002_refundsExcess() public {
        uint256 t0 = block.timestamp;
        requestOne(keeper, a, 2);
        vm.deal(stranger, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.ExitNotLate.selector, a, 0, t0 + DEADLINE));
        vm.prank(stranger);
        registry.forceLateExit{value: 0.01 ether}(a, 0);

        vm.warp(t0 + DEADLINE + 1);
        (uint256[] memory lateClusters, uint256[] memory lateKeys, uint256 next) = registry.getLateExits(0, 10);
        vm.assertEq(lateKeys.length, 2);
        vm.assertEq(lateClusters[0], a);
        vm.assertEq(lateKeys[1], 1);
        vm.assertEq(next, 0);

        uint256 fee = withdrawalVault.exitRequestFee();
        uint256 pooled = pool.getPendingPenalties();
        bytes memory pk = _pubkey(a, 0);
        vm.expectEmit(address(registry));
        emit IDvtModule.ClusterPenalised(a, IDvtModule.PenaltyReason.LateExit, 0.1 ether, 0.1 ether);
        vm.expectEmit(address(registry));
        emit IDvtModule.LateExitForced(a, 0, stranger, pk, fee);
        vm.expectEmit(address(withdrawalVault));
        emit WithdrawalVault.ExitTriggered(pk, fee);
        vm.prank(stranger);
        registry.forceLateExit{value: 0.01 ether}(a, 0);

        vm.assertEq(stranger.balance, 1 ether - fee, "excess refunded");
        vm.assertEq(pool.getPendingPenalties() - pooled, 0.1 ether);
        vm.assertEq(bondOf(1), registry.bondForValidators(10) - 0.025 ether);
        vm.assertEq(registry.getClusterEconomics(a).lateExitsForced, 1);
        (, lateKeys,) = registry.getLateExits(0, 10);
        vm.assertEq(lateKeys.length, 1, "forced keys drop out of the keeper's list");

        vm.expectRevert(abi.encodeWithSelector(IDvtModule.LateExitAlreadyForced.selector, a, 0));
        vm.prank(stranger);
        registry.forceLateExit{value: fee}(a, 0);
    }

    function test_forceLateExit_refusals() public {
        requestOne(keeper, a, 2);
        vm.warp(block.timestamp + DEADLINE + 1);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.ExitNotRequested.selector, a, 2));
        registry.forceLateExit(a, 2);
        reportOne(a, 1, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.AlreadyExited.selector, a, 0));
        registry.forceLateExit(a, 0);
        uint256 fee = withdrawalVault.exitRequestFee();
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.InsufficientExitFee.selector, fee - 1, fee));
        registry.forceLateExit{value: fee - 1}(a, 1);
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 3));
        registry.forceLateExit(3, 0);
    }

    function test_lateExits_paginates() public {
        uint256 b = newCluster(5, 4, 10);
        depositTo(b, 2);
        requestOne(keeper, a, 3);
        requestOne(keeper, b, 2);
        vm.warp(block.timestamp + DEADLINE + 1);
        (uint256[] memory c, uint256[] memory k, uint256 next) = registry.getLateExits(0, 2);
        vm.assertEq(c.length, 2);
        vm.assertEq(next, a, "page full inside cluster a");
        (c, k, next) = registry.getLateExits(b, 10);
        vm.assertEq(c.length, 2);
        vm.assertEq(c[0], b);
        vm.assertEq(k[1], 1);
        vm.assertEq(next, 0);
    }

    // ------------------------------------------------------------------------------------------ access
    function test_access_everyNewFunction() public {
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        vm.startPrank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, registry.ROUTER_ROLE()
            )
        );
        registry.onRewardsMinted(1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, adminRole)
        );
        registry.setProtocolContracts(address(1), address(2));
        vm.stopPrank();

        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistryExtension.ZeroAddress.selector, "pool"));
        registry.setProtocolContracts(address(0), address(2));
        vm.expectEmit(address(registry));
        emit IDvtModule.ProtocolContractsSet(address(pool), address(withdrawalVault));
        registry.setProtocolContracts(address(pool), address(withdrawalVault));
        vm.stopPrank();
        (address p, address v) = registry.getProtocolContracts();
        vm.assertEq(p, address(pool));
        vm.assertEq(v, address(withdrawalVault));

        // the extension's code never runs on its own storage
        OperatorRegistryExtension ext = OperatorRegistryExtension(registry.EXTENSION());
        vm.expectRevert(IDvtModule.NotDelegated.selector);
        ext.claimRewards(1);
        vm.expectRevert(IDvtModule.NotDelegated.selector);
        ext.getBondDebt(1);
        vm.expectRevert(IDvtModule.NotDelegated.selector);
        ext.initializeEconomics();
        // the registry's fallback only serves its own view gateway
        (bool ok,) = address(registry)
            .call(abi.encodeWithSelector(bytes4(0x720258ce), abi.encodeCall(registry.getBondDebt, (1))));
        vm.assertFalse(ok, "view gateway refuses outsiders");
        (ok,) = address(registry).call(hex"deadbeef");
        vm.assertFalse(ok, "unknown selector");
    }

    function test_views_errorsComeBackThroughTheViewGateway() public {
        vm.expectRevert(abi.encodeWithSelector(UnknownOperator.selector, 99));
        registry.getBondDebt(99);
        vm.expectRevert(abi.encodeWithSelector(UnknownOperator.selector, 99));
        registry.getOperatorRewards(99);
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 99));
        registry.getClusterEconomics(99);
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 99));
        registry.getPendingExitRequests(99);
        IDvtModule.ClusterEconomics memory e = registry.getClusterEconomics(a);
        vm.assertEq(e.activeValidators, 6);
        vm.assertEq(e.exitsRequested, 0);
    }

    function test_initializeEconomics_unreachableAfterInitialisation() public {
        // the registry exposes no such function (its fallback refuses it) and the proxy is initialised
        (bool ok,) = address(registry).call(abi.encodeCall(OperatorRegistryExtension.initializeEconomics, ()));
        vm.assertFalse(ok);
        vm.assertEq(registry.getPenaltyParams().slashingPenalty, 1 ether, "defaults were set at initialisation");
    }
}
