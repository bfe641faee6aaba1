// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Validator keys stored as contract code ("SSTORE2"): a batch of keys is written once as the runtime
///         code of a tiny data contract and read back with EXTCODECOPY.
/// @dev Why: a 48-byte pubkey and a 96-byte signature take 5 storage slots; reading them at deposit time would
///      cost 5 cold SLOADs (10,500 gas) per validator. From code, a whole batch costs one cold account access
///      (2,600 gas) plus 3 gas per word. Layout of the code: `0x00` (STOP, so the data can never run) ‖ all
///      pubkeys ‖ all signatures. `codehash` is therefore keccak256(0x00 ‖ pubkeys ‖ signatures), which is what
///      cluster members confirm.
library KeyData {
    uint256 internal constant PUBKEY_LENGTH = 48;
    uint256 internal constant SIGNATURE_LENGTH = 96;

    error KeyDataWriteFailed();

    /// @dev Deploys the data contract holding `pubkeys ‖ signatures`.
    function write(bytes memory pubkeys, bytes memory signatures) internal returns (address pointer) {
        bytes memory code = abi.encodePacked(hex"00", pubkeys, signatures);
        // init code: copy the runtime (which follows this 10-byte prefix) to memory and return it
        //   PUSH2 len | DUP1 | PUSH1 0x0a | RETURNDATASIZE(0) | CODECOPY | RETURNDATASIZE(0) | RETURN
        bytes memory init = abi.encodePacked(hex"61", uint16(code.length), hex"80600a3d393df3", code);
        assembly {
            pointer := create(0, add(init, 0x20), mload(init))
        }
        if (pointer == address(0)) revert KeyDataWriteFailed();
    }

    /// @dev Copies keys [from, from + count) of a batch of `batchSize` keys into `pubkeys`/`signatures` at
    ///      the given byte offsets (the caller sized the buffers).
    function readInto(
        address pointer,
        uint256 batchSize,
        uint256 from,
        uint256 count,
        bytes memory pubkeys,
        uint256 pubkeysOffset,
        bytes memory signatures,
        uint256 signaturesOffset
    ) internal view {
        uint256 pubStart = 1 + from * PUBKEY_LENGTH;
        uint256 sigStart = 1 + batchSize * PUBKEY_LENGTH + from * SIGNATURE_LENGTH;
        assembly {
            extcodecopy(pointer, add(add(pubkeys, 0x20), pubkeysOffset), pubStart, mul(count, PUBKEY_LENGTH))
            extcodecopy(pointer, add(add(signatures, 0x20), signaturesOffset), sigStart, mul(count, SIGNATURE_LENGTH))
        }
    }

    /// @dev The pubkey at `index` of a batch.
    function pubkeyAt(address pointer, uint256 index) internal view returns (bytes memory pubkey) {
        pubkey = new bytes(PUBKEY_LENGTH);
        uint256 start = 1 + index * PUBKEY_LENGTH;
        assembly {
            extcodecopy(pointer, add(pubkey, 0x20), start, PUBKEY_LENGTH)
        }
    }
}
