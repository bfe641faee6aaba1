// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

interface IPoolExecutionRewards {
    function receiveELRewards() external payable;
}

/// @title ExecutionRewardsVault — the protocol validators' fee recipient
/// @notice Priority fees and MEV payments of blocks our validators propose arrive here. The vault forwards them
///         to the pool only when the pool asks, while applying an oracle report, so they enter the share rate
///         under the sanity checker's bound on one report's rebase (a donation here cannot jump the rate).
/// @dev Deliberately minimal and not upgradeable: it holds ETH for a moment and has one caller.
contract ExecutionRewardsVault {
    /// @notice The StakingPool, the only recipient.
    address public immutable POOL;

    event ELRewardsReceived(uint256 amount);
    event ELRewardsTransferred(uint256 amount);

    error NotPool(address caller);
    error ZeroPool();

    constructor(address pool) {
        if (pool == address(0)) revert ZeroPool();
        POOL = pool;
    }

    /// @notice Accepts fee-recipient payments.
    receive() external payable {
        emit ELRewardsReceived(msg.value);
    }

    /// @notice Sends up to `maxAmount` to the pool and returns what it sent. Only the pool.
    function withdrawRewards(uint256 maxAmount) external returns (uint256 amount) {
        if (msg.sender != POOL) revert NotPool(msg.sender);
        amount = address(this).balance < maxAmount ? address(this).balance : maxAmount;
        if (amount > 0) {
            emit ELRewardsTransferred(amount);
            IPoolExecutionRewards(POOL).receiveELRewards{value: amount}();
        }
    }
}
