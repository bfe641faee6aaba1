// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "../../src/base/ShoalUpgradeable.sol";
import {BaseOracle} from "../../src/oracle/BaseOracle.sol";
import {HashConsensus} from "../../src/oracle/HashConsensus.sol";
import {OracleTestBase} from "./OracleTestBase.sol";
import {TestOracle, TestOracleV2} from "./TestOracle.sol";

/// @notice BaseOracle through a minimal concrete oracle, wired to a real HashConsensus: only the data a quorum
///         voted is processed, once, in time, by a member, with current versions; each refusal has its own error.
contract BaseOracleTest is OracleTestBase {
    event ProcessingStarted(uint256 indexed refSlot, bytes32 hash);
    event ProcessingMissed(uint256 indexed refSlot);
    event DataProcessed(uint256 indexed refSlot, uint256 beaconBalance, uint256 validators);
    event ConsensusContractSet(address indexed consensusContract, address indexed previousConsensusContract);

    TestOracle.ReportData internal honest;
    TestOracle.ReportData internal lie;

    function setUp() public override {
        super.setUp();
        honest = reportData(refSlotOf(0), 320 ether);
        lie = reportData(refSlotOf(0), 640 ether); // a doubled balance would inflate the share rate
    }

    function _reachHonestConsensus() internal {
        for (uint256 i = 0; i < QUORUM; ++i) vote(i, refSlotOf(0), hashOf(honest));
    }

    function _submit(address who, TestOracle.ReportData memory data, uint256 contractVersion) internal {
        vm.prank(who);
        oracle.submitReportData(data, contractVersion);
    }

    function test_submitReportData_processesTheConsensusData() public {
        _reachHonestConsensus();
        vm.expectEmit(address(oracle));
        emit ProcessingStarted(refSlotOf(0), hashOf(honest));
        vm.expectEmit(address(oracle));
        emit DataProcessed(refSlotOf(0), 320 ether, 10);
        _submit(members[4], honest, 1); // any member may submit, not only a voter

        (uint256 refSlot, uint256 balance, uint256 validators) = oracle.processed();
        vm.assertEq(refSlot, refSlotOf(0));
        vm.assertEq(balance, 320 ether);
        vm.assertEq(validators, 10);
        (bytes32 hash,,, bool started) = oracle.getConsensusReport();
        vm.assertEq(hash, hashOf(honest));
        vm.assertTrue(started);
        vm.assertEq(oracle.getLastProcessingRefSlot(), refSlotOf(0));
    }

    function test_lyingMinority_cannotChangeTheReport() public {
        // The two liars vote first, then the three honest members.
        vote(3, refSlotOf(0), hashOf(lie));
        vote(4, refSlotOf(0), hashOf(lie));
        _reachHonestConsensus();
        (bytes32 held,,,) = oracle.getConsensusReport();
        vm.assertEq(held, hashOf(honest));

        // Their data does not match the consensus hash.
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedDataHash.selector, hashOf(lie), hashOf(honest)));
        _submit(members[3], lie, 1);

        // Switching votes around cannot give them quorum: an honest vote is needed to lose consensus.
        vote(3, refSlotOf(0), keccak256("noise"));
        vote(4, refSlotOf(0), keccak256("more noise"));
        (held,,,) = oracle.getConsensusReport();
        vm.assertEq(held, hashOf(honest));

        // And a liar submitting the honest data processes the honest data.
        _submit(members[3], honest, 1);
        (, uint256 balance,) = oracle.processed();
        vm.assertEq(balance, 320 ether);
    }

    function test_refuses_nonMember() public {
        _reachHonestConsensus();
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.NotAMember.selector, stranger));
        _submit(stranger, honest, 1);
    }

    function test_refuses_withoutConsensus() public {
        vote(0, refSlotOf(0), hashOf(honest));
        vm.expectRevert(BaseOracle.NoConsensusReport.selector);
        _submit(members[0], honest, 1);
    }

    function test_refuses_wrongFrame() public {
        _reachHonestConsensus();
        TestOracle.ReportData memory other = reportData(refSlotOf(1), 320 ether);
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedRefSlot.selector, refSlotOf(1), refSlotOf(0)));
        _submit(members[0], other, 1);
    }

    function test_refuses_replay() public {
        _reachHonestConsensus();
        _submit(members[0], honest, 1);
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.RefSlotAlreadyProcessing.selector, refSlotOf(0)));
        _submit(members[1], honest, 1);
    }

    function test_refuses_staleContractVersion() public {
        _reachHonestConsensus();
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedContractVersion.selector, 2, 1));
        _submit(members[0], honest, 2);

        TestOracleV2 v2 = new TestOracleV2();
        vm.prank(admin);
        oracle.upgradeToAndCall(address(v2), abi.encodeCall(TestOracleV2.initializeV2, ()));
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedContractVersion.selector, 1, 2));
        _submit(members[0], honest, 1);
        _submit(members[0], honest, 2);
    }

    function test_refuses_staleConsensusVersion() public {
        _reachHonestConsensus();
        vm.prank(admin);
        consensus.setConsensusVersion(2);
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedConsensusVersion.selector, 1, 2));
        _submit(members[0], honest, 1);

        // Members re-vote the data in the new format; that hash replaces the old consensus.
        TestOracle.ReportData memory v2Data = honest;
        v2Data.consensusVersion = 2;
        for (uint256 i = 0; i < QUORUM; ++i) {
            vm.prank(members[i]);
            consensus.submitReport(refSlotOf(0), hashOf(v2Data), 2);
        }
        _submit(members[0], v2Data, 1);
    }

    function test_refuses_dataNotMatchingHash() public {
        _reachHonestConsensus();
        TestOracle.ReportData memory tampered = honest;
        tampered.validators += 1;
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedDataHash.selector, hashOf(tampered), hashOf(honest)));
        _submit(members[0], tampered, 1);
    }

    function test_deadline_lastSlotPassesNextSlotRefused() public {
        _reachHonestConsensus();
        uint256 snapshot = vm.snapshotState();
        vm.warp(timeOfSlot(deadlineOf(0)) + SECONDS_PER_SLOT - 1); // last second of the deadline slot
        _submit(members[0], honest, 1);
        vm.revertToState(snapshot);

        vm.warp(timeOfSlot(deadlineOf(0) + 1));
        vm.expectRevert(
            abi.encodeWithSelector(BaseOracle.ProcessingDeadlineMissed.selector, deadlineOf(0), deadlineOf(0) + 1)
        );
        _submit(members[0], honest, 1);
    }

    function test_discardedReport_cannotBeProcessed() public {
        _reachHonestConsensus();
        vote(2, refSlotOf(0), hashOf(lie)); // an honest member changes its mind: quorum lost
        vm.expectRevert(BaseOracle.NoConsensusReport.selector);
        _submit(members[0], honest, 1);
    }

    function test_unprocessedFrame_isReplacedByTheNextAndMarkedMissed() public {
        _reachHonestConsensus();
        warpToFrame(1);
        TestOracle.ReportData memory next = reportData(refSlotOf(1), 352 ether);
        vote(0, refSlotOf(1), hashOf(next));
        vote(1, refSlotOf(1), hashOf(next));
        vm.expectEmit(address(oracle));
        emit ProcessingMissed(refSlotOf(0));
        vote(2, refSlotOf(1), hashOf(next));

        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedRefSlot.selector, refSlotOf(0), refSlotOf(1)));
        _submit(members[0], honest, 1);
        _submit(members[0], next, 1);
    }

    // ---- the IReportProcessor side ----

    function test_onlyConsensusContract_canSubmitOrDiscard() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.OnlyConsensusContract.selector, stranger));
        oracle.submitConsensusReport(keccak256("x"), refSlotOf(0), deadlineOf(0));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.OnlyConsensusContract.selector, stranger));
        oracle.discardConsensusReport(refSlotOf(0));
    }

    function test_submitConsensusReport_refSlotNeverDecreasesNorReopens() public {
        warpToFrame(1);
        vm.startPrank(address(consensus));
        oracle.submitConsensusReport(keccak256("x"), refSlotOf(1), deadlineOf(1));
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.RefSlotCannotDecrease.selector, refSlotOf(0), refSlotOf(1)));
        oracle.submitConsensusReport(keccak256("y"), refSlotOf(0), deadlineOf(0));
        vm.expectRevert(
            abi.encodeWithSelector(BaseOracle.ProcessingDeadlineMissed.selector, refSlotOf(1), refSlotOf(1) + 1)
        );
        oracle.submitConsensusReport(keccak256("y"), refSlotOf(1), refSlotOf(1));
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.UnexpectedRefSlot.selector, refSlotOf(2), refSlotOf(1)));
        oracle.discardConsensusReport(refSlotOf(2));
        vm.stopPrank();

        TestOracle.ReportData memory data = reportData(refSlotOf(1), 1 ether);
        vm.prank(address(consensus));
        oracle.submitConsensusReport(hashOf(data), refSlotOf(1), deadlineOf(1));
        _submit(members[0], data, 1);
        vm.startPrank(address(consensus));
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.RefSlotAlreadyProcessing.selector, refSlotOf(1)));
        oracle.submitConsensusReport(keccak256("z"), refSlotOf(1), deadlineOf(1));
        vm.expectRevert(abi.encodeWithSelector(BaseOracle.RefSlotAlreadyProcessing.selector, refSlotOf(1)));
        oracle.discardConsensusReport(refSlotOf(1));
        vm.stopPrank();
    }

    // ---- roles and upgrade ----

    function test_setConsensusContract_onlyItsRole() public {
        bytes32 role = oracle.MANAGE_CONSENSUS_CONTRACT_ROLE();
        vm.prank(stranger);
        vm.expectRevert(unauthorized(stranger, role));
        oracle.setConsensusContract(stranger);

        vm.prank(admin);
        oracle.grantRole(role, stranger);
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "consensusContract"));
        oracle.setConsensusContract(address(0));
        HashConsensus other = deployConsensus(address(oracle));
        vm.expectEmit(address(oracle));
        emit ConsensusContractSet(address(other), address(consensus));
        oracle.setConsensusContract(address(other));
        vm.stopPrank();
        vm.assertEq(oracle.getConsensusContract(), address(other));
    }

    function test_upgrade_onlyAdmin_keepsState() public {
        _reachHonestConsensus();
        _submit(members[0], honest, 1);
        TestOracleV2 v2 = new TestOracleV2();
        bytes32 adminRole = oracle.DEFAULT_ADMIN_ROLE();
        vm.prank(stranger);
        vm.expectRevert(unauthorized(stranger, adminRole));
        oracle.upgradeToAndCall(address(v2), "");

        vm.prank(admin);
        oracle.upgradeToAndCall(address(v2), abi.encodeCall(TestOracleV2.initializeV2, ()));
        vm.assertEq(uint256(oracle.getContractVersion()), 2);
        (bytes32 hash, uint256 refSlot, uint256 deadline, bool started) = oracle.getConsensusReport();
        vm.assertEq(hash, hashOf(honest));
        vm.assertEq(refSlot, refSlotOf(0));
        vm.assertEq(deadline, deadlineOf(0));
        vm.assertTrue(started);
        vm.assertEq(oracle.getLastProcessingRefSlot(), refSlotOf(0));
        vm.assertEq(oracle.getConsensusContract(), address(consensus));
    }
}
