// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "./Vm.sol";

/// @notice Turns the gas a call used inside forge into what the same call costs as a transaction, so our
///         figures compare with the anchors (which are transaction gas): 21,000 base + calldata + execution.
/// @dev Execution is the callee frame's `gasTotalUsed` (forge's `lastCallGas`), so the measuring contract's own
///      CALL overhead is excluded, as it would be for a transaction. Calldata is priced per EIP-2028
///      (16 per non-zero byte, 4 per zero byte); the EIP-7623 floor does not bind for these calls (their
///      execution far exceeds 10 gas per calldata token). Refunds are capped at a fifth of the total (EIP-3529).
library GasMeter {
    uint256 internal constant TX_BASE = 21_000;

    function calldataGas(bytes memory data) internal pure returns (uint256 gas) {
        for (uint256 i; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    /// @dev Transaction gas of the last call made, whose calldata was `data`.
    function lastCallAsTx(Vm vm, bytes memory data) internal view returns (uint256) {
        Vm.Gas memory g = vm.lastCallGas();
        uint256 total = TX_BASE + calldataGas(data) + g.gasTotalUsed;
        uint256 refund = g.gasRefunded > 0 ? uint256(uint64(g.gasRefunded)) : 0;
        uint256 maxRefund = total / 5;
        return total - (refund < maxRefund ? refund : maxRefund);
    }
}
