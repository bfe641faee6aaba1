// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice The contract that receives the committee's consensus reports (the oracle that applies them, e.g.
///         `AccountingOracle` through `BaseOracle`). `HashConsensus` is its only caller for the two mutating
///         functions.
/// @dev Slots are beacon-chain slot numbers. A "frame" is identified by its reference slot (`refSlot`).
interface IReportProcessor {
    /// @notice A quorum of members agreed on `report` (the keccak256 of the ABI-encoded report data) for the
    ///         frame whose reference slot is `refSlot`; the data must be processed by slot `deadline` inclusive.
    ///         Called again for the same `refSlot` if consensus was lost and reached on another hash.
    function submitConsensusReport(bytes32 report, uint256 refSlot, uint256 deadline) external;

    /// @notice The consensus previously submitted for `refSlot` no longer has quorum (a member changed its vote,
    ///         a member was removed or the quorum was raised) and must not be processed.
    function discardConsensusReport(uint256 refSlot) external;

    /// @notice Reference slot of the last frame whose processing started (0 if none). Once a frame's processing
    ///         started, `HashConsensus` closes its votes.
    function getLastProcessingRefSlot() external view returns (uint256);
}

/// @notice What a report processor asks of its consensus contract (`HashConsensus`).
interface IConsensusContract {
    /// @notice Whether `account` is currently a committee member.
    function getIsMember(address account) external view returns (bool);

    /// @notice The beacon chain's timing: slots per epoch, seconds per slot and genesis time (unix seconds).
    function getChainConfig() external view returns (uint256 slotsPerEpoch, uint256 secondsPerSlot, uint256 genesisTime);

    /// @notice The current frame: its reference slot and the last slot at which its report may be processed.
    /// @notice First epoch of the first frame and the frame length in epochs.
    function getFrameConfig() external view returns (uint256 initialEpoch, uint256 epochsPerFrame);

    function getCurrentFrame() external view returns (uint256 refSlot, uint256 reportProcessingDeadlineSlot);

    /// @notice Version of the report format members hash; submitted data must carry this version.
    function getConsensusVersion() external view returns (uint256);
}
