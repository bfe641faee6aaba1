// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {IDvtModule} from "../../src/interfaces/IDvtModule.sol";

/// @notice The full protocol (real pool, router, deposit path, WithdrawalVault with the EIP-7002 predeploy) plus
///         the actors of the DVT module's economics: the oracle (`REPORTER_ROLE`), a keeper
///         (`EXIT_REQUESTER_ROLE`) and governance for penalties and exits.
abstract contract ModulesFixture is ShoalFixture {
    address internal reporter = makeAddr("reporter");
    address internal keeper = makeAddr("keeper");
    address internal stranger = makeAddr("stranger");
    address internal feeSource = makeAddr("feeSource");
    uint256 internal keySeed = 1_000;

    function setUpModules() internal {
        setUpShoal();
        vm.startPrank(admin);
        registry.grantRole(registry.REPORTER_ROLE(), reporter);
        registry.grantRole(registry.EXIT_REQUESTER_ROLE(), keeper);
        registry.grantRole(registry.MANAGE_PENALTIES_ROLE(), admin);
        registry.grantRole(registry.MANAGE_EXITS_ROLE(), admin);
        (address p,) = registry.getProtocolContracts();
        if (p == address(0)) registry.setProtocolContracts(address(pool), address(withdrawalVault));
        vm.stopPrank();
    }

    // ------------------------------------------------------------------------------------------ shapes
    function ids(uint256 from, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            out[i] = from + i;
        }
    }

    /// @dev Registers operators for indexes `from`..`from+n-1`, bonded for `validators` each, and forms a cluster.
    function newCluster(uint256 from, uint256 n, uint256 validators) internal returns (uint256 clusterId) {
        clusterId = createCluster(registerOperators(from, n, registry.bondForValidators(validators)));
    }

    /// @dev Gives cluster `clusterId` `k` confirmed keys, deposits them through the real deposit path (the
    ///      cluster must be the only one with undeposited confirmed keys), then lets an (empty) oracle report
    ///      pass so that they earn.
    function depositTo(uint256 clusterId, uint256 k) internal {
        depositOnly(clusterId, k);
        emptyReport();
    }

    function depositOnly(uint256 clusterId, uint256 k) internal {
        addConfirmedKeys(clusterId, k, keySeed++);
        stake(makeAddr("staker"), k * 32 ether);
        vm.roll(block.number + 1);
        vm.assertEq(attestAndDeposit(), k, "deposited");
    }

    function emptyReport() internal {
        vm.prank(reporter);
        registry.processClusterReports(new IDvtModule.ClusterReport[](0));
    }

    /// @dev What the pool does on a report: mint `shares` dvETH to the registry, then the router tells it.
    function mintRewards(uint256 shares) internal {
        fundRegistry(shares);
        vm.prank(address(router));
        registry.onRewardsMinted(shares);
    }

    /// @dev The pool's mint (dvETH shares to the registry), without the router's notification.
    function fundRegistry(uint256 shares) internal {
        stake(feeSource, pool.convertToAssets(shares) + 1);
        vm.prank(feeSource);
        pool.transfer(address(registry), shares);
    }

    // ------------------------------------------------------------------------------------------ oracle
    function reportOne(uint256 clusterId, uint256 exitedTotal, uint256 slashed, uint256 missedBps, uint256 stolen)
        internal
    {
        IDvtModule.ClusterReport[] memory r = new IDvtModule.ClusterReport[](1);
        r[0] = IDvtModule.ClusterReport(clusterId, exitedTotal, slashed, missedBps, stolen);
        vm.prank(reporter);
        registry.processClusterReports(r);
    }

    function exited(uint256 clusterId) internal view returns (uint256) {
        return registry.getCluster(clusterId).exitedKeys;
    }

    function bondOf(uint256 operatorId) internal view returns (uint256) {
        return registry.getOperator(operatorId).bond;
    }

    function claimable(uint256 operatorId) internal view returns (uint256 c) {
        (c,) = registry.getOperatorRewards(operatorId);
    }

    function requestOne(address who, uint256 clusterId, uint256 count) internal {
        uint256[] memory c = new uint256[](1);
        uint256[] memory n = new uint256[](1);
        (c[0], n[0]) = (clusterId, count);
        vm.prank(who);
        registry.requestExits(c, n);
    }
}
