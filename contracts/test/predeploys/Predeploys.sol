// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../utils/Vm.sol";
import {Test} from "../utils/Test.sol";
import {DepositContract} from "../../src/predeploys/DepositContract.sol";
import {IDepositContract} from "../../src/interfaces/IDepositContract.sol";
import {WithdrawalRequestPredeploy} from "../../src/predeploys/WithdrawalRequestPredeploy.sol";
import {BeaconRootsPredeploy} from "../../src/predeploys/BeaconRootsPredeploy.sol";

/**
 * @title Predeploys — the chain's system contracts for forge tests
 * @notice forge's EVM (like anvil) has no beacon deposit contract, no EIP-7002 and no EIP-4788 contract. Call
 *         `Predeploys.install(vm)` in `setUp()` (or inherit `PredeploysTest`) to etch our implementations at their
 *         canonical addresses, then use the helpers to play the consensus client's part:
 *
 *           Predeploys.install(vm);
 *           bytes32 root = Predeploys.depositDataRoot(pubkey, withdrawalCredentials, signature, 32 ether / 1 gwei);
 *           Predeploys.DEPOSIT_CONTRACT.deposit{value: 32 ether}(pubkey, withdrawalCredentials, signature, root);
 *           uint256 fee = Predeploys.withdrawalRequestFee();
 *           bytes memory requests = Predeploys.dequeueWithdrawalRequests(vm); // 76 bytes per request
 *           Predeploys.setBeaconRoot(vm, block.timestamp, someRoot);
 */
library Predeploys {
    /// @dev consensus-specs phase0 DEPOSIT_CONTRACT_ADDRESS (mainnet).
    IDepositContract internal constant DEPOSIT_CONTRACT = IDepositContract(0x00000000219ab540356cBB839Cbe05303d7705Fa);
    /// @dev EIP-7002 WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS.
    address internal constant WITHDRAWAL_REQUEST_PREDEPLOY = 0x00000961Ef480Eb55e80D19ad83579A64c007002;
    /// @dev EIP-4788 BEACON_ROOTS_ADDRESS.
    address internal constant BEACON_ROOTS = 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02;
    /// @dev EIP-4788 / EIP-7002 SYSTEM_ADDRESS: the caller of the clients' system calls.
    address internal constant SYSTEM_ADDRESS = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;

    /// @notice Etches all three system contracts at their canonical addresses (storage is left as it is: zero on a
    ///         fresh test EVM, so the deposit tree is empty and the EIP-7002 fee is 1 wei).
    function install(Vm vm) internal {
        vm.etch(address(DEPOSIT_CONTRACT), type(DepositContract).runtimeCode);
        vm.etch(WITHDRAWAL_REQUEST_PREDEPLOY, type(WithdrawalRequestPredeploy).runtimeCode);
        vm.etch(BEACON_ROOTS, type(BeaconRootsPredeploy).runtimeCode);
        vm.label(address(DEPOSIT_CONTRACT), "DepositContract");
        vm.label(WITHDRAWAL_REQUEST_PREDEPLOY, "WithdrawalRequestPredeploy");
        vm.label(BEACON_ROOTS, "BeaconRootsPredeploy");
    }

    /// @notice SSZ hash_tree_root(DepositData) — the `deposit_data_root` argument of `deposit`.
    ///         A plain-Solidity reference (sha256 of the SSZ chunks), independent of the contract's assembly.
    function depositDataRoot(
        bytes memory pubkey,
        bytes memory withdrawalCredentials,
        bytes memory signature,
        uint64 amountGwei
    ) internal pure returns (bytes32) {
        require(pubkey.length == 48 && withdrawalCredentials.length == 32 && signature.length == 96, "bad lengths");
        // SSZ chunks: pubkey = 2 chunks (48 bytes + 16 zero bytes), signature = 3 chunks (+ 1 zero chunk)
        bytes32 pubkeyRoot = sha256(abi.encodePacked(_word(pubkey, 0), bytes16(_word(pubkey, 32)), bytes16(0)));
        bytes32 signatureRoot = sha256(
            abi.encodePacked(
                sha256(abi.encodePacked(_word(signature, 0), _word(signature, 32))),
                sha256(abi.encodePacked(_word(signature, 64), bytes32(0)))
            )
        );
        return sha256(
            abi.encodePacked(
                sha256(abi.encodePacked(pubkeyRoot, _word(withdrawalCredentials, 0))),
                sha256(abi.encodePacked(littleEndian64(amountGwei), bytes24(0), signatureRoot))
            )
        );
    }

    /// @notice The 8 bytes of `value` little-endian (SSZ uint64), by a plain byte loop.
    function littleEndian64(uint64 value) internal pure returns (bytes8 out) {
        bytes memory b = new bytes(8);
        for (uint256 i = 0; i < 8; ++i) {
            b[i] = bytes1(uint8(value >> (8 * i)));
        }
        out = bytes8(b);
    }

    /// @notice Withdrawal credentials of type 0x01 (or 0x02 with `prefix`) for an execution-layer address.
    function addressCredentials(bytes1 prefix, address target) internal pure returns (bytes memory) {
        return abi.encodePacked(prefix, bytes11(0), target);
    }

    /// @notice The current EIP-7002 fee in wei (the predeploy's empty-input getter).
    function withdrawalRequestFee() internal view returns (uint256) {
        (bool ok, bytes memory ret) = WITHDRAWAL_REQUEST_PREDEPLOY.staticcall("");
        require(ok && ret.length == 32, "EIP-7002 fee getter failed");
        return abi.decode(ret, (uint256));
    }

    /// @notice Plays the end-of-block EIP-7002 system call: dequeues up to 16 requests, updates the fee excess.
    /// @return requests Concatenated requests of 76 bytes: source 20 ‖ pubkey 48 ‖ amount 8 little-endian.
    function dequeueWithdrawalRequests(Vm vm) internal returns (bytes memory requests) {
        vm.prank(SYSTEM_ADDRESS);
        (bool ok, bytes memory ret) = WITHDRAWAL_REQUEST_PREDEPLOY.call("");
        require(ok, "EIP-7002 system call failed");
        return ret;
    }

    /// @notice Plays the EIP-4788 system call for a block at `timestamp` with parent beacon block root `root`.
    ///         Warps the test EVM to `timestamp` (the contract keys the root by block.timestamp).
    function setBeaconRoot(Vm vm, uint256 timestamp, bytes32 root) internal {
        vm.warp(timestamp);
        vm.prank(SYSTEM_ADDRESS);
        (bool ok,) = BEACON_ROOTS.call(abi.encode(root));
        require(ok, "EIP-4788 system call failed");
    }

    /// @notice The beacon root stored for `timestamp`; reverts (bubbling the contract's error) if unknown.
    function beaconRoot(uint256 timestamp) internal view returns (bytes32) {
        (bool ok, bytes memory ret) = BEACON_ROOTS.staticcall(abi.encode(timestamp));
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return abi.decode(ret, (bytes32));
    }

    /// @dev The 32 bytes of `data` from `offset` (bytes past the end read as whatever follows in memory, so callers
    ///      only read whole words inside `data` or truncate).
    function _word(bytes memory data, uint256 offset) private pure returns (bytes32 w) {
        require(offset < data.length, "offset out of range");
        assembly ("memory-safe") {
            w := mload(add(add(data, 0x20), offset))
        }
    }
}

/// @notice A test base whose `setUp()` installs the system contracts; override and call `super.setUp()`.
abstract contract PredeploysTest is Test {
    function setUp() public virtual {
        Predeploys.install(vm);
    }
}
