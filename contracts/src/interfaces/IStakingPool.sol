// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice What the rest of the protocol relies on from the pool. dvETH is the pool's ERC-20 and is
///         denominated in *shares*: balances never rebase; a share's ETH value grows with the share rate.
/// @dev Share rate convention used everywhere (oracle report, withdrawal queue): ETH per share scaled by 1e27,
///      i.e. `shareRate = totalPooledEther * 1e27 / totalShares`.
interface IStakingPool is IERC20 {
    /// @notice ETH value of `shares` at the current rate (rounds down).
    function convertToAssets(uint256 shares) external view returns (uint256);

    /// @notice Shares worth `assets` ETH at the current rate (rounds down).
    function convertToShares(uint256 assets) external view returns (uint256);

    /// @notice buffered + reported beacon balance + transient (deposited, not yet seen by the oracle).
    function totalPooledEther() external view returns (uint256);

    /// @notice The current share rate (ETH per share, 1e27 precision).
    function shareRate() external view returns (uint256);

    /// @notice Moves `shares` of `holder` into the withdrawal queue (ERC-20 `Transfer(holder, queue, shares)`),
    ///         without an allowance. Only the withdrawal queue may call, and only for the holder who called it.
    function pullSharesForWithdrawal(address holder, uint256 shares) external;
}
