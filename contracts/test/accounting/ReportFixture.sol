// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {AccountingOracle} from "../../src/oracle/AccountingOracle.sol";

/// @notice Plays the oracle committee: builds a frame's report, has a quorum vote its hash, submits it.
abstract contract ReportFixture is ShoalFixture {
    /// @dev A report that changes nothing but time, for the current frame; tests edit the fields they need.
    function baseReport() internal view returns (AccountingOracle.ReportData memory data) {
        (uint256 refSlot,) = hashConsensus.getCurrentFrame();
        (uint256 deposited, uint256 beaconValidators, uint256 beaconBalance) = pool.getBeaconStat();
        deposited;
        data.consensusVersion = 1;
        data.refSlot = refSlot;
        data.beaconValidators = beaconValidators;
        data.beaconBalance = beaconBalance;
        data.simulatedShareRate = pool.shareRate();
    }

    /// @dev Moves to the next frame (and one slot into it).
    function nextFrame() internal {
        vm.warp(block.timestamp + EPOCHS_PER_FRAME * SLOTS_PER_EPOCH * SECONDS_PER_SLOT);
        vm.roll(block.number + EPOCHS_PER_FRAME * SLOTS_PER_EPOCH);
    }

    /// @dev `votes` members vote the data's hash; the first submits the data.
    function voteAndSubmit(AccountingOracle.ReportData memory data, uint256 votes) internal {
        bytes32 hash = keccak256(abi.encode(data));
        for (uint256 i; i < votes; ++i) {
            vm.prank(oracleMembers[i]);
            hashConsensus.submitReport(data.refSlot, hash, data.consensusVersion);
        }
        uint256 version = accountingOracle.getContractVersion();
        vm.prank(oracleMembers[0]);
        accountingOracle.submitReportData(data, version);
    }

    /// @dev Brings `count` deposited validators onto the beacon chain with exactly 32 ETH each (no rewards).
    function activateValidators(uint256 count) internal {
        nextFrame();
        AccountingOracle.ReportData memory data = baseReport();
        data.beaconValidators += count;
        data.beaconBalance += count * 32 ether;
        voteAndSubmit(data, 2);
    }
}
