// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {StakingRouter} from "../../src/StakingRouter.sol";
import {DepositSecurityModule} from "../../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @notice What a real V2 adds: a function and a value in its own ERC-7201 namespace, set by `reinitializer(2)`.
abstract contract V2Marker {
    /// @custom:storage-location erc7201:shoal.test.V2Marker
    struct MarkerStorage {
        uint256 marker;
    }

    function _markerStorage() private pure returns (MarkerStorage storage $) {
        bytes32 slot = keccak256(abi.encode(uint256(keccak256("shoal.test.V2Marker")) - 1)) & ~bytes32(uint256(0xff));
        assembly {
            $.slot := slot
        }
    }

    function _setMarker(uint256 marker) internal {
        _markerStorage().marker = marker;
    }

    /// @notice The new V2 function.
    function version2() external view returns (uint256) {
        return _markerStorage().marker;
    }
}

contract StakingPoolV2 is StakingPool, V2Marker {
    constructor(IWithdrawalQueue queue) StakingPool(queue) {}

    function initializeV2(uint256 marker) external reinitializer(2) {
        _setMarker(marker);
    }
}

contract StakingRouterV2 is StakingRouter, V2Marker {
    function initializeV2(uint256 marker) external reinitializer(2) {
        _setMarker(marker);
    }
}

contract OperatorRegistryV2 is OperatorRegistry, V2Marker {
    function initializeV2(uint256 marker) external reinitializer(2) {
        _setMarker(marker);
    }
}

contract DepositSecurityModuleV2 is DepositSecurityModule, V2Marker {
    function initializeV2(uint256 marker) external reinitializer(2) {
        _setMarker(marker);
    }
}

interface IUpgradeableV2 {
    function initializeV2(uint256 marker) external;
    function version2() external view returns (uint256);
    function getContractVersion() external view returns (uint64);
}

/// @notice UUPS upgrades of the four money-path proxies: the admin's upgrade to a V2 keeps every stored value
///         (balances, totals, limits, modules, operators, clusters, keys, guardians, quorum), runs the V2
///         reinitializer once and moves `getContractVersion()` to 2; nobody else can upgrade.
contract UpgradeTest is ShoalFixture {
    address internal alice;
    uint256 internal aliceKey = uint256(keccak256("alice key"));
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal stranger = makeAddr("stranger");
    uint256 internal clusterA;
    uint256 internal clusterB;
    OperatorRegistry internal secondModule;

    function setUp() public {
        setUpShoal();
        alice = vm.addr(aliceKey);
        // pool: a stake limit, stakes, a transfer, an allowance, a permit nonce, deposited validators
        vm.prank(admin);
        pool.setStakingLimit(1_000 ether, 10 ether);
        stake(alice, 150 ether);
        stake(bob, 70 ether);
        vm.prank(alice);
        pool.transfer(carol, 5 ether);
        vm.prank(alice);
        pool.approve(bob, 3 ether);
        uint256 deadline = block.timestamp + 1 days;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                alice,
                carol,
                1 ether,
                0,
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(aliceKey, keccak256(abi.encodePacked("\x19\x01", pool.DOMAIN_SEPARATOR(), structHash)));
        pool.permit(alice, carol, 1 ether, deadline, v, r, s);
        // registry: two clusters (one shared operator), keys in several batches, one batch unconfirmed
        clusterA = readyCluster(1, 4, 6, 3, 1);
        addConfirmedKeys(clusterA, 2, 2);
        registerOperators(5, 3, registry.bondForValidators(4));
        uint256[] memory ids = new uint256[](4);
        (ids[0], ids[1], ids[2], ids[3]) = (1, 5, 6, 7);
        clusterB = createCluster(ids);
        addConfirmedKeys(clusterB, 2, 3);
        (bytes memory pk, bytes memory sig) = makeKeys(2, 4);
        vm.prank(operatorManager(5));
        registry.addKeys(clusterB, pk, sig);
        vm.assertEq(attestAndDeposit(), 6);
        vm.prank(admin);
        registry.setBondCurve(1.5 ether, 0.5 ether);
        // router: a second (real, empty) module, paused; dsm: a guardian more, other parameters
        secondModule = OperatorRegistry(address(new ERC1967Proxy(
            address(new OperatorRegistry()), abi.encodeCall(OperatorRegistry.initialize, (admin, address(router), FIRST_BOND, NEXT_BOND))
        )));
        vm.startPrank(admin);
        router.addStakingModule("second", address(secondModule), 2_500, 600, 400);
        router.setStakingModuleStatus(2, StakingRouter.ModuleStatus.DepositsPaused);
        dsm.addGuardian(makeAddr("guardian4"), 2);
        dsm.setMaxDepositsPerCall(40);
        dsm.setPauseIntentValidityBlocks(77);
        vm.stopPrank();
        vm.prank(vm.addr(guardianKeys[0]));
        dsm.pauseDeposits(block.number, 2, DepositSecurityModule.Signature(0, 0));
    }

    // ------------------------------------------------------------------------------------------ state snapshots
    function _poolState() private view returns (bytes memory) {
        return bytes.concat(
            abi.encode(pool.totalSupply(), pool.totalPooledEther(), pool.shareRate(), address(pool).balance),
            abi.encode(pool.balanceOf(alice), pool.balanceOf(bob), pool.balanceOf(carol), pool.balanceOf(pool.DEAD_SHARES_HOLDER())),
            abi.encode(pool.allowance(alice, bob), pool.allowance(alice, carol), pool.nonces(alice), pool.DOMAIN_SEPARATOR()),
            _poolLimitState(),
            _poolBeaconState(),
            abi.encode(
                pool.hasRole(pool.DEFAULT_ADMIN_ROLE(), admin),
                pool.hasRole(pool.DEPOSIT_ROLE(), address(dsm)),
                pool.hasRole(pool.STAKING_PAUSE_ROLE(), admin),
                pool.hasRole(pool.STAKING_CONTROL_ROLE(), admin)
            )
        );
    }

    function _poolLimitState() private view returns (bytes memory) {
        (bool paused, bool limited, uint256 maxLimit, uint256 perBlock) = pool.getStakeLimitParams();
        return abi.encode(paused, limited, maxLimit, perBlock, pool.getCurrentStakeLimit());
    }

    function _poolBeaconState() private view returns (bytes memory) {
        (uint256 deposited, uint256 seen, uint256 beaconBalance) = pool.getBeaconStat();
        return bytes.concat(
            abi.encode(deposited, seen, beaconBalance),
            abi.encode(pool.getBufferedEther(), pool.getTransientEther(), pool.getRouter())
        );
    }

    function _routerState() private view returns (bytes memory) {
        return bytes.concat(
            abi.encode(router.getStakingModuleCount(), router.getStakingModule(1), router.getStakingModule(2)),
            abi.encode(router.getTreasury(), router.getPool(), router.getDepositContract(), router.getWithdrawalCredentials()),
            abi.encode(router.getTotalActiveValidators(), router.getStakingModuleNonce(1), router.isModuleActive(2)),
            abi.encode(router.hasRole(router.DEFAULT_ADMIN_ROLE(), admin), router.hasRole(router.MANAGE_MODULES_ROLE(), admin))
        );
    }

    function _registryState() private view returns (bytes memory state) {
        uint256 operators = registry.getOperatorCount();
        state = abi.encode(operators, registry.getClusterCount(), registry.getNonce());
        for (uint256 id = 1; id <= operators; ++id) {
            state = bytes.concat(state, abi.encode(registry.getOperator(id), registry.getOperatorName(id), registry.unlockedBond(id)));
        }
        for (uint256 id = 1; id <= registry.getClusterCount(); ++id) {
            OperatorRegistry.Cluster memory c = registry.getCluster(id);
            (bytes memory pk, bytes memory sig) = registry.getKeys(id, 0, c.totalKeys);
            state = bytes.concat(state, abi.encode(c, registry.getClusterMembers(id), registry.getKeyBatches(id), pk, sig));
        }
        state = bytes.concat(state, _registryModuleState());
    }

    function _registryModuleState() private view returns (bytes memory) {
        (uint256 first, uint256 next) = registry.getBondCurve();
        (uint256 exited, uint256 deposited, uint256 depositable) = registry.getStakingModuleSummary();
        (uint256[] memory ids, uint256[] memory counts, uint256 total) = registry.getDepositAllocation(100);
        return bytes.concat(
            abi.encode(first, next, exited, deposited, depositable),
            abi.encode(ids, counts, total),
            abi.encode(registry.hasRole(registry.ROUTER_ROLE(), address(router)), registry.hasRole(registry.DEFAULT_ADMIN_ROLE(), admin))
        );
    }

    function _dsmState() private view returns (bytes memory) {
        return bytes.concat(
            abi.encode(dsm.getGuardians(), dsm.getGuardianQuorum(), dsm.isDepositsPaused(1), dsm.isDepositsPaused(2)),
            abi.encode(dsm.getMaxDepositsPerCall(), dsm.getPauseIntentValidityBlocks()),
            abi.encode(dsm.hasRole(dsm.DEFAULT_ADMIN_ROLE(), admin), dsm.hasRole(dsm.MANAGE_GUARDIANS_ROLE(), admin))
        );
    }

    function _allState() private view returns (bytes memory) {
        return bytes.concat(_poolState(), _routerState(), _registryState(), _dsmState());
    }

    function _implementation(address proxy) private view returns (address) {
        return address(uint160(uint256(vm.load(proxy, ERC1967Utils.IMPLEMENTATION_SLOT))));
    }

    /// @dev The admin upgrades `proxy` to `impl` and runs the V2 reinitializer; checks the version moves.
    function _upgrade(address proxy, address impl, uint256 marker) private {
        vm.assertEq(uint256(IUpgradeableV2(proxy).getContractVersion()), 1);
        vm.expectEmit(proxy);
        emit IERC1967.Upgraded(impl);
        vm.prank(admin);
        UUPSUpgradeable(proxy).upgradeToAndCall(impl, abi.encodeCall(IUpgradeableV2.initializeV2, (marker)));
        vm.assertEq(_implementation(proxy), impl);
        vm.assertEq(uint256(IUpgradeableV2(proxy).getContractVersion()), 2);
        vm.assertEq(IUpgradeableV2(proxy).version2(), marker);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        IUpgradeableV2(proxy).initializeV2(marker + 1);
    }

    // ============================================================================ admin upgrades keep state
    function test_upgrade_stakingPool_keepsEveryValue() public {
        bytes memory before = _allState();
        _upgrade(address(pool), address(new StakingPoolV2(withdrawalQueue)), 11);
        vm.assertEq(_allState(), before);
    }

    function test_upgrade_stakingRouter_keepsEveryValue() public {
        bytes memory before = _allState();
        _upgrade(address(router), address(new StakingRouterV2()), 22);
        vm.assertEq(_allState(), before);
    }

    function test_upgrade_operatorRegistry_keepsEveryValue() public {
        bytes memory before = _allState();
        _upgrade(address(registry), address(new OperatorRegistryV2()), 33);
        vm.assertEq(_allState(), before);
    }

    function test_upgrade_depositSecurityModule_keepsEveryValue() public {
        bytes memory before = _allState();
        _upgrade(address(dsm), address(new DepositSecurityModuleV2()), 44);
        vm.assertEq(_allState(), before);
    }

    /// After all four upgrades the money path still works end to end: stake, transfer, guarded deposit.
    function test_upgrade_allFour_thenTheMoneyPathStillWorks() public {
        bytes memory before = _allState();
        _upgrade(address(pool), address(new StakingPoolV2(withdrawalQueue)), 1);
        _upgrade(address(router), address(new StakingRouterV2()), 2);
        _upgrade(address(registry), address(new OperatorRegistryV2()), 3);
        _upgrade(address(dsm), address(new DepositSecurityModuleV2()), 4);
        vm.assertEq(_allState(), before);

        uint256 supply = pool.totalSupply();
        vm.roll(block.number + 200); // the stake limit regenerates
        stake(carol, 64 ether);
        vm.assertEq(pool.totalSupply(), supply + 64 ether);
        vm.prank(bob);
        pool.transferFrom(alice, bob, 3 ether);
        vm.assertEq(pool.allowance(alice, bob), 0);
        // the raised curve left operator 1 (in both clusters) without spare bond: top it up and let cluster B
        // confirm its second batch; then one more validator fits each cluster's tightest member
        vm.deal(stranger, 2 ether);
        vm.prank(stranger);
        registry.topUpBond{value: 2 ether}(1);
        (bytes memory pk, bytes memory sig) = makeKeys(2, 4);
        uint256[] memory members = registry.getClusterMembers(clusterB);
        for (uint256 m; m < members.length; ++m) {
            vm.prank(operatorManager(members[m]));
            registry.confirmKeys(clusterB, 1, codeHash(pk, sig));
        }
        (uint256[] memory ids, uint256[] memory counts, uint256 total) = registry.getDepositAllocation(100);
        vm.assertEq(total, 2);
        vm.assertEq(ids[0], clusterA);
        vm.assertEq(counts[0], 1);
        vm.assertEq(counts[1], 1);
        uint256 depositedBefore = DEPOSIT_CONTRACT.balance;
        vm.assertEq(attestAndDeposit(), 2);
        vm.assertEq(DEPOSIT_CONTRACT.balance, depositedBefore + 64 ether);
        (uint256 deposited,,) = pool.getBeaconStat();
        vm.assertEq(deposited, 8);
    }

    // ============================================================================ who may upgrade
    function test_upgrade_byNonAdmin_reverts() public {
        address[4] memory proxies = [address(pool), address(router), address(registry), address(dsm)];
        address[4] memory impls = [
            address(new StakingPoolV2(withdrawalQueue)),
            address(new StakingRouterV2()),
            address(new OperatorRegistryV2()),
            address(new DepositSecurityModuleV2())
        ];
        // holders of operational roles are strangers to upgrades too
        bytes32 control = pool.STAKING_CONTROL_ROLE();
        address[2] memory callers = [stranger, makeAddr("operationsOnly")];
        vm.prank(admin);
        pool.grantRole(control, callers[1]);
        for (uint256 i; i < 4; ++i) {
            address old = _implementation(proxies[i]);
            for (uint256 c; c < 2; ++c) {
                vm.expectRevert(
                    abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, callers[c], bytes32(0))
                );
                vm.prank(callers[c]);
                UUPSUpgradeable(proxies[i]).upgradeToAndCall(impls[i], abi.encodeCall(IUpgradeableV2.initializeV2, (1)));
            }
            vm.assertEq(_implementation(proxies[i]), old);
            vm.assertEq(uint256(IUpgradeableV2(proxies[i]).getContractVersion()), 1);
        }
    }

    function test_upgrade_toNonUupsTarget_reverts() public {
        address notUups = DEPOSIT_CONTRACT; // has code, but no proxiableUUID
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ERC1967Utils.ERC1967InvalidImplementation.selector, notUups));
        UUPSUpgradeable(address(pool)).upgradeToAndCall(notUups, "");
        // an address without code fails Solidity's code-size check before the try/catch: a bare revert
        vm.prank(admin);
        vm.expectRevert(bytes(""));
        UUPSUpgradeable(address(registry)).upgradeToAndCall(stranger, "");
        vm.assertEq(uint256(registry.getContractVersion()), 1);
        vm.assertEq(pool.totalSupply(), pool.totalPooledEther());
    }

    function test_upgrade_calledOnTheImplementation_reverts() public {
        address impl = _implementation(address(pool));
        address next = address(new StakingPoolV2(withdrawalQueue));
        vm.prank(admin);
        vm.expectRevert(UUPSUpgradeable.UUPSUnauthorizedCallContext.selector);
        UUPSUpgradeable(impl).upgradeToAndCall(next, "");
    }
}
