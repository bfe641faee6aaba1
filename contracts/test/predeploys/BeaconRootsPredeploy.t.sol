// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PredeploysTest, Predeploys} from "./Predeploys.sol";
import {BeaconRootsPredeploy} from "../../src/predeploys/BeaconRootsPredeploy.sol";

contract BeaconRootsPredeployTest is PredeploysTest {
    address internal constant BEACON_ROOTS = Predeploys.BEACON_ROOTS;
    address internal constant SYSTEM = Predeploys.SYSTEM_ADDRESS;
    /// @dev EIP-4788 HISTORY_BUFFER_LENGTH.
    uint256 internal constant HISTORY = 8191;

    function _get(uint256 timestamp) internal view returns (bool ok, bytes memory ret) {
        (ok, ret) = BEACON_ROOTS.staticcall(abi.encode(timestamp));
    }

    function test_systemWrite_thenAnyoneReads() public {
        bytes32 root = keccak256("parent beacon block root");
        Predeploys.setBeaconRoot(vm, 1_700_000_000, root);
        (bool ok, bytes memory ret) = _get(1_700_000_000);
        vm.assertTrue(ok);
        vm.assertEq(ret.length, 32);
        vm.assertEq(abi.decode(ret, (bytes32)), root);
        vm.assertEq(Predeploys.beaconRoot(1_700_000_000), root);
        // storage is the EIP's: slot t % 8191 = t, slot t % 8191 + 8191 = root
        vm.assertEq(uint256(vm.load(BEACON_ROOTS, bytes32(uint256(1_700_000_000 % HISTORY)))), 1_700_000_000);
        vm.assertEq(vm.load(BEACON_ROOTS, bytes32(uint256(1_700_000_000 % HISTORY + HISTORY))), root);
    }

    function test_systemWrite_usesBlockTimestampAndFirst32BytesOfInput() public {
        vm.warp(12345);
        vm.prank(SYSTEM);
        (bool ok, bytes memory ret) = BEACON_ROOTS.call(abi.encodePacked(bytes32(uint256(7)), bytes32(uint256(8))));
        vm.assertTrue(ok);
        vm.assertEq(ret.length, 0);
        vm.assertEq(Predeploys.beaconRoot(12345), bytes32(uint256(7)));
    }

    function test_nonSystemCaller_cannotWrite() public {
        vm.warp(1000);
        // from anyone, a 32-byte input is a read of timestamp = input; nothing is written
        (bool ok, bytes memory ret) = BEACON_ROOTS.call(abi.encode(bytes32(uint256(1000))));
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(BeaconRootsPredeploy.UnknownTimestamp.selector, 1000));
        vm.assertEq(vm.load(BEACON_ROOTS, bytes32(uint256(1000))), bytes32(0));
    }

    function test_revert_unknownTimestamp() public {
        Predeploys.setBeaconRoot(vm, 5000, bytes32(uint256(1)));
        (bool ok, bytes memory ret) = _get(5001);
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(BeaconRootsPredeploy.UnknownTimestamp.selector, 5001));
    }

    function test_revert_zeroTimestamp() public view {
        (bool ok, bytes memory ret) = _get(0);
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(BeaconRootsPredeploy.ZeroTimestamp.selector));
    }

    function testFuzz_revert_inputNot32Bytes(bytes calldata input) public view {
        vm.assume(input.length != 32);
        (bool ok, bytes memory ret) = BEACON_ROOTS.staticcall(input);
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(BeaconRootsPredeploy.InvalidInputLength.selector, input.length));
    }

    function test_ringBuffer_overwriteExpiresTheOldRoot() public {
        uint256 t0 = 1_700_000_000;
        Predeploys.setBeaconRoot(vm, t0, bytes32(uint256(0xaa)));
        Predeploys.setBeaconRoot(vm, t0 + 12, bytes32(uint256(0xbb)));
        // t0 + 8191 lands on t0's slot: t0's root is gone, the new one is readable, t0 + 12 survives
        Predeploys.setBeaconRoot(vm, t0 + HISTORY, bytes32(uint256(0xcc)));
        (bool ok, bytes memory ret) = _get(t0);
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(BeaconRootsPredeploy.UnknownTimestamp.selector, t0));
        vm.assertEq(Predeploys.beaconRoot(t0 + HISTORY), bytes32(uint256(0xcc)));
        vm.assertEq(Predeploys.beaconRoot(t0 + 12), bytes32(uint256(0xbb)));
    }

    function test_ringBuffer_keepsTheLast8191SlotsOf12Seconds() public {
        // 12 s slots: timestamps t0 + 12k; since gcd(12, 8191) = 1 the last 8191 of them all fit
        uint256 t0 = 1_600_000_000;
        for (uint256 k = 0; k < 40; ++k) {
            Predeploys.setBeaconRoot(vm, t0 + 12 * k, keccak256(abi.encode(k)));
        }
        for (uint256 k = 0; k < 40; ++k) {
            vm.assertEq(Predeploys.beaconRoot(t0 + 12 * k), keccak256(abi.encode(k)));
        }
    }

    function testFuzz_writeRead(uint64 ts, bytes32 root, uint64 other) public {
        vm.assume(ts != 0);
        Predeploys.setBeaconRoot(vm, ts, root);
        vm.assertEq(Predeploys.beaconRoot(ts), root);
        if (other != ts && other != 0) {
            (bool ok,) = _get(other);
            vm.assertFalse(ok, "only the written timestamp is known");
        }
    }
}
