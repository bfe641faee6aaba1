// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";

/// @title ShoalUpgradeable
/// @notice Common base of every Shoal contract that lives behind an ERC1967 proxy: UUPS upgrades authorised by
///         `DEFAULT_ADMIN_ROLE` (the protocol's governance), roles through AccessControl, and an implementation
///         that can never be initialised directly.
abstract contract ShoalUpgradeable is Initializable, UUPSUpgradeable, AccessControlUpgradeable {
    /// @notice Thrown when an address argument that must be set is zero.
    error ZeroAddress(string what);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function __ShoalUpgradeable_init(address admin) internal onlyInitializing {
        if (admin == address(0)) revert ZeroAddress("admin");
        __AccessControl_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc UUPSUpgradeable
    function _authorizeUpgrade(address) internal view virtual override onlyRole(DEFAULT_ADMIN_ROLE) {}

    /// @notice Version of the implementation behind the proxy (bumped by `reinitializer` in upgrades).
    function getContractVersion() external view returns (uint64) {
        return _getInitializedVersion();
    }
}
