// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {Test} from "../utils/Test.sol";
import {HashConsensus} from "../../src/oracle/HashConsensus.sol";
import {TestOracle} from "./TestOracle.sol";

/// @notice Deploys a HashConsensus and a TestOracle behind ERC1967 proxies, wired to each other, with 5 members and
///         quorum 3, at the start of frame 0. Mainnet timing (12 s slots, 32 slots per epoch), short frames.
abstract contract OracleTestBase is Test {
    uint256 internal constant GENESIS_TIME = 1_606_824_023; // mainnet beacon genesis
    uint256 internal constant SECONDS_PER_SLOT = 12;
    uint256 internal constant SLOTS_PER_EPOCH = 32;
    uint256 internal constant INITIAL_EPOCH = 10;
    uint256 internal constant EPOCHS_PER_FRAME = 4;
    uint256 internal constant CONSENSUS_VERSION = 1;
    uint256 internal constant MEMBERS = 5;
    uint256 internal constant QUORUM = 3;
    uint256 internal constant FRAME_SLOTS = EPOCHS_PER_FRAME * SLOTS_PER_EPOCH;
    uint256 internal constant FRAME_SECONDS = FRAME_SLOTS * SECONDS_PER_SLOT;

    address internal admin = makeAddr("admin");
    address internal stranger = makeAddr("stranger");
    address[] internal members;

    HashConsensus internal consensus;
    TestOracle internal oracle;

    function setUp() public virtual {
        for (uint256 i = 0; i < MEMBERS; ++i) {
            members.push(makeAddr(string.concat("member", vm.toString(i))));
        }
        consensus = deployConsensus(address(0));
        oracle = deployOracle(address(consensus));

        vm.startPrank(admin);
        consensus.grantRole(consensus.MANAGE_MEMBERS_ROLE(), admin);
        consensus.grantRole(consensus.MANAGE_REPORT_PROCESSOR_ROLE(), admin);
        consensus.grantRole(consensus.MANAGE_FRAME_CONFIG_ROLE(), admin);
        consensus.grantRole(consensus.MANAGE_CONSENSUS_VERSION_ROLE(), admin);
        consensus.setReportProcessor(address(oracle));
        for (uint256 i = 0; i < MEMBERS; ++i) {
            consensus.addMember(members[i], (i + 1) / 2 + 1);
        }
        vm.stopPrank();
        vm.assertEq(consensus.getQuorum(), QUORUM);

        warpToFrame(0);
    }

    function deployConsensus(address processor) internal returns (HashConsensus) {
        HashConsensus impl = new HashConsensus();
        bytes memory init = abi.encodeCall(
            HashConsensus.initialize,
            (admin, GENESIS_TIME, SECONDS_PER_SLOT, SLOTS_PER_EPOCH, INITIAL_EPOCH, EPOCHS_PER_FRAME, processor, CONSENSUS_VERSION)
        );
        return HashConsensus(address(new ERC1967Proxy(address(impl), init)));
    }

    function deployOracle(address consensusAddress) internal returns (TestOracle) {
        TestOracle impl = new TestOracle();
        bytes memory init = abi.encodeCall(TestOracle.initialize, (admin, consensusAddress));
        return TestOracle(address(new ERC1967Proxy(address(impl), init)));
    }

    /// @dev Reference slot of frame `k` (independent of the contract: start epoch * slots per epoch - 1).
    function refSlotOf(uint256 k) internal pure returns (uint256) {
        return (INITIAL_EPOCH + k * EPOCHS_PER_FRAME) * SLOTS_PER_EPOCH - 1;
    }

    function deadlineOf(uint256 k) internal pure returns (uint256) {
        return refSlotOf(k + 1);
    }

    function timeOfSlot(uint256 slot) internal pure returns (uint256) {
        return GENESIS_TIME + slot * SECONDS_PER_SLOT;
    }

    /// @dev Warps to the first second of frame `k` (the slot after its reference slot).
    function warpToFrame(uint256 k) internal {
        vm.warp(timeOfSlot(refSlotOf(k) + 1));
    }

    function reportData(uint256 refSlot, uint256 balance) internal pure returns (TestOracle.ReportData memory) {
        return TestOracle.ReportData({
            consensusVersion: CONSENSUS_VERSION,
            refSlot: refSlot,
            beaconBalance: balance,
            validators: balance / 32 ether
        });
    }

    function hashOf(TestOracle.ReportData memory data) internal pure returns (bytes32) {
        return keccak256(abi.encode(data));
    }

    function vote(uint256 memberIndex, uint256 refSlot, bytes32 report) internal {
        vm.prank(members[memberIndex]);
        consensus.submitReport(refSlot, report, CONSENSUS_VERSION);
    }

    function unauthorized(address account, bytes32 role) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", account, role);
    }
}
