// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {Predeploys} from "./predeploys/Predeploys.sol";
import {ShoalDeployer} from "../script/ShoalDeployer.sol";
import {StakingPool} from "../src/StakingPool.sol";
import {StakingRouter} from "../src/StakingRouter.sol";
import {DepositSecurityModule} from "../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../src/modules/OperatorRegistry.sol";
import {WithdrawalVault} from "../src/vaults/WithdrawalVault.sol";
import {ExecutionRewardsVault} from "../src/vaults/ExecutionRewardsVault.sol";
import {WithdrawalQueue} from "../src/withdrawals/WithdrawalQueue.sol";
import {SanityChecker} from "../src/oracle/SanityChecker.sol";
import {HashConsensus} from "../src/oracle/HashConsensus.sol";
import {AccountingOracle} from "../src/oracle/AccountingOracle.sol";

/// @notice The money path deployed behind proxies on forge's EVM, with our deposit contract at its canonical
///         address, plus helpers that play operators and guardians.
abstract contract ShoalFixture is Test, ShoalDeployer {
    address internal constant DEPOSIT_CONTRACT = 0x00000000219ab540356cBB839Cbe05303d7705Fa;
    uint256 internal constant FIRST_BOND = 1 ether;
    uint256 internal constant NEXT_BOND = 0.5 ether;
    uint256 internal constant MODULE_FEE_BPS = 500;
    uint256 internal constant TREASURY_FEE_BPS = 500;

    address internal admin = makeAddr("admin");
    address internal treasury = makeAddr("treasury");
    uint256 internal constant GENESIS_TIME = 1_700_000_000;
    uint256 internal constant SECONDS_PER_SLOT = 12;
    uint256 internal constant SLOTS_PER_EPOCH = 32;
    uint256 internal constant EPOCHS_PER_FRAME = 10;
    uint256[] internal guardianKeys;
    address[] internal oracleMembers;

    StakingPool internal pool;
    StakingRouter internal router;
    OperatorRegistry internal registry;
    DepositSecurityModule internal dsm;
    WithdrawalVault internal withdrawalVault;
    ExecutionRewardsVault internal elRewardsVault;
    WithdrawalQueue internal withdrawalQueue;
    SanityChecker internal sanityChecker;
    HashConsensus internal hashConsensus;
    AccountingOracle internal accountingOracle;
    uint256 internal moduleId;
    bytes32 internal withdrawalCredentials;

    function setUpShoal() internal {
        Predeploys.install(vm);
        vm.warp(GENESIS_TIME + 100 * SECONDS_PER_SLOT * SLOTS_PER_EPOCH);
        address[] memory guardians = new address[](3);
        for (uint256 i; i < 3; ++i) {
            guardianKeys.push(uint256(keccak256(abi.encode("guardian", i))));
            guardians[i] = vm.addr(guardianKeys[i]);
        }
        address[] memory members = new address[](3);
        for (uint256 i; i < 3; ++i) {
            oracleMembers.push(makeAddr(string.concat("oracle-", vm.toString(i))));
            members[i] = oracleMembers[i];
        }
        Config memory cfg;
        cfg.admin = admin;
        cfg.treasury = treasury;
        cfg.depositContract = DEPOSIT_CONTRACT;
        cfg.firstBond = FIRST_BOND;
        cfg.nextBond = NEXT_BOND;
        cfg.moduleStakeShareLimitBps = 10_000;
        cfg.moduleFeeBps = MODULE_FEE_BPS;
        cfg.treasuryFeeBps = TREASURY_FEE_BPS;
        cfg.pauseIntentValidityBlocks = 100;
        cfg.maxDepositsPerCall = 100;
        cfg.guardians = guardians;
        cfg.guardianQuorum = 2;
        cfg.minWithdrawalEther = 100 gwei;
        cfg.maxWithdrawalEther = 1000 ether;
        cfg.genesisTime = GENESIS_TIME;
        cfg.secondsPerSlot = SECONDS_PER_SLOT;
        cfg.slotsPerEpoch = SLOTS_PER_EPOCH;
        cfg.initialEpoch = 1;
        cfg.epochsPerFrame = EPOCHS_PER_FRAME;
        cfg.oracleMembers = members;
        cfg.oracleQuorum = 2;
        cfg.limits = _defaultLimits();
        vm.deal(address(this), address(this).balance + 1 ether);
        Deployment memory d = _deployShoal(cfg, address(this));
        vm.startPrank(admin);
        d = _configureShoal(cfg, d);
        vm.stopPrank();
        (pool, router, registry, dsm, moduleId) = (d.pool, d.router, d.registry, d.dsm, d.dvtModuleId);
        (withdrawalVault, elRewardsVault, withdrawalQueue) = (d.withdrawalVault, d.elRewardsVault, d.withdrawalQueue);
        (sanityChecker, hashConsensus, accountingOracle) = (d.sanityChecker, d.hashConsensus, d.accountingOracle);
        withdrawalCredentials = router.getWithdrawalCredentials();
        vm.roll(100);
    }

    // ------------------------------------------------------------------------------------------ people
    function stake(address who, uint256 amount) internal returns (uint256 shares) {
        vm.deal(who, who.balance + amount);
        vm.prank(who);
        shares = pool.deposit{value: amount}(who, address(0));
    }

    function operatorManager(uint256 i) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("operator", i)))));
    }

    /// @dev Registers operators `from`..`from+n-1` (manager keys derived from the index), each bonded `bond`.
    function registerOperators(uint256 from, uint256 n, uint256 bond) internal returns (uint256[] memory ids) {
        ids = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            address manager = operatorManager(from + i);
            vm.deal(manager, manager.balance + bond);
            vm.prank(manager);
            ids[i] = registry.registerOperator{value: bond}(string.concat("op-", vm.toString(from + i)), manager);
        }
    }

    function createCluster(uint256[] memory ids) internal returns (uint256 clusterId) {
        vm.prank(registry.getOperator(ids[0]).manager);
        clusterId = registry.createCluster(ids);
    }

    /// @dev `count` distinct fake keys (the deposit contract checks lengths and roots, not BLS).
    function makeKeys(uint256 count, uint256 seed) internal pure returns (bytes memory pubkeys, bytes memory signatures) {
        for (uint256 i; i < count; ++i) {
            bytes32 h = keccak256(abi.encode(seed, i));
            pubkeys = bytes.concat(pubkeys, h, bytes16(keccak256(abi.encode(h))));
            signatures = bytes.concat(signatures, h, h, keccak256(abi.encode(h, 1)));
        }
    }

    function codeHash(bytes memory pubkeys, bytes memory signatures) internal pure returns (bytes32) {
        return keccak256(bytes.concat(hex"00", pubkeys, signatures));
    }

    /// @dev A member adds the keys and every member confirms them.
    function addConfirmedKeys(uint256 clusterId, uint256 count, uint256 seed) internal returns (uint256 batch) {
        (bytes memory pubkeys, bytes memory signatures) = makeKeys(count, seed);
        uint256[] memory members = registry.getClusterMembers(clusterId);
        vm.prank(registry.getOperator(members[0]).manager);
        batch = registry.addKeys(clusterId, pubkeys, signatures);
        for (uint256 m; m < members.length; ++m) {
            vm.prank(registry.getOperator(members[m]).manager);
            registry.confirmKeys(clusterId, batch, codeHash(pubkeys, signatures));
        }
    }

    /// @dev A ready cluster of `n` operators bonded for `validators` validators each, with `keys` confirmed keys.
    function readyCluster(uint256 firstOperator, uint256 n, uint256 validators, uint256 keys, uint256 seed)
        internal
        returns (uint256 clusterId)
    {
        uint256[] memory ids = registerOperators(firstOperator, n, registry.bondForValidators(validators));
        clusterId = createCluster(ids);
        if (keys > 0) addConfirmedKeys(clusterId, keys, seed);
    }

    // ------------------------------------------------------------------------------------------ guardians
    function guardianSignatures(bytes32 digest, uint256 howMany)
        internal
        view
        returns (DepositSecurityModule.Signature[] memory sigs)
    {
        // sort guardians by address
        uint256[] memory keys = guardianKeys;
        for (uint256 i; i < keys.length; ++i) {
            for (uint256 j = i + 1; j < keys.length; ++j) {
                if (vm.addr(keys[j]) < vm.addr(keys[i])) (keys[i], keys[j]) = (keys[j], keys[i]);
            }
        }
        sigs = new DepositSecurityModule.Signature[](howMany);
        for (uint256 i; i < howMany; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], digest);
            sigs[i] = DepositSecurityModule.Signature(r, bytes32(uint256(s) | (uint256(v - 27) << 255)));
        }
    }

    /// @dev What a keeper does: attest the current state with a guardian quorum and deposit.
    function attestAndDeposit() internal returns (uint256 deposited) {
        uint256 blockNumber = block.number - 1;
        bytes32 blockHash = blockhash(blockNumber);
        bytes32 root = Predeploys.DEPOSIT_CONTRACT.get_deposit_root();
        uint256 nonce = router.getStakingModuleNonce(moduleId);
        DepositSecurityModule.Signature[] memory sigs =
            guardianSignatures(dsm.attestMessageHash(blockNumber, blockHash, root, moduleId, nonce), 2);
        deposited = dsm.depositBufferedEther(blockNumber, blockHash, root, moduleId, nonce, "", sigs);
    }
}
