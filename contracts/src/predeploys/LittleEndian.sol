// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title LittleEndian
/// @notice SSZ encodes integers little-endian; the EVM is big-endian. The system contracts need the 8-byte form.
library LittleEndian {
    /// @dev The 8-byte little-endian encoding of `value` (only its low 64 bits are read), left-aligned in a word:
    ///      three swap rounds (bytes, 16-bit halves, 32-bit halves) reverse the low 8 bytes, then a shift moves them
    ///      to the top of the word.
    function toLittleEndian64(uint256 value) internal pure returns (bytes32) {
        uint256 v = value & 0xFFFFFFFFFFFFFFFF;
        v = ((v & 0xFF00FF00FF00FF00) >> 8) | ((v & 0x00FF00FF00FF00FF) << 8);
        v = ((v & 0xFFFF0000FFFF0000) >> 16) | ((v & 0x0000FFFF0000FFFF) << 16);
        v = (v >> 32) | ((v & 0xFFFFFFFF) << 32);
        return bytes32(v << 192);
    }
}
