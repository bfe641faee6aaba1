// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BondCurve
/// @notice The bond an operator must hold for the validators it helps run: the first validator costs
///         `firstBond`, every further one `nextBond` (< `firstBond`).
/// @dev Why a curve: the first validator carries the operator's fixed risk (a misconfigured setup fails for all
///      its validators at once), so it is dearer; later ones add mostly proportional risk. In a DV cluster each
///      of the n members bonds for every validator of the cluster, so a validator's total collateral is
///      n × the per-operator bond. Parameters live in storage and are set by governance, never constants.
///
///        bond ▲                       ╱ slope = nextBond
///             │                 ╱‾‾‾‾
///   firstBond ┤──────────●╱‾‾‾
///             └──────────┴──────────────▶ validators
///                        1
abstract contract BondCurve {
    /// @custom:storage-location erc7201:shoal.storage.BondCurve
    struct BondCurveStorage {
        uint128 firstBond;
        uint128 nextBond;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.BondCurve")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant BOND_CURVE_STORAGE = 0x903dcc387de5dbdcfaf1095ce57b65ef980fc054aa5105829006270f775e7100;

    /// @notice The curve changed.
    event BondCurveSet(uint256 firstBond, uint256 nextBond);

    /// @notice A curve must be positive and decreasing-or-flat (first ≥ next > 0).
    error InvalidBondCurve(uint256 firstBond, uint256 nextBond);

    function _bondCurve() private pure returns (BondCurveStorage storage $) {
        assembly {
            $.slot := BOND_CURVE_STORAGE
        }
    }

    function _setBondCurve(uint256 firstBond, uint256 nextBond) internal {
        if (nextBond == 0 || firstBond < nextBond || firstBond > type(uint128).max) {
            revert InvalidBondCurve(firstBond, nextBond);
        }
        (_bondCurve().firstBond, _bondCurve().nextBond) = (uint128(firstBond), uint128(nextBond));
        emit BondCurveSet(firstBond, nextBond);
    }

    /// @notice The curve's parameters.
    function getBondCurve() public view returns (uint256 firstBond, uint256 nextBond) {
        BondCurveStorage storage $ = _bondCurve();
        return ($.firstBond, $.nextBond);
    }

    /// @notice Bond required to run `validators` validators.
    function bondForValidators(uint256 validators) public view returns (uint256) {
        if (validators == 0) return 0;
        BondCurveStorage storage $ = _bondCurve();
        return $.firstBond + (validators - 1) * $.nextBond;
    }

    /// @notice How many validators `bond` covers.
    function validatorsForBond(uint256 bond) public view returns (uint256) {
        BondCurveStorage storage $ = _bondCurve();
        uint256 first = $.firstBond;
        if (bond < first) return 0;
        return 1 + (bond - first) / $.nextBond;
    }
}
