// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ShoalUpgradeable} from "../base/ShoalUpgradeable.sol";
import {IReportProcessor, IConsensusContract} from "../interfaces/IReportProcessor.sol";

/// @title HashConsensus
/// @notice The oracle committee: members vote the keccak256 hash of the report they computed for a frame, and a
///         quorum of equal hashes is handed to the report processor (the oracle that later receives and checks the
///         full data).
///
/// FRAMES. Time is cut into frames of `epochsPerFrame` epochs, the first starting at `initialEpoch`. Frame k starts
/// at epoch `s = initialEpoch + k * epochsPerFrame`. Its **reference slot** is the last slot of the epoch before
/// `s` (`s * slotsPerEpoch - 1`): the state every member reads. Its **deadline slot** is the last slot of the frame
/// (`(s + epochsPerFrame) * slotsPerEpoch - 1`). The current frame is the one containing the current slot
/// `(block.timestamp - genesisTime) / secondsPerSlot`. There is no frame before `initialEpoch`.
///
/// VOTES. A member votes `submitReport(refSlot, hash, consensusVersion)` for the current frame only, with the
/// current consensus version. It may change its vote (a vote for a different hash moves its support) until the
/// processor **starts processing** the frame (`IReportProcessor.getLastProcessingRefSlot() >= refSlot`); from then
/// on the frame's votes are closed and nothing that happens here changes that frame's outcome. Repeating the same
/// vote is refused.
///
/// WHAT THE REPORT PROCESSOR CAN RELY ON:
///  1. `submitConsensusReport(hash, refSlot, deadline)` is called only when `quorum` current members have voted
///     exactly `hash` for the frame whose reference slot is `refSlot`, and `deadline` is that frame's last slot.
///     It is called at most once per (refSlot, hash) while consensus holds, and `refSlot` never decreases.
///  2. Because `quorum > members / 2` always holds, at most one hash can have quorum in a frame at any moment:
///     members fewer than `quorum` can neither reach a consensus on their own nor replace one.
///  3. Before processing starts, consensus can be lost (a member changes its vote, a voter is removed, the quorum
///     is raised): the processor then receives `discardConsensusReport(refSlot)` and must not process that hash.
///     After it may receive a new `submitConsensusReport` for the same `refSlot` with another hash.
///  4. Once the processor reports that processing of `refSlot` started, it is never called again for that
///     `refSlot` (votes are closed; membership and quorum changes no longer re-evaluate that frame).
///  5. A consensus is never delivered for a frame other than the current one: an unprocessed consensus of a past
///     frame simply stays with the processor, which checks the deadline itself.
///  6. Votes are checked against the consensus version current when cast; changing the version does not void
///     votes already cast, so the processor must check the version carried by the data (BaseOracle does).
///
/// UPGRADES: UUPS through `ShoalUpgradeable` (DEFAULT_ADMIN_ROLE authorises).
///
/// WHAT IT TRUSTS: the admin roles (members, quorum, frame config, processor, consensus version) and the report
/// processor (a trusted contract set by `MANAGE_REPORT_PROCESSOR_ROLE`, called at the end of a vote).
///
/// GAS. A vote is O(1): no loop over members or variants. Per member one slot packs (index, last ref slot) and one
/// holds the last hash; per frame, support is counted incrementally in `support[refSlot][hash]`. Only admin
/// operations (membership, quorum) walk the members to re-evaluate the current frame. Measured (5 members, quorum 3,
/// test/oracle/OracleGas.t.sol): a second vote of a frame ~51-53k gas per transaction, the first ~68k, the one
/// that reaches quorum and delivers ~92-94k.
contract HashConsensus is ShoalUpgradeable, IConsensusContract {
    // ---------------------------------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice May add and remove members and set the quorum.
    bytes32 public constant MANAGE_MEMBERS_ROLE = keccak256("MANAGE_MEMBERS_ROLE");
    /// @notice May change the frame length and, before it arrives, the initial epoch.
    bytes32 public constant MANAGE_FRAME_CONFIG_ROLE = keccak256("MANAGE_FRAME_CONFIG_ROLE");
    /// @notice May point the committee at another report processor.
    bytes32 public constant MANAGE_REPORT_PROCESSOR_ROLE = keccak256("MANAGE_REPORT_PROCESSOR_ROLE");
    /// @notice May change the consensus version (the report format members hash).
    bytes32 public constant MANAGE_CONSENSUS_VERSION_ROLE = keccak256("MANAGE_CONSENSUS_VERSION_ROLE");

    // ---------------------------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Upper bound on the committee size. Admin operations and the `getMembers` view walk every member
    ///         (~5k gas each when re-evaluating consensus), so the bound keeps them far below the block gas limit.
    uint256 public constant MAX_MEMBERS = 256;

    // ---------------------------------------------------------------------------------------------------------------
    // Storage (ERC-7201)
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev Chain timing and frame layout: one slot, read on every vote.
    struct FrameConfig {
        uint64 genesisTime; // unix seconds of slot 0
        uint32 secondsPerSlot;
        uint32 slotsPerEpoch;
        uint64 initialEpoch; // first epoch of frame 0
        uint64 epochsPerFrame;
    }

    /// @dev Committee parameters and the consensus flag of the latest frame that reached consensus: one slot, read
    ///      on every vote.
    struct Committee {
        address reportProcessor;
        uint16 quorum;
        uint32 consensusVersion;
        uint48 consensusRefSlot; // ref slot of the frame whose consensus currently holds; 0 = none
    }

    /// @dev One slot per member.
    struct MemberState {
        uint32 indexPlusOne; // position in `members` + 1; 0 = not a member
        uint64 lastRefSlot; // ref slot of the member's last vote; 0 = never voted (ref slots are >= 1)
    }

    /// @custom:storage-location erc7201:shoal.storage.HashConsensus
    struct HashConsensusStorage {
        FrameConfig frame;
        Committee committee;
        bytes32 consensusReport; // the hash that holds consensus for `committee.consensusRefSlot`
        address[] members;
        mapping(address member => MemberState) memberState;
        mapping(address member => bytes32) lastReport;
        mapping(uint256 refSlot => mapping(bytes32 report => uint256)) support;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("shoal.storage.HashConsensus")) - 1)) & ~bytes32(uint256(0xff))
    ///      (computed by scripts/erc7201-slot.mjs).
    bytes32 private constant STORAGE_SLOT = 0x1a792eb806dcf9ede87944ba9dbd70158022d340f2eb97bcd284877b4f26f300;

    function _storage() private pure returns (HashConsensusStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Events and errors
    // ---------------------------------------------------------------------------------------------------------------

    event MemberAdded(address indexed member, uint256 totalMembers, uint256 quorum);
    event MemberRemoved(address indexed member, uint256 totalMembers, uint256 quorum);
    event QuorumSet(uint256 quorum, uint256 totalMembers, uint256 previousQuorum);
    event FrameConfigSet(uint256 initialEpoch, uint256 epochsPerFrame);
    event ChainConfigSet(uint256 genesisTime, uint256 secondsPerSlot, uint256 slotsPerEpoch);
    event ReportProcessorSet(address indexed processor, address indexed previousProcessor);
    event ConsensusVersionSet(uint256 version, uint256 previousVersion);
    event ReportReceived(uint256 indexed refSlot, address indexed member, bytes32 report);
    event ConsensusReached(uint256 indexed refSlot, bytes32 report, uint256 support);
    event ConsensusLost(uint256 indexed refSlot);

    error InvalidConfig(string field, uint256 value);
    error NotAMember(address account);
    error AlreadyMember(address account);
    error TooManyMembers(uint256 max);
    error QuorumTooSmall(uint256 quorum, uint256 minQuorum);
    error QuorumTooLarge(uint256 quorum, uint256 totalMembers);
    error InitialEpochNotReached(uint256 currentEpoch, uint256 initialEpoch);
    error InitialEpochAlreadyArrived(uint256 currentEpoch, uint256 initialEpoch);
    error InvalidSlot(uint256 slot, uint256 expectedRefSlot);
    error EmptyReport();
    error UnexpectedConsensusVersion(uint256 version, uint256 expectedVersion);
    error DuplicateReport(uint256 refSlot, bytes32 report);
    error ConsensusReportAlreadyProcessing(uint256 refSlot);

    // ---------------------------------------------------------------------------------------------------------------
    // Initialisation and upgrades
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Sets up the committee (with no members) and its frames.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE` (grants roles, authorises upgrades).
    /// @param genesisTime Unix time of the beacon chain's slot 0. Fixed for the life of the contract.
    /// @param secondsPerSlot Beacon `SECONDS_PER_SLOT` (12 on mainnet). Fixed for the life of the contract.
    /// @param slotsPerEpoch Beacon `SLOTS_PER_EPOCH` (32 on mainnet, 8 in the minimal preset). Fixed.
    /// @param initialEpoch First epoch of frame 0; `initialEpoch * slotsPerEpoch` must be at least 2 so that every
    ///        reference slot is >= 1 (0 marks "never voted").
    /// @param epochsPerFrame Frame length in epochs (225 = one day on mainnet).
    /// @param reportProcessor Receiver of consensus reports; may be zero and set later (until then consensus is
    ///        recorded but not delivered).
    /// @param consensusVersion Version of the report format members hash (>= 1).
    function initialize(
        address admin,
        uint256 genesisTime,
        uint256 secondsPerSlot,
        uint256 slotsPerEpoch,
        uint256 initialEpoch,
        uint256 epochsPerFrame,
        address reportProcessor,
        uint256 consensusVersion
    ) external initializer {
        __ShoalUpgradeable_init(admin);

        if (secondsPerSlot == 0 || secondsPerSlot > type(uint32).max) revert InvalidConfig("secondsPerSlot", secondsPerSlot);
        if (slotsPerEpoch == 0 || slotsPerEpoch > type(uint32).max) revert InvalidConfig("slotsPerEpoch", slotsPerEpoch);
        HashConsensusStorage storage $ = _storage();
        $.frame.genesisTime = SafeCast.toUint64(genesisTime);
        $.frame.secondsPerSlot = uint32(secondsPerSlot);
        $.frame.slotsPerEpoch = uint32(slotsPerEpoch);
        emit ChainConfigSet(genesisTime, secondsPerSlot, slotsPerEpoch);
        _setFrameConfig($, initialEpoch, epochsPerFrame);

        $.committee.quorum = 1; // the smallest quorum that is > 0 / 2; set with the first member
        _setConsensusVersion($, consensusVersion);
        if (reportProcessor != address(0)) {
            $.committee.reportProcessor = reportProcessor;
            emit ReportProcessorSet(reportProcessor, address(0));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Voting
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Votes `report` (keccak256 of the ABI-encoded report data) for the current frame. A member may change
    ///         its vote until the processor starts processing the frame.
    /// @param slot The current frame's reference slot (guards against voting for a frame that just ended).
    /// @param report Hash of the report; must not be zero.
    /// @param consensusVersion The report format the member hashed; must equal `getConsensusVersion()`.
    function submitReport(uint256 slot, bytes32 report, uint256 consensusVersion) external {
        HashConsensusStorage storage $ = _storage();
        MemberState memory ms = $.memberState[msg.sender];
        if (ms.indexPlusOne == 0) revert NotAMember(msg.sender);
        (uint256 refSlot, uint256 deadline) = _currentFrame($.frame);
        if (slot != refSlot) revert InvalidSlot(slot, refSlot);
        if (report == bytes32(0)) revert EmptyReport();
        Committee memory c = $.committee;
        if (consensusVersion != c.consensusVersion) {
            revert UnexpectedConsensusVersion(consensusVersion, c.consensusVersion);
        }
        bool reached = c.consensusRefSlot == refSlot;
        // Processing can only have started for a frame whose consensus holds, so the external call is made only then.
        if (reached && _processingStarted(c.reportProcessor, refSlot)) revert ConsensusReportAlreadyProcessing(refSlot);

        if (ms.lastRefSlot == refSlot) {
            // A changed vote: move this member's support away from its previous hash.
            bytes32 previous = $.lastReport[msg.sender];
            if (previous == report) revert DuplicateReport(refSlot, report);
            uint256 left = --$.support[refSlot][previous];
            if (reached && left < c.quorum && previous == $.consensusReport) {
                _loseConsensus($, c.reportProcessor, refSlot);
                reached = false;
            }
        } else {
            $.memberState[msg.sender].lastRefSlot = SafeCast.toUint64(refSlot);
        }
        $.lastReport[msg.sender] = report;
        uint256 supportNow = ++$.support[refSlot][report];
        emit ReportReceived(refSlot, msg.sender, report);

        if (!reached && supportNow >= c.quorum) {
            _reachConsensus($, c.reportProcessor, refSlot, deadline, report, supportNow);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Administration
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Adds `member` and sets the quorum for the new committee size (must be > members / 2 and <= members).
    ///         The current frame is re-evaluated (a lower quorum may reach consensus).
    function addMember(address member, uint256 quorum) external onlyRole(MANAGE_MEMBERS_ROLE) {
        if (member == address(0)) revert ZeroAddress("member");
        HashConsensusStorage storage $ = _storage();
        if ($.memberState[member].indexPlusOne != 0) revert AlreadyMember(member);
        uint256 total = $.members.length + 1;
        if (total > MAX_MEMBERS) revert TooManyMembers(MAX_MEMBERS);
        $.members.push(member);
        $.memberState[member] = MemberState({indexPlusOne: uint32(total), lastRefSlot: 0});
        emit MemberAdded(member, total, quorum);
        _setQuorum($, quorum, total);
        _reevaluate($);
    }

    /// @notice Removes `member` and sets the quorum for the new committee size. If the member voted in the current
    ///         frame and its votes are still open, its support is withdrawn and the frame re-evaluated.
    function removeMember(address member, uint256 quorum) external onlyRole(MANAGE_MEMBERS_ROLE) {
        HashConsensusStorage storage $ = _storage();
        MemberState memory ms = $.memberState[member];
        if (ms.indexPlusOne == 0) revert NotAMember(member);

        (bool framed, uint256 refSlot,) = _tryCurrentFrame($.frame);
        if (framed && ms.lastRefSlot == refSlot && !_frameClosed($, refSlot)) {
            $.support[refSlot][$.lastReport[member]] -= 1;
        }

        uint256 last = $.members.length - 1;
        uint256 index = ms.indexPlusOne - 1;
        if (index != last) {
            address moved = $.members[last];
            $.members[index] = moved;
            $.memberState[moved].indexPlusOne = uint32(index + 1);
        }
        $.members.pop();
        delete $.memberState[member];
        delete $.lastReport[member];
        emit MemberRemoved(member, last, quorum);
        _setQuorum($, quorum, last);
        _reevaluate($);
    }

    /// @notice Sets the quorum (must be > members / 2 and <= members) and re-evaluates the current frame.
    function setQuorum(uint256 quorum) external onlyRole(MANAGE_MEMBERS_ROLE) {
        HashConsensusStorage storage $ = _storage();
        _setQuorum($, quorum, $.members.length);
        _reevaluate($);
    }

    /// @notice Changes the frame length. Frames of the new length start where the current frame started
    ///         (`initialEpoch` moves to its first epoch). If the new length still covers the current epoch, the
    ///         current frame keeps its reference slot and only its deadline moves; if it is shorter than the time
    ///         already spent in the frame, a later frame of the new length becomes current (new reference slot,
    ///         votes start afresh). A report already delivered to the processor keeps its delivered deadline.
    function setFrameConfig(uint256 epochsPerFrame) external onlyRole(MANAGE_FRAME_CONFIG_ROLE) {
        HashConsensusStorage storage $ = _storage();
        FrameConfig memory f = $.frame;
        uint256 initialEpoch = f.initialEpoch;
        uint256 epoch = _currentEpoch(f);
        if (epoch >= initialEpoch) {
            initialEpoch += ((epoch - initialEpoch) / f.epochsPerFrame) * f.epochsPerFrame;
        }
        _setFrameConfig($, initialEpoch, epochsPerFrame);
    }

    /// @notice Moves the initial epoch; only while it has not arrived yet (no frame exists, nobody has voted).
    function updateInitialEpoch(uint256 initialEpoch) external onlyRole(MANAGE_FRAME_CONFIG_ROLE) {
        HashConsensusStorage storage $ = _storage();
        FrameConfig memory f = $.frame;
        uint256 epoch = _currentEpoch(f);
        if (epoch >= f.initialEpoch) revert InitialEpochAlreadyArrived(epoch, f.initialEpoch);
        _setFrameConfig($, initialEpoch, f.epochsPerFrame);
    }

    /// @notice Points the committee at `processor`. If the current frame holds a consensus the new processor has
    ///         not started processing, it is delivered to the new processor right away.
    function setReportProcessor(address processor) external onlyRole(MANAGE_REPORT_PROCESSOR_ROLE) {
        if (processor == address(0)) revert ZeroAddress("processor");
        HashConsensusStorage storage $ = _storage();
        address previous = $.committee.reportProcessor;
        $.committee.reportProcessor = processor;
        emit ReportProcessorSet(processor, previous);

        (bool framed, uint256 refSlot, uint256 deadline) = _tryCurrentFrame($.frame);
        if (framed && $.committee.consensusRefSlot == refSlot && !_processingStarted(processor, refSlot)) {
            IReportProcessor(processor).submitConsensusReport($.consensusReport, refSlot, deadline);
        }
    }

    /// @notice Sets the version of the report format members hash. Votes already cast stay counted; data carrying
    ///         the old version will be refused by the processor, so members re-vote under the new format.
    function setConsensusVersion(uint256 version) external onlyRole(MANAGE_CONSENSUS_VERSION_ROLE) {
        _setConsensusVersion(_storage(), version);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------------------------

    /// @inheritdoc IConsensusContract
    function getIsMember(address account) external view returns (bool) {
        return _storage().memberState[account].indexPlusOne != 0;
    }

    /// @notice Every member with the reference slot and hash of its last vote (0 / 0x0 if it never voted).
    function getMembers()
        external
        view
        returns (address[] memory addresses, uint256[] memory lastRefSlots, bytes32[] memory lastReports)
    {
        HashConsensusStorage storage $ = _storage();
        addresses = $.members;
        lastRefSlots = new uint256[](addresses.length);
        lastReports = new bytes32[](addresses.length);
        for (uint256 i = 0; i < addresses.length; ++i) {
            lastRefSlots[i] = $.memberState[addresses[i]].lastRefSlot;
            lastReports[i] = $.lastReport[addresses[i]];
        }
    }

    /// @notice One member's last vote and whether it can vote in the current frame now.
    function getMemberState(address account)
        external
        view
        returns (bool isMember, uint256 lastRefSlot, bytes32 lastReport, bool canVote)
    {
        HashConsensusStorage storage $ = _storage();
        MemberState memory ms = $.memberState[account];
        isMember = ms.indexPlusOne != 0;
        lastRefSlot = ms.lastRefSlot;
        lastReport = $.lastReport[account];
        (bool framed, uint256 refSlot,) = _tryCurrentFrame($.frame);
        canVote = isMember && framed && !_frameClosed($, refSlot);
    }

    /// @notice The current frame's consensus: its reference slot, the hash holding quorum (zero if none), whether
    ///         quorum is reached and whether the processor started processing it (votes closed).
    function getConsensusState()
        external
        view
        returns (uint256 refSlot, bytes32 consensusReport, bool quorumReached, bool processingStarted)
    {
        HashConsensusStorage storage $ = _storage();
        (refSlot,) = _currentFrame($.frame);
        quorumReached = $.committee.consensusRefSlot == refSlot;
        if (quorumReached) {
            consensusReport = $.consensusReport;
            processingStarted = _processingStarted($.committee.reportProcessor, refSlot);
        }
    }

    /// @notice Number of members whose current vote for the current frame is `report`.
    function getReportSupport(bytes32 report) external view returns (uint256) {
        HashConsensusStorage storage $ = _storage();
        (uint256 refSlot,) = _currentFrame($.frame);
        return $.support[refSlot][report];
    }

    /// @inheritdoc IConsensusContract
    function getCurrentFrame() external view returns (uint256 refSlot, uint256 reportProcessingDeadlineSlot) {
        return _currentFrame(_storage().frame);
    }

    /// @notice The frame containing unix time `timestamp` (same rules as `getCurrentFrame`).
    function getFrameAt(uint256 timestamp) external view returns (uint256 refSlot, uint256 reportProcessingDeadlineSlot) {
        FrameConfig memory f = _storage().frame;
        bool framed;
        (framed, refSlot, reportProcessingDeadlineSlot) = _frameAt(f, timestamp);
        if (!framed) revert InitialEpochNotReached(_epochAt(f, timestamp), f.initialEpoch);
    }

    /// @inheritdoc IConsensusContract
    function getChainConfig() external view returns (uint256 slotsPerEpoch, uint256 secondsPerSlot, uint256 genesisTime) {
        FrameConfig memory f = _storage().frame;
        return (f.slotsPerEpoch, f.secondsPerSlot, f.genesisTime);
    }

    /// @notice First epoch of frame 0 and the frame length in epochs.
    function getFrameConfig() external view returns (uint256 initialEpoch, uint256 epochsPerFrame) {
        FrameConfig memory f = _storage().frame;
        return (f.initialEpoch, f.epochsPerFrame);
    }

    /// @notice The quorum: how many equal votes make a consensus.
    function getQuorum() external view returns (uint256) {
        return _storage().committee.quorum;
    }

    /// @inheritdoc IConsensusContract
    function getConsensusVersion() external view returns (uint256) {
        return _storage().committee.consensusVersion;
    }

    /// @notice The contract consensus reports are delivered to (zero if not set yet).
    function getReportProcessor() external view returns (address) {
        return _storage().committee.reportProcessor;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals: consensus
    // ---------------------------------------------------------------------------------------------------------------

    function _reachConsensus(
        HashConsensusStorage storage $,
        address processor,
        uint256 refSlot,
        uint256 deadline,
        bytes32 report,
        uint256 supportNow
    ) private {
        $.committee.consensusRefSlot = SafeCast.toUint48(refSlot);
        $.consensusReport = report;
        emit ConsensusReached(refSlot, report, supportNow);
        if (processor != address(0)) IReportProcessor(processor).submitConsensusReport(report, refSlot, deadline);
    }

    function _loseConsensus(HashConsensusStorage storage $, address processor, uint256 refSlot) private {
        $.committee.consensusRefSlot = 0;
        emit ConsensusLost(refSlot);
        if (processor != address(0)) IReportProcessor(processor).discardConsensusReport(refSlot);
    }

    /// @dev Recounts the current frame after a membership or quorum change: finds the best-supported hash among
    ///      the members' current votes and reaches or loses consensus accordingly. Does nothing before the initial
    ///      epoch or once the frame's processing started.
    function _reevaluate(HashConsensusStorage storage $) private {
        (bool framed, uint256 refSlot, uint256 deadline) = _tryCurrentFrame($.frame);
        if (!framed) return;
        Committee memory c = $.committee;
        bool reached = c.consensusRefSlot == refSlot;
        if (reached && _processingStarted(c.reportProcessor, refSlot)) return;

        bytes32 best;
        uint256 bestSupport;
        uint256 n = $.members.length;
        for (uint256 i = 0; i < n; ++i) {
            address m = $.members[i];
            if ($.memberState[m].lastRefSlot != refSlot) continue;
            bytes32 r = $.lastReport[m];
            uint256 s = $.support[refSlot][r];
            if (s > bestSupport) (best, bestSupport) = (r, s);
        }

        if (reached) {
            if (bestSupport >= c.quorum && best == $.consensusReport) return;
            _loseConsensus($, c.reportProcessor, refSlot);
        }
        if (bestSupport >= c.quorum) _reachConsensus($, c.reportProcessor, refSlot, deadline, best, bestSupport);
    }

    function _processingStarted(address processor, uint256 refSlot) private view returns (bool) {
        return processor != address(0) && IReportProcessor(processor).getLastProcessingRefSlot() >= refSlot;
    }

    /// @dev A frame's votes are closed once its consensus holds and the processor started processing it.
    function _frameClosed(HashConsensusStorage storage $, uint256 refSlot) private view returns (bool) {
        Committee memory c = $.committee;
        return c.consensusRefSlot == refSlot && _processingStarted(c.reportProcessor, refSlot);
    }

    function _setQuorum(HashConsensusStorage storage $, uint256 quorum, uint256 totalMembers) private {
        uint256 minQuorum = totalMembers / 2 + 1;
        if (quorum < minQuorum) revert QuorumTooSmall(quorum, minQuorum);
        if (totalMembers != 0 && quorum > totalMembers) revert QuorumTooLarge(quorum, totalMembers);
        uint256 previous = $.committee.quorum;
        if (quorum == previous) return;
        $.committee.quorum = uint16(quorum); // quorum <= totalMembers <= MAX_MEMBERS, or == 1 with no members
        emit QuorumSet(quorum, totalMembers, previous);
    }

    function _setConsensusVersion(HashConsensusStorage storage $, uint256 version) private {
        if (version == 0 || version > type(uint32).max) revert InvalidConfig("consensusVersion", version);
        uint256 previous = $.committee.consensusVersion;
        $.committee.consensusVersion = uint32(version);
        emit ConsensusVersionSet(version, previous);
    }

    function _setFrameConfig(HashConsensusStorage storage $, uint256 initialEpoch, uint256 epochsPerFrame) private {
        // Every ref slot (initialEpoch * slotsPerEpoch - 1 or later) must be >= 1: 0 means "never voted".
        if (initialEpoch * $.frame.slotsPerEpoch < 2 || initialEpoch > type(uint48).max) {
            revert InvalidConfig("initialEpoch", initialEpoch);
        }
        if (epochsPerFrame == 0 || epochsPerFrame > type(uint32).max) revert InvalidConfig("epochsPerFrame", epochsPerFrame);
        $.frame.initialEpoch = uint64(initialEpoch);
        $.frame.epochsPerFrame = uint64(epochsPerFrame);
        emit FrameConfigSet(initialEpoch, epochsPerFrame);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals: frame arithmetic
    // ---------------------------------------------------------------------------------------------------------------

    function _epochAt(FrameConfig memory f, uint256 timestamp) private pure returns (uint256) {
        if (timestamp < f.genesisTime) return 0;
        return (timestamp - f.genesisTime) / f.secondsPerSlot / f.slotsPerEpoch;
    }

    function _currentEpoch(FrameConfig memory f) private view returns (uint256) {
        return _epochAt(f, block.timestamp);
    }

    /// @dev (framed, refSlot, deadline) of the frame containing `timestamp`; framed = false before the initial epoch.
    function _frameAt(FrameConfig memory f, uint256 timestamp)
        private
        pure
        returns (bool framed, uint256 refSlot, uint256 deadline)
    {
        if (timestamp < f.genesisTime) return (false, 0, 0);
        uint256 epoch = _epochAt(f, timestamp);
        if (epoch < f.initialEpoch) return (false, 0, 0);
        uint256 startEpoch = f.initialEpoch + ((epoch - f.initialEpoch) / f.epochsPerFrame) * f.epochsPerFrame;
        refSlot = startEpoch * f.slotsPerEpoch - 1;
        deadline = (startEpoch + f.epochsPerFrame) * f.slotsPerEpoch - 1;
        framed = true;
    }

    function _tryCurrentFrame(FrameConfig memory f) private view returns (bool, uint256, uint256) {
        return _frameAt(f, block.timestamp);
    }

    function _currentFrame(FrameConfig memory f) private view returns (uint256 refSlot, uint256 deadline) {
        bool framed;
        (framed, refSlot, deadline) = _frameAt(f, block.timestamp);
        if (!framed) revert InitialEpochNotReached(_currentEpoch(f), f.initialEpoch);
    }
}
