// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ModuleHooks
/// @notice The small window through which the DVT module's economics (`ClusterRewards`, `ClusterPenalties`,
///         `ExitRequests`) see the registry's operators, clusters, keys and bonds. `RegistryLayout` implements
///         them on the registry's storage; the economics never touch that storage directly.
abstract contract ModuleHooks {
    /// @dev Cluster members are recorded in one slot as up to ten 24-bit operator ids.
    uint256 internal constant ID_BITS = 24;
    uint256 internal constant ID_MASK = (1 << ID_BITS) - 1;

    /// @dev Operator id of member `m` of a packed member list.
    function _memberId(uint256 members, uint256 m) internal pure returns (uint256) {
        return (members >> (m * ID_BITS)) & ID_MASK;
    }

    /// @dev A cluster's size and packed member ids; reverts for an unknown cluster.
    function _clusterShape(uint256 clusterId) internal view virtual returns (uint256 size, uint256 members);

    /// @dev A cluster's deposited and exited validator counts; reverts for an unknown cluster.
    function _clusterKeys(uint256 clusterId) internal view virtual returns (uint256 deposited, uint256 exited);

    /// @dev Number of clusters (ids 1..n).
    function _clusterCount() internal view virtual returns (uint256);

    /// @dev Number of deposit calls since the last report (kept in the slot every deposit writes anyway).
    function _pendingDeposits() internal view virtual returns (uint256);

    function _setPendingDeposits(uint256 n) internal virtual;

    /// @dev Records that `exitedTotal` validators of the cluster have exited (≥ the current count, ≤ deposited):
    ///      the module's totals and every member's bonded validator count follow.
    function _recordExits(uint256 clusterId, uint256 exitedTotal) internal virtual;

    /// @dev Takes up to `amount` wei from an operator's bond; returns what it took and the bond left.
    function _takeBond(uint256 operatorId, uint256 amount) internal virtual returns (uint256 taken, uint256 bondLeft);

    /// @dev An operator's reward address; reverts for an unknown operator.
    function _rewardAddress(uint256 operatorId) internal view virtual returns (address);

    /// @dev The 48-byte pubkey of key `keyIndex` of a cluster (the caller checked it exists).
    function _pubkeyOf(uint256 clusterId, uint256 keyIndex) internal view virtual returns (bytes memory);

    /// @dev The StakingPool (dvETH, penalty receiver) and the WithdrawalVault; zero until set.
    function _protocolContracts() internal view virtual returns (address pool, address withdrawalVault);

    /// @dev The set of depositable keys may have changed (bond moved, validators exited): bump the nonce.
    function _keySetChanged() internal virtual;
}
