// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "../../src/base/ShoalUpgradeable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {HashConsensus} from "../../src/oracle/HashConsensus.sol";
import {BaseOracle} from "../../src/oracle/BaseOracle.sol";
import {OracleTestBase} from "./OracleTestBase.sol";
import {TestOracle, HashConsensusV2} from "./TestOracle.sol";

/// @notice HashConsensus: votes, consensus reached / lost / closed, membership and quorum rules, frame changes,
///         processor and version changes.
contract HashConsensusTest is OracleTestBase {
    bytes32 internal constant A = keccak256("report A");
    bytes32 internal constant B = keccak256("report B");

    event ReportReceived(uint256 indexed refSlot, address indexed member, bytes32 report);
    event ConsensusReached(uint256 indexed refSlot, bytes32 report, uint256 support);
    event ConsensusLost(uint256 indexed refSlot);
    event MemberAdded(address indexed member, uint256 totalMembers, uint256 quorum);
    event MemberRemoved(address indexed member, uint256 totalMembers, uint256 quorum);
    event QuorumSet(uint256 quorum, uint256 totalMembers, uint256 previousQuorum);
    event FrameConfigSet(uint256 initialEpoch, uint256 epochsPerFrame);
    event ReportProcessorSet(address indexed processor, address indexed previousProcessor);
    event ConsensusVersionSet(uint256 version, uint256 previousVersion);
    event ReportSubmitted(uint256 indexed refSlot, bytes32 hash, uint256 processingDeadlineSlot);
    event ReportDiscarded(uint256 indexed refSlot, bytes32 hash);

    function _assertState(bytes32 expectedReport, bool expectedReached) internal view {
        (uint256 refSlot, bytes32 report, bool reached, bool started) = consensus.getConsensusState();
        vm.assertEq(refSlot, refSlotOf(0), "frame");
        vm.assertEq(report, expectedReport, "consensus report");
        vm.assertTrue(reached == expectedReached, "quorum reached");
        vm.assertFalse(started, "processing started");
    }

    function _assertOracleHolds(bytes32 hash) internal view {
        (bytes32 held, uint256 refSlot, uint256 deadline,) = oracle.getConsensusReport();
        vm.assertEq(held, hash, "oracle's consensus hash");
        if (hash != bytes32(0)) {
            vm.assertEq(refSlot, refSlotOf(0), "oracle's ref slot");
            vm.assertEq(deadline, deadlineOf(0), "oracle's deadline");
        }
    }

    // ---- initialisation ----

    function test_initialize_storesConfig() public view {
        (uint256 spe, uint256 sps, uint256 genesis) = consensus.getChainConfig();
        vm.assertEq(spe, SLOTS_PER_EPOCH);
        vm.assertEq(sps, SECONDS_PER_SLOT);
        vm.assertEq(genesis, GENESIS_TIME);
        (uint256 initialEpoch, uint256 epf) = consensus.getFrameConfig();
        vm.assertEq(initialEpoch, INITIAL_EPOCH);
        vm.assertEq(epf, EPOCHS_PER_FRAME);
        vm.assertEq(consensus.getConsensusVersion(), CONSENSUS_VERSION);
        vm.assertEq(consensus.getReportProcessor(), address(oracle));
        vm.assertEq(uint256(consensus.getContractVersion()), 1);
        vm.assertTrue(consensus.hasRole(consensus.DEFAULT_ADMIN_ROLE(), admin));
    }

    function test_initialize_rejectsBadConfig() public {
        HashConsensus impl = new HashConsensus();
        _expectInitRevert(impl, abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "admin"), address(0), 12, 32, 10, 4, 1);
        _expectInitRevert(impl, _invalid("secondsPerSlot", 0), admin, 0, 32, 10, 4, 1);
        _expectInitRevert(impl, _invalid("slotsPerEpoch", 0), admin, 12, 0, 10, 4, 1);
        _expectInitRevert(impl, _invalid("initialEpoch", 0), admin, 12, 32, 0, 4, 1);
        _expectInitRevert(impl, _invalid("initialEpoch", 1), admin, 12, 1, 1, 4, 1); // ref slot 0 is reserved
        _expectInitRevert(impl, _invalid("epochsPerFrame", 0), admin, 12, 32, 10, 0, 1);
        _expectInitRevert(impl, _invalid("consensusVersion", 0), admin, 12, 32, 10, 4, 0);
    }

    function _invalid(string memory field, uint256 value) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(HashConsensus.InvalidConfig.selector, field, value);
    }

    function _expectInitRevert(
        HashConsensus impl,
        bytes memory err,
        address admin_,
        uint256 sps,
        uint256 spe,
        uint256 initialEpoch,
        uint256 epf,
        uint256 version
    ) internal {
        bytes memory init = abi.encodeCall(
            HashConsensus.initialize, (admin_, GENESIS_TIME, sps, spe, initialEpoch, epf, address(0), version)
        );
        vm.expectRevert(err);
        new ERC1967Proxy(address(impl), init);
    }

    function test_implementation_cannotBeInitialized() public {
        HashConsensus impl = new HashConsensus();
        vm.expectRevert(abi.encodeWithSignature("InvalidInitialization()"));
        impl.initialize(admin, GENESIS_TIME, 12, 32, 10, 4, address(0), 1);
    }

    // ---- voting ----

    function test_submitReport_countsSupportAndEmits() public {
        vm.expectEmit(address(consensus));
        emit ReportReceived(refSlotOf(0), members[0], A);
        vote(0, refSlotOf(0), A);
        vote(1, refSlotOf(0), A);
        vm.assertEq(consensus.getReportSupport(A), 2);
        (bool isMember, uint256 lastRefSlot, bytes32 lastReport, bool canVote) = consensus.getMemberState(members[1]);
        vm.assertTrue(isMember);
        vm.assertEq(lastRefSlot, refSlotOf(0));
        vm.assertEq(lastReport, A);
        vm.assertTrue(canVote);
        _assertState(bytes32(0), false);
        _assertOracleHolds(bytes32(0));
    }

    function test_submitReport_reachesConsensusAtQuorumAndDelivers() public {
        vote(0, refSlotOf(0), A);
        vote(1, refSlotOf(0), A);
        vm.expectEmit(address(consensus));
        emit ConsensusReached(refSlotOf(0), A, QUORUM);
        vm.expectEmit(address(oracle));
        emit ReportSubmitted(refSlotOf(0), A, deadlineOf(0));
        vote(2, refSlotOf(0), A);
        _assertState(A, true);
        _assertOracleHolds(A);
        vm.assertEq(oracle.handledReports(), 1);

        // A fourth equal vote adds support but delivers nothing again.
        vm.recordLogs();
        vote(3, refSlotOf(0), A);
        vm.assertEq(vm.getRecordedLogs().length, 1, "only ReportReceived");
        vm.assertEq(consensus.getReportSupport(A), 4);
        vm.assertEq(oracle.handledReports(), 1);
    }

    function test_submitReport_splitVotesBelowQuorum_noConsensus() public {
        vote(0, refSlotOf(0), A);
        vote(1, refSlotOf(0), A);
        vote(2, refSlotOf(0), B);
        vote(3, refSlotOf(0), B);
        vm.assertEq(consensus.getReportSupport(A), 2);
        vm.assertEq(consensus.getReportSupport(B), 2);
        _assertState(bytes32(0), false);
    }

    function test_submitReport_rejectsNonMember() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.NotAMember.selector, stranger));
        consensus.submitReport(refSlotOf(0), A, CONSENSUS_VERSION);
    }

    function test_submitReport_rejectsOtherFramesSlot() public {
        vm.prank(members[0]);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.InvalidSlot.selector, refSlotOf(1), refSlotOf(0)));
        consensus.submitReport(refSlotOf(1), A, CONSENSUS_VERSION);

        warpToFrame(1);
        vm.prank(members[0]);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.InvalidSlot.selector, refSlotOf(0), refSlotOf(1)));
        consensus.submitReport(refSlotOf(0), A, CONSENSUS_VERSION);
    }

    function test_submitReport_rejectsEmptyReport() public {
        vm.prank(members[0]);
        vm.expectRevert(HashConsensus.EmptyReport.selector);
        consensus.submitReport(refSlotOf(0), bytes32(0), CONSENSUS_VERSION);
    }

    function test_submitReport_rejectsWrongConsensusVersion() public {
        vm.prank(members[0]);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.UnexpectedConsensusVersion.selector, 2, CONSENSUS_VERSION));
        consensus.submitReport(refSlotOf(0), A, 2);
    }

    function test_submitReport_rejectsDuplicateVote() public {
        vote(0, refSlotOf(0), A);
        vm.prank(members[0]);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.DuplicateReport.selector, refSlotOf(0), A));
        consensus.submitReport(refSlotOf(0), A, CONSENSUS_VERSION);
    }

    function test_submitReport_rejectsBeforeInitialEpoch() public {
        vm.warp(timeOfSlot(refSlotOf(0))); // last slot of the epoch before the initial one
        vm.prank(members[0]);
        vm.expectRevert(
            abi.encodeWithSelector(HashConsensus.InitialEpochNotReached.selector, INITIAL_EPOCH - 1, INITIAL_EPOCH)
        );
        consensus.submitReport(refSlotOf(0), A, CONSENSUS_VERSION);
    }

    function test_changeVote_beforeConsensus_movesSupport() public {
        vote(0, refSlotOf(0), A);
        vote(0, refSlotOf(0), B);
        vm.assertEq(consensus.getReportSupport(A), 0);
        vm.assertEq(consensus.getReportSupport(B), 1);
        vote(1, refSlotOf(0), B);
        vote(2, refSlotOf(0), B);
        _assertState(B, true);
        _assertOracleHolds(B);
    }

    function test_changeVote_afterConsensus_losesItAndProcessorDiscards() public {
        vote(0, refSlotOf(0), A);
        vote(1, refSlotOf(0), A);
        vote(2, refSlotOf(0), A);
        vm.expectEmit(address(consensus));
        emit ConsensusLost(refSlotOf(0));
        vm.expectEmit(address(oracle));
        emit ReportDiscarded(refSlotOf(0), A);
        vote(2, refSlotOf(0), B);
        _assertState(bytes32(0), false);
        _assertOracleHolds(bytes32(0));
        vm.assertEq(oracle.handledDiscards(), 1);

        // The frame can still reach a consensus on another hash.
        vote(3, refSlotOf(0), B);
        vote(4, refSlotOf(0), B);
        _assertState(B, true);
        _assertOracleHolds(B);
    }

    function test_changeVote_keepsConsensusWhileSupportStaysAtQuorum() public {
        for (uint256 i = 0; i < 4; ++i) vote(i, refSlotOf(0), A);
        vm.recordLogs();
        vote(3, refSlotOf(0), B);
        vm.assertEq(vm.getRecordedLogs().length, 1, "only ReportReceived");
        _assertState(A, true);
        _assertOracleHolds(A);
    }

    function test_changeVote_movesConsensusToAnotherHashInOneVote() public {
        vote(0, refSlotOf(0), A);
        vote(1, refSlotOf(0), A);
        vote(3, refSlotOf(0), B);
        vote(4, refSlotOf(0), B);
        vote(2, refSlotOf(0), A); // A reached with 3
        vm.expectEmit(address(consensus));
        emit ConsensusLost(refSlotOf(0));
        vm.expectEmit(address(consensus));
        emit ConsensusReached(refSlotOf(0), B, 3);
        vote(2, refSlotOf(0), B);
        _assertState(B, true);
        _assertOracleHolds(B);
    }

    function test_votesClosed_onceProcessingStarted() public {
        TestOracle.ReportData memory data = reportData(refSlotOf(0), 64 ether);
        for (uint256 i = 0; i < 3; ++i) vote(i, refSlotOf(0), hashOf(data));
        vm.prank(members[0]);
        oracle.submitReportData(data, 1);

        (,, bool reached, bool started) = consensus.getConsensusState();
        vm.assertTrue(reached && started);
        (,,, bool canVote) = consensus.getMemberState(members[3]);
        vm.assertFalse(canVote);

        vm.prank(members[3]); // a new vote
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.ConsensusReportAlreadyProcessing.selector, refSlotOf(0)));
        consensus.submitReport(refSlotOf(0), A, CONSENSUS_VERSION);
        vm.prank(members[0]); // a changed vote
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.ConsensusReportAlreadyProcessing.selector, refSlotOf(0)));
        consensus.submitReport(refSlotOf(0), A, CONSENSUS_VERSION);

        // The next frame opens fresh.
        warpToFrame(1);
        vote(0, refSlotOf(1), A);
        vm.assertEq(consensus.getReportSupport(A), 1);
    }

    function test_nextFrame_countsFromZero() public {
        for (uint256 i = 0; i < 3; ++i) vote(i, refSlotOf(0), A);
        warpToFrame(1);
        (uint256 refSlot, bytes32 report, bool reached,) = consensus.getConsensusState();
        vm.assertEq(refSlot, refSlotOf(1));
        vm.assertEq(report, bytes32(0));
        vm.assertFalse(reached);
        vm.assertEq(consensus.getReportSupport(A), 0);
        vote(0, refSlotOf(1), A); // same hash, new frame: not a duplicate
        vm.assertEq(consensus.getReportSupport(A), 1);
    }

    // ---- membership and quorum ----

    function test_addMember_rejectsZeroDuplicateAndBadQuorum() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "member"));
        consensus.addMember(address(0), 4);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.AlreadyMember.selector, members[0]));
        consensus.addMember(members[0], 4);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.QuorumTooSmall.selector, 3, 4)); // 6 members: > 3
        consensus.addMember(stranger, 3);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.QuorumTooLarge.selector, 7, 6));
        consensus.addMember(stranger, 7);
        vm.expectEmit(address(consensus));
        emit MemberAdded(stranger, 6, 4);
        vm.expectEmit(address(consensus));
        emit QuorumSet(4, 6, 3);
        consensus.addMember(stranger, 4);
        vm.stopPrank();
        vm.assertTrue(consensus.getIsMember(stranger));
    }

    function testFuzz_quorumMustBeMoreThanHalfAndAtMostMembers(uint256 quorum) public {
        quorum = bound(quorum, 0, 12);
        uint256 n = MEMBERS;
        vm.prank(admin);
        if (quorum <= n / 2) {
            vm.expectRevert(abi.encodeWithSelector(HashConsensus.QuorumTooSmall.selector, quorum, n / 2 + 1));
        } else if (quorum > n) {
            vm.expectRevert(abi.encodeWithSelector(HashConsensus.QuorumTooLarge.selector, quorum, n));
        }
        consensus.setQuorum(quorum);
        if (quorum > n / 2 && quorum <= n) vm.assertEq(consensus.getQuorum(), quorum);
        else vm.assertEq(consensus.getQuorum(), QUORUM);
    }

    function test_removeMember_rechecksQuorum() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.NotAMember.selector, stranger));
        consensus.removeMember(stranger, 3);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.QuorumTooSmall.selector, 2, 3)); // 4 left: > 2
        consensus.removeMember(members[4], 2);
        consensus.removeMember(members[4], 3);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.QuorumTooLarge.selector, 4, 3)); // 3 left: <= 3
        consensus.removeMember(members[3], 4);
        vm.stopPrank();
        vm.assertFalse(consensus.getIsMember(members[4]));
    }

    function test_removeMember_keepsListConsistent() public {
        vote(1, refSlotOf(0), A);
        vm.prank(admin);
        vm.expectEmit(address(consensus));
        emit MemberRemoved(members[1], 4, 3);
        consensus.removeMember(members[1], 3);
        (address[] memory addrs, uint256[] memory lastSlots, bytes32[] memory lastReports) = consensus.getMembers();
        vm.assertEq(addrs.length, 4);
        vm.assertEq(addrs[1], members[4], "last member moved into the gap");
        for (uint256 i = 0; i < addrs.length; ++i) {
            vm.assertTrue(addrs[i] != members[1]);
            vm.assertEq(lastSlots[i], 0);
            vm.assertEq(lastReports[i], bytes32(0));
        }
        vm.assertEq(consensus.getReportSupport(A), 0, "removed member's support withdrawn");
        // Every remaining member can still be removed (indexes were fixed up).
        vm.startPrank(admin);
        consensus.removeMember(members[4], 3);
        consensus.removeMember(members[0], 2);
        consensus.removeMember(members[2], 1);
        consensus.removeMember(members[3], 1);
        vm.stopPrank();
        (addrs,,) = consensus.getMembers();
        vm.assertEq(addrs.length, 0);
    }

    function test_removeVoter_losesConsensus() public {
        for (uint256 i = 0; i < 3; ++i) vote(i, refSlotOf(0), A);
        vm.prank(admin);
        vm.expectEmit(address(consensus));
        emit ConsensusLost(refSlotOf(0));
        consensus.removeMember(members[2], 3);
        _assertState(bytes32(0), false);
        _assertOracleHolds(bytes32(0));
    }

    function test_removedAndReaddedMember_votesOnce() public {
        vote(0, refSlotOf(0), A);
        vm.startPrank(admin);
        consensus.removeMember(members[0], 3);
        consensus.addMember(members[0], 3);
        vm.stopPrank();
        vote(0, refSlotOf(0), A); // not a duplicate: the removal cleared the vote
        vm.assertEq(consensus.getReportSupport(A), 1);
    }

    function test_removeMember_afterProcessing_doesNotReopenFrame() public {
        TestOracle.ReportData memory data = reportData(refSlotOf(0), 64 ether);
        for (uint256 i = 0; i < 3; ++i) vote(i, refSlotOf(0), hashOf(data));
        vm.prank(members[0]);
        oracle.submitReportData(data, 1);
        vm.recordLogs();
        vm.prank(admin);
        consensus.removeMember(members[0], 3);
        vm.assertEq(vm.getRecordedLogs().length, 1, "only MemberRemoved");
        (, bytes32 report, bool reached, bool started) = consensus.getConsensusState();
        vm.assertEq(report, hashOf(data));
        vm.assertTrue(reached && started);
    }

    function test_setQuorum_raisingLosesAndLoweringReaches() public {
        for (uint256 i = 0; i < 3; ++i) vote(i, refSlotOf(0), A);
        vm.prank(admin);
        consensus.setQuorum(4);
        _assertState(bytes32(0), false);
        _assertOracleHolds(bytes32(0));
        vm.prank(admin);
        vm.expectEmit(address(consensus));
        emit ConsensusReached(refSlotOf(0), A, 3);
        consensus.setQuorum(3);
        _assertState(A, true);
        _assertOracleHolds(A);
    }

    function test_addMember_raisingQuorumLosesConsensus() public {
        for (uint256 i = 0; i < 3; ++i) vote(i, refSlotOf(0), A);
        vm.prank(admin);
        consensus.addMember(stranger, 4);
        _assertState(bytes32(0), false);
        vote(3, refSlotOf(0), A);
        _assertState(A, true);
    }

    function test_tooManyMembers() public {
        uint256 max = consensus.MAX_MEMBERS();
        vm.startPrank(admin);
        for (uint256 i = MEMBERS; i < max; ++i) {
            consensus.addMember(address(uint160(0x10000 + i)), (i + 1) / 2 + 1);
        }
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.TooManyMembers.selector, max));
        consensus.addMember(stranger, max / 2 + 1);
        vm.stopPrank();
    }

    // ---- frame config, processor, version ----

    function test_setFrameConfig_keepsCurrentRefSlotMovesDeadline() public {
        warpToFrame(3);
        vm.warp(block.timestamp + 5 * SLOTS_PER_EPOCH * SECONDS_PER_SLOT / 2); // mid-frame
        (uint256 refBefore,) = consensus.getCurrentFrame();
        uint256 startEpoch = (refBefore + 1) / SLOTS_PER_EPOCH;
        vm.prank(admin);
        vm.expectEmit(address(consensus));
        emit FrameConfigSet(startEpoch, 10);
        consensus.setFrameConfig(10);
        (uint256 refAfter, uint256 deadline) = consensus.getCurrentFrame();
        vm.assertEq(refAfter, refBefore);
        vm.assertEq(deadline, refBefore + 10 * SLOTS_PER_EPOCH);

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.InvalidConfig.selector, "epochsPerFrame", 0));
        consensus.setFrameConfig(0);
    }

    function test_updateInitialEpoch_onlyBeforeItArrives() public {
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(HashConsensus.InitialEpochAlreadyArrived.selector, INITIAL_EPOCH, INITIAL_EPOCH)
        );
        consensus.updateInitialEpoch(20);

        vm.warp(GENESIS_TIME); // epoch 0
        vm.prank(admin);
        consensus.updateInitialEpoch(20);
        (uint256 initialEpoch,) = consensus.getFrameConfig();
        vm.assertEq(initialEpoch, 20);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.InitialEpochNotReached.selector, 0, 20));
        consensus.getCurrentFrame();
    }

    function test_setReportProcessor_deliversHeldConsensus() public {
        HashConsensus fresh = deployConsensus(address(0));
        vm.startPrank(admin);
        fresh.grantRole(fresh.MANAGE_MEMBERS_ROLE(), admin);
        fresh.grantRole(fresh.MANAGE_REPORT_PROCESSOR_ROLE(), admin);
        fresh.addMember(members[0], 1);
        vm.stopPrank();
        vm.prank(members[0]);
        fresh.submitReport(refSlotOf(0), A, CONSENSUS_VERSION); // consensus without a processor
        (, bytes32 report, bool reached,) = fresh.getConsensusState();
        vm.assertTrue(reached);
        vm.assertEq(report, A);

        TestOracle second = deployOracle(address(fresh));
        vm.prank(admin);
        vm.expectEmit(address(fresh));
        emit ReportProcessorSet(address(second), address(0));
        fresh.setReportProcessor(address(second));
        (bytes32 held, uint256 refSlot,,) = second.getConsensusReport();
        vm.assertEq(held, A);
        vm.assertEq(refSlot, refSlotOf(0));

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "processor"));
        fresh.setReportProcessor(address(0));
    }

    function test_setConsensusVersion_refusesOldVersionVotes() public {
        vm.prank(admin);
        vm.expectEmit(address(consensus));
        emit ConsensusVersionSet(2, 1);
        consensus.setConsensusVersion(2);
        vm.prank(members[0]);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.UnexpectedConsensusVersion.selector, 1, 2));
        consensus.submitReport(refSlotOf(0), A, 1);
        vm.prank(members[0]);
        consensus.submitReport(refSlotOf(0), A, 2);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.InvalidConfig.selector, "consensusVersion", 0));
        consensus.setConsensusVersion(0);
    }

    // ---- access control: every role ----

    function test_roles_eachGuardsItsFunctions() public {
        address holder = makeAddr("holder");
        bytes32[4] memory roles = [
            consensus.MANAGE_MEMBERS_ROLE(),
            consensus.MANAGE_FRAME_CONFIG_ROLE(),
            consensus.MANAGE_REPORT_PROCESSOR_ROLE(),
            consensus.MANAGE_CONSENSUS_VERSION_ROLE()
        ];
        // Without the role: refused, naming the role.
        vm.startPrank(holder);
        vm.expectRevert(unauthorized(holder, roles[0]));
        consensus.addMember(stranger, 4);
        vm.expectRevert(unauthorized(holder, roles[0]));
        consensus.removeMember(members[0], 3);
        vm.expectRevert(unauthorized(holder, roles[0]));
        consensus.setQuorum(4);
        vm.expectRevert(unauthorized(holder, roles[1]));
        consensus.setFrameConfig(8);
        vm.expectRevert(unauthorized(holder, roles[1]));
        consensus.updateInitialEpoch(20);
        vm.expectRevert(unauthorized(holder, roles[2]));
        consensus.setReportProcessor(stranger);
        vm.expectRevert(unauthorized(holder, roles[3]));
        consensus.setConsensusVersion(2);
        address v2 = address(new HashConsensusV2());
        vm.expectRevert(unauthorized(holder, consensus.DEFAULT_ADMIN_ROLE()));
        consensus.upgradeToAndCall(v2, "");
        vm.stopPrank();

        // With only the role: allowed.
        for (uint256 i = 0; i < roles.length; ++i) {
            vm.prank(admin);
            consensus.grantRole(roles[i], holder);
        }
        vm.startPrank(holder);
        consensus.addMember(stranger, 4);
        consensus.setQuorum(5);
        consensus.removeMember(stranger, 3);
        consensus.setFrameConfig(8);
        consensus.setReportProcessor(address(oracle));
        consensus.setConsensusVersion(2);
        vm.stopPrank();
        vm.assertEq(consensus.getConsensusVersion(), 2);
        (, uint256 epf) = consensus.getFrameConfig();
        vm.assertEq(epf, 8);
    }

    // ---- upgrade ----

    function test_upgrade_keepsEveryStoredValue() public {
        vote(0, refSlotOf(0), A);
        vote(1, refSlotOf(0), A);
        vote(2, refSlotOf(0), A);
        vote(3, refSlotOf(0), B);
        (address[] memory addrs, uint256[] memory slots, bytes32[] memory reports) = consensus.getMembers();
        (uint256 refSlot, bytes32 report, bool reached,) = consensus.getConsensusState();

        HashConsensusV2 v2 = new HashConsensusV2();
        vm.prank(admin);
        consensus.upgradeToAndCall(address(v2), abi.encodeCall(HashConsensusV2.initializeV2, ()));
        HashConsensusV2 upgraded = HashConsensusV2(address(consensus));
        vm.assertEq(upgraded.v2Marker(), "HashConsensus v2");
        vm.assertEq(uint256(upgraded.getContractVersion()), 2);

        (address[] memory addrs2, uint256[] memory slots2, bytes32[] memory reports2) = upgraded.getMembers();
        vm.assertEq(addrs2.length, addrs.length);
        for (uint256 i = 0; i < addrs.length; ++i) {
            vm.assertEq(addrs2[i], addrs[i]);
            vm.assertEq(slots2[i], slots[i]);
            vm.assertEq(reports2[i], reports[i]);
        }
        (uint256 refSlot2, bytes32 report2, bool reached2,) = upgraded.getConsensusState();
        vm.assertEq(refSlot2, refSlot);
        vm.assertEq(report2, report);
        vm.assertEq(reached2, reached);
        vm.assertEq(upgraded.getReportSupport(A), 3);
        vm.assertEq(upgraded.getReportSupport(B), 1);
        vm.assertEq(upgraded.getQuorum(), QUORUM);
        vm.assertEq(upgraded.getConsensusVersion(), CONSENSUS_VERSION);
        vm.assertEq(upgraded.getReportProcessor(), address(oracle));
        (uint256 spe, uint256 sps, uint256 genesis) = upgraded.getChainConfig();
        vm.assertEq(spe + sps + genesis, SLOTS_PER_EPOCH + SECONDS_PER_SLOT + GENESIS_TIME);
        (uint256 initialEpoch, uint256 epf) = upgraded.getFrameConfig();
        vm.assertEq(initialEpoch, INITIAL_EPOCH);
        vm.assertEq(epf, EPOCHS_PER_FRAME);
        vm.assertTrue(upgraded.hasRole(upgraded.MANAGE_MEMBERS_ROLE(), admin));
        // And it keeps working: member 4 changes nothing, member 3 switches to A.
        vote(3, refSlotOf(0), A);
        vm.assertEq(upgraded.getReportSupport(A), 4);
    }
}
