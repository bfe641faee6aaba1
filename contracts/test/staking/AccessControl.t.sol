// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {StakingRouter} from "../../src/StakingRouter.sol";
import {DepositSecurityModule} from "../../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @notice Every role-guarded function of the money path: a stranger gets OpenZeppelin's
///         `AccessControlUnauthorizedAccount(account, role)` and changes nothing; an account holding exactly that
///         role (and nothing else) succeeds; revoking the role takes the power away again.
contract AccessControlTest is ShoalFixture {
    bytes32 internal constant ADMIN_ROLE = 0x00; // DEFAULT_ADMIN_ROLE
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;

    address internal stranger = makeAddr("stranger");
    address internal holder = makeAddr("roleHolder");

    struct Guarded {
        address target;
        bytes data;
        bytes32 role;
        string what;
    }

    function setUp() public {
        setUpShoal();
    }

    // ------------------------------------------------------------------------------------------ helpers
    function _grant(address target, bytes32 role, address who) private {
        vm.prank(admin);
        IAccessControl(target).grantRole(role, who);
    }

    function _expectUnauthorized(address who, bytes32 role) private {
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, who, role));
    }

    /// @dev Calls every entry as `who` and requires OZ's exact error for it.
    function _assertAllUnauthorized(Guarded[] memory list, address who) private {
        for (uint256 i; i < list.length; ++i) {
            vm.prank(who);
            (bool ok, bytes memory ret) = list[i].target.call(list[i].data);
            vm.assertFalse(ok, list[i].what);
            vm.assertEq(
                keccak256(ret),
                keccak256(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, who, list[i].role)),
                list[i].what
            );
        }
    }

    function _poolGuarded() private returns (Guarded[] memory g) {
        g = new Guarded[](12);
        address impl = address(new StakingPool(withdrawalQueue));
        g[0] = Guarded(address(pool), abi.encodeCall(pool.pauseStaking, ()), pool.STAKING_PAUSE_ROLE(), "pauseStaking");
        g[1] = Guarded(address(pool), abi.encodeCall(pool.resumeStaking, ()), pool.STAKING_CONTROL_ROLE(), "resumeStaking");
        g[2] = Guarded(
            address(pool), abi.encodeCall(pool.setStakingLimit, (1 ether, 1 ether)), pool.STAKING_CONTROL_ROLE(), "setStakingLimit"
        );
        g[3] = Guarded(address(pool), abi.encodeCall(pool.removeStakingLimit, ()), pool.STAKING_CONTROL_ROLE(), "removeStakingLimit");
        g[4] = Guarded(address(pool), abi.encodeCall(pool.setRouter, (stranger)), ADMIN_ROLE, "setRouter");
        g[5] = Guarded(
            address(pool), abi.encodeCall(pool.depositBufferedEther, (1, moduleId, "")), pool.DEPOSIT_ROLE(), "depositBufferedEther"
        );
        g[6] = Guarded(address(pool), abi.encodeCall(UUPSUpgradeable.upgradeToAndCall, (impl, "")), ADMIN_ROLE, "upgradeToAndCall");
        g[7] = Guarded(address(pool), abi.encodeCall(IAccessControl.grantRole, (ADMIN_ROLE, stranger)), ADMIN_ROLE, "grantRole");
        g[8] = Guarded(address(pool), abi.encodeCall(IAccessControl.revokeRole, (ADMIN_ROLE, admin)), ADMIN_ROLE, "revokeRole");
        g[9] = Guarded(
            address(pool),
            abi.encodeCall(pool.setProtocolContracts, (stranger, stranger, stranger, stranger)),
            ADMIN_ROLE,
            "setProtocolContracts"
        );
        g[10] = Guarded(address(pool), abi.encodeCall(pool.receivePenalty, ()), pool.PENALTY_SOURCE_ROLE(), "receivePenalty");
        g[11] = Guarded(
            address(pool), abi.encodeCall(pool.handleOracleReport, (_quietReport(0, 0))), pool.ORACLE_ROLE(), "handleOracleReport"
        );
    }

    /// @dev A report in which nothing happened but time passing (and `seen` validators holding `balance`).
    function _quietReport(uint256 seen, uint256 balance) private pure returns (StakingPool.OracleReport memory r) {
        r.timeElapsed = 1 days;
        r.beaconValidators = seen;
        r.beaconBalance = balance;
    }

    function _routerGuarded() private returns (Guarded[] memory g) {
        g = new Guarded[](6);
        bytes32 manage = router.MANAGE_MODULES_ROLE();
        address impl = address(new StakingRouter());
        g[0] = Guarded(
            address(router), abi.encodeCall(router.addStakingModule, ("X", stranger, 10_000, 0, 0)), manage, "addStakingModule"
        );
        g[1] = Guarded(
            address(router), abi.encodeCall(router.updateStakingModule, (moduleId, 5_000, 0, 0)), manage, "updateStakingModule"
        );
        g[2] = Guarded(
            address(router),
            abi.encodeCall(router.setStakingModuleStatus, (moduleId, StakingRouter.ModuleStatus.Stopped)),
            manage,
            "setStakingModuleStatus"
        );
        g[3] = Guarded(address(router), abi.encodeCall(router.setTreasury, (stranger)), ADMIN_ROLE, "setTreasury");
        g[4] = Guarded(address(router), abi.encodeCall(UUPSUpgradeable.upgradeToAndCall, (impl, "")), ADMIN_ROLE, "upgradeToAndCall");
        g[5] = Guarded(address(router), abi.encodeCall(IAccessControl.grantRole, (manage, stranger)), ADMIN_ROLE, "grantRole");
    }

    function _registryGuarded() private returns (Guarded[] memory g) {
        g = new Guarded[](5);
        address impl = address(new OperatorRegistry());
        g[0] = Guarded(
            address(registry), abi.encodeCall(registry.setBondCurve, (2 ether, 1 ether)), registry.MANAGE_BOND_CURVE_ROLE(), "setBondCurve"
        );
        g[1] = Guarded(
            address(registry), abi.encodeCall(registry.setClusterActive, (1, false)), registry.MANAGE_CLUSTERS_ROLE(), "setClusterActive"
        );
        g[2] = Guarded(
            address(registry), abi.encodeCall(registry.obtainDepositData, (1, "")), registry.ROUTER_ROLE(), "obtainDepositData"
        );
        g[3] = Guarded(address(registry), abi.encodeCall(UUPSUpgradeable.upgradeToAndCall, (impl, "")), ADMIN_ROLE, "upgradeToAndCall");
        g[4] = Guarded(
            address(registry), abi.encodeCall(IAccessControl.grantRole, (registry.ROUTER_ROLE(), stranger)), ADMIN_ROLE, "grantRole"
        );
    }

    function _dsmGuarded() private returns (Guarded[] memory g) {
        g = new Guarded[](8);
        bytes32 guardians = dsm.MANAGE_GUARDIANS_ROLE();
        address impl = address(new DepositSecurityModule());
        address g0 = vm.addr(guardianKeys[0]);
        g[0] = Guarded(address(dsm), abi.encodeCall(dsm.addGuardian, (stranger, 2)), guardians, "addGuardian");
        g[1] = Guarded(address(dsm), abi.encodeCall(dsm.removeGuardian, (g0, 2)), guardians, "removeGuardian");
        g[2] = Guarded(address(dsm), abi.encodeCall(dsm.setGuardianQuorum, (1)), guardians, "setGuardianQuorum");
        g[3] = Guarded(address(dsm), abi.encodeCall(dsm.unpauseDeposits, (moduleId)), dsm.UNPAUSE_ROLE(), "unpauseDeposits");
        g[4] = Guarded(
            address(dsm), abi.encodeCall(dsm.setPauseIntentValidityBlocks, (5)), ADMIN_ROLE, "setPauseIntentValidityBlocks"
        );
        g[5] = Guarded(address(dsm), abi.encodeCall(dsm.setMaxDepositsPerCall, (5)), ADMIN_ROLE, "setMaxDepositsPerCall");
        g[6] = Guarded(address(dsm), abi.encodeCall(UUPSUpgradeable.upgradeToAndCall, (impl, "")), ADMIN_ROLE, "upgradeToAndCall");
        g[7] = Guarded(address(dsm), abi.encodeCall(IAccessControl.grantRole, (guardians, stranger)), ADMIN_ROLE, "grantRole");
    }

    // ============================================================================ strangers
    function test_stranger_isRejectedEverywhereOnThePool() public {
        _assertAllUnauthorized(_poolGuarded(), stranger);
        vm.assertFalse(pool.isStakingPaused());
        vm.assertEq(pool.getRouter(), address(router));
        vm.assertTrue(pool.hasRole(ADMIN_ROLE, admin));
    }

    function test_stranger_isRejectedEverywhereOnTheRouter() public {
        _assertAllUnauthorized(_routerGuarded(), stranger);
        vm.assertEq(router.getStakingModuleCount(), 1);
        vm.assertEq(router.getTreasury(), treasury);
    }

    function test_stranger_isRejectedEverywhereOnTheRegistry() public {
        _assertAllUnauthorized(_registryGuarded(), stranger);
        (uint256 first,) = registry.getBondCurve();
        vm.assertEq(first, FIRST_BOND);
    }

    function test_stranger_isRejectedEverywhereOnTheDsm() public {
        _assertAllUnauthorized(_dsmGuarded(), stranger);
        vm.assertEq(dsm.getGuardians().length, 3);
        vm.assertEq(dsm.getGuardianQuorum(), 2);
    }

    /// Holding one role gives no other: a holder of every operational role is still a stranger to the rest.
    function test_operationalRole_doesNotGrantAdminPowers() public {
        _grant(address(pool), pool.STAKING_CONTROL_ROLE(), holder);
        _grant(address(router), router.MANAGE_MODULES_ROLE(), holder);
        _grant(address(dsm), dsm.MANAGE_GUARDIANS_ROLE(), holder);
        _grant(address(registry), registry.MANAGE_CLUSTERS_ROLE(), holder);
        Guarded[] memory g = new Guarded[](5);
        g[0] = Guarded(address(pool), abi.encodeCall(pool.pauseStaking, ()), pool.STAKING_PAUSE_ROLE(), "pause");
        g[1] = Guarded(address(pool), abi.encodeCall(IAccessControl.grantRole, (ADMIN_ROLE, holder)), ADMIN_ROLE, "grant");
        g[2] = Guarded(address(router), abi.encodeCall(router.setTreasury, (holder)), ADMIN_ROLE, "setTreasury");
        g[3] = Guarded(address(dsm), abi.encodeCall(dsm.setMaxDepositsPerCall, (1)), ADMIN_ROLE, "setMaxDepositsPerCall");
        g[4] = Guarded(
            address(registry), abi.encodeCall(registry.setBondCurve, (2 ether, 1 ether)), registry.MANAGE_BOND_CURVE_ROLE(), "curve"
        );
        _assertAllUnauthorized(g, holder);
    }

    // ============================================================================ StakingPool holders
    function test_pool_pauseStaking_pauseRole() public {
        bytes32 role = pool.STAKING_PAUSE_ROLE();
        _grant(address(pool), role, holder);
        vm.prank(holder);
        pool.pauseStaking();
        vm.assertTrue(pool.isStakingPaused());
        vm.prank(admin);
        pool.revokeRole(role, holder);
        _expectUnauthorized(holder, role);
        vm.prank(holder);
        pool.pauseStaking();
    }

    function test_pool_controlFunctions_controlRole() public {
        bytes32 role = pool.STAKING_CONTROL_ROLE();
        vm.prank(admin);
        pool.pauseStaking();
        _grant(address(pool), role, holder);
        vm.startPrank(holder);
        pool.resumeStaking();
        vm.assertFalse(pool.isStakingPaused());
        pool.setStakingLimit(3 ether, 1 ether);
        (, bool limited, uint256 maxLimit,) = pool.getStakeLimitParams();
        vm.assertTrue(limited);
        vm.assertEq(maxLimit, 3 ether);
        pool.removeStakingLimit();
        (, limited,,) = pool.getStakeLimitParams();
        vm.assertFalse(limited);
        vm.stopPrank();
        vm.prank(admin);
        pool.revokeRole(role, holder);
        _expectUnauthorized(holder, role);
        vm.prank(holder);
        pool.removeStakingLimit();
    }

    function test_pool_setRouter_adminRole() public {
        _grant(address(pool), ADMIN_ROLE, holder);
        address next = makeAddr("nextRouter");
        vm.expectEmit(address(pool));
        emit StakingPool.RouterSet(next);
        vm.prank(holder);
        pool.setRouter(next);
        vm.assertEq(pool.getRouter(), next);
    }

    function test_pool_depositBufferedEther_depositRole() public {
        uint256 clusterId = readyCluster(1, 4, 3, 3, 1);
        stake(makeAddr("alice"), 96 ether);
        _grant(address(pool), pool.DEPOSIT_ROLE(), holder);
        vm.prank(holder);
        vm.assertEq(pool.depositBufferedEther(10, moduleId, ""), 3);
        vm.assertEq(registry.getCluster(clusterId).depositedKeys, 3);
        vm.assertEq(DEPOSIT_CONTRACT.balance, 96 ether);
    }

    function test_pool_setProtocolContracts_adminRole() public {
        _grant(address(pool), ADMIN_ROLE, holder);
        address[4] memory next = [address(withdrawalQueue), makeAddr("vault2"), makeAddr("elVault2"), makeAddr("checker2")];
        vm.expectEmit(address(pool));
        emit StakingPool.ProtocolContractsSet(next[0], next[1], next[2], next[3]);
        vm.prank(holder);
        pool.setProtocolContracts(next[0], next[1], next[2], next[3]);
    }

    function test_pool_receivePenalty_penaltySourceRole() public {
        stake(makeAddr("alice"), 10 ether);
        uint256 pooled = pool.totalPooledEther();
        uint256 rate = pool.shareRate();
        _grant(address(pool), pool.PENALTY_SOURCE_ROLE(), holder);
        vm.deal(holder, 1 ether);
        vm.expectEmit(address(pool));
        emit StakingPool.PenaltyReceived(holder, 1 ether);
        vm.prank(holder);
        pool.receivePenalty{value: 1 ether}();
        vm.assertEq(pool.getPendingPenalties(), 1 ether, "held until a report releases it into the rate");
        vm.assertEq(pool.totalPooledEther(), pooled);
        vm.assertEq(pool.shareRate(), rate);
    }

    function test_pool_handleOracleReport_oracleRole() public {
        readyCluster(1, 4, 2, 2, 1);
        stake(makeAddr("alice"), 64 ether);
        vm.assertEq(attestAndDeposit(), 2);
        uint256 pooled = pool.totalPooledEther();
        _grant(address(pool), pool.ORACLE_ROLE(), holder);
        vm.prank(holder);
        pool.handleOracleReport(_quietReport(2, 64 ether));
        (uint256 deposited, uint256 seen, uint256 beaconBalance) = pool.getBeaconStat();
        vm.assertEq(deposited, 2);
        vm.assertEq(seen, 2);
        vm.assertEq(beaconBalance, 64 ether);
        vm.assertEq(pool.getTransientEther(), 0, "seen validators are no longer transient");
        vm.assertEq(pool.totalPooledEther(), pooled, "no rewards, no losses");
    }

    // ============================================================================ StakingRouter holders
    function test_router_moduleManagement_manageModulesRole() public {
        bytes32 role = router.MANAGE_MODULES_ROLE();
        _grant(address(router), role, holder);
        vm.startPrank(holder);
        uint256 id = router.addStakingModule("second", makeAddr("module2"), 2_000, 300, 200);
        vm.assertEq(id, 2);
        router.updateStakingModule(id, 3_000, 400, 100);
        StakingRouter.StakingModule memory m = router.getStakingModule(id);
        vm.assertEq(uint256(m.stakeShareLimitBps), 3_000);
        vm.assertEq(uint256(m.moduleFeeBps), 400);
        vm.assertEq(uint256(m.treasuryFeeBps), 100);
        router.setStakingModuleStatus(id, StakingRouter.ModuleStatus.DepositsPaused);
        vm.assertFalse(router.isModuleActive(id));
        vm.stopPrank();
        vm.prank(admin);
        router.revokeRole(role, holder);
        _expectUnauthorized(holder, role);
        vm.prank(holder);
        router.setStakingModuleStatus(id, StakingRouter.ModuleStatus.Active);
    }

    function test_router_setTreasury_adminRole() public {
        _grant(address(router), ADMIN_ROLE, holder);
        address next = makeAddr("nextTreasury");
        vm.prank(holder);
        router.setTreasury(next);
        vm.assertEq(router.getTreasury(), next);
    }

    // ============================================================================ OperatorRegistry holders
    function test_registry_setBondCurve_manageBondCurveRole() public {
        _grant(address(registry), registry.MANAGE_BOND_CURVE_ROLE(), holder);
        vm.prank(holder);
        registry.setBondCurve(3 ether, 2 ether);
        (uint256 first, uint256 next) = registry.getBondCurve();
        vm.assertEq(first, 3 ether);
        vm.assertEq(next, 2 ether);
    }

    function test_registry_setClusterActive_manageClustersRole() public {
        uint256 clusterId = readyCluster(1, 4, 1, 0, 0);
        _grant(address(registry), registry.MANAGE_CLUSTERS_ROLE(), holder);
        vm.prank(holder);
        registry.setClusterActive(clusterId, false);
        vm.assertFalse(registry.getCluster(clusterId).active);
    }

    function test_registry_obtainDepositData_routerRole() public {
        uint256 clusterId = readyCluster(1, 4, 3, 3, 1);
        _grant(address(registry), registry.ROUTER_ROLE(), holder);
        (bytes memory expectedPk, bytes memory expectedSig) = registry.getKeys(clusterId, 0, 2);
        vm.prank(holder);
        (bytes memory pk, bytes memory sig) = registry.obtainDepositData(2, "");
        vm.assertEq(keccak256(pk), keccak256(expectedPk));
        vm.assertEq(keccak256(sig), keccak256(expectedSig));
        vm.assertEq(registry.getCluster(clusterId).depositedKeys, 2, "handed-out keys are marked used");
    }

    // ============================================================================ DepositSecurityModule holders
    function test_dsm_guardianManagement_manageGuardiansRole() public {
        bytes32 role = dsm.MANAGE_GUARDIANS_ROLE();
        _grant(address(dsm), role, holder);
        address g0 = vm.addr(guardianKeys[0]);
        vm.startPrank(holder);
        dsm.addGuardian(stranger, 3);
        vm.assertTrue(dsm.isGuardian(stranger));
        vm.assertEq(dsm.getGuardianQuorum(), 3);
        dsm.removeGuardian(g0, 2);
        vm.assertFalse(dsm.isGuardian(g0));
        dsm.setGuardianQuorum(3);
        vm.assertEq(dsm.getGuardianQuorum(), 3);
        vm.stopPrank();
        vm.prank(admin);
        dsm.revokeRole(role, holder);
        _expectUnauthorized(holder, role);
        vm.prank(holder);
        dsm.setGuardianQuorum(1);
    }

    function test_dsm_unpauseDeposits_unpauseRole() public {
        vm.prank(vm.addr(guardianKeys[1]));
        dsm.pauseDeposits(block.number, moduleId, DepositSecurityModule.Signature(0, 0));
        vm.assertTrue(dsm.isDepositsPaused(moduleId));
        _grant(address(dsm), dsm.UNPAUSE_ROLE(), holder);
        vm.prank(holder);
        dsm.unpauseDeposits(moduleId);
        vm.assertFalse(dsm.isDepositsPaused(moduleId));
    }

    function test_dsm_parameters_adminRole() public {
        _grant(address(dsm), ADMIN_ROLE, holder);
        vm.startPrank(holder);
        dsm.setPauseIntentValidityBlocks(7);
        dsm.setMaxDepositsPerCall(9);
        vm.stopPrank();
        vm.assertEq(dsm.getPauseIntentValidityBlocks(), 7);
        vm.assertEq(dsm.getMaxDepositsPerCall(), 9);
    }

    // ============================================================================ upgrades
    function test_upgradeToAndCall_adminRoleOnEveryContract() public {
        address[4] memory proxies = [address(pool), address(router), address(registry), address(dsm)];
        address[4] memory impls =
            [address(new StakingPool(withdrawalQueue)), address(new StakingRouter()), address(new OperatorRegistry()), address(new DepositSecurityModule())];
        for (uint256 i; i < 4; ++i) {
            _grant(proxies[i], ADMIN_ROLE, holder);
            vm.prank(holder);
            UUPSUpgradeable(proxies[i]).upgradeToAndCall(impls[i], "");
            vm.assertEq(address(uint160(uint256(vm.load(proxies[i], IMPLEMENTATION_SLOT)))), impls[i]);
        }
    }
}
