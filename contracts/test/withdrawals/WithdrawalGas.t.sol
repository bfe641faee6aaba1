// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueueFixture} from "./WithdrawalQueueFixture.sol";

/// @dev forge's `cool` cheatcode ("marks the slots of an account and the account address as cold"), declared here
///      to leave the shared Vm.sol alone.
interface VmCool {
    function cool(address target) external;
}

/// @notice Gas of the user-facing operations as a user's transaction would pay it, with ceilings that fail CI on
///         regression (SSV's gas-usage habit).
/// @dev How a figure is obtained: the calldata is built before measuring; the queue's address is warmed first (a
///      transaction's `to` is warm, EIP-2929), and so is the caller (its `tx.origin`); then
///        txGas = 21,000 (intrinsic) + calldata gas (EIP-2028: 16 per non-zero byte, 4 per zero byte, with the
///                EIP-7623 floor of 10 per token) + (gasleft() delta of a low-level CALL - 100 for the warm CALL)
///      Storage is cold, as in a fresh transaction: forge runs `setUp` and each test as separate transactions.
///      SSTORE refunds are not subtracted (figures are upper bounds; none of these paths clears a slot).
///      dvETH is the test token behind an ERC1967Proxy, so the pool's proxy hop is included; the real pool adds
///      whatever its transfer does beyond OpenZeppelin's ERC20 (e.g. a pause check).
contract WithdrawalGasTest is WithdrawalQueueFixture {
    event log_named_uint(string key, uint256 val);

    uint256 internal constant TX_BASE = 21_000; // intrinsic gas of a transaction (yellow paper G_transaction)
    uint256 internal constant WARM_CALL = 100; // EIP-2929 warm account access of the measuring CALL
    uint256 internal constant TARGET_REQUEST = 80_000; // the issue's target for one request
    uint256 internal constant TARGET_CLAIM = 60_000; // the issue's target for one claim

    uint256 internal constant SHARES = 1 ether;
    uint256 internal carolPk = 0xCA401;
    address internal carol;
    address internal dave;
    uint256 internal claimId;

    event GasMeasured(string operation, uint256 txGas);

    function setUp() public {
        setUpQueue();
        carol = vm.addr(carolPk);
        dave = makeAddr("dave");
        // carol: a holder with a history (one finalized request) and dvETH + a standing allowance for more
        claimId = requestAs(carol, SHARES);
        requestAs(bob, SHARES); // the queue holds unfinalized shares, as it normally does
        finalizeUpTo(claimId, E27);
        pushRate(E27 + 1e25); // a report moved the rate since
        token.mint(carol, 100 * SHARES);
        vm.prank(carol);
        token.approve(address(queue), 50 * SHARES);
        // dave: has dvETH and an allowance, never requested
        token.mint(dave, 10 * SHARES);
        vm.prank(dave);
        token.approve(address(queue), 10 * SHARES);
        vm.deal(carol, 1 ether);
        vm.deal(dave, 1 ether);
    }

    function test_gas_request_laterRequestOfHolder() public {
        uint256 g = measure(carol, abi.encodeCall(queue.requestWithdrawals, (amounts(1), carol)));
        emit GasMeasured("request (holder's later request)", g);
        emit log_named_uint("request, later (tx gas)", g);
        vm.assertLe(g, 98_500, "request ceiling");
    }

    function test_gas_request_laterRequestWithMaxAllowance() public {
        vm.prank(carol);
        token.approve(address(queue), type(uint256).max);
        uint256 g = measure(carol, abi.encodeCall(queue.requestWithdrawals, (amounts(1), carol)));
        emit GasMeasured("request (later, unlimited allowance)", g);
        emit log_named_uint("request, unlimited allowance (tx gas)", g);
        vm.assertLe(g, 85_500, "request ceiling");
    }

    function test_gas_request_firstRequestOfHolder() public {
        uint256 g = measure(dave, abi.encodeCall(queue.requestWithdrawals, (amounts(1), dave)));
        emit GasMeasured("request (holder's first request)", g);
        emit log_named_uint("request, first of holder (tx gas)", g);
        vm.assertLe(g, 138_500, "first request ceiling");
    }

    function test_gas_request_withPermit() public {
        vm.prank(carol);
        token.approve(address(queue), 0); // the permit is the only allowance
        IWithdrawalQueue.PermitInput memory p = permit(carolPk, carol, SHARES);
        uint256 g = measure(carol, abi.encodeCall(queue.requestWithdrawalsWithPermit, (amounts(1), carol, p)));
        emit GasMeasured("request with permit (later request)", g);
        emit log_named_uint("request with permit (tx gas)", g);
        vm.assertLe(g, 119_000, "permit request ceiling");
    }

    function test_gas_request_batchOfTenPerRequest() public {
        uint256 g = measure(carol, abi.encodeCall(queue.requestWithdrawals, (amounts(10), carol)));
        emit GasMeasured("request batch of 10, per request", g / 10);
        emit log_named_uint("request in a batch of 10, each (tx gas)", g / 10);
        vm.assertLe(g / 10, 36_000, "batched request ceiling");
    }

    function test_gas_claim_withHint() public {
        uint256 g = measure(carol, abi.encodeCall(queue.claimWithdrawals, (ids(claimId), ids(1))));
        emit GasMeasured("claim one request with hint", g);
        vm.assertEq(status(claimId).isClaimed, true);
        emit log_named_uint("claim (tx gas)", g);
        vm.assertLe(g, TARGET_CLAIM, "claim ceiling");
    }

    function test_gas_claim_findsHintItself() public {
        uint256 g = measure(carol, abi.encodeCall(queue.claimWithdrawal, (claimId)));
        emit GasMeasured("claimWithdrawal (hint found on-chain, 1 checkpoint)", g);
        emit log_named_uint("claim (tx gas)", g);
        vm.assertLe(g, TARGET_CLAIM, "claim ceiling");
    }

    function test_gas_claim_batchOfTenPerRequest() public {
        uint256[] memory reqs = new uint256[](10);
        uint256[] memory hints = new uint256[](10);
        for (uint256 i; i < 10; ++i) {
            reqs[i] = requestAs(carol, SHARES);
        }
        finalizeUpTo(reqs[9], E27);
        for (uint256 i; i < 10; ++i) {
            hints[i] = 2;
        }
        uint256 g = measureCold(carol, abi.encodeCall(queue.claimWithdrawals, (reqs, hints)));
        emit GasMeasured("claim batch of 10, per request", g / 10);
        emit log_named_uint("claim in a batch of 10, each (tx gas)", g / 10);
        vm.assertLe(g / 10, 15_000, "batched claim ceiling");
    }

    /// @dev With 64 finalizations behind it, `claimWithdrawal` pays for its binary search (~log2(64) cold reads).
    function test_gas_claim_findsHintAmong64Checkpoints() public {
        uint256 first = requestAs(carol, SHARES);
        finalizeUpTo(first, E27);
        for (uint256 i; i < 63; ++i) {
            finalizeUpTo(requestAs(bob, SHARES), E27);
        }
        uint256 g = measureCold(carol, abi.encodeCall(queue.claimWithdrawal, (first)));
        emit GasMeasured("claimWithdrawal (hint found on-chain, 64 checkpoints)", g);
        emit log_named_uint("claim, hint searched among 64 checkpoints (tx gas)", g);
        vm.assertLe(g, 71_000, "claim-with-search ceiling");
    }

    /// @dev Builds `n` requests worth 1 dvETH each.
    function amounts(uint256 n) internal pure returns (uint256[] memory a) {
        a = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            a[i] = SHARES;
        }
    }

    function permit(uint256 pk, address owner, uint256 value)
        internal
        view
        returns (IWithdrawalQueue.PermitInput memory p)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                address(queue),
                value,
                token.nonces(owner),
                block.timestamp + 1 hours
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        p = IWithdrawalQueue.PermitInput(value, block.timestamp + 1 hours, v, r, s);
    }

    /// @dev As `measure`, for state written earlier in the same test: `vm.cool` marks the queue's, its
    ///      implementation's and the token's address and slots cold again, as in a fresh transaction.
    function measureCold(address caller, bytes memory data) internal returns (uint256) {
        VmCool cheats = VmCool(address(vm));
        cheats.cool(address(queue));
        cheats.cool(address(token));
        cheats.cool(address(implementation));
        return measure(caller, data);
    }

    /// @dev The transaction gas of `caller` sending `data` to the queue (see the contract's notes).
    function measure(address caller, bytes memory data) internal returns (uint256 txGas) {
        address target = address(queue);
        uint256 warm = target.code.length + caller.balance; // EXTCODESIZE/BALANCE warm `to` and `tx.origin`
        warm;
        vm.prank(caller);
        uint256 before = gasleft();
        (bool ok, bytes memory ret) = target.call(data);
        uint256 delta = before - gasleft();
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        txGas = TX_BASE + calldataGas(data) + delta - WARM_CALL;
    }

    /// @dev EIP-2028 calldata gas, raised to the EIP-7623 floor when that is higher (only for tiny executions).
    function calldataGas(bytes memory data) internal pure returns (uint256) {
        uint256 tokens;
        for (uint256 i; i < data.length; ++i) {
            tokens += data[i] == 0 ? 1 : 4;
        }
        return tokens * 4;
    }
}
