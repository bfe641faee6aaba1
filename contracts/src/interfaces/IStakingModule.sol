// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice What the StakingRouter needs from a staking module (a set of node operators and their keys).
interface IStakingModule {
    /// @notice Validators of the module as the router accounts for them.
    /// @return exited validators that have exited (reported by the oracle)
    /// @return deposited validators ever deposited
    /// @return depositable keys that could be deposited right now (confirmed, unused, covered by bonds)
    function getStakingModuleSummary() external view returns (uint256 exited, uint256 deposited, uint256 depositable);

    /// @notice Validators exited and ever deposited (cheap: no depositable-key computation).
    function getValidatorCounts() external view returns (uint256 exited, uint256 deposited);

    /// @notice Nonce that changes whenever the module's depositable key set changes; deposit-security
    ///         guardians sign it so that a deposit uses exactly the keys they checked.
    function getNonce() external view returns (uint256);

    /// @notice Picks `count` keys for deposit and marks them used. Only the router.
    /// @param depositCalldata module-specific data (unused by the DVT module; reserved)
    /// @return pubkeys concatenated 48-byte keys
    /// @return signatures concatenated 96-byte deposit signatures (for 32 ETH to the protocol's credentials)
    function obtainDepositData(uint256 count, bytes calldata depositCalldata)
        external
        returns (bytes memory pubkeys, bytes memory signatures);
}

/// @notice A module that shares report fees among its operators.
interface IStakingModuleRewards {
    /// @notice The router minted `shares` dvETH to the module as its fee from a report; the module splits them
    ///         among its operators. Only the router.
    function onRewardsMinted(uint256 shares) external;
}
