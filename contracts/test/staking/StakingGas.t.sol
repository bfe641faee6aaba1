// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {GasMeter} from "../utils/GasMeter.sol";
import {Predeploys} from "../predeploys/Predeploys.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {DepositSecurityModule} from "../../src/DepositSecurityModule.sol";

/// @notice Gas ceilings of the money path, as transaction gas (see GasMeter). Anchors (issue #2):
///         first stake ≤ 62,000 (StakeWise 83,160; Lido ~86,000); dvETH transfer ≤ 45,000 (osETH 54,466;
///         stETH ~55,000); 50 validators in one deposit: overhead over the 50 raw deposit-contract calls
///         ≤ 10,000 per validator (SSV bulk registration ~82,000 per validator in total).
contract StakingGasTest is ShoalFixture {
    uint256 internal constant FIRST_STAKE_CEILING = 62_000;
    uint256 internal constant TRANSFER_CEILING = 45_000;
    uint256 internal constant DEPOSIT_OVERHEAD_PER_VALIDATOR_CEILING = 10_000;

    /// @dev What any contract pays to CALL the deposit contract with 32 ETH besides the callee's execution:
    ///      9,000 for a value transfer + 100 for the (warm) account, less the 2,300 stipend the callee gets for
    ///      free (EIP-150, EIP-2929). The deposit contract always uses more than the stipend.
    uint256 internal constant CALL_WITH_VALUE_COST = 9_000 + 100 - 2_300;

    address internal holder = makeAddr("holder");
    address internal otherHolder = makeAddr("otherHolder");

    event log_named_uint(string key, uint256 val);

    function setUp() public {
        setUpShoal();
        stake(holder, 10 ether);
        stake(otherHolder, 1 ether);
    }

    function test_gas_firstStake() public {
        address newcomer = makeAddr("newcomer");
        vm.deal(newcomer, 1 ether);
        bytes memory data = abi.encodeCall(StakingPool.deposit, (newcomer, address(0)));
        vm.prank(newcomer);
        pool.deposit{value: 1 ether}(newcomer, address(0));
        uint256 gas = GasMeter.lastCallAsTx(vm, data);
        emit log_named_uint("first stake (tx gas)", gas);
        vm.assertLe(gas, FIRST_STAKE_CEILING, "first stake over its ceiling");
    }

    function test_gas_transfer_toHolder() public {
        bytes memory data = abi.encodeCall(pool.transfer, (otherHolder, 1 ether));
        vm.prank(holder);
        pool.transfer(otherHolder, 1 ether);
        uint256 gas = GasMeter.lastCallAsTx(vm, data);
        emit log_named_uint("dvETH transfer to a holder (tx gas)", gas);
        vm.assertLe(gas, TRANSFER_CEILING, "transfer over its ceiling");
    }

    function test_gas_transfer_toNewAddress() public {
        address fresh = makeAddr("fresh");
        bytes memory data = abi.encodeCall(pool.transfer, (fresh, 1 ether));
        vm.prank(holder);
        pool.transfer(fresh, 1 ether);
        uint256 gas = GasMeter.lastCallAsTx(vm, data);
        emit log_named_uint("dvETH transfer to a new address (tx gas)", gas);
        // a zero-to-non-zero balance costs 20,000 more by the EVM's rules (EIP-2200): ceiling + that
        vm.assertLe(gas, TRANSFER_CEILING + 20_000, "transfer to a new address over its ceiling");
    }

    function test_gas_deposit50Validators_overheadPerValidator() public {
        uint256 n = 50;
        uint256 clusterId = readyCluster(1, 4, n, n, 42);
        stake(holder, n * 32 ether);
        vm.roll(block.number + 1);
        (bytes memory pubkeys, bytes memory signatures) = registry.getKeys(clusterId, 0, n);

        // 1. the raw cost: the same 50 deposits straight into the deposit contract
        uint256 snap = vm.snapshotState();
        uint256 raw = _rawDeposits(pubkeys, signatures, n);
        vm.revertToState(snap);

        // 2. the protocol: one keeper transaction through the deposit-security module
        (uint256 deposited, uint256 total) = _protocolDeposit();
        vm.assertEq(deposited, n);

        uint256 overhead = (total - raw) / n;
        emit log_named_uint("50 validators: protocol tx gas", total);
        emit log_named_uint("50 validators: raw deposit-contract gas", raw);
        emit log_named_uint("50 validators: overhead per validator", overhead);
        vm.assertLe(overhead, DEPOSIT_OVERHEAD_PER_VALIDATOR_CEILING, "deposit overhead over its ceiling");
    }

    function _protocolDeposit() private returns (uint256 deposited, uint256 total) {
        uint256 blockNumber = block.number - 1;
        bytes32 blockHash = blockhash(blockNumber);
        bytes32 depositRoot = Predeploys.DEPOSIT_CONTRACT.get_deposit_root();
        uint256 nonce = router.getStakingModuleNonce(moduleId);
        DepositSecurityModule.Signature[] memory sigs =
            guardianSignatures(dsm.attestMessageHash(blockNumber, blockHash, depositRoot, moduleId, nonce), 2);
        bytes memory data = abi.encodeCall(
            DepositSecurityModule.depositBufferedEther, (blockNumber, blockHash, depositRoot, moduleId, nonce, "", sigs)
        );
        deposited = dsm.depositBufferedEther(blockNumber, blockHash, depositRoot, moduleId, nonce, "", sigs);
        total = GasMeter.lastCallAsTx(vm, data);
    }

    function _rawDeposits(bytes memory pubkeys, bytes memory signatures, uint256 n) private returns (uint256 raw) {
        vm.deal(address(this), n * 32 ether);
        bytes memory wc = abi.encodePacked(withdrawalCredentials);
        for (uint256 i; i < n; ++i) {
            bytes memory pk = _slice(pubkeys, i * 48, 48);
            bytes memory sig = _slice(signatures, i * 96, 96);
            bytes32 root = Predeploys.depositDataRoot(pk, wc, sig, 32 ether / 1 gwei);
            Predeploys.DEPOSIT_CONTRACT.deposit{value: 32 ether}(pk, wc, sig, root);
            raw += vm.lastCallGas().gasTotalUsed + CALL_WITH_VALUE_COST;
        }
    }

    function _slice(bytes memory data, uint256 from, uint256 len) private pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i; i < len; ++i) out[i] = data[from + i];
    }
}

/// @notice The first stake again, with Lido's mainnet-like stake limit active (one more slot written).
contract StakingGasLimitedTest is ShoalFixture {
    event log_named_uint(string key, uint256 val);

    function setUp() public {
        setUpShoal();
        vm.prank(admin);
        pool.setStakingLimit(150_000 ether, 20 ether);
        stake(makeAddr("holder"), 1 ether);
        vm.roll(block.number + 1);
    }

    function test_gas_firstStake_withStakeLimit() public {
        address newcomer = makeAddr("newcomer");
        vm.deal(newcomer, 1 ether);
        bytes memory data = abi.encodeCall(StakingPool.deposit, (newcomer, address(0)));
        vm.prank(newcomer);
        pool.deposit{value: 1 ether}(newcomer, address(0));
        uint256 gas = GasMeter.lastCallAsTx(vm, data);
        emit log_named_uint("first stake with a stake limit (tx gas)", gas);
        vm.assertLe(gas, 66_000, "limited first stake over its ceiling");
    }
}
