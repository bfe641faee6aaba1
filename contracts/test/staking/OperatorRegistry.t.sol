// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {UnknownOperator, UnknownCluster, NotOperatorManager, NotClusterMember, NonceChanged} from "../../src/modules/RegistryLayout.sol";
import {BondCurve} from "../../src/modules/BondCurve.sol";
import {ShoalUpgradeable} from "../../src/base/ShoalUpgradeable.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice The DVT module: operators and bonds, the bond curve, clusters, key batches and their confirmation,
///         and what becomes depositable (bond-covered, least-active-first), each as a before/after state diff.
contract OperatorRegistryTest is ShoalFixture {
    address internal stranger = makeAddr("stranger");
    address internal staker = makeAddr("staker");

    function setUp() public {
        setUpShoal();
    }

    // ------------------------------------------------------------------------------------------ helpers
    function _four(uint256 a, uint256 b, uint256 c, uint256 d) private pure returns (uint256[] memory ids) {
        ids = new uint256[](4);
        (ids[0], ids[1], ids[2], ids[3]) = (a, b, c, d);
    }

    function _seq(uint256 from, uint256 n) private pure returns (uint256[] memory ids) {
        ids = new uint256[](n);
        for (uint256 i; i < n; ++i) ids[i] = from + i;
    }

    function _manager(uint256 operatorId) private view returns (address) {
        return registry.getOperator(operatorId).manager;
    }

    /// @dev The first member adds `count` keys (not yet confirmed).
    function _addKeys(uint256 clusterId, uint256 count, uint256 seed)
        private
        returns (uint256 batch, bytes memory pubkeys, bytes memory signatures)
    {
        (pubkeys, signatures) = makeKeys(count, seed);
        vm.prank(_manager(registry.getClusterMembers(clusterId)[0]));
        batch = registry.addKeys(clusterId, pubkeys, signatures);
    }

    function _confirmAll(uint256 clusterId, uint256 batch, bytes32 hash) private {
        uint256[] memory members = registry.getClusterMembers(clusterId);
        for (uint256 m; m < members.length; ++m) {
            vm.prank(_manager(members[m]));
            registry.confirmKeys(clusterId, batch, hash);
        }
    }

    function _stakeValidators(uint256 n) private {
        stake(staker, n * 32 ether);
    }

    function _slice(bytes memory data, uint256 from, uint256 len) private pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) out[i] = data[from + i];
    }

    function _depositable() private view returns (uint256 depositable) {
        (,, depositable) = registry.getStakingModuleSummary();
    }

    // ============================================================================ operators and bonds
    function test_registerOperator_assignsIdAndTakesBond() public {
        address m = operatorManager(1);
        address reward = makeAddr("reward1");
        vm.deal(m, 3 ether);
        uint256 nonce = registry.getNonce();
        vm.expectEmit(address(registry));
        emit OperatorRegistry.OperatorRegistered(1, m, reward, "alpha");
        vm.expectEmit(address(registry));
        emit OperatorRegistry.BondDeposited(1, m, 3 ether, 3 ether);
        vm.prank(m);
        uint256 id = registry.registerOperator{value: 3 ether}("alpha", reward);

        vm.assertEq(id, 1, "ids start at 1");
        vm.assertEq(registry.getOperatorCount(), 1);
        OperatorRegistry.Operator memory op = registry.getOperator(1);
        vm.assertEq(op.manager, m);
        vm.assertEq(op.rewardAddress, reward);
        vm.assertEq(uint256(op.bond), 3 ether);
        vm.assertEq(uint256(op.validators), 0);
        vm.assertEq(uint256(op.clusters), 0);
        vm.assertEq(registry.getOperatorName(1), "alpha");
        vm.assertEq(address(registry).balance, 3 ether);
        vm.assertEq(m.balance, 0);
        vm.assertEq(registry.unlockedBond(1), 3 ether);
        vm.assertEq(registry.getNonce(), nonce, "no key is affected by a new operator");

        // without a bond: no BondDeposited
        vm.recordLogs();
        vm.prank(operatorManager(2));
        vm.assertEq(registry.registerOperator("beta", operatorManager(2)), 2);
        vm.assertEq(vm.getRecordedLogs().length, 1, "only OperatorRegistered");
        vm.assertEq(uint256(registry.getOperator(2).bond), 0);
    }

    function test_registerOperator_zeroRewardAddress_reverts() public {
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "rewardAddress"));
        registry.registerOperator("x", address(0));
        vm.assertEq(registry.getOperatorCount(), 0);
    }

    function test_getOperator_unknown_reverts() public {
        registerOperators(1, 1, 0);
        vm.expectRevert(abi.encodeWithSelector(UnknownOperator.selector, 0));
        registry.getOperator(0);
        vm.expectRevert(abi.encodeWithSelector(UnknownOperator.selector, 2));
        registry.getOperator(2);
    }

    function test_topUpBond_byAnyone() public {
        registerOperators(1, 1, 1 ether);
        uint256 nonce = registry.getNonce();
        vm.deal(stranger, 2 ether);
        vm.expectEmit(address(registry));
        emit OperatorRegistry.BondDeposited(1, stranger, 2 ether, 3 ether);
        vm.expectEmit(address(registry));
        emit NonceChanged(nonce + 1);
        vm.prank(stranger);
        registry.topUpBond{value: 2 ether}(1);
        vm.assertEq(uint256(registry.getOperator(1).bond), 3 ether);
        vm.assertEq(address(registry).balance, 3 ether);
        vm.assertEq(stranger.balance, 0);
        vm.assertEq(registry.getNonce(), nonce + 1);

        vm.prank(stranger);
        vm.expectRevert(OperatorRegistry.ZeroAmount.selector);
        registry.topUpBond(1);
        vm.deal(stranger, 1 ether);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(UnknownOperator.selector, 9));
        registry.topUpBond{value: 1 ether}(9);
    }

    function test_withdrawBond_onlyManager_upToUnlocked() public {
        registerOperators(1, 1, 3 ether);
        address m = operatorManager(1);
        address payable to = payable(makeAddr("payee"));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotOperatorManager.selector, 1, stranger));
        registry.withdrawBond(1, 1 ether, to);
        vm.startPrank(m);
        vm.expectRevert(OperatorRegistry.ZeroAmount.selector);
        registry.withdrawBond(1, 0, to);
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "to"));
        registry.withdrawBond(1, 1 ether, payable(address(0)));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.BondShortfall.selector, 1, 3 ether + 1, 3 ether));
        registry.withdrawBond(1, 3 ether + 1, to);

        uint256 nonce = registry.getNonce();
        vm.expectEmit(address(registry));
        emit OperatorRegistry.BondWithdrawn(1, to, 1 ether, 2 ether);
        registry.withdrawBond(1, 1 ether, to);
        vm.stopPrank();
        vm.assertEq(uint256(registry.getOperator(1).bond), 2 ether);
        vm.assertEq(to.balance, 1 ether);
        vm.assertEq(address(registry).balance, 2 ether);
        vm.assertEq(registry.getNonce(), nonce + 1);
    }

    function test_withdrawBond_lockedByDepositedValidators() public {
        uint256 clusterId = readyCluster(1, 4, 3, 3, 1); // each member bonded exactly for 3 validators
        vm.deal(stranger, 0.7 ether);
        vm.prank(stranger);
        registry.topUpBond{value: 0.7 ether}(1);
        vm.assertEq(registry.unlockedBond(1), registry.bondForValidators(3) + 0.7 ether, "nothing deposited yet");
        _stakeValidators(3);
        vm.assertEq(attestAndDeposit(), 3);
        vm.assertEq(registry.getCluster(clusterId).depositedKeys, 3);

        // unlocked = bond - bondForValidators(validators)
        vm.assertEq(registry.unlockedBond(1), 0.7 ether);
        vm.assertEq(registry.unlockedBond(2), 0);
        vm.prank(operatorManager(2));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.BondShortfall.selector, 2, 1, 0));
        registry.withdrawBond(2, 1, payable(operatorManager(2)));
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.BondShortfall.selector, 1, 0.7 ether + 1, 0.7 ether));
        registry.withdrawBond(1, 0.7 ether + 1, payable(operatorManager(1)));
        uint256 before = operatorManager(1).balance;
        vm.prank(operatorManager(1));
        registry.withdrawBond(1, 0.7 ether, payable(operatorManager(1)));
        vm.assertEq(operatorManager(1).balance, before + 0.7 ether);
        vm.assertEq(uint256(registry.getOperator(1).bond), registry.bondForValidators(3));
        vm.assertEq(registry.unlockedBond(1), 0);
    }

    function test_setManagerAndRewardAddress_onlyManager() public {
        registerOperators(1, 1, 1 ether);
        address next = makeAddr("nextManager");
        address reward = makeAddr("newReward");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotOperatorManager.selector, 1, stranger));
        registry.setManager(1, stranger);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotOperatorManager.selector, 1, stranger));
        registry.setRewardAddress(1, stranger);

        vm.startPrank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "rewardAddress"));
        registry.setRewardAddress(1, address(0));
        vm.expectEmit(address(registry));
        emit OperatorRegistry.OperatorRewardAddressSet(1, reward);
        registry.setRewardAddress(1, reward);
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "manager"));
        registry.setManager(1, address(0));
        vm.expectEmit(address(registry));
        emit OperatorRegistry.OperatorManagerSet(1, next);
        registry.setManager(1, next);
        vm.expectRevert(abi.encodeWithSelector(NotOperatorManager.selector, 1, operatorManager(1)));
        registry.withdrawBond(1, 1, payable(operatorManager(1)));
        vm.stopPrank();
        vm.assertEq(registry.getOperator(1).rewardAddress, reward);
        vm.prank(next);
        registry.withdrawBond(1, 1 ether, payable(next));
        vm.assertEq(next.balance, 1 ether);
    }

    // ============================================================================ bond curve
    function test_bondCurve_firstValidatorCostsMore() public view {
        (uint256 first, uint256 next) = registry.getBondCurve();
        vm.assertEq(first, FIRST_BOND);
        vm.assertEq(next, NEXT_BOND);
        vm.assertEq(registry.bondForValidators(0), 0);
        vm.assertEq(registry.bondForValidators(1), 1 ether);
        vm.assertEq(registry.bondForValidators(2), 1.5 ether);
        vm.assertEq(registry.bondForValidators(10), 5.5 ether);
        vm.assertEq(registry.validatorsForBond(0), 0);
        vm.assertEq(registry.validatorsForBond(1 ether - 1), 0);
        vm.assertEq(registry.validatorsForBond(1 ether), 1);
        vm.assertEq(registry.validatorsForBond(1.5 ether - 1), 1);
        vm.assertEq(registry.validatorsForBond(1.5 ether), 2);
        vm.assertEq(registry.validatorsForBond(5.5 ether), 10);
    }

    function testFuzz_bondCurve_validatorsForBondInvertsBondForValidators(uint256 first, uint256 next, uint256 v)
        public
    {
        next = bound(next, 1, 100 ether);
        first = bound(first, next, 1000 ether);
        v = bound(v, 0, 1_000_000);
        vm.prank(admin);
        registry.setBondCurve(first, next);
        uint256 bond = registry.bondForValidators(v);
        vm.assertEq(registry.validatorsForBond(bond), v, "exact inverse at the curve's points");
        if (v > 0) vm.assertEq(registry.validatorsForBond(bond - 1), v - 1, "a wei less covers one fewer");
        vm.assertEq(registry.bondForValidators(v + 1) - bond, v == 0 ? first : next, "marginal bond");
    }

    function testFuzz_bondCurve_bondCoversExactlyWhatItPaysFor(uint256 first, uint256 next, uint256 bond) public {
        next = bound(next, 1, 100 ether);
        first = bound(first, next, 1000 ether);
        bond = bound(bond, 0, 10_000_000 ether);
        vm.prank(admin);
        registry.setBondCurve(first, next);
        uint256 v = registry.validatorsForBond(bond);
        vm.assertLe(registry.bondForValidators(v), bond);
        vm.assertGt(registry.bondForValidators(v + 1), bond);
    }

    function test_setBondCurve_roleEventsAndValidation() public {
        uint256 nonce = registry.getNonce();
        bytes32 role = registry.MANAGE_BOND_CURVE_ROLE();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role));
        registry.setBondCurve(2 ether, 1 ether);

        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(BondCurve.InvalidBondCurve.selector, 1 ether, 0));
        registry.setBondCurve(1 ether, 0);
        vm.expectRevert(abi.encodeWithSelector(BondCurve.InvalidBondCurve.selector, 1 ether, 1 ether + 1));
        registry.setBondCurve(1 ether, 1 ether + 1);
        uint256 huge = uint256(type(uint128).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(BondCurve.InvalidBondCurve.selector, huge, 1 ether));
        registry.setBondCurve(huge, 1 ether);
        vm.expectEmit(address(registry));
        emit BondCurve.BondCurveSet(2 ether, 2 ether);
        vm.expectEmit(address(registry));
        emit NonceChanged(nonce + 1);
        registry.setBondCurve(2 ether, 2 ether); // flat is allowed
        vm.stopPrank();
        (uint256 first, uint256 next) = registry.getBondCurve();
        vm.assertEq(first, 2 ether);
        vm.assertEq(next, 2 ether);
    }

    function test_setBondCurve_raisingItShrinksDepositableButNeverTouchesBonds() public {
        uint256 clusterId = readyCluster(1, 4, 3, 5, 1); // bond 2 ETH each: 3 validators on the default curve
        vm.assertEq(_depositable(), 3);
        vm.prank(admin);
        registry.setBondCurve(2 ether, 1 ether);
        vm.assertEq(_depositable(), 1, "2 ETH now covers one validator");
        vm.assertEq(uint256(registry.getOperator(1).bond), 2 ether);
        _stakeValidators(5);
        vm.assertEq(attestAndDeposit(), 1);
        vm.assertEq(registry.getCluster(clusterId).depositedKeys, 1);
    }

    // ============================================================================ clusters
    function test_createCluster_sizesOutsideFourSevenTen_revert() public {
        registerOperators(1, 11, 0);
        uint256[9] memory bad = [uint256(0), 1, 2, 3, 5, 6, 8, 9, 11];
        for (uint256 i; i < bad.length; ++i) {
            vm.prank(operatorManager(1));
            vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.InvalidClusterSize.selector, bad[i]));
            registry.createCluster(_seq(1, bad[i]));
        }
        vm.assertEq(registry.getClusterCount(), 0);
    }

    function test_createCluster_sizesAndThresholds() public {
        registerOperators(1, 10, 0);
        uint256[3] memory sizes = [uint256(4), 7, 10];
        uint256[3] memory thresholds = [uint256(3), 5, 7];
        for (uint256 i; i < 3; ++i) {
            uint256[] memory ids = _seq(1, sizes[i]);
            vm.assertEq(registry.thresholdFor(sizes[i]), thresholds[i]);
            vm.expectEmit(address(registry));
            emit OperatorRegistry.ClusterCreated(i + 1, ids, thresholds[i]);
            vm.prank(operatorManager(sizes[i])); // any member may create it, here the last one
            uint256 clusterId = registry.createCluster(ids);
            vm.assertEq(clusterId, i + 1);
            OperatorRegistry.Cluster memory c = registry.getCluster(clusterId);
            vm.assertEq(uint256(c.size), sizes[i]);
            vm.assertEq(uint256(c.threshold), thresholds[i]);
            vm.assertTrue(c.active);
            vm.assertEq(uint256(c.totalKeys) + c.confirmedKeys + c.depositedKeys + c.exitedKeys + c.confirmedBatches, 0);
            uint256[] memory members = registry.getClusterMembers(clusterId);
            vm.assertEq(members.length, sizes[i]);
            for (uint256 m; m < members.length; ++m) vm.assertEq(members[m], ids[m]);
        }
        vm.assertEq(registry.getClusterCount(), 3);
        vm.assertEq(uint256(registry.getOperator(1).clusters), 3, "in all three");
        vm.assertEq(uint256(registry.getOperator(5).clusters), 2);
        vm.assertEq(uint256(registry.getOperator(10).clusters), 1);
    }

    function test_createCluster_rejectsBadMemberLists() public {
        registerOperators(1, 5, 0);
        vm.startPrank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.OperatorsNotSortedOrDuplicate.selector, 1));
        registry.createCluster(_four(2, 1, 3, 4));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.OperatorsNotSortedOrDuplicate.selector, 2));
        registry.createCluster(_four(1, 2, 2, 3));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.OperatorsNotSortedOrDuplicate.selector, 3));
        registry.createCluster(_four(1, 2, 4, 3));
        vm.expectRevert(abi.encodeWithSelector(UnknownOperator.selector, 99));
        registry.createCluster(_four(1, 2, 3, 99));
        vm.expectRevert(abi.encodeWithSelector(UnknownOperator.selector, 0));
        registry.createCluster(_four(0, 1, 2, 3));
        vm.stopPrank();
        vm.prank(operatorManager(5)); // registered, but not in the list
        vm.expectRevert(abi.encodeWithSelector(NotClusterMember.selector, 0, operatorManager(5)));
        registry.createCluster(_four(1, 2, 3, 4));
        vm.assertEq(registry.getClusterCount(), 0);
        vm.assertEq(uint256(registry.getOperator(1).clusters), 0, "reverted membership is not counted");
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 1));
        registry.getCluster(1);
    }

    function test_setClusterActive_excludesAndRestoresTheCluster() public {
        uint256 clusterId = readyCluster(1, 4, 5, 5, 1);
        vm.assertEq(_depositable(), 5);
        uint256 nonce = registry.getNonce();
        vm.expectEmit(address(registry));
        emit OperatorRegistry.ClusterActiveSet(clusterId, false);
        vm.expectEmit(address(registry));
        emit NonceChanged(nonce + 1);
        vm.prank(admin);
        registry.setClusterActive(clusterId, false);
        vm.assertFalse(registry.getCluster(clusterId).active);
        vm.assertEq(_depositable(), 0);
        _stakeValidators(5);
        vm.assertEq(attestAndDeposit(), 0);
        vm.prank(admin);
        registry.setClusterActive(clusterId, true);
        vm.assertEq(registry.getNonce(), nonce + 2);
        vm.assertEq(_depositable(), 5);
        vm.roll(block.number + 1);
        vm.assertEq(attestAndDeposit(), 5);

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 7));
        registry.setClusterActive(7, false);
    }

    // ============================================================================ keys
    function test_addKeys_storesBatchAndEmits() public {
        uint256 clusterId = readyCluster(1, 4, 5, 0, 0);
        (bytes memory pubkeys, bytes memory signatures) = makeKeys(3, 1);
        bytes32 hash = codeHash(pubkeys, signatures);
        uint256 nonce = registry.getNonce();
        vm.expectEmit(address(registry));
        emit OperatorRegistry.KeysAdded(clusterId, 0, 0, 3, hash);
        vm.expectEmit(address(registry));
        emit NonceChanged(nonce + 1);
        vm.prank(operatorManager(3)); // any member
        vm.assertEq(registry.addKeys(clusterId, pubkeys, signatures), 0);

        OperatorRegistry.Cluster memory c = registry.getCluster(clusterId);
        vm.assertEq(uint256(c.totalKeys), 3);
        vm.assertEq(uint256(c.confirmedKeys), 0);
        OperatorRegistry.KeyBatch[] memory batches = registry.getKeyBatches(clusterId);
        vm.assertEq(batches.length, 1);
        vm.assertEq(uint256(batches[0].firstIndex), 0);
        vm.assertEq(uint256(batches[0].count), 3);
        vm.assertEq(uint256(batches[0].confirmations), 0);
        vm.assertEq(batches[0].data.codehash, hash, "the batch is stored as code whose hash members confirm");
        for (uint256 i; i < 3; ++i) vm.assertTrue(registry.isKeyRegistered(_slice(pubkeys, i * 48, 48)));
        vm.assertEq(_depositable(), 0, "unconfirmed keys are not depositable");

        (uint256 second,,) = _addKeys(clusterId, 2, 2);
        vm.assertEq(second, 1);
        batches = registry.getKeyBatches(clusterId);
        vm.assertEq(uint256(batches[1].firstIndex), 3);
        vm.assertEq(uint256(registry.getCluster(clusterId).totalKeys), 5);
    }

    function test_addKeys_wrongLengthsOrCounts_revert() public {
        uint256 clusterId = readyCluster(1, 4, 5, 0, 0);
        vm.startPrank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.InvalidKeyCount.selector, 0));
        registry.addKeys(clusterId, "", "");
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.InvalidKeyCount.selector, 0));
        registry.addKeys(clusterId, new bytes(47), new bytes(96));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.InvalidKeysLength.selector, 49, 96));
        registry.addKeys(clusterId, new bytes(49), new bytes(96));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.InvalidKeysLength.selector, 48, 95));
        registry.addKeys(clusterId, new bytes(48), new bytes(95));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.InvalidKeysLength.selector, 96, 96));
        registry.addKeys(clusterId, new bytes(96), new bytes(96));
        vm.stopPrank();
        uint256 max = registry.MAX_KEYS_PER_BATCH();
        (bytes memory pubkeys, bytes memory signatures) = makeKeys(max + 1, 5);
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.InvalidKeyCount.selector, max + 1));
        registry.addKeys(clusterId, pubkeys, signatures);
        // exactly the maximum fits
        (pubkeys, signatures) = makeKeys(max, 5);
        vm.prank(operatorManager(1));
        registry.addKeys(clusterId, pubkeys, signatures);
        vm.assertEq(uint256(registry.getCluster(clusterId).totalKeys), max);
    }

    function test_addKeys_duplicateWithinBatch_reverts() public {
        uint256 clusterId = readyCluster(1, 4, 5, 0, 0);
        (bytes memory pubkeys, bytes memory signatures) = makeKeys(2, 1);
        bytes memory first = _slice(pubkeys, 0, 48);
        bytes memory dupPubkeys = bytes.concat(pubkeys, first);
        bytes memory dupSigs = bytes.concat(signatures, _slice(signatures, 0, 96));
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.DuplicateKey.selector, first));
        registry.addKeys(clusterId, dupPubkeys, dupSigs);
        vm.assertFalse(registry.isKeyRegistered(first), "nothing was registered");
        vm.assertEq(uint256(registry.getCluster(clusterId).totalKeys), 0);
    }

    function test_addKeys_duplicateAcrossClusters_reverts() public {
        uint256 a = readyCluster(1, 4, 5, 3, 1);
        uint256 b = readyCluster(5, 4, 5, 0, 0);
        (bytes memory taken,) = registry.getKeys(a, 1, 1);
        (bytes memory fresh, bytes memory signatures) = makeKeys(2, 2);
        bytes memory pubkeys = bytes.concat(fresh, taken);
        signatures = bytes.concat(signatures, _slice(signatures, 0, 96));
        vm.prank(operatorManager(5));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.DuplicateKey.selector, taken));
        registry.addKeys(b, pubkeys, signatures);
        vm.assertFalse(registry.isKeyRegistered(_slice(fresh, 0, 48)));
        // re-adding its own key in the same cluster is a duplicate too
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.DuplicateKey.selector, taken));
        registry.addKeys(a, taken, _slice(signatures, 0, 96));
    }

    function test_addKeys_nonMemberOrUnknownCluster_reverts() public {
        uint256 a = readyCluster(1, 4, 5, 0, 0);
        readyCluster(5, 4, 5, 0, 0);
        (bytes memory pubkeys, bytes memory signatures) = makeKeys(1, 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotClusterMember.selector, a, stranger));
        registry.addKeys(a, pubkeys, signatures);
        vm.prank(operatorManager(5)); // operator of another cluster
        vm.expectRevert(abi.encodeWithSelector(NotClusterMember.selector, a, operatorManager(5)));
        registry.addKeys(a, pubkeys, signatures);
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 3));
        registry.addKeys(3, pubkeys, signatures);
    }

    function test_confirmKeys_everyMemberMustConfirm() public {
        uint256 clusterId = readyCluster(1, 4, 5, 0, 0);
        (uint256 batch, bytes memory pubkeys, bytes memory signatures) = _addKeys(clusterId, 3, 1);
        bytes32 hash = codeHash(pubkeys, signatures);
        uint256 nonce = registry.getNonce();
        for (uint256 m; m < 3; ++m) {
            vm.expectEmit(address(registry));
            emit OperatorRegistry.KeysConfirmed(clusterId, batch, m + 1);
            vm.prank(operatorManager(m + 1));
            registry.confirmKeys(clusterId, batch, hash);
            vm.assertEq(uint256(registry.getKeyBatches(clusterId)[0].confirmations), (1 << (m + 1)) - 1, "bitmask");
        }
        OperatorRegistry.Cluster memory c = registry.getCluster(clusterId);
        vm.assertEq(uint256(c.confirmedKeys), 0, "three of four is not enough");
        vm.assertEq(uint256(c.confirmedBatches), 0);
        vm.assertEq(registry.getNonce(), nonce, "partial confirmations change no depositable key");
        vm.assertEq(_depositable(), 0);

        vm.expectEmit(address(registry));
        emit OperatorRegistry.KeysConfirmed(clusterId, batch, 4);
        vm.expectEmit(address(registry));
        emit OperatorRegistry.KeyBatchFullyConfirmed(clusterId, batch, 3);
        vm.expectEmit(address(registry));
        emit NonceChanged(nonce + 1);
        vm.prank(operatorManager(4));
        registry.confirmKeys(clusterId, batch, hash);
        c = registry.getCluster(clusterId);
        vm.assertEq(uint256(c.confirmedKeys), 3);
        vm.assertEq(uint256(c.confirmedBatches), 1);
        vm.assertEq(_depositable(), 3);
    }

    function test_confirmKeys_rejectsStrangerWrongHashDoubleAndUnknownBatch() public {
        uint256 clusterId = readyCluster(1, 4, 5, 0, 0);
        (uint256 batch, bytes memory pubkeys, bytes memory signatures) = _addKeys(clusterId, 2, 1);
        bytes32 hash = codeHash(pubkeys, signatures);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotClusterMember.selector, clusterId, stranger));
        registry.confirmKeys(clusterId, batch, hash);
        bytes32 wrong = keccak256("another DKG output");
        vm.prank(operatorManager(2));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.BatchHashMismatch.selector, hash, wrong));
        registry.confirmKeys(clusterId, batch, wrong);
        vm.prank(operatorManager(2));
        registry.confirmKeys(clusterId, batch, hash);
        vm.prank(operatorManager(2));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.AlreadyConfirmed.selector, clusterId, batch, 2));
        registry.confirmKeys(clusterId, batch, hash);
        vm.prank(operatorManager(2));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.UnknownBatch.selector, clusterId, 1));
        registry.confirmKeys(clusterId, 1, hash);
        vm.assertEq(uint256(registry.getKeyBatches(clusterId)[0].confirmations), 1 << 1, "only member 2 counted");
    }

    function test_confirmKeys_laterBatchWaitsForEarlierOnes() public {
        uint256 clusterId = readyCluster(1, 4, 10, 0, 0);
        (uint256 b0, bytes memory pk0, bytes memory sig0) = _addKeys(clusterId, 3, 1);
        (uint256 b1, bytes memory pk1, bytes memory sig1) = _addKeys(clusterId, 2, 2);
        _confirmAll(clusterId, b1, codeHash(pk1, sig1));
        OperatorRegistry.Cluster memory c = registry.getCluster(clusterId);
        vm.assertEq(uint256(c.confirmedKeys), 0, "batch 1 is not depositable before batch 0");
        vm.assertEq(uint256(c.confirmedBatches), 0);
        vm.assertEq(_depositable(), 0);

        uint256 nonce = registry.getNonce();
        for (uint256 m = 1; m < 4; ++m) {
            vm.prank(operatorManager(m));
            registry.confirmKeys(clusterId, b0, codeHash(pk0, sig0));
        }
        vm.expectEmit(address(registry));
        emit OperatorRegistry.KeyBatchFullyConfirmed(clusterId, 0, 3);
        vm.expectEmit(address(registry));
        emit OperatorRegistry.KeyBatchFullyConfirmed(clusterId, 1, 5);
        vm.expectEmit(address(registry));
        emit NonceChanged(nonce + 1);
        vm.prank(operatorManager(4));
        registry.confirmKeys(clusterId, b0, codeHash(pk0, sig0));
        c = registry.getCluster(clusterId);
        vm.assertEq(uint256(c.confirmedKeys), 5, "the prefix jumps over both batches");
        vm.assertEq(uint256(c.confirmedBatches), 2);
        vm.assertEq(registry.getNonce(), nonce + 1, "one nonce bump for the whole advance");
        vm.assertEq(_depositable(), 5);
    }

    function test_removeKeys_onlyUndepositedBatches_keysReusable() public {
        uint256 clusterId = readyCluster(1, 4, 10, 3, 1); // batch 0: 3 confirmed keys
        addConfirmedKeys(clusterId, 2, 2); // batch 1
        (, bytes memory pk2, bytes memory sig2) = _addKeys(clusterId, 2, 3); // batch 2, unconfirmed
        _stakeValidators(2);
        vm.assertEq(attestAndDeposit(), 2); // two keys of batch 0

        vm.prank(operatorManager(2));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.BatchAlreadyDeposited.selector, clusterId, 0));
        registry.removeKeys(clusterId, 0);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotClusterMember.selector, clusterId, stranger));
        registry.removeKeys(clusterId, 1);
        vm.prank(operatorManager(2));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.UnknownBatch.selector, clusterId, 3));
        registry.removeKeys(clusterId, 3);

        (bytes memory pk1, bytes memory sig1) = makeKeys(2, 2);
        uint256 nonce = registry.getNonce();
        vm.expectEmit(address(registry));
        emit OperatorRegistry.KeysRemoved(clusterId, 1, 3);
        vm.expectEmit(address(registry));
        emit NonceChanged(nonce + 1);
        vm.prank(operatorManager(2));
        registry.removeKeys(clusterId, 1);

        OperatorRegistry.Cluster memory c = registry.getCluster(clusterId);
        vm.assertEq(uint256(c.totalKeys), 3);
        vm.assertEq(uint256(c.confirmedKeys), 3, "confirmed prefix rewinds to the kept batches");
        vm.assertEq(uint256(c.confirmedBatches), 1);
        vm.assertEq(uint256(c.depositedKeys), 2);
        vm.assertEq(registry.getKeyBatches(clusterId).length, 1);
        vm.assertFalse(registry.isKeyRegistered(_slice(pk1, 0, 48)));
        vm.assertFalse(registry.isKeyRegistered(_slice(pk2, 48, 48)));
        vm.assertTrue(registry.isKeyRegistered(_key(clusterId, 2)), "kept keys stay registered");
        vm.assertEq(_depositable(), 1);

        // the removed keys can be registered again, here in another cluster
        uint256 other = readyCluster(5, 4, 10, 0, 0);
        vm.prank(operatorManager(5));
        vm.assertEq(registry.addKeys(other, pk1, sig1), 0);
        vm.prank(operatorManager(1));
        vm.assertEq(registry.addKeys(clusterId, pk2, sig2), 1, "same batch index reused");
        vm.assertEq(uint256(registry.getKeyBatches(clusterId)[1].firstIndex), 3);
        vm.assertEq(uint256(registry.getCluster(clusterId).confirmedKeys), 3, "re-added keys need confirming again");
    }

    function _key(uint256 clusterId, uint256 index) private view returns (bytes memory pubkey) {
        (pubkey,) = registry.getKeys(clusterId, index, 1);
    }

    function test_removeKeys_atDepositBoundary_thenDepositsTheReplacement() public {
        uint256 clusterId = readyCluster(1, 4, 10, 3, 1);
        addConfirmedKeys(clusterId, 2, 2); // batch 1, keys 3..4
        _stakeValidators(3);
        vm.assertEq(attestAndDeposit(), 3, "all of batch 0");
        vm.assertEq(uint256(registry.getCluster(clusterId).depositBatch), 1);
        vm.prank(operatorManager(1));
        registry.removeKeys(clusterId, 1); // firstIndex 3 == depositedKeys: nothing of it was deposited
        addConfirmedKeys(clusterId, 2, 9);
        (bytes memory expected,) = makeKeys(2, 9);
        _stakeValidators(2);
        vm.roll(block.number + 1);
        vm.recordLogs();
        vm.assertEq(attestAndDeposit(), 2);
        bytes memory seen = _depositedPubkeys(vm.getRecordedLogs());
        vm.assertEq(keccak256(seen), keccak256(expected), "the replacement keys went to the deposit contract");
        vm.assertEq(uint256(registry.getCluster(clusterId).depositedKeys), 5);
    }

    function _depositedPubkeys(Vm.Log[] memory logs) private pure returns (bytes memory pubkeys) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != DEPOSIT_CONTRACT) continue;
            (bytes memory pk,,,,) = abi.decode(logs[i].data, (bytes, bytes, bytes, bytes, bytes));
            pubkeys = bytes.concat(pubkeys, pk);
        }
    }

    function test_getKeys_acrossBatchBoundaries() public {
        uint256 clusterId = readyCluster(1, 4, 10, 0, 0);
        (, bytes memory pk0, bytes memory sig0) = _addKeys(clusterId, 3, 1);
        (, bytes memory pk1, bytes memory sig1) = _addKeys(clusterId, 1, 2);
        (, bytes memory pk2, bytes memory sig2) = _addKeys(clusterId, 4, 3);
        bytes memory allPk = bytes.concat(pk0, pk1, pk2);
        bytes memory allSig = bytes.concat(sig0, sig1, sig2);
        (bytes memory pk, bytes memory sig) = registry.getKeys(clusterId, 0, 8);
        vm.assertEq(pk, allPk);
        vm.assertEq(sig, allSig);
        (pk, sig) = registry.getKeys(clusterId, 2, 5);
        vm.assertEq(pk, _slice(allPk, 2 * 48, 5 * 48));
        vm.assertEq(sig, _slice(allSig, 2 * 96, 5 * 96));
        (pk, sig) = registry.getKeys(clusterId, 3, 1);
        vm.assertEq(pk, pk1);
        vm.assertEq(sig, sig1);
        (pk, sig) = registry.getKeys(clusterId, 8, 0);
        vm.assertEq(pk.length + sig.length, 0);
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.NotEnoughDepositableKeys.selector, 9, 8));
        registry.getKeys(clusterId, 5, 4);
    }

    function test_deposit_acrossBatchBoundaries_handsOutKeysInOrder() public {
        uint256 clusterId = readyCluster(1, 4, 10, 3, 1);
        addConfirmedKeys(clusterId, 1, 2);
        addConfirmedKeys(clusterId, 4, 3);
        (bytes memory allPk,) = registry.getKeys(clusterId, 0, 8);
        _stakeValidators(2);
        vm.assertEq(attestAndDeposit(), 2);
        vm.assertEq(uint256(registry.getCluster(clusterId).depositBatch), 0, "key 2 is still in batch 0");
        _stakeValidators(4);
        vm.roll(block.number + 1);
        vm.recordLogs();
        vm.expectEmit(address(registry));
        emit OperatorRegistry.KeysDeposited(clusterId, 2, 4);
        vm.assertEq(attestAndDeposit(), 4);
        vm.assertEq(_depositedPubkeys(vm.getRecordedLogs()), _slice(allPk, 2 * 48, 4 * 48));
        OperatorRegistry.Cluster memory c = registry.getCluster(clusterId);
        vm.assertEq(uint256(c.depositedKeys), 6);
        vm.assertEq(uint256(c.depositBatch), 2, "key 6 is in batch 2 (keys 4..7)");
    }

    // ============================================================================ depositable and allocation
    function test_depositable_limitedByTheLeastBondedMember() public {
        registerOperators(1, 3, registry.bondForValidators(5));
        registerOperators(4, 1, registry.bondForValidators(2));
        uint256 clusterId = createCluster(_seq(1, 4));
        addConfirmedKeys(clusterId, 5, 1);
        (uint256[] memory ids, uint256[] memory counts, uint256 total) = registry.getDepositAllocation(100);
        vm.assertEq(total, 2, "member 4 covers two validators");
        vm.assertEq(ids.length, 1);
        vm.assertEq(ids[0], clusterId);
        vm.assertEq(counts[0], 2);
        (uint256 exited, uint256 deposited, uint256 depositable) = registry.getStakingModuleSummary();
        vm.assertEq(exited + deposited, 0);
        vm.assertEq(depositable, 2);

        _stakeValidators(5);
        vm.assertEq(attestAndDeposit(), 2);
        for (uint256 id = 1; id <= 4; ++id) vm.assertEq(uint256(registry.getOperator(id).validators), 2);
        vm.assertEq(registry.unlockedBond(4), 0);
        vm.assertEq(registry.unlockedBond(1), registry.bondForValidators(5) - registry.bondForValidators(2));
        vm.assertEq(_depositable(), 0);

        // anyone tops up the tight member: two more validators become depositable
        vm.deal(stranger, 2 * NEXT_BOND);
        vm.prank(stranger);
        registry.topUpBond{value: 2 * NEXT_BOND}(4);
        vm.assertEq(_depositable(), 2);
        vm.roll(block.number + 1);
        vm.assertEq(attestAndDeposit(), 2);
        vm.assertEq(uint256(registry.getCluster(clusterId).depositedKeys), 4);
        (, deposited,) = registry.getStakingModuleSummary();
        vm.assertEq(deposited, 4);
    }

    function test_depositable_sharedOperatorBondIsSharedAcrossClusters() public {
        registerOperators(1, 1, registry.bondForValidators(4)); // operator 1: bond for 4, in both clusters
        registerOperators(2, 6, registry.bondForValidators(10));
        uint256 a = createCluster(_four(1, 2, 3, 4));
        uint256 b = createCluster(_four(1, 5, 6, 7));
        addConfirmedKeys(a, 5, 1);
        addConfirmedKeys(b, 5, 2);
        (uint256[] memory ids, uint256[] memory counts, uint256 total) = registry.getDepositAllocation(100);
        vm.assertEq(total, 4, "operator 1's bond covers 4 validators across both clusters");
        vm.assertEq(ids[0], a);
        vm.assertEq(ids[1], b);
        vm.assertEq(counts[0], 2);
        vm.assertEq(counts[1], 2);

        _stakeValidators(10);
        vm.assertEq(attestAndDeposit(), 4);
        OperatorRegistry.Operator memory shared = registry.getOperator(1);
        vm.assertEq(uint256(shared.validators), 4);
        vm.assertLe(registry.bondForValidators(shared.validators), shared.bond, "never beyond its bond");
        vm.assertEq(registry.unlockedBond(1), 0);
        vm.assertEq(uint256(registry.getOperator(2).validators), 2);
        vm.assertEq(uint256(registry.getOperator(5).validators), 2);
        vm.assertEq(uint256(registry.getCluster(a).depositedKeys), 2);
        vm.assertEq(uint256(registry.getCluster(b).depositedKeys), 2);
        vm.assertEq(_depositable(), 0);
        vm.roll(block.number + 1);
        vm.assertEq(attestAndDeposit(), 0);
    }

    function test_allocation_leastActiveFirstAcrossThreeClusters() public {
        uint256 a = readyCluster(1, 4, 30, 5, 1);
        _stakeValidators(5);
        vm.assertEq(attestAndDeposit(), 5);
        uint256 b = readyCluster(5, 4, 30, 2, 2);
        _stakeValidators(2);
        vm.roll(block.number + 1);
        vm.assertEq(attestAndDeposit(), 2);
        uint256 c = readyCluster(9, 4, 30, 0, 0);
        addConfirmedKeys(a, 10, 4);
        addConfirmedKeys(b, 10, 5);
        addConfirmedKeys(c, 10, 6);
        // active: a 5, b 2, c 0. Six validators: c catches up with b (2), then b and c alternate to 4 each
        (uint256[] memory ids, uint256[] memory counts, uint256 total) = registry.getDepositAllocation(6);
        vm.assertEq(total, 6);
        vm.assertEq(ids.length, 3);
        vm.assertEq(ids[0], a);
        vm.assertEq(ids[1], b);
        vm.assertEq(ids[2], c);
        vm.assertEq(counts[0], 0, "the most active cluster gets nothing");
        vm.assertEq(counts[1], 2);
        vm.assertEq(counts[2], 4);

        _stakeValidators(6);
        vm.roll(block.number + 1);
        vm.assertEq(attestAndDeposit(), 6);
        vm.assertEq(uint256(registry.getCluster(a).depositedKeys), 5);
        vm.assertEq(uint256(registry.getCluster(b).depositedKeys), 4);
        vm.assertEq(uint256(registry.getCluster(c).depositedKeys), 4);
        // levels 5/4/4: the next three go one to each
        (, counts, total) = registry.getDepositAllocation(3);
        vm.assertEq(total, 3);
        vm.assertEq(counts[0], 1);
        vm.assertEq(counts[1], 1);
        vm.assertEq(counts[2], 1);
        (,, total) = registry.getDepositAllocation(100);
        vm.assertEq(total, 10 + 8 + 6, "every remaining confirmed key is bond-covered");
    }

    /// Property of the allocation, for any bonds, key counts and deposit sizes over three clusters that share
    /// operators 4 and 7: a deposit takes min(requested, depositable); no operator ends above what its bond
    /// covers; and a cluster that received a validator was never more than one ahead of a cluster that could
    /// still have taken one (least-active-first).
    /// forge-config: default.fuzz.runs = 64
    function testFuzz_allocation_boundedByBondsAndLeastActiveFirst(
        uint256[10] memory bondSeeds,
        uint256[3] memory keySeeds,
        uint256 first,
        uint256 second
    ) public {
        for (uint256 i; i < 10; ++i) registerOperators(i + 1, 1, bound(bondSeeds[i], 0, 6 ether));
        uint256[3] memory clusters =
            [createCluster(_four(1, 2, 3, 4)), createCluster(_four(4, 5, 6, 7)), createCluster(_four(7, 8, 9, 10))];
        for (uint256 c; c < 3; ++c) {
            uint256 keys = bound(keySeeds[c], 0, 8);
            if (keys > 0) addConfirmedKeys(clusters[c], keys, 100 + c);
        }
        _depositAndCheck(clusters, bound(first, 0, 6));
        // more keys for everyone, then a second deposit from uneven levels
        for (uint256 c; c < 3; ++c) addConfirmedKeys(clusters[c], 1 + (keySeeds[c] >> 8) % 8, 200 + c);
        vm.roll(block.number + 1);
        _depositAndCheck(clusters, bound(second, 1, 20));
    }

    function _depositAndCheck(uint256[3] memory clusters, uint256 requested) private {
        uint256 depositable = _depositable();
        uint256[3] memory before;
        for (uint256 c; c < 3; ++c) before[c] = registry.getCluster(clusters[c]).depositedKeys;
        if (requested > 0) _stakeValidators(requested);
        uint256 fundable = pool.getBufferedEther() / 32 ether; // includes what an earlier round left
        uint256 expected = fundable < depositable ? fundable : depositable;
        vm.assertEq(attestAndDeposit(), expected, "min(fundable, depositable)");
        for (uint256 id = 1; id <= 10; ++id) {
            OperatorRegistry.Operator memory op = registry.getOperator(id);
            vm.assertLe(op.validators, registry.validatorsForBond(op.bond), "bond covers the operator's validators");
        }
        for (uint256 i; i < 3; ++i) {
            uint256 activeI = registry.getCluster(clusters[i]).depositedKeys;
            if (activeI == before[i]) continue;
            for (uint256 j; j < 3; ++j) {
                if (j == i || !_canTakeOne(clusters[j])) continue;
                vm.assertLe(activeI, uint256(registry.getCluster(clusters[j]).depositedKeys) + 1, "least-active-first");
            }
        }
        if (expected < fundable) vm.assertEq(_depositable(), 0, "stopped early only when nothing was depositable");
    }

    /// @dev Whether a cluster has a confirmed undeposited key and every member can bond one more validator.
    function _canTakeOne(uint256 clusterId) private view returns (bool) {
        OperatorRegistry.Cluster memory c = registry.getCluster(clusterId);
        if (c.confirmedKeys <= c.depositedKeys) return false;
        uint256[] memory members = registry.getClusterMembers(clusterId);
        for (uint256 m; m < members.length; ++m) {
            OperatorRegistry.Operator memory op = registry.getOperator(members[m]);
            if (registry.validatorsForBond(op.bond) <= op.validators) return false;
        }
        return true;
    }

    function test_nonce_changesOnEveryKeySetChange() public {
        uint256 n = registry.getNonce();
        uint256[] memory ids = registerOperators(1, 4, registry.bondForValidators(10));
        uint256 clusterId = createCluster(ids);
        vm.assertEq(registry.getNonce(), n, "registration and cluster creation: no key changes");
        (uint256 batch, bytes memory pk, bytes memory sig) = _addKeys(clusterId, 3, 1);
        vm.assertEq(registry.getNonce(), ++n, "addKeys");
        _confirmAll(clusterId, batch, codeHash(pk, sig));
        vm.assertEq(registry.getNonce(), ++n, "batch fully confirmed");
        vm.deal(stranger, 1 ether);
        vm.prank(stranger);
        registry.topUpBond{value: 1 ether}(1);
        vm.assertEq(registry.getNonce(), ++n, "topUpBond");
        vm.prank(operatorManager(1));
        registry.withdrawBond(1, 0.5 ether, payable(stranger));
        vm.assertEq(registry.getNonce(), ++n, "withdrawBond");
        vm.prank(admin);
        registry.setBondCurve(1 ether, 0.25 ether);
        vm.assertEq(registry.getNonce(), ++n, "setBondCurve");
        vm.prank(admin);
        registry.setClusterActive(clusterId, true);
        vm.assertEq(registry.getNonce(), ++n, "setClusterActive");
        _stakeValidators(1);
        vm.assertEq(attestAndDeposit(), 1);
        vm.assertEq(registry.getNonce(), ++n, "deposit");
        _addKeys(clusterId, 1, 2);
        vm.assertEq(registry.getNonce(), ++n, "addKeys again");
        vm.prank(operatorManager(4));
        registry.removeKeys(clusterId, 1);
        vm.assertEq(registry.getNonce(), ++n, "removeKeys");
        vm.assertEq(router.getStakingModuleNonce(moduleId), n, "the router reads the module's nonce");
    }

    function test_obtainDepositData_onlyRouter() public {
        readyCluster(1, 4, 3, 3, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, registry.ROUTER_ROLE())
        );
        vm.prank(stranger);
        registry.obtainDepositData(1, "");
        vm.prank(address(router));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.NotEnoughDepositableKeys.selector, 4, 3));
        registry.obtainDepositData(4, "");
    }

    /// Found by the money-path tests: two members with one manager could never both confirm keys, and one entity
    /// would hold two signing shares. An address now manages one operator at most.
    function test_registerOperator_sameManagerTwice_reverts() public {
        registerOperators(1, 1, 1 ether);
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.ManagerAlreadyRegistered.selector, operatorManager(1), 1));
        registry.registerOperator("dup", operatorManager(1));
    }

    function test_setManager_toAnotherOperatorsManager_reverts_andFreesTheOldAddress() public {
        registerOperators(1, 2, 1 ether);
        vm.prank(operatorManager(1));
        vm.expectRevert(abi.encodeWithSelector(OperatorRegistry.ManagerAlreadyRegistered.selector, operatorManager(2), 2));
        registry.setManager(1, operatorManager(2));
        address fresh = makeAddr("fresh manager");
        vm.prank(operatorManager(1));
        registry.setManager(1, fresh);
        vm.assertEq(registry.getOperator(1).manager, fresh);
        // the old address may register an operator of its own now
        vm.prank(operatorManager(1));
        vm.assertEq(registry.registerOperator("again", operatorManager(1)), 3);
    }
}
