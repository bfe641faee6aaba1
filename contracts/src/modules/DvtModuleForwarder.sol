// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {OperatorRegistryExtension} from "./OperatorRegistryExtension.sol";
import {IDvtModule} from "../interfaces/IDvtModule.sol";

/// @title DvtModuleForwarder
/// @notice The OperatorRegistry's `IDvtModule` functions, each handing its call to `OperatorRegistryExtension`
///         by DELEGATECALL on the registry's own storage; views go through a self-STATICCALL gateway so they stay
///         `view`. Explicit functions (rather than a catch-all fallback) keep the registry's ABI complete.
/// @dev The extension is created with the implementation (its address is an immutable of the implementation's
///      code), so an upgrade of the registry replaces both together.
abstract contract DvtModuleForwarder is IDvtModule {
    /// @notice Code of the `IDvtModule` functions (run through DELEGATECALL), created with this implementation.
    address public immutable EXTENSION;

    /// @dev Selector of a self-STATICCALL that the fallback turns into a DELEGATECALL of a view (a `view`
    ///      function may not DELEGATECALL, a STATICCALL to itself may): keccak256("OperatorRegistry.viewGateway")[:4].
    uint256 private constant VIEW_GATEWAY = 0x720258ce;

    /// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
    constructor() {
        EXTENSION = address(new OperatorRegistryExtension());
    }

    // ------------------------------------------------------------------------------------------ economics
    // `IDvtModule`: each body hands the call to the extension (see `_delegate`, `_delegateView`).

    /// @notice The router minted `shares` dvETH here as the module's fee from a report: spread over clusters by
    ///         earning validators, equally among each cluster's members (see `ClusterRewards`). `ROUTER_ROLE`.
    function onRewardsMinted(uint256) external {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function claimRewards(uint256) external returns (uint256) {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function processClusterReports(ClusterReport[] calldata) external {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function requestExits(uint256[] calldata, uint256[] calldata) external {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function forceLateExit(uint256, uint256) external payable {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function setProtocolContracts(address, address) external {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function setPenaltyParams(PenaltyParams calldata) external {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function setExitParams(uint256, uint256) external {
        _delegate();
    }

    /// @inheritdoc IDvtModule
    function getOperatorRewards(uint256) external view returns (uint256, uint256) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getRewardsState() external view returns (uint256, uint256, uint256, uint256) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getBondDebt(uint256) external view returns (uint256) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getClusterEconomics(uint256) external view returns (ClusterEconomics memory) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getPenaltyParams() external view returns (PenaltyParams memory) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getExitParams() external view returns (uint256, uint256, uint256) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getProtocolContracts() external view returns (address, address) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getExitDeadline(uint256, uint256) external view returns (uint256) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getPendingExitRequests(uint256) external view returns (uint256[] memory, uint256[] memory) {
        _delegateView();
    }

    /// @inheritdoc IDvtModule
    function getLateExits(uint256, uint256) external view returns (uint256[] memory, uint256[] memory, uint256) {
        _delegateView();
    }

    /// @dev Runs the current call's calldata in the extension on this contract's storage and returns (or
    ///      reverts) with its result. `msg.sender` and `msg.value` stay the caller's.
    function _delegate() internal {
        address extension = EXTENSION;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), extension, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @dev For views: STATICCALLs this contract with `VIEW_GATEWAY ‖ calldata`; the fallback DELEGATECALLs the
    ///      extension with the original calldata, inside the static context (no state can change).
    function _delegateView() private view {
        assembly {
            mstore(0, shl(224, VIEW_GATEWAY))
            calldatacopy(4, 0, calldatasize())
            let ok := staticcall(gas(), address(), 0, add(calldatasize(), 4), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @notice Only the view gateway (this contract calling itself); anything else reverts without data, as a
    ///         call of an unknown function always did.
    fallback() external {
        if (msg.sender != address(this) || uint32(msg.sig) != VIEW_GATEWAY) revert();
        address extension = EXTENSION;
        assembly {
            calldatacopy(0, 4, sub(calldatasize(), 4))
            let ok := delegatecall(gas(), extension, 0, sub(calldatasize(), 4), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}
