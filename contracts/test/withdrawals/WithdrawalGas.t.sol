// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {WithdrawalQueueFixture} from "./WithdrawalQueueFixture.sol";

/// @notice Gas of claims as a user's transaction would pay it, with ceilings that fail CI on regression (SSV's
///         gas-usage habit). Claims touch only the queue (its ETH, its storage), so the test share token behind the
///         queue makes no difference to them; requests move dvETH and are measured against the real pool in
///         WithdrawalSystemGas.t.sol (which also measures a claim there, to show the two agree).
/// @dev How a figure is obtained: the calldata is built before measuring; the queue's address is warmed first (a
///      transaction's `to` is warm, EIP-2929), and so is the caller (its `tx.origin`); then
///        txGas = 21,000 (intrinsic) + calldata gas (EIP-2028: 16 per non-zero byte, 4 per zero byte; the
///                EIP-7623 floor does not bind) + (gasleft() delta of a low-level CALL - 100 for the warm CALL)
///      Storage and accounts are cold, as in a fresh transaction: forge runs `setUp` and each test as separate
///      transactions, and every test measures before touching anything (each state is built in a `setUp`:
///      forge's `cool` re-cools slots but not accounts, so state built inside a test would leave the
///      implementation warm). SSTORE refunds are not subtracted: a claim sets the claimed bit in its request's
///      slot and lowers the locked ETH, clearing no slot.
abstract contract WithdrawalGasBase is WithdrawalQueueFixture {
    event log_named_uint(string key, uint256 val);
    event GasMeasured(string operation, uint256 txGas);

    uint256 internal constant TX_BASE = 21_000; // intrinsic gas of a transaction (yellow paper G_transaction)
    uint256 internal constant WARM_CALL = 100; // EIP-2929 warm account access of the measuring CALL
    uint256 internal constant TARGET_CLAIM = 60_000; // the issue's target for one claim

    uint256 internal constant SHARES = 1 ether;
    address internal carol;
    uint256 internal claimId;

    function setUpHistory() internal {
        setUpQueue();
        carol = makeAddr("carol");
        // carol: a holder with a history (one finalized request)
        claimId = requestAs(carol, SHARES);
        requestAs(bob, SHARES); // the queue holds unfinalized shares, as it normally does
        finalizeUpTo(claimId, E27);
        pushRate(E27 + 1e25); // a report moved the rate since
        vm.deal(carol, 1 ether);
    }

    /// @dev The transaction gas of `caller` sending `data` to the queue (see the notes above).
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

    /// @dev EIP-2028 calldata gas.
    function calldataGas(bytes memory data) internal pure returns (uint256) {
        uint256 tokens;
        for (uint256 i; i < data.length; ++i) {
            tokens += data[i] == 0 ? 1 : 4;
        }
        return tokens * 4;
    }
}

contract WithdrawalGasTest is WithdrawalGasBase {
    function setUp() public {
        setUpHistory();
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

}

contract WithdrawalGasClaimBatchTest is WithdrawalGasBase {
    uint256[] internal reqs;
    uint256[] internal hints;

    function setUp() public {
        setUpHistory();
        for (uint256 i; i < 10; ++i) {
            reqs.push(requestAs(carol, SHARES));
            hints.push(2);
        }
        finalizeUpTo(reqs[9], E27);
    }

    function test_gas_claim_batchOfTenPerRequest() public {
        uint256 g = measure(carol, abi.encodeCall(queue.claimWithdrawals, (reqs, hints)));
        emit GasMeasured("claim batch of 10, per request", g / 10);
        emit log_named_uint("claim in a batch of 10, each (tx gas)", g / 10);
        vm.assertLe(g / 10, 15_000, "batched claim ceiling");
    }
}

/// @dev With 64 finalizations behind it, `claimWithdrawal` pays for its binary search (~log2(64) cold reads).
contract WithdrawalGasClaimSearchTest is WithdrawalGasBase {
    uint256 internal first;

    function setUp() public {
        setUpHistory();
        first = requestAs(carol, SHARES);
        finalizeUpTo(first, E27);
        for (uint256 i; i < 63; ++i) {
            finalizeUpTo(requestAs(bob, SHARES), E27);
        }
    }

    function test_gas_claim_findsHintAmong64Checkpoints() public {
        uint256 g = measure(carol, abi.encodeCall(queue.claimWithdrawal, (first)));
        emit GasMeasured("claimWithdrawal (hint found on-chain, 64 checkpoints)", g);
        emit log_named_uint("claim, hint searched among 64 checkpoints (tx gas)", g);
        vm.assertLe(g, 74_000, "claim-with-search ceiling");
    }
}
