// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title BeaconRootsPredeploy — our implementation of the EIP-4788 beacon roots contract
 *
 * @notice Behaviour of the contract at 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02 (EIP-4788, "Beacon block root in
 *  the EVM"). It has no ABI: the caller selects the path.
 *  - From SYSTEM_ADDRESS (the client's start-of-block system call): the first 32 bytes of input are the parent beacon
 *    block root of the current block; it is stored for `block.timestamp` in a ring buffer of HISTORY_BUFFER_LENGTH.
 *  - From anyone: the input is a 32-byte big-endian timestamp; returns the root stored for exactly that timestamp.
 *    Reverts if the input is not 32 bytes, is zero, or the timestamp is not (or no longer) in the buffer.
 *
 * @notice What it trusts: that only the client writes as SYSTEM_ADDRESS. anvil never makes the 4788 system call, so
 *  tests and the devnet write roots themselves (impersonating SYSTEM_ADDRESS at the block's timestamp).
 *
 * @dev Storage is the EIP's: slot (t mod 8191) holds the timestamp t, slot (t mod 8191) + 8191 its root. A later
 *  timestamp with the same residue overwrites both, which is how old roots expire. Runtime code and zeroed storage
 *  suffice (placed with `vm.etch` / `anvil_setCode`). Deviation: reverts carry custom errors where the canonical
 *  bytecode reverts with empty data.
 */
contract BeaconRootsPredeploy {
    /// @dev The address clients use for system calls (EIP-4788).
    address internal constant SYSTEM_ADDRESS = 0xffffFFFfFFffffffffffffffFfFFFfffFFFfFFfE;
    /// @dev EIP-4788 HISTORY_BUFFER_LENGTH: a prime, so timestamps at any slot interval spread over the whole buffer.
    uint256 internal constant HISTORY_BUFFER_LENGTH = 8191;
    /// @dev A query is one 32-byte big-endian timestamp.
    uint256 internal constant QUERY_LENGTH = 32;

    /// @notice The query is not exactly 32 bytes.
    error InvalidInputLength(uint256 length);
    /// @notice Timestamp 0 is never a valid query.
    error ZeroTimestamp();
    /// @notice No root is stored for this timestamp (never written, or overwritten by a newer one).
    error UnknownTimestamp(uint256 timestamp);

    /// @notice Read the root for a timestamp, or (SYSTEM_ADDRESS only) record the current block's parent root.
    /// @param input A 32-byte big-endian timestamp (read), or the 32-byte parent beacon block root (system write).
    /// @return output The 32-byte root (read), or empty (write).
    fallback(bytes calldata input) external payable returns (bytes memory output) {
        if (msg.sender == SYSTEM_ADDRESS) {
            assembly ("memory-safe") {
                let idx := mod(timestamp(), HISTORY_BUFFER_LENGTH)
                sstore(idx, timestamp())
                sstore(add(idx, HISTORY_BUFFER_LENGTH), calldataload(0))
            }
            return output;
        }
        if (input.length != QUERY_LENGTH) revert InvalidInputLength(input.length);
        uint256 ts = uint256(bytes32(input));
        if (ts == 0) revert ZeroTimestamp();
        uint256 idx = ts % HISTORY_BUFFER_LENGTH;
        uint256 stored;
        bytes32 root;
        assembly ("memory-safe") {
            stored := sload(idx)
        }
        if (stored != ts) revert UnknownTimestamp(ts);
        assembly ("memory-safe") {
            root := sload(add(idx, HISTORY_BUFFER_LENGTH))
        }
        return abi.encode(root);
    }
}
