// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LittleEndian} from "./LittleEndian.sol";

/**
 * @title WithdrawalRequestPredeploy — our implementation of the EIP-7002 withdrawal request system contract
 *
 * @notice Behaviour of the contract at 0x00000961Ef480Eb55e80D19ad83579A64c007002 (EIP-7002, "Execution layer
 *  triggerable withdrawals"). It has no ABI: the input alone selects the path.
 *  - From anyone, 56 bytes (validator pubkey 48 ‖ amount in gwei, uint64 big-endian) with `msg.value` ≥ the current
 *    fee: the request (source = msg.sender) is appended to the queue and announced by an anonymous log (`log0`) of
 *    76 bytes: source 20 ‖ pubkey 48 ‖ amount 8 big-endian. Overpaid fees are kept, as the EIP says. Amount 0 asks
 *    for a full exit; any other amount for a partial withdrawal.
 *  - From anyone, empty input and no value: returns the current fee in wei as one 32-byte word.
 *  - From SYSTEM_ADDRESS (the end-of-block system call): dequeues up to MAX_WITHDRAWAL_REQUESTS_PER_BLOCK requests and
 *    returns them concatenated, 76 bytes each: source 20 ‖ pubkey 48 ‖ amount 8 little-endian (the EIP-7685 request
 *    data of type 0x01); then updates the excess (fee state) and resets this block's count.
 *  - Anything else reverts.
 *
 * @notice What it trusts: that only the client's end-of-block system call comes from SYSTEM_ADDRESS. Tests and the
 *  devnet play that role (anvil does not make the call): a request stays queued until someone calls as SYSTEM_ADDRESS.
 *
 * @dev Fee: fee = fake_exponential(MIN_WITHDRAWAL_REQUEST_FEE, excess, WITHDRAWAL_REQUEST_FEE_UPDATE_FRACTION)
 *  ≈ e^(excess / 17) wei, where excess grows by (requests in a block − 2) at each system call, floored at 0.
 *
 *  Storage is the EIP's layout, so `eth_getStorageAt` readers see what they would see on mainnet:
 *    slot 0 excess | slot 1 count this block | slot 2 queue head | slot 3 queue tail
 *    slot 4 + 3i   source address of queued request i
 *    slot 5 + 3i   pubkey[0:32]
 *    slot 6 + 3i   pubkey[32:48] ‖ amount (big-endian, as received) ‖ 0⁸
 *  (the EIP's pseudocode puts the amount little-endian in that last slot; the deployed bytecode stores the input word
 *  as is and swaps the bytes when it dequeues; we do what the deployed bytecode does).
 *  Runtime code and zeroed storage suffice (placed with `vm.etch` / `anvil_setCode`). The canonical deployment starts
 *  with excess = EXCESS_INHIBITOR (fee requests revert until the first system call); a zeroed storage starts at
 *  excess 0, i.e. the fee is 1 wei at once. Writing EXCESS_INHIBITOR to slot 0 restores the canonical start.
 *  Deviation: reverts carry custom errors where the canonical bytecode reverts with empty data.
 */
contract WithdrawalRequestPredeploy {
    // ---------------------------------------------------------------- constants (EIP-7002, "Configuration")

    /// @dev The address clients use for system calls.
    address internal constant SYSTEM_ADDRESS = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;
    uint256 internal constant EXCESS_WITHDRAWAL_REQUESTS_STORAGE_SLOT = 0;
    uint256 internal constant WITHDRAWAL_REQUEST_COUNT_STORAGE_SLOT = 1;
    uint256 internal constant WITHDRAWAL_REQUEST_QUEUE_HEAD_STORAGE_SLOT = 2;
    uint256 internal constant WITHDRAWAL_REQUEST_QUEUE_TAIL_STORAGE_SLOT = 3;
    uint256 internal constant WITHDRAWAL_REQUEST_QUEUE_STORAGE_OFFSET = 4;
    /// @dev Storage slots per queued request (source, pubkey head, pubkey tail ‖ amount).
    uint256 internal constant SLOTS_PER_REQUEST = 3;
    uint256 internal constant MAX_WITHDRAWAL_REQUESTS_PER_BLOCK = 16;
    uint256 internal constant TARGET_WITHDRAWAL_REQUESTS_PER_BLOCK = 2;
    uint256 internal constant MIN_WITHDRAWAL_REQUEST_FEE = 1;
    uint256 internal constant WITHDRAWAL_REQUEST_FEE_UPDATE_FRACTION = 17;
    /// @dev Excess value of the canonical deployment until the first system call: the fee getter and adds revert.
    uint256 internal constant EXCESS_INHIBITOR = type(uint256).max;
    /// @dev Request input: pubkey (48) ‖ amount (8, big-endian).
    uint256 internal constant REQUEST_INPUT_LENGTH = 56;
    /// @dev One dequeued request: source (20) ‖ pubkey (48) ‖ amount (8, little-endian).
    uint256 internal constant REQUEST_OUTPUT_LENGTH = 76;
    /// @dev Mask of the high 16 bytes of a word (the pubkey's last 16 bytes in the third queue slot).
    uint256 private constant HIGH_16_BYTES = 0xffffffffffffffffffffffffffffffff00000000000000000000000000000000;

    // ---------------------------------------------------------------- errors

    /// @notice Input that is neither empty (fee getter) nor 56 bytes (request).
    error InvalidInputLength(uint256 length);
    /// @notice The value sent does not cover the current fee.
    error InsufficientFee(uint256 sent, uint256 fee);
    /// @notice The fee getter takes no value.
    error ValueSentToFeeGetter(uint256 value);
    /// @notice Excess is still EXCESS_INHIBITOR: no system call has run since deployment.
    error InhibitorActive();

    // ---------------------------------------------------------------- the single entry point

    /// @notice Request a withdrawal (56-byte input + fee), read the fee (empty input), or, from SYSTEM_ADDRESS,
    ///         dequeue this block's requests. See the contract header for the formats.
    /// @param input pubkey ‖ amount (big-endian uint64 gwei), or empty.
    /// @return output The fee (32 bytes) for the getter, the dequeued requests for the system call, else empty.
    fallback(bytes calldata input) external payable returns (bytes memory output) {
        if (msg.sender == SYSTEM_ADDRESS) return _readWithdrawalRequests();
        uint256 fee = _getFee();
        if (input.length == REQUEST_INPUT_LENGTH) {
            if (msg.value < fee) revert InsufficientFee(msg.value, fee);
            _addWithdrawalRequest();
            return output;
        }
        if (input.length != 0) revert InvalidInputLength(input.length);
        if (msg.value != 0) revert ValueSentToFeeGetter(msg.value);
        return abi.encode(fee);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Appends (msg.sender, calldata) to the queue and logs it.
    function _addWithdrawalRequest() private {
        assembly ("memory-safe") {
            sstore(WITHDRAWAL_REQUEST_COUNT_STORAGE_SLOT, add(sload(WITHDRAWAL_REQUEST_COUNT_STORAGE_SLOT), 1))
            let tail := sload(WITHDRAWAL_REQUEST_QUEUE_TAIL_STORAGE_SLOT)
            let slot := add(WITHDRAWAL_REQUEST_QUEUE_STORAGE_OFFSET, mul(tail, SLOTS_PER_REQUEST))
            sstore(slot, caller())
            sstore(add(slot, 1), calldataload(0)) // pubkey[0:32]
            sstore(add(slot, 2), calldataload(0x20)) // pubkey[32:48] ‖ amount BE ‖ 8 zero bytes (past the input)
            sstore(WITHDRAWAL_REQUEST_QUEUE_TAIL_STORAGE_SLOT, add(tail, 1))
            // log0(source ‖ pubkey ‖ amount BE), built past the free-memory pointer
            let p := mload(0x40)
            mstore(p, shl(96, caller()))
            calldatacopy(add(p, 20), 0, REQUEST_INPUT_LENGTH)
            log0(p, REQUEST_OUTPUT_LENGTH)
        }
    }

    /// @dev The system call: dequeue, update the excess, reset the count.
    function _readWithdrawalRequests() private returns (bytes memory out) {
        uint256 head;
        uint256 tail;
        assembly ("memory-safe") {
            head := sload(WITHDRAWAL_REQUEST_QUEUE_HEAD_STORAGE_SLOT)
            tail := sload(WITHDRAWAL_REQUEST_QUEUE_TAIL_STORAGE_SLOT)
        }
        uint256 n = tail - head;
        if (n > MAX_WITHDRAWAL_REQUESTS_PER_BLOCK) n = MAX_WITHDRAWAL_REQUESTS_PER_BLOCK;

        // One spare word: each record's last mstore writes 8 bytes past the record (overwritten by the next one).
        out = new bytes(n * REQUEST_OUTPUT_LENGTH + 32);
        for (uint256 i = 0; i < n; ++i) {
            uint256 slot = WITHDRAWAL_REQUEST_QUEUE_STORAGE_OFFSET + (head + i) * SLOTS_PER_REQUEST;
            uint256 source;
            uint256 pubkeyHead;
            uint256 last;
            assembly ("memory-safe") {
                source := sload(slot)
                pubkeyHead := sload(add(slot, 1))
                last := sload(add(slot, 2))
            }
            // last = pubkey[32:48] ‖ amount BE ‖ 0⁸  →  pubkey[32:48] ‖ amount LE ‖ 0⁸
            uint256 tailWord = (last & HIGH_16_BYTES) | (uint256(LittleEndian.toLittleEndian64(last >> 64)) >> 128);
            assembly ("memory-safe") {
                let q := add(add(out, 0x20), mul(i, REQUEST_OUTPUT_LENGTH))
                mstore(q, shl(96, source))
                mstore(add(q, 20), pubkeyHead)
                mstore(add(q, 52), tailWord)
            }
        }
        assembly ("memory-safe") {
            mstore(out, mul(n, REQUEST_OUTPUT_LENGTH))
        }

        uint256 newHead = head + n;
        uint256 excess;
        uint256 count;
        assembly ("memory-safe") {
            switch eq(newHead, tail)
            case 1 {
                // queue drained: reset both pointers so the queue restarts at slot 4
                sstore(WITHDRAWAL_REQUEST_QUEUE_HEAD_STORAGE_SLOT, 0)
                sstore(WITHDRAWAL_REQUEST_QUEUE_TAIL_STORAGE_SLOT, 0)
            }
            default { sstore(WITHDRAWAL_REQUEST_QUEUE_HEAD_STORAGE_SLOT, newHead) }
            excess := sload(EXCESS_WITHDRAWAL_REQUESTS_STORAGE_SLOT)
            count := sload(WITHDRAWAL_REQUEST_COUNT_STORAGE_SLOT)
        }
        if (excess == EXCESS_INHIBITOR) excess = 0;
        uint256 newExcess = excess + count > TARGET_WITHDRAWAL_REQUESTS_PER_BLOCK
            ? excess + count - TARGET_WITHDRAWAL_REQUESTS_PER_BLOCK
            : 0;
        assembly ("memory-safe") {
            sstore(EXCESS_WITHDRAWAL_REQUESTS_STORAGE_SLOT, newExcess)
            sstore(WITHDRAWAL_REQUEST_COUNT_STORAGE_SLOT, 0)
        }
    }

    /// @dev The EIP's get_fee(): fake_exponential(MIN_FEE, excess, UPDATE_FRACTION), a Taylor series of
    ///      MIN_FEE · e^(excess / UPDATE_FRACTION) in integers. Checked arithmetic: an excess so large that the series
    ///      overflows (≈ 3000, a fee near 1e75 wei) reverts instead of wrapping.
    function _getFee() private view returns (uint256) {
        uint256 excess;
        assembly ("memory-safe") {
            excess := sload(EXCESS_WITHDRAWAL_REQUESTS_STORAGE_SLOT)
        }
        if (excess == EXCESS_INHIBITOR) revert InhibitorActive();
        uint256 i = 1;
        uint256 output = 0;
        uint256 accum = MIN_WITHDRAWAL_REQUEST_FEE * WITHDRAWAL_REQUEST_FEE_UPDATE_FRACTION;
        while (accum > 0) {
            output += accum;
            accum = (accum * excess) / (WITHDRAWAL_REQUEST_FEE_UPDATE_FRACTION * i);
            ++i;
        }
        return output / WITHDRAWAL_REQUEST_FEE_UPDATE_FRACTION;
    }
}
