// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {Predeploys} from "../predeploys/Predeploys.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {StakingRouter} from "../../src/StakingRouter.sol";
import {DepositSecurityModule} from "../../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {Vm} from "../utils/Vm.sol";

contract DepositsTest is ShoalFixture {
    function setUp() public {
        setUpShoal();
    }

    function test_deposit_endToEnd_movesBufferToTransientAndHitsDepositContract() public {
        uint256 clusterId = readyCluster(1, 4, 3, 5, 1);
        stake(makeAddr("alice"), 100 ether);
        uint256 pooledBefore = pool.totalPooledEther();
        vm.recordLogs();
        uint256 deposited = attestAndDeposit();
        vm.assertEq(deposited, 3, "bond of each member covers 3 validators");
        vm.assertEq(pool.totalPooledEther(), pooledBefore, "a deposit never changes pooled ether");
        vm.assertEq(pool.getTransientEther(), 96 ether);
        vm.assertEq(pool.getBufferedEther(), pooledBefore - 96 ether);
        vm.assertEq(DEPOSIT_CONTRACT.balance, 96 ether);
        (uint256 depositedValidators,,) = pool.getBeaconStat();
        vm.assertEq(depositedValidators, 3);
        vm.assertEq(registry.getCluster(clusterId).depositedKeys, 3);
        // each member's bond is now fully used
        uint256[] memory members = registry.getClusterMembers(clusterId);
        for (uint256 m; m < members.length; ++m) {
            vm.assertEq(registry.getOperator(members[m]).validators, 3);
            vm.assertEq(registry.unlockedBond(members[m]), 0);
        }
        // the deposit contract saw our keys with our withdrawal credentials, in order
        (bytes memory pubkeys,) = registry.getKeys(clusterId, 0, 3);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 seen;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != DEPOSIT_CONTRACT) continue;
            (bytes memory pk, bytes memory wc,,,) = abi.decode(logs[i].data, (bytes, bytes, bytes, bytes, bytes));
            vm.assertEq(keccak256(pk), keccak256(_slice(pubkeys, seen * 48, 48)));
            vm.assertEq(bytes32(wc), withdrawalCredentials);
            ++seen;
        }
        vm.assertEq(seen, 3);
    }

    function test_deposit_limitedByBufferedEther() public {
        readyCluster(1, 4, 10, 10, 1);
        stake(makeAddr("alice"), 70 ether);
        vm.assertEq(attestAndDeposit(), 2);
        vm.assertEq(attestAndDeposit(), 0, "6 ETH left cannot make a validator");
    }

    function test_deposit_onlyConfirmedKeys() public {
        uint256[] memory ids = registerOperators(1, 4, 10 ether);
        uint256 clusterId = createCluster(ids);
        (bytes memory pubkeys, bytes memory signatures) = makeKeys(4, 7);
        vm.prank(operatorManager(1));
        uint256 batch = registry.addKeys(clusterId, pubkeys, signatures);
        stake(makeAddr("alice"), 200 ether);
        // three of four members confirm: nothing is depositable
        for (uint256 m; m < 3; ++m) {
            vm.prank(operatorManager(1 + m));
            registry.confirmKeys(clusterId, batch, codeHash(pubkeys, signatures));
        }
        vm.assertEq(attestAndDeposit(), 0);
        vm.prank(operatorManager(4));
        registry.confirmKeys(clusterId, batch, codeHash(pubkeys, signatures));
        vm.assertEq(attestAndDeposit(), 4);
    }

    /// The attack deposit safety exists for: a cluster member front-runs its own registered key with its own
    /// withdrawal credentials. The guardians' attestation for the earlier deposit root becomes useless, the
    /// guardian who notices pauses the module, and the key never receives pool ETH.
    function test_frontRunKey_neverReceivesPoolEther() public {
        uint256 clusterId = readyCluster(1, 4, 3, 3, 1);
        stake(makeAddr("alice"), 100 ether);
        // guardians attest the honest state
        uint256 blockNumber = block.number - 1;
        bytes32 blockHash = blockhash(blockNumber);
        bytes32 root = Predeploys.DEPOSIT_CONTRACT.get_deposit_root();
        uint256 nonce = router.getStakingModuleNonce(moduleId);
        DepositSecurityModule.Signature[] memory sigs =
            guardianSignatures(dsm.attestMessageHash(blockNumber, blockHash, root, moduleId, nonce), 2);
        // the attacker front-runs key 0 with 1 ETH and its own credentials
        (bytes memory pubkeys, bytes memory signatures) = registry.getKeys(clusterId, 0, 1);
        address attacker = operatorManager(1);
        bytes memory attackerWc = Predeploys.addressCredentials(0x01, attacker);
        vm.deal(attacker, 1 ether);
        vm.prank(attacker);
        Predeploys.DEPOSIT_CONTRACT.deposit{value: 1 ether}(
            pubkeys, attackerWc, signatures, Predeploys.depositDataRoot(pubkeys, attackerWc, signatures, 1 ether / 1 gwei)
        );
        // the stale attestation cannot move pool ETH
        bytes32 newRoot = Predeploys.DEPOSIT_CONTRACT.get_deposit_root();
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.DepositRootChanged.selector, root, newRoot));
        dsm.depositBufferedEther(blockNumber, blockHash, root, moduleId, nonce, "", sigs);
        // one guardian sees the foreign credentials for a module key and pauses the module (a relayed signature)
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(guardianKeys[2], dsm.pauseMessageHash(block.number, moduleId));
        dsm.pauseDeposits(block.number, moduleId, DepositSecurityModule.Signature(r, bytes32(uint256(s) | (uint256(v - 27) << 255))));
        vm.assertTrue(dsm.isDepositsPaused(moduleId));
        // even a fresh quorum attestation cannot deposit now
        vm.roll(block.number + 1);
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.ModuleDepositsPaused.selector, moduleId));
        this.externalAttestAndDeposit();
        // governance removes the cluster from deposits, then unpauses: the key still never gets pool ETH
        vm.prank(admin);
        registry.setClusterActive(clusterId, false);
        vm.prank(admin);
        dsm.unpauseDeposits(moduleId);
        vm.assertEq(attestAndDeposit(), 0);
        vm.assertEq(DEPOSIT_CONTRACT.balance, 1 ether, "only the attacker's own 1 ETH reached the deposit contract");
        vm.assertEq(pool.getBufferedEther(), pool.totalPooledEther());
    }

    function externalAttestAndDeposit() external returns (uint256) {
        return attestAndDeposit();
    }

    function test_deposit_revertsOnChangedNonce() public {
        uint256 clusterId = readyCluster(1, 4, 6, 3, 1);
        stake(makeAddr("alice"), 100 ether);
        uint256 blockNumber = block.number - 1;
        bytes32 blockHash = blockhash(blockNumber);
        bytes32 root = Predeploys.DEPOSIT_CONTRACT.get_deposit_root();
        uint256 nonce = router.getStakingModuleNonce(moduleId);
        DepositSecurityModule.Signature[] memory sigs =
            guardianSignatures(dsm.attestMessageHash(blockNumber, blockHash, root, moduleId, nonce), 2);
        addConfirmedKeys(clusterId, 1, 99); // the key set changes after the attestation
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.ModuleNonceChanged.selector, nonce, router.getStakingModuleNonce(moduleId)));
        dsm.depositBufferedEther(blockNumber, blockHash, root, moduleId, nonce, "", sigs);
    }

    function test_deposit_revertsWithoutQuorumOrWithBadSignatures() public {
        readyCluster(1, 4, 3, 3, 1);
        stake(makeAddr("alice"), 100 ether);
        uint256 blockNumber = block.number - 1;
        bytes32 blockHash = blockhash(blockNumber);
        bytes32 root = Predeploys.DEPOSIT_CONTRACT.get_deposit_root();
        uint256 nonce = router.getStakingModuleNonce(moduleId);
        bytes32 digest = dsm.attestMessageHash(blockNumber, blockHash, root, moduleId, nonce);
        DepositSecurityModule.Signature[] memory one = guardianSignatures(digest, 1);
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.NoQuorum.selector, 1, 2));
        dsm.depositBufferedEther(blockNumber, blockHash, root, moduleId, nonce, "", one);
        // the same guardian twice
        DepositSecurityModule.Signature[] memory twice = new DepositSecurityModule.Signature[](2);
        (twice[0], twice[1]) = (one[0], one[0]);
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.SignaturesNotSorted.selector, 1));
        dsm.depositBufferedEther(blockNumber, blockHash, root, moduleId, nonce, "", twice);
        // a stranger's signature
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(0xBAD, digest);
        DepositSecurityModule.Signature[] memory stranger = guardianSignatures(digest, 2);
        stranger[1] = DepositSecurityModule.Signature(r, bytes32(uint256(s) | (uint256(v - 27) << 255)));
        if (vm.addr(0xBAD) > vm.addr(guardianKeys[0])) {
            vm.expectRevert();
            dsm.depositBufferedEther(blockNumber, blockHash, root, moduleId, nonce, "", stranger);
        }
        // a signature over a different block
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.StaleOrUnknownBlock.selector, blockNumber, bytes32(uint256(1))));
        dsm.depositBufferedEther(blockNumber, bytes32(uint256(1)), root, moduleId, nonce, "", guardianSignatures(digest, 2));
    }

    function test_deposit_onlyDsmCanDepositFromPool() public {
        vm.expectRevert();
        pool.depositBufferedEther(1, moduleId, "");
        vm.expectRevert(abi.encodeWithSelector(StakingRouter.NotPool.selector, address(this)));
        router.deposit{value: 32 ether}(moduleId, "");
    }

    function test_pause_onlyGuardians_andUnpauseOnlyRole() public {
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.NotAGuardian.selector, address(this)));
        dsm.pauseDeposits(block.number, moduleId, DepositSecurityModule.Signature(0, 0));
        vm.prank(vm.addr(guardianKeys[0]));
        dsm.pauseDeposits(block.number, moduleId, DepositSecurityModule.Signature(0, 0));
        vm.assertTrue(dsm.isDepositsPaused(moduleId));
        vm.expectRevert();
        dsm.unpauseDeposits(moduleId);
        vm.prank(admin);
        dsm.unpauseDeposits(moduleId);
        vm.assertFalse(dsm.isDepositsPaused(moduleId));
        // an old pause message has expired
        uint256 old = block.number;
        vm.roll(block.number + 101);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(guardianKeys[0], dsm.pauseMessageHash(old, moduleId));
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.PauseIntentExpired.selector, old));
        dsm.pauseDeposits(old, moduleId, DepositSecurityModule.Signature(r, bytes32(uint256(s) | (uint256(v - 27) << 255))));
    }

    function test_guardians_quorumMustFit() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.InvalidQuorum.selector, 4, 3));
        dsm.setGuardianQuorum(4);
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.InvalidQuorum.selector, 0, 3));
        dsm.setGuardianQuorum(0);
        address g = vm.addr(guardianKeys[0]);
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.DuplicateGuardian.selector, g));
        dsm.addGuardian(g, 2);
        dsm.removeGuardian(g, 2);
        vm.assertFalse(dsm.isGuardian(g));
        vm.assertEq(dsm.getGuardians().length, 2);
        vm.stopPrank();
        vm.expectRevert();
        dsm.addGuardian(g, 1);
    }

    function test_router_stakeShareCap() public {
        // a second module capped at 50 %: once it holds half the active validators it gets no more
        OperatorRegistry second = _secondModule(5_000);
        readyCluster(1, 4, 4, 4, 1);
        stake(makeAddr("alice"), 400 ether);
        vm.assertEq(attestAndDeposit(), 4);
        uint256 secondId = 2;
        vm.assertEq(router.getDepositableCount(secondId, 100), 4, "4 + 4 = 50 %");
        second; // silence
    }

    function _secondModule(uint256 capBps) private returns (OperatorRegistry second) {
        second = OperatorRegistry(address(new ERC1967Proxy(
            address(new OperatorRegistry()), abi.encodeCall(OperatorRegistry.initialize, (admin, address(router), FIRST_BOND, NEXT_BOND))
        )));
        vm.prank(admin);
        router.addStakingModule("DVT-2", address(second), capBps, 500, 500);
        // 5 ready keys in the second module
        for (uint256 i; i < 4; ++i) {
            address manager = operatorManager(100 + i);
            vm.deal(manager, 10 ether);
            vm.prank(manager);
            second.registerOperator{value: 10 ether}("x", manager);
        }
        uint256[] memory ids = new uint256[](4);
        for (uint256 i; i < 4; ++i) ids[i] = i + 1;
        vm.prank(operatorManager(100));
        uint256 clusterId = second.createCluster(ids);
        (bytes memory pubkeys, bytes memory signatures) = makeKeys(5, 1234);
        vm.prank(operatorManager(100));
        second.addKeys(clusterId, pubkeys, signatures);
        for (uint256 i; i < 4; ++i) {
            vm.prank(operatorManager(100 + i));
            second.confirmKeys(clusterId, 0, codeHash(pubkeys, signatures));
        }
    }

    function test_router_rejectsBadWithdrawalCredentials() public {
        address impl = address(new StakingRouter());
        bytes32 bad = bytes32(uint256(uint160(address(withdrawalVault))) | (uint256(0x03) << 248));
        vm.expectRevert(abi.encodeWithSelector(StakingRouter.InvalidWithdrawalCredentials.selector, bad));
        new ERC1967Proxy(impl, abi.encodeCall(StakingRouter.initialize, (admin, address(pool), DEPOSIT_CONTRACT, bad, treasury)));
        bytes32 dirty = withdrawalCredentials | bytes32(uint256(1) << 200);
        vm.expectRevert(abi.encodeWithSelector(StakingRouter.InvalidWithdrawalCredentials.selector, dirty));
        new ERC1967Proxy(impl, abi.encodeCall(StakingRouter.initialize, (admin, address(pool), DEPOSIT_CONTRACT, dirty, treasury)));
    }

    function test_router_moduleStatusAndParams() public {
        readyCluster(1, 4, 3, 3, 1);
        stake(makeAddr("alice"), 100 ether);
        vm.prank(admin);
        router.setStakingModuleStatus(moduleId, StakingRouter.ModuleStatus.DepositsPaused);
        vm.assertEq(router.getDepositableCount(moduleId, 10), 0);
        vm.expectRevert(abi.encodeWithSelector(DepositSecurityModule.ModuleNotActive.selector, moduleId));
        this.externalAttestAndDeposit();
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(StakingRouter.InvalidBps.selector, "fees", 10_001));
        router.updateStakingModule(moduleId, 10_000, 5_001, 5_000);
        vm.expectRevert(abi.encodeWithSelector(StakingRouter.InvalidBps.selector, "stakeShareLimit", 10_001));
        router.updateStakingModule(moduleId, 10_001, 0, 0);
        router.setStakingModuleStatus(moduleId, StakingRouter.ModuleStatus.Active);
        vm.stopPrank();
        vm.expectRevert();
        router.setStakingModuleStatus(moduleId, StakingRouter.ModuleStatus.Stopped);
        vm.assertEq(attestAndDeposit(), 3);
    }

    function _slice(bytes memory data, uint256 from, uint256 len) private pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) out[i] = data[from + i];
    }
}

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";


