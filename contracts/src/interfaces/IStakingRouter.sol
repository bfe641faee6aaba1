// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice What the pool and the deposit-security module need from the StakingRouter.
interface IStakingRouter {
    /// @notice How many validators of `moduleId` can be deposited now, at most `maxCount`, honouring the
    ///         module's stake-share cap, its status and its depositable keys.
    function getDepositableCount(uint256 moduleId, uint256 maxCount) external view returns (uint256);

    /// @notice Deposits `msg.value / 32 ether` validators of `moduleId` to the deposit contract. Only the pool.
    function deposit(uint256 moduleId, bytes calldata depositCalldata) external payable;

    /// @notice The module's nonce (changes with its key set); guardians sign it.
    function getStakingModuleNonce(uint256 moduleId) external view returns (uint256);

    /// @notice Whether deposits to `moduleId` are allowed (module active).
    function isModuleActive(uint256 moduleId) external view returns (bool);

    /// @notice How a report's fee is split: each module's fee and the total (module + treasury) fee, weighted by
    ///         the modules' active validators, in FEE_PRECISION (1e20 = 100 %). The rest of the fee is the treasury's.
    function getFeeDistribution()
        external
        view
        returns (uint256[] memory moduleIds, address[] memory modules, uint256[] memory moduleFees, uint256 totalFee);

    /// @notice The pool minted `shares[i]` dvETH to module `moduleIds[i]`; the router tells each module. Only the pool.
    function onRewardsMinted(uint256[] calldata moduleIds, uint256[] calldata shares) external;

    /// @notice Receiver of the treasury's part of the fee.
    function getTreasury() external view returns (address);

    /// @notice 0x01/0x02-type withdrawal credentials of every protocol validator.
    function getWithdrawalCredentials() external view returns (bytes32);
}
