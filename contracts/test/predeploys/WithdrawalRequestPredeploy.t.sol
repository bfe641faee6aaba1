// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../utils/Vm.sol";
import {PredeploysTest, Predeploys} from "./Predeploys.sol";
import {WithdrawalRequestPredeploy} from "../../src/predeploys/WithdrawalRequestPredeploy.sol";

contract WithdrawalRequestPredeployTest is PredeploysTest {
    address internal constant PREDEPLOY = Predeploys.WITHDRAWAL_REQUEST_PREDEPLOY;
    address internal constant SYSTEM = Predeploys.SYSTEM_ADDRESS;
    uint256 internal constant EXCESS_SLOT = 0;
    uint256 internal constant COUNT_SLOT = 1;
    uint256 internal constant HEAD_SLOT = 2;
    uint256 internal constant TAIL_SLOT = 3;
    uint256 internal constant QUEUE_OFFSET = 4;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public override {
        super.setUp();
        vm.deal(alice, 1_000_000 ether);
        vm.deal(bob, 1_000_000 ether);
    }

    // ------------------------------------------------------------------ helpers

    function _pubkey(uint256 seed) internal pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encode(seed)), bytes16(keccak256(abi.encode(seed, "tail"))));
    }

    function _request(address from, bytes memory pubkey, uint64 amount, uint256 value) internal returns (bool ok, bytes memory ret) {
        vm.prank(from);
        (ok, ret) = PREDEPLOY.call{value: value}(abi.encodePacked(pubkey, amount));
    }

    function _fee() internal view returns (uint256) {
        return Predeploys.withdrawalRequestFee();
    }

    function _slot(uint256 slot) internal view returns (uint256) {
        return uint256(vm.load(PREDEPLOY, bytes32(slot)));
    }

    /// @dev EIP-7002 fake_exponential, written out as the EIP's pseudocode (reference for the contract's fee).
    function _referenceFee(uint256 excess) internal pure returns (uint256) {
        uint256 i = 1;
        uint256 output = 0;
        uint256 accum = 1 * 17;
        while (accum > 0) {
            output += accum;
            accum = (accum * excess) / (17 * i);
            i += 1;
        }
        return output / 17;
    }

    /// @dev Splits one 76-byte record of the system call's output.
    function _record(bytes memory out, uint256 i) internal pure returns (address source, bytes memory pubkey, uint64 amount) {
        uint256 base = i * 76;
        uint160 s;
        for (uint256 j = 0; j < 20; ++j) {
            s = (s << 8) | uint8(out[base + j]);
        }
        source = address(s);
        pubkey = new bytes(48);
        for (uint256 j = 0; j < 48; ++j) {
            pubkey[j] = out[base + 20 + j];
        }
        for (uint256 j = 0; j < 8; ++j) {
            amount |= uint64(uint8(out[base + 68 + j])) << uint64(8 * j); // little-endian
        }
    }

    // ------------------------------------------------------------------ fee getter

    function test_feeGetter_returnsOneWeiOnZeroedStorage() public view {
        (bool ok, bytes memory ret) = PREDEPLOY.staticcall("");
        vm.assertTrue(ok);
        vm.assertEq(ret.length, 32);
        vm.assertEq(abi.decode(ret, (uint256)), 1);
    }

    function test_feeGetter_revertsWithValue() public {
        vm.prank(alice);
        (bool ok, bytes memory ret) = PREDEPLOY.call{value: 1}("");
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(WithdrawalRequestPredeploy.ValueSentToFeeGetter.selector, 1));
    }

    function test_fee_fixedValues() public {
        uint256[8] memory excess = [uint256(0), 16, 17, 34, 50, 100, 200, 1000];
        uint256[8] memory fee = [uint256(1), 2, 2, 7, 18, 357, 128545, 35214595411832335374580891];
        for (uint256 i = 0; i < excess.length; ++i) {
            vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(excess[i]));
            vm.assertEq(_fee(), fee[i]);
        }
    }

    function testFuzz_fee_matchesEipFormula(uint256 excess) public {
        excess = bound(excess, 0, 2500);
        vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(excess));
        vm.assertEq(_fee(), _referenceFee(excess));
    }

    function test_inhibitor_blocksFeeAndRequestsUntilFirstSystemCall() public {
        vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(type(uint256).max));
        (bool ok, bytes memory ret) = PREDEPLOY.staticcall("");
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(WithdrawalRequestPredeploy.InhibitorActive.selector));
        (ok, ret) = _request(alice, _pubkey(1), 0, 1 ether);
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(WithdrawalRequestPredeploy.InhibitorActive.selector));
        Predeploys.dequeueWithdrawalRequests(vm);
        vm.assertEq(_slot(EXCESS_SLOT), 0, "inhibitor cleared by the system call");
        vm.assertEq(_fee(), 1);
    }

    // ------------------------------------------------------------------ adding requests

    function test_addRequest_queuesInEipLayoutAndLogs() public {
        bytes memory pk = _pubkey(7);
        uint64 amount = 0x0102030405060708;
        vm.recordLogs();
        (bool ok, bytes memory ret) = _request(alice, pk, amount, 1);
        vm.assertTrue(ok);
        vm.assertEq(ret.length, 0);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1);
        vm.assertEq(logs[0].emitter, PREDEPLOY);
        vm.assertEq(logs[0].topics.length, 0, "anonymous log0");
        vm.assertEq(logs[0].data, abi.encodePacked(alice, pk, amount));

        vm.assertEq(_slot(COUNT_SLOT), 1);
        vm.assertEq(_slot(HEAD_SLOT), 0);
        vm.assertEq(_slot(TAIL_SLOT), 1);
        vm.assertEq(_slot(QUEUE_OFFSET), uint256(uint160(alice)));
        vm.assertEq(bytes32(_slot(QUEUE_OFFSET + 1)), bytes32(abi.encodePacked(keccak256(abi.encode(uint256(7))))));
        bytes32 third = bytes32(_slot(QUEUE_OFFSET + 2));
        vm.assertEq(third, bytes32(abi.encodePacked(bytes16(keccak256(abi.encode(uint256(7), "tail"))), amount, bytes8(0))));
        vm.assertEq(PREDEPLOY.balance, 1);
    }

    function test_addRequest_keepsOverpaidFee() public {
        (bool ok,) = _request(alice, _pubkey(1), 0, 5 ether);
        vm.assertTrue(ok);
        vm.assertEq(PREDEPLOY.balance, 5 ether);
    }

    function test_revert_insufficientFee() public {
        vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(uint256(100)));
        (bool ok, bytes memory ret) = _request(alice, _pubkey(1), 0, 356);
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(WithdrawalRequestPredeploy.InsufficientFee.selector, 356, 357));
        (ok,) = _request(alice, _pubkey(1), 0, 357);
        vm.assertTrue(ok);
        (ok, ret) = _request(alice, _pubkey(1), 0, 0);
        vm.assertFalse(ok);
    }

    function testFuzz_revert_invalidInputLength(bytes calldata input) public {
        vm.assume(input.length != 0 && input.length != 56);
        vm.prank(alice);
        (bool ok, bytes memory ret) = PREDEPLOY.call{value: 1 ether}(input);
        vm.assertFalse(ok);
        vm.assertEq(ret, abi.encodeWithSelector(WithdrawalRequestPredeploy.InvalidInputLength.selector, input.length));
    }

    // ------------------------------------------------------------------ the system call

    function test_systemCall_dequeuesInOrderInEipFormat() public {
        _request(alice, _pubkey(1), 0, 1);
        _request(bob, _pubkey(2), 32e9, 1);
        _request(alice, _pubkey(3), type(uint64).max, 1);
        bytes memory out = Predeploys.dequeueWithdrawalRequests(vm);
        vm.assertEq(out.length, 3 * 76);
        (address s, bytes memory pk, uint64 amount) = _record(out, 0);
        vm.assertEq(s, alice);
        vm.assertEq(pk, _pubkey(1));
        vm.assertEq(uint256(amount), 0);
        (s, pk, amount) = _record(out, 1);
        vm.assertEq(s, bob);
        vm.assertEq(pk, _pubkey(2));
        vm.assertEq(uint256(amount), 32e9);
        (s, pk, amount) = _record(out, 2);
        vm.assertEq(s, alice);
        vm.assertEq(pk, _pubkey(3));
        vm.assertEq(uint256(amount), type(uint64).max);
        // raw bytes: amount little-endian
        // 32e9 = 0x0773594000 -> 00 40 59 73 07 00 00 00
        vm.assertEq(out[76 + 68], bytes1(0x00));
        vm.assertEq(out[76 + 69], bytes1(0x40));
        vm.assertEq(out[76 + 70], bytes1(0x59));
        vm.assertEq(out[76 + 71], bytes1(0x73));
        vm.assertEq(out[76 + 72], bytes1(0x07));
        vm.assertEq(out[76 + 75], bytes1(0x00));

        vm.assertEq(_slot(HEAD_SLOT), 0, "queue drained: pointers reset");
        vm.assertEq(_slot(TAIL_SLOT), 0);
        vm.assertEq(_slot(COUNT_SLOT), 0, "count reset");
        vm.assertEq(_slot(EXCESS_SLOT), 1, "excess = 3 - target 2");
        vm.assertEq(Predeploys.dequeueWithdrawalRequests(vm).length, 0, "nothing left");
        vm.assertEq(_slot(EXCESS_SLOT), 0, "excess decays by the target, floored at 0");
    }

    function test_systemCall_dequeuesAtMost16PerBlock() public {
        for (uint256 i = 0; i < 20; ++i) {
            (bool ok,) = _request(alice, _pubkey(i), uint64(i), 1);
            vm.assertTrue(ok);
        }
        bytes memory out = Predeploys.dequeueWithdrawalRequests(vm);
        vm.assertEq(out.length, 16 * 76);
        (, bytes memory pk, uint64 amount) = _record(out, 15);
        vm.assertEq(pk, _pubkey(15));
        vm.assertEq(uint256(amount), 15);
        vm.assertEq(_slot(HEAD_SLOT), 16);
        vm.assertEq(_slot(TAIL_SLOT), 20);
        vm.assertEq(_slot(EXCESS_SLOT), 18, "20 requests this block - target 2");

        out = Predeploys.dequeueWithdrawalRequests(vm);
        vm.assertEq(out.length, 4 * 76);
        (, pk, amount) = _record(out, 0);
        vm.assertEq(pk, _pubkey(16));
        vm.assertEq(uint256(amount), 16);
        vm.assertEq(_slot(HEAD_SLOT), 0);
        vm.assertEq(_slot(TAIL_SLOT), 0);
        vm.assertEq(_slot(EXCESS_SLOT), 16);

        // the queue restarts at the first slot
        _request(bob, _pubkey(99), 1, _fee());
        vm.assertEq(_slot(QUEUE_OFFSET), uint256(uint160(bob)));
    }

    function test_systemCall_ignoresInputAndNeedsNoFee() public {
        _request(alice, _pubkey(1), 5, 1);
        vm.store(PREDEPLOY, bytes32(EXCESS_SLOT), bytes32(uint256(1000))); // a fee no one could pay
        vm.prank(SYSTEM);
        (bool ok, bytes memory out) = PREDEPLOY.call(hex"deadbeef");
        vm.assertTrue(ok);
        vm.assertEq(out.length, 76);
    }

    function test_feeGrowth_withExcessOverBlocks() public {
        // 10 blocks of 6 requests: excess grows by 4 per block; then empty blocks decay it by 2 per block.
        uint256 expectedExcess = 0;
        uint256 lastFee = _fee();
        for (uint256 b = 0; b < 10; ++b) {
            for (uint256 i = 0; i < 6; ++i) {
                uint256 fee = _fee();
                vm.assertEq(fee, _referenceFee(expectedExcess), "fee within the block is constant");
                (bool ok,) = _request(alice, _pubkey(b * 6 + i), 0, fee);
                vm.assertTrue(ok);
            }
            Predeploys.dequeueWithdrawalRequests(vm);
            expectedExcess += 4;
            vm.assertEq(_slot(EXCESS_SLOT), expectedExcess);
            vm.assertGe(_fee(), lastFee, "fee does not fall while over target");
            lastFee = _fee();
        }
        vm.assertEq(_fee(), _referenceFee(40));
        vm.assertEq(_fee(), 10, "e^(40/17) ~ 10.5, the integer series gives 10");
        // under target: decays
        for (uint256 b = 0; b < 20; ++b) {
            Predeploys.dequeueWithdrawalRequests(vm);
        }
        vm.assertEq(_slot(EXCESS_SLOT), 0);
        vm.assertEq(_fee(), 1);
    }

    function testFuzz_requestRoundTrip(address from, uint256 seed, uint64 amount, uint8 n) public {
        vm.assume(from != SYSTEM && from.code.length == 0 && uint160(from) > 0x10);
        n = uint8(bound(n, 1, 40));
        seed = bound(seed, 0, type(uint128).max);
        vm.deal(from, 1_000_000 ether);
        for (uint256 i = 0; i < n; ++i) {
            uint256 fee = _fee(); // before the prank: the getter is a call too
            vm.prank(from);
            (bool ok,) = PREDEPLOY.call{value: fee}(abi.encodePacked(_pubkey(seed + i), amount ^ uint64(i)));
            vm.assertTrue(ok);
        }
        uint256 seen = 0;
        while (seen < n) {
            bytes memory out = Predeploys.dequeueWithdrawalRequests(vm);
            uint256 k = out.length / 76;
            vm.assertEq(out.length % 76, 0);
            vm.assertLe(k, 16);
            vm.assertEq(k, n - seen < 16 ? n - seen : 16);
            for (uint256 j = 0; j < k; ++j) {
                (address s, bytes memory pk, uint64 a) = _record(out, j);
                vm.assertEq(s, from);
                vm.assertEq(pk, _pubkey(seed + seen + j));
                vm.assertEq(uint256(a), uint256(amount ^ uint64(seen + j)));
            }
            seen += k;
        }
        vm.assertEq(_slot(HEAD_SLOT), 0);
        vm.assertEq(_slot(TAIL_SLOT), 0);
    }
}
