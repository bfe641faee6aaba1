// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseOracle} from "../../src/oracle/BaseOracle.sol";
import {HashConsensus} from "../../src/oracle/HashConsensus.sol";
import {SanityChecker} from "../../src/oracle/SanityChecker.sol";

/// @notice The smallest concrete oracle on top of `BaseOracle`: its report is a placeholder struct whose hash the
///         committee votes; processing stores it. Used to test BaseOracle's checks end to end with HashConsensus.
contract TestOracle is BaseOracle {
    /// @dev The first two fields are what every real report carries (as the AccountingOracle's will).
    struct ReportData {
        uint256 consensusVersion;
        uint256 refSlot;
        uint256 beaconBalance;
        uint256 validators;
    }

    struct Processed {
        uint256 refSlot;
        uint256 beaconBalance;
        uint256 validators;
    }

    Processed public processed;
    uint256 public handledReports;
    uint256 public handledDiscards;

    event DataProcessed(uint256 indexed refSlot, uint256 beaconBalance, uint256 validators);

    function initialize(address admin, address consensus) external initializer {
        __BaseOracle_init(admin, consensus);
    }

    /// @notice Members submit the data a quorum voted the hash of.
    function submitReportData(ReportData calldata data, uint256 contractVersion) external {
        _checkMsgSenderIsMember();
        _checkConsensusData(data.refSlot, data.consensusVersion, contractVersion, keccak256(abi.encode(data)));
        uint256 refSlot = _startProcessing();
        processed = Processed(refSlot, data.beaconBalance, data.validators);
        emit DataProcessed(refSlot, data.beaconBalance, data.validators);
    }

    function _handleConsensusReport(bytes32, uint256, uint256) internal override {
        handledReports += 1;
    }

    function _handleConsensusReportDiscarded(uint256) internal override {
        handledDiscards += 1;
    }
}

/// @notice v2 of the test oracle: bumps the contract version, so data signed for v1 is refused.
contract TestOracleV2 is TestOracle {
    function initializeV2() external reinitializer(2) {}
}

/// @notice v2 of HashConsensus for the upgrade test: adds one view, bumps the version.
contract HashConsensusV2 is HashConsensus {
    function initializeV2() external reinitializer(2) {}

    function v2Marker() external pure returns (string memory) {
        return "HashConsensus v2";
    }
}

/// @notice v2 of SanityChecker for the upgrade test.
contract SanityCheckerV2 is SanityChecker {
    function initializeV2() external reinitializer(2) {}

    function v2Marker() external pure returns (string memory) {
        return "SanityChecker v2";
    }
}
