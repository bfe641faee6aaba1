// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ShoalUpgradeable} from "../base/ShoalUpgradeable.sol";
import {IReportProcessor, IConsensusContract} from "../interfaces/IReportProcessor.sol";

/// @title BaseOracle
/// @notice The receiving half of the oracle committee: holds the consensus report handed over by `HashConsensus`
///         and lets a derived oracle accept the full report data only if it is exactly what the quorum voted.
///
/// LIFECYCLE OF A FRAME (refSlot R):
///
///     HashConsensus ──submitConsensusReport(hash, R, deadline)──▶ report = (hash, R, deadline)
///                   ──discardConsensusReport(R)────────────────▶ report.hash = 0   (quorum lost, not processed)
///     member ──submitReportData(data, contractVersion)──▶ _checkConsensusData(...) ──▶ _startProcessing()
///                                                          lastProcessingRefSlot = R  (votes for R close)
///
/// WHAT IT PROMISES (to the derived oracle and to everyone reading it): `_checkConsensusData` passes only for
/// the frame whose consensus it currently holds, only for data whose `keccak256(abi.encode(data))` equals the hash a
/// quorum voted, only with the current contract version (`_getInitializedVersion()`) and the consensus
/// contract's current consensus version, only up to the deadline slot inclusive, and never twice for one frame
/// (after `_startProcessing`). `_checkMsgSenderIsMember` passes only for current committee members. The reference
/// slot of a held report and of processing never decreases.
///
/// WHAT IT TRUSTS: the consensus contract (set by `MANAGE_CONSENSUS_CONTRACT_ROLE`) to deliver only quorum-backed
/// hashes for its current frame, and for the member list, chain timing and consensus version.
///
/// UPGRADES: UUPS through `ShoalUpgradeable` (DEFAULT_ADMIN_ROLE authorises); the contract version checked on
/// submitted data is the initializer version, so an upgrade with `reinitializer(n)` makes clients move to n.
/// Its state lives in the ERC-7201 namespace below; the derived oracle adds its own namespace.
abstract contract BaseOracle is ShoalUpgradeable, IReportProcessor {
    /// @notice May point the oracle at another consensus contract.
    bytes32 public constant MANAGE_CONSENSUS_CONTRACT_ROLE = keccak256("MANAGE_CONSENSUS_CONTRACT_ROLE");

    /// @dev The report a quorum agreed on. `hash == 0` means none (never received or discarded).
    struct ConsensusReport {
        bytes32 hash;
        uint64 refSlot;
        uint64 processingDeadlineSlot;
    }

    /// @custom:storage-location erc7201:shoal.storage.BaseOracle
    struct BaseOracleStorage {
        address consensusContract;
        uint64 lastProcessingRefSlot;
        ConsensusReport report;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("shoal.storage.BaseOracle")) - 1)) & ~bytes32(uint256(0xff))
    ///      (computed by scripts/erc7201-slot.mjs).
    bytes32 private constant STORAGE_SLOT = 0x831aacda79b2ef9a6e3af72677eacc78307f2940b922c0f392873142c6c44f00;

    function _baseOracleStorage() private pure returns (BaseOracleStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    event ConsensusContractSet(address indexed consensusContract, address indexed previousConsensusContract);
    /// @notice A quorum-backed hash arrived for `refSlot`.
    event ReportSubmitted(uint256 indexed refSlot, bytes32 hash, uint256 processingDeadlineSlot);
    /// @notice The hash held for `refSlot` lost its quorum before processing and was dropped.
    event ReportDiscarded(uint256 indexed refSlot, bytes32 hash);
    /// @notice Processing of `refSlot` started (the data matched `hash`); the frame cannot be processed again.
    event ProcessingStarted(uint256 indexed refSlot, bytes32 hash);
    /// @notice The consensus report of `refSlot` was never processed and has been replaced by a later frame's.
    event ProcessingMissed(uint256 indexed refSlot);

    error OnlyConsensusContract(address caller);
    error NotAMember(address account);
    error NoConsensusReport();
    error UnexpectedRefSlot(uint256 refSlot, uint256 expectedRefSlot);
    error RefSlotCannotDecrease(uint256 refSlot, uint256 previousRefSlot);
    error RefSlotAlreadyProcessing(uint256 refSlot);
    error UnexpectedContractVersion(uint256 version, uint256 expectedVersion);
    error UnexpectedConsensusVersion(uint256 version, uint256 expectedVersion);
    error UnexpectedDataHash(bytes32 dataHash, bytes32 consensusHash);
    error ProcessingDeadlineMissed(uint256 deadlineSlot, uint256 currentSlot);

    // ---------------------------------------------------------------------------------------------------------------
    // Initialisation and administration
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Call from the derived oracle's initializer: sets the admin (DEFAULT_ADMIN_ROLE) and the consensus
    ///      contract.
    function __BaseOracle_init(address admin, address consensusContract) internal onlyInitializing {
        __ShoalUpgradeable_init(admin);
        _setConsensusContract(consensusContract);
    }

    /// @notice Points the oracle at another consensus contract. A report held from the old one stays until the new
    ///         one delivers a later frame.
    function setConsensusContract(address consensusContract) external onlyRole(MANAGE_CONSENSUS_CONTRACT_ROLE) {
        _setConsensusContract(consensusContract);
    }

    function _setConsensusContract(address consensusContract) private {
        if (consensusContract == address(0)) revert ZeroAddress("consensusContract");
        BaseOracleStorage storage $ = _baseOracleStorage();
        address previous = $.consensusContract;
        $.consensusContract = consensusContract;
        emit ConsensusContractSet(consensusContract, previous);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // IReportProcessor (called by the consensus contract)
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IReportProcessor
    function submitConsensusReport(bytes32 report, uint256 refSlot, uint256 deadline) external {
        BaseOracleStorage storage $ = _baseOracleStorage();
        if (msg.sender != $.consensusContract) revert OnlyConsensusContract(msg.sender);
        ConsensusReport memory previous = $.report;
        if (refSlot < previous.refSlot) revert RefSlotCannotDecrease(refSlot, previous.refSlot);
        if (refSlot <= $.lastProcessingRefSlot) revert RefSlotAlreadyProcessing(refSlot);
        uint256 slot = _currentSlot();
        if (slot > deadline) revert ProcessingDeadlineMissed(deadline, slot);

        if (previous.hash != bytes32(0) && previous.refSlot < refSlot) emit ProcessingMissed(previous.refSlot);
        $.report = ConsensusReport({
            hash: report,
            refSlot: SafeCast.toUint64(refSlot),
            processingDeadlineSlot: SafeCast.toUint64(deadline)
        });
        emit ReportSubmitted(refSlot, report, deadline);
        _handleConsensusReport(report, refSlot, deadline);
    }

    /// @inheritdoc IReportProcessor
    function discardConsensusReport(uint256 refSlot) external {
        BaseOracleStorage storage $ = _baseOracleStorage();
        if (msg.sender != $.consensusContract) revert OnlyConsensusContract(msg.sender);
        ConsensusReport memory held = $.report;
        if (refSlot < held.refSlot) return; // an older frame's report was already replaced: nothing to discard
        if (refSlot > held.refSlot) revert UnexpectedRefSlot(refSlot, held.refSlot);
        if (refSlot <= $.lastProcessingRefSlot) revert RefSlotAlreadyProcessing(refSlot);
        if (held.hash == bytes32(0)) return;
        $.report.hash = bytes32(0);
        emit ReportDiscarded(refSlot, held.hash);
        _handleConsensusReportDiscarded(refSlot);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice The consensus report held: its hash (zero if none), frame, deadline slot and whether its processing
    ///         started.
    function getConsensusReport()
        external
        view
        returns (bytes32 hash, uint256 refSlot, uint256 processingDeadlineSlot, bool processingStarted)
    {
        BaseOracleStorage storage $ = _baseOracleStorage();
        ConsensusReport memory r = $.report;
        return (r.hash, r.refSlot, r.processingDeadlineSlot, r.hash != bytes32(0) && $.lastProcessingRefSlot == r.refSlot);
    }

    /// @inheritdoc IReportProcessor
    function getLastProcessingRefSlot() external view returns (uint256) {
        return _baseOracleStorage().lastProcessingRefSlot;
    }

    /// @notice The consensus contract this oracle takes reports from.
    function getConsensusContract() external view returns (address) {
        return _baseOracleStorage().consensusContract;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // For the derived oracle
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Reverts with `NotAMember` unless `msg.sender` is a current member of the committee.
    function _checkMsgSenderIsMember() internal view {
        if (!IConsensusContract(_baseOracleStorage().consensusContract).getIsMember(msg.sender)) {
            revert NotAMember(msg.sender);
        }
    }

    /// @dev Reverts unless the data described by the arguments may be processed now: `refSlot` is the frame of the
    ///      held consensus report, that frame was not processed yet, the versions are current, the deadline has not
    ///      passed and `dataHash` (keccak256 of the ABI-encoded data) is the hash the quorum voted.
    function _checkConsensusData(uint256 refSlot, uint256 consensusVersion, uint256 contractVersion, bytes32 dataHash)
        internal
        view
    {
        BaseOracleStorage storage $ = _baseOracleStorage();
        ConsensusReport memory r = $.report;
        if (r.hash == bytes32(0)) revert NoConsensusReport();
        if (refSlot != r.refSlot) revert UnexpectedRefSlot(refSlot, r.refSlot);
        if (r.refSlot <= $.lastProcessingRefSlot) revert RefSlotAlreadyProcessing(refSlot);
        uint256 expectedContractVersion = _getInitializedVersion();
        if (contractVersion != expectedContractVersion) {
            revert UnexpectedContractVersion(contractVersion, expectedContractVersion);
        }
        uint256 expectedConsensusVersion = IConsensusContract($.consensusContract).getConsensusVersion();
        if (consensusVersion != expectedConsensusVersion) {
            revert UnexpectedConsensusVersion(consensusVersion, expectedConsensusVersion);
        }
        uint256 slot = _currentSlot();
        if (slot > r.processingDeadlineSlot) revert ProcessingDeadlineMissed(r.processingDeadlineSlot, slot);
        if (dataHash != r.hash) revert UnexpectedDataHash(dataHash, r.hash);
    }

    /// @dev Marks the held report's frame as processing (call right after `_checkConsensusData` passed); returns
    ///      its reference slot. Closes the frame's votes in `HashConsensus` and prevents replays.
    function _startProcessing() internal returns (uint256 refSlot) {
        BaseOracleStorage storage $ = _baseOracleStorage();
        ConsensusReport memory r = $.report;
        $.lastProcessingRefSlot = r.refSlot;
        emit ProcessingStarted(r.refSlot, r.hash);
        return r.refSlot;
    }

    /// @dev The consensus contract, for derived oracles.
    function _consensusContract() internal view returns (address) {
        return _baseOracleStorage().consensusContract;
    }

    /// @dev The beacon slot at `block.timestamp`, by the consensus contract's chain config (0 before genesis).
    function _currentSlot() internal view returns (uint256) {
        (, uint256 secondsPerSlot, uint256 genesisTime) =
            IConsensusContract(_baseOracleStorage().consensusContract).getChainConfig();
        if (block.timestamp < genesisTime) return 0;
        return (block.timestamp - genesisTime) / secondsPerSlot;
    }

    /// @dev Hook: a new consensus report is held. Override to react (e.g. reset per-frame state).
    function _handleConsensusReport(bytes32 report, uint256 refSlot, uint256 deadline) internal virtual {}

    /// @dev Hook: the held report of `refSlot` was discarded.
    function _handleConsensusReportDiscarded(uint256 refSlot) internal virtual {}
}
