// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../utils/Vm.sol";
import {PredeploysTest, Predeploys} from "./Predeploys.sol";
import {DepositContract} from "../../src/predeploys/DepositContract.sol";
import {IDepositContract} from "../../src/interfaces/IDepositContract.sol";

/// @dev Cheatcodes and the console used here only (signatures exactly as forge defines them).
interface VmExtra {
    function cool(address target) external;
}

/// @dev forge prints calls to its console address (with -vv); a low-level call, as the address has no code.
library console {
    address internal constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory label, uint256 value) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string,uint256)", label, value));
        ok; // forge always answers; nothing to do otherwise
    }
}

/// @dev Caller that makes `n` deposits in one call frame, like the protocol's batch deposit.
contract BatchDepositor {
    function depositMany(
        IDepositContract dc,
        bytes[] calldata pubkeys,
        bytes calldata wc,
        bytes[] calldata signatures,
        bytes32[] calldata roots
    ) external payable returns (uint256 gasUsed) {
        uint256 value = msg.value / pubkeys.length;
        uint256 before = gasleft();
        for (uint256 i = 0; i < pubkeys.length; ++i) {
            dc.deposit{value: value}(pubkeys[i], wc, signatures[i], roots[i]);
        }
        gasUsed = before - gasleft();
    }
}

contract DepositContractTest is PredeploysTest {
    IDepositContract internal dc = Predeploys.DEPOSIT_CONTRACT;
    VmExtra internal constant vmx = VmExtra(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev consensus-specs: the root of an empty List[DepositData, 2**32] (the well-known empty deposit root).
    bytes32 internal constant EMPTY_DEPOSIT_ROOT = 0xd70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e;
    bytes32 internal constant DEPOSIT_EVENT_TOPIC = keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)");
    uint256 internal constant DEPOSIT_COUNT_SLOT = 32;
    uint256 internal constant MAX_DEPOSIT_COUNT = 2 ** 32 - 1;

    // Fixed vectors computed with @chainsafe/ssz (common/ssz-deposit.ts, cross-checked against
    // @lodestar/types ssz.phase0.DepositData): deposit k = 1..5 uses _pattern(len, seed) bytes as below and
    // amount k ETH (deposit 3: 35 ETH).
    bytes32[5] internal DATA_ROOTS = [
        bytes32(0xc5a001261de4d03caa095c9b38b618cb8a7d38d7e8de82e282a50dcf69158312),
        0x0be04d01dd6ada65bea51b90dc4a8da780a15b96c78fa99eaaa59dd4766c858e,
        0x59e685bb44a6b94f51f454adb81b759a4533c6d589ba7a67f0d0d3c38cfc3abb,
        0x3860b65cc27d12d6ddd70daf2c6e3d4142fa580ed24f702a8aa8cae79daa573c,
        0x35fbe374d1c4c5c667d85d795aa9395a66a58bce45b6e831ea2a4bde8ff1a416
    ];
    /// @dev hash_tree_root(List[DepositData, 2**32]) of the first n vectors, n = 1..5.
    bytes32[5] internal TREE_ROOTS = [
        bytes32(0x7f26f720f553a16546827c0bed40a6f0dbd5b8b0e3885fd455db6b39053abe9b),
        0x2c9f5c5da85d05798995870f334beec6b1e48108906b2b6946847f8dfeafc81e,
        0xfeaf55d3aebc8cf1e55f4545a5d09f5ef3cc55322bf44a4f877f0e6a62ea4def,
        0xe5e7c59f6dd0460ea8de420d9ea776c089d0ed39906cb03d5fd583b6691827d1,
        0xfa429e23043806b90a3c73627d267100e208f1c966abf23c6c6c3599e5d96462
    ];

    bytes32[] internal leaves; // every accepted deposit's root, for the reference tree

    function setUp() public override {
        super.setUp();
        vm.deal(address(this), type(uint128).max);
    }

    // ------------------------------------------------------------------ helpers

    function _pattern(uint256 len, uint256 seed) internal pure returns (bytes memory b) {
        b = new bytes(len);
        for (uint256 i = 0; i < len; ++i) {
            b[i] = bytes1(uint8((i * 7 + seed * 13 + 1) & 0xff));
        }
    }

    function _vector(uint256 k) internal pure returns (bytes memory pk, bytes memory wc, bytes memory sig, uint64 gwei_) {
        pk = _pattern(48, k);
        wc = _pattern(32, k + 10);
        sig = _pattern(96, k + 20);
        gwei_ = uint64(k * 1e9 + (k == 3 ? 32e9 : 0));
    }

    function _randomDeposit(uint256 seed) internal pure returns (bytes memory pk, bytes memory wc, bytes memory sig) {
        pk = abi.encodePacked(keccak256(abi.encode(seed, 1)), bytes16(keccak256(abi.encode(seed, 2))));
        wc = abi.encodePacked(keccak256(abi.encode(seed, 3)));
        sig = abi.encodePacked(keccak256(abi.encode(seed, 4)), keccak256(abi.encode(seed, 5)), keccak256(abi.encode(seed, 6)));
    }

    /// @dev Deposits and records the leaf for the reference tree.
    function _deposit(bytes memory pk, bytes memory wc, bytes memory sig, uint64 amountGwei) internal {
        bytes32 root = Predeploys.depositDataRoot(pk, wc, sig, amountGwei);
        dc.deposit{value: uint256(amountGwei) * 1 gwei}(pk, wc, sig, root);
        leaves.push(root);
    }

    /// @dev Reference: hash_tree_root(List[DepositData, 2**32]) by hashing the whole tree level by level
    ///      (independent of the contract's incremental branch).
    function _referenceRoot() internal view returns (bytes32) {
        uint256 n = leaves.length;
        bytes32[] memory level = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            level[i] = leaves[i];
        }
        bytes32 zero = bytes32(0);
        for (uint256 h = 0; h < 32; ++h) {
            uint256 m = (n + 1) / 2;
            bytes32[] memory next = new bytes32[](m);
            for (uint256 i = 0; i < m; ++i) {
                bytes32 right = 2 * i + 1 < n ? level[2 * i + 1] : zero;
                next[i] = sha256(abi.encodePacked(level[2 * i], right));
            }
            level = next;
            n = m;
            zero = sha256(abi.encodePacked(zero, zero));
        }
        bytes32 top = level.length > 0 ? level[0] : zero;
        return sha256(abi.encodePacked(top, Predeploys.littleEndian64(uint64(leaves.length)), bytes24(0)));
    }

    function _count() internal view returns (uint256) {
        bytes memory c = dc.get_deposit_count();
        vm.assertEq(c.length, 8, "count is 8 bytes");
        uint256 v;
        for (uint256 i = 0; i < 8; ++i) {
            v |= uint256(uint8(c[i])) << (8 * i);
        }
        return v;
    }

    // ------------------------------------------------------------------ fixed vectors

    function test_emptyTree_hasTheSpecEmptyRootAndZeroCount() public view {
        vm.assertEq(dc.get_deposit_root(), EMPTY_DEPOSIT_ROOT);
        vm.assertEq(dc.get_deposit_count(), hex"0000000000000000");
    }

    function test_referenceRoot_ofEmptyList_isTheSpecEmptyRoot() public view {
        vm.assertEq(_referenceRoot(), EMPTY_DEPOSIT_ROOT);
    }

    function test_depositDataRoot_matchesSszVectors() public pure {
        for (uint256 k = 1; k <= 5; ++k) {
            (bytes memory pk, bytes memory wc, bytes memory sig, uint64 g) = _vector(k);
            vm.assertEq(Predeploys.depositDataRoot(pk, wc, sig, g), [
                bytes32(0xc5a001261de4d03caa095c9b38b618cb8a7d38d7e8de82e282a50dcf69158312),
                0x0be04d01dd6ada65bea51b90dc4a8da780a15b96c78fa99eaaa59dd4766c858e,
                0x59e685bb44a6b94f51f454adb81b759a4533c6d589ba7a67f0d0d3c38cfc3abb,
                0x3860b65cc27d12d6ddd70daf2c6e3d4142fa580ed24f702a8aa8cae79daa573c,
                0x35fbe374d1c4c5c667d85d795aa9395a66a58bce45b6e831ea2a4bde8ff1a416
            ][k - 1]);
        }
    }

    function test_deposit_vectors_rootAndCountEvolveAsSsz() public {
        for (uint256 k = 1; k <= 5; ++k) {
            (bytes memory pk, bytes memory wc, bytes memory sig, uint64 g) = _vector(k);
            dc.deposit{value: uint256(g) * 1 gwei}(pk, wc, sig, DATA_ROOTS[k - 1]);
            vm.assertEq(dc.get_deposit_root(), TREE_ROOTS[k - 1], "tree root after k deposits");
            vm.assertEq(_count(), k, "count");
        }
        vm.assertEq(address(dc).balance, (1 + 2 + 35 + 4 + 5) * 1 ether, "the contract keeps the ETH");
    }

    function test_depositEvent_isByteExact() public {
        (bytes memory pk, bytes memory wc, bytes memory sig,) = _vector(1);
        _deposit(pk, wc, sig, 32e9); // index 0
        (pk, wc, sig,) = _vector(2);
        uint64 amount = 0x0102030405060708; // distinct bytes: catches any byte-order slip
        vm.recordLogs();
        dc.deposit{value: uint256(amount) * 1 gwei}(pk, wc, sig, Predeploys.depositDataRoot(pk, wc, sig, amount));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1);
        vm.assertEq(logs[0].emitter, address(dc));
        vm.assertEq(logs[0].topics.length, 1);
        vm.assertEq(logs[0].topics[0], DEPOSIT_EVENT_TOPIC);
        vm.assertEq(logs[0].topics[0], IDepositContract.DepositEvent.selector);
        bytes memory expected = abi.encode(pk, wc, hex"0807060504030201", sig, hex"0100000000000000");
        vm.assertEq(logs[0].data, expected);
        (bytes memory a, bytes memory b, bytes memory c, bytes memory d, bytes memory e) =
            abi.decode(logs[0].data, (bytes, bytes, bytes, bytes, bytes));
        vm.assertEq(keccak256(a), keccak256(pk));
        vm.assertEq(keccak256(b), keccak256(wc));
        vm.assertEq(c, hex"0807060504030201");
        vm.assertEq(keccak256(d), keccak256(sig));
        vm.assertEq(e, hex"0100000000000000");
    }

    function test_expectEmit_depositEvent() public {
        (bytes memory pk, bytes memory wc, bytes memory sig,) = _vector(4);
        bytes32 root = Predeploys.depositDataRoot(pk, wc, sig, 32e9);
        vm.expectEmit(address(dc));
        emit IDepositContract.DepositEvent(pk, wc, hex"0040597307000000", sig, hex"0000000000000000");
        dc.deposit{value: 32 ether}(pk, wc, sig, root);
    }

    function test_supportsInterface() public view {
        DepositContract impl = DepositContract(address(dc));
        vm.assertTrue(impl.supportsInterface(0x01ffc9a7), "ERC-165");
        vm.assertTrue(impl.supportsInterface(0x85640907), "IDepositContract (canonical id)");
        vm.assertEq(uint256(uint32(type(IDepositContract).interfaceId)), uint256(0x85640907));
        vm.assertFalse(impl.supportsInterface(0xffffffff), "0xffffffff per ERC-165");
        vm.assertFalse(impl.supportsInterface(0x12345678));
    }

    // ------------------------------------------------------------------ every revert

    function test_revert_pubkeyLength() public {
        (, bytes memory wc, bytes memory sig,) = _vector(1);
        vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidPubkeyLength.selector, 47));
        dc.deposit{value: 32 ether}(_pattern(47, 1), wc, sig, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidPubkeyLength.selector, 49));
        dc.deposit{value: 32 ether}(_pattern(49, 1), wc, sig, bytes32(0));
    }

    function test_revert_withdrawalCredentialsLength() public {
        (bytes memory pk,, bytes memory sig,) = _vector(1);
        vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidWithdrawalCredentialsLength.selector, 31));
        dc.deposit{value: 32 ether}(pk, _pattern(31, 1), sig, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidWithdrawalCredentialsLength.selector, 33));
        dc.deposit{value: 32 ether}(pk, _pattern(33, 1), sig, bytes32(0));
    }

    function test_revert_signatureLength() public {
        (bytes memory pk, bytes memory wc,,) = _vector(1);
        vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidSignatureLength.selector, 95));
        dc.deposit{value: 32 ether}(pk, wc, _pattern(95, 1), bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidSignatureLength.selector, 0));
        dc.deposit{value: 32 ether}(pk, wc, "", bytes32(0));
    }

    function test_revert_valueBelowOneEther() public {
        (bytes memory pk, bytes memory wc, bytes memory sig,) = _vector(1);
        vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositValueTooLow.selector, 1 ether - 1 gwei));
        dc.deposit{value: 1 ether - 1 gwei}(pk, wc, sig, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositValueTooLow.selector, 0));
        dc.deposit(pk, wc, sig, bytes32(0));
    }

    function test_revert_valueNotWholeGwei() public {
        (bytes memory pk, bytes memory wc, bytes memory sig,) = _vector(1);
        vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositValueNotMultipleOfGwei.selector, 32 ether + 1));
        dc.deposit{value: 32 ether + 1}(pk, wc, sig, bytes32(0));
    }

    function test_revert_valueAboveUint64Gwei() public {
        (bytes memory pk, bytes memory wc, bytes memory sig,) = _vector(1);
        uint256 tooMuch = (uint256(type(uint64).max) + 1) * 1 gwei;
        vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositValueTooHigh.selector, tooMuch));
        dc.deposit{value: tooMuch}(pk, wc, sig, bytes32(0));
        // the largest amount is accepted
        _deposit(pk, wc, sig, type(uint64).max);
        vm.assertEq(dc.get_deposit_root(), _referenceRoot());
    }

    function test_revert_wrongDepositDataRoot() public {
        (bytes memory pk, bytes memory wc, bytes memory sig,) = _vector(1);
        bytes32 good = DATA_ROOTS[0];
        bytes32 bad = good ^ bytes32(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositDataRootMismatch.selector, bad, good));
        dc.deposit{value: 1 ether}(pk, wc, sig, bad);
        // same data, another amount: the root no longer matches
        vm.expectRevert(
            abi.encodeWithSelector(
                DepositContract.DepositDataRootMismatch.selector, good, Predeploys.depositDataRoot(pk, wc, sig, 2e9)
            )
        );
        dc.deposit{value: 2 ether}(pk, wc, sig, good);
        vm.assertEq(_count(), 0);
        vm.assertEq(dc.get_deposit_root(), EMPTY_DEPOSIT_ROOT);
    }

    function test_revert_treeFull_andLastLeafAccepted() public {
        vm.store(address(dc), bytes32(DEPOSIT_COUNT_SLOT), bytes32(MAX_DEPOSIT_COUNT - 1));
        (bytes memory pk, bytes memory wc, bytes memory sig, uint64 g) = _vector(1);
        dc.deposit{value: 1 ether}(pk, wc, sig, Predeploys.depositDataRoot(pk, wc, sig, g));
        vm.assertEq(_count(), MAX_DEPOSIT_COUNT);
        bytes32 root = Predeploys.depositDataRoot(pk, wc, sig, g); // before expectRevert: sha256 is a call too
        vm.expectRevert(DepositContract.DepositTreeFull.selector);
        dc.deposit{value: 1 ether}(pk, wc, sig, root);
    }

    function test_revert_plainEtherTransferAndUnknownSelector() public {
        (bool ok,) = address(dc).call{value: 1 ether}("");
        vm.assertFalse(ok, "no receive");
        (ok,) = address(dc).call(abi.encodeWithSignature("withdraw()"));
        vm.assertFalse(ok, "no fallback");
    }

    // ------------------------------------------------------------------ evolution against the reference tree

    function test_rootEvolution_matchesFullTreeReference_over70Deposits() public {
        for (uint256 i = 0; i < 70; ++i) {
            (bytes memory pk, bytes memory wc, bytes memory sig) = _randomDeposit(i);
            _deposit(pk, wc, sig, uint64(1e9 + i * 1e9));
            vm.assertEq(dc.get_deposit_root(), _referenceRoot(), "root after deposit");
            vm.assertEq(_count(), i + 1);
        }
    }

    /// @dev A full-height check of get_deposit_root's "filled left subtree" path: with count = 2**32 - 1 every level
    ///      hashes the stored branch on the left, so root = H(b31, H(b30, … H(b0, 0))) mixed with the count.
    function testFuzz_depositRoot_allBranchesFilled(bytes32 seed) public {
        bytes32 node = bytes32(0);
        for (uint256 h = 0; h < 32; ++h) {
            bytes32 b = keccak256(abi.encode(seed, h));
            vm.store(address(dc), bytes32(h), b);
            node = sha256(abi.encodePacked(b, node));
        }
        vm.store(address(dc), bytes32(DEPOSIT_COUNT_SLOT), bytes32(MAX_DEPOSIT_COUNT));
        bytes32 expected = sha256(abi.encodePacked(node, Predeploys.littleEndian64(uint64(MAX_DEPOSIT_COUNT)), bytes24(0)));
        vm.assertEq(dc.get_deposit_root(), expected);
        vm.assertEq(dc.get_deposit_count(), hex"ffffffff00000000");
    }

    function test_branchStorage_isTheCanonicalLayout() public {
        // after 3 deposits: branch[0] = leaf 2, branch[1] = H(leaf 0, leaf 1), count at slot 32
        for (uint256 i = 0; i < 3; ++i) {
            (bytes memory pk, bytes memory wc, bytes memory sig) = _randomDeposit(i);
            _deposit(pk, wc, sig, 32e9);
        }
        vm.assertEq(vm.load(address(dc), bytes32(uint256(0))), leaves[2]);
        vm.assertEq(vm.load(address(dc), bytes32(uint256(1))), sha256(abi.encodePacked(leaves[0], leaves[1])));
        vm.assertEq(uint256(vm.load(address(dc), bytes32(DEPOSIT_COUNT_SLOT))), 3);
    }

    // ------------------------------------------------------------------ fuzzing

    function testFuzz_deposit_acceptsExactlyTheSszRoot(bytes32 s1, bytes16 s2, bytes32 w, uint256 sigSeed, uint64 g)
        public
    {
        g = uint64(bound(g, 1e9, type(uint64).max));
        bytes memory pk = abi.encodePacked(s1, s2);
        bytes memory wc = abi.encodePacked(w);
        bytes memory sig = abi.encodePacked(keccak256(abi.encode(sigSeed)), keccak256(abi.encode(sigSeed, 1)), bytes32(sigSeed));
        bytes32 root = Predeploys.depositDataRoot(pk, wc, sig, g);
        vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositDataRootMismatch.selector, ~root, root));
        dc.deposit{value: uint256(g) * 1 gwei}(pk, wc, sig, ~root);

        vm.recordLogs();
        _deposit(pk, wc, sig, g);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 1);
        vm.assertEq(
            logs[0].data,
            abi.encode(pk, wc, abi.encodePacked(Predeploys.littleEndian64(g)), sig, hex"0000000000000000")
        );
        vm.assertEq(dc.get_deposit_root(), _referenceRoot());
    }

    function testFuzz_revert_wrongLengths(uint8 pkLen, uint8 wcLen, uint8 sigLen) public {
        vm.assume(pkLen != 48);
        (, bytes memory wc, bytes memory sig,) = _vector(1);
        vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidPubkeyLength.selector, pkLen));
        dc.deposit{value: 32 ether}(new bytes(pkLen), wc, sig, bytes32(0));
        (bytes memory pk,,,) = _vector(1);
        if (wcLen != 32) {
            vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidWithdrawalCredentialsLength.selector, wcLen));
            dc.deposit{value: 32 ether}(pk, new bytes(wcLen), sig, bytes32(0));
        }
        if (sigLen != 96) {
            vm.expectRevert(abi.encodeWithSelector(DepositContract.InvalidSignatureLength.selector, sigLen));
            dc.deposit{value: 32 ether}(pk, wc, new bytes(sigLen), bytes32(0));
        }
    }

    function testFuzz_revert_badValues(uint256 value) public {
        (bytes memory pk, bytes memory wc, bytes memory sig,) = _vector(1);
        value = bound(value, 0, type(uint128).max);
        bytes32 root = bytes32(0);
        if (value < 1 ether) {
            vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositValueTooLow.selector, value));
        } else if (value % 1 gwei != 0) {
            vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositValueNotMultipleOfGwei.selector, value));
        } else if (value / 1 gwei > type(uint64).max) {
            vm.expectRevert(abi.encodeWithSelector(DepositContract.DepositValueTooHigh.selector, value));
        } else {
            root = Predeploys.depositDataRoot(pk, wc, sig, uint64(value / 1 gwei));
        }
        dc.deposit{value: value}(pk, wc, sig, root);
    }

    function testFuzz_rootEvolution(uint8 n, uint256 seed) public {
        n = uint8(bound(n, 1, 40));
        for (uint256 i = 0; i < n; ++i) {
            (bytes memory pk, bytes memory wc, bytes memory sig) = _randomDeposit(uint256(keccak256(abi.encode(seed, i))));
            _deposit(pk, wc, sig, 32e9);
        }
        vm.assertEq(dc.get_deposit_root(), _referenceRoot());
        vm.assertEq(_count(), n);
    }

    // ------------------------------------------------------------------ gas (measured; ceilings catch regressions)

    /// @dev One 32 ETH deposit, every account and slot cold (as in its own transaction), into an empty tree
    ///      (two zero→non-zero SSTOREs: count and branch[0]) and into a tree of 1000 deposits.
    function test_gas_singleDeposit32Eth() public {
        (bytes memory pk, bytes memory wc, bytes memory sig) = _randomDeposit(0);
        bytes32 root = Predeploys.depositDataRoot(pk, wc, sig, 32e9);
        vmx.cool(address(dc));
        uint256 g0 = gasleft();
        dc.deposit{value: 32 ether}(pk, wc, sig, root);
        uint256 first = g0 - gasleft();
        console.log("deposit gas, empty tree, cold (incl. CALL with value)", first);

        vm.pauseGasMetering();
        for (uint256 i = 1; i < 1000; ++i) {
            (pk, wc, sig) = _randomDeposit(i);
            dc.deposit{value: 32 ether}(pk, wc, sig, Predeploys.depositDataRoot(pk, wc, sig, 32e9));
        }
        (pk, wc, sig) = _randomDeposit(1000);
        root = Predeploys.depositDataRoot(pk, wc, sig, 32e9);
        vm.resumeGasMetering();
        vmx.cool(address(dc));
        g0 = gasleft();
        dc.deposit{value: 32 ether}(pk, wc, sig, root); // count 1000 -> 1001: one branch slot, no hashing up
        uint256 steady = g0 - gasleft();
        console.log("deposit gas, 1001st deposit, cold (incl. CALL with value)", steady);
        vm.assertLe(first, 75_000, "first deposit gas ceiling");
        vm.assertLe(steady, 40_000, "steady deposit gas ceiling");
    }

    /// @dev 50 deposits in one call frame (the protocol's batch): slots are warm after the first.
    function test_gas_batchOf50Deposits() public {
        BatchDepositor batcher = new BatchDepositor();
        bytes[] memory pks = new bytes[](50);
        bytes[] memory sigs = new bytes[](50);
        bytes32[] memory roots = new bytes32[](50);
        bytes memory wc = Predeploys.addressCredentials(0x01, address(0xBEEF));
        // a tree that already holds 1000 deposits
        vm.pauseGasMetering();
        for (uint256 i = 0; i < 1000; ++i) {
            (bytes memory pk0, bytes memory wc0, bytes memory sig0) = _randomDeposit(i + 5000);
            dc.deposit{value: 32 ether}(pk0, wc0, sig0, Predeploys.depositDataRoot(pk0, wc0, sig0, 32e9));
        }
        for (uint256 i = 0; i < 50; ++i) {
            (pks[i],, sigs[i]) = _randomDeposit(i);
            roots[i] = Predeploys.depositDataRoot(pks[i], wc, sigs[i], 32e9);
        }
        vm.resumeGasMetering();
        vmx.cool(address(dc));
        uint256 used = batcher.depositMany{value: 50 * 32 ether}(dc, pks, wc, sigs, roots);
        console.log("50 deposits in one frame, total gas", used);
        console.log("50 deposits in one frame, gas per deposit", used / 50);
        vm.assertEq(_count(), 1050);
        vm.assertLe(used / 50, 32_000, "batched deposit gas ceiling");
    }

    function test_gas_getDepositRoot() public {
        for (uint256 i = 0; i < 5; ++i) {
            (bytes memory pk, bytes memory wc, bytes memory sig) = _randomDeposit(i);
            _deposit(pk, wc, sig, 32e9);
        }
        vmx.cool(address(dc));
        uint256 g0 = gasleft();
        dc.get_deposit_root();
        uint256 used = g0 - gasleft();
        console.log("get_deposit_root gas, cold", used);
        vm.assertLe(used, 20_000, "get_deposit_root gas ceiling");
    }
}
