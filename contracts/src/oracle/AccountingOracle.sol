// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BaseOracle} from "./BaseOracle.sol";
import {IConsensusContract} from "../interfaces/IReportProcessor.sol";
import {StakingPool} from "../StakingPool.sol";
import {SanityChecker} from "./SanityChecker.sol";
import {IDvtModule} from "../interfaces/IDvtModule.sol";

/// @title AccountingOracle — applies the committee's frame report to the protocol
/// @notice Once a quorum of HashConsensus members agreed on a report hash for a frame, any member submits the
///         report data here; it is accepted only if it hashes to what the quorum voted (BaseOracle) and is then
///         applied: the DVT module's per-cluster exits, penalties and performance; the pool's beacon view, vault
///         collection, fees and withdrawal finalization; then the frame's exit requests.
///
/// What it promises: data is applied at most once per frame, only if `keccak256(abi.encode(data))` equals the
/// consensus hash, with current contract and consensus versions, before the frame's deadline. The time a report
/// covers is measured between reference slots, so a late submission cannot inflate the annualised growth bound.
/// What it trusts: the committee quorum (through HashConsensus) for the data; the pool and the sanity checker
/// for bounds (any violated bound reverts the whole report).
contract AccountingOracle is BaseOracle {
    /// @custom:storage-location erc7201:shoal.storage.AccountingOracle
    struct AccountingOracleStorage {
        StakingPool pool;
        uint64 lastReportRefSlot; // reference slot of the last applied report (0 before the first)
        IDvtModule dvtModule;
        SanityChecker sanityChecker;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.AccountingOracle")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant AO_STORAGE = 0x0cd8cf6d37903d45050590af690502b5045eef3daed8050202887a403cfbe800;

    function _ao() private pure returns (AccountingOracleStorage storage $) {
        assembly {
            $.slot := AO_STORAGE
        }
    }

    /// @notice A frame's report: what the committee observed at `refSlot` (its reference block for vaults).
    struct ReportData {
        uint256 consensusVersion;
        uint256 refSlot;
        // the protocol's validators on the beacon chain
        uint256 beaconValidators; // ever appeared (never decreases)
        uint256 beaconBalance; // wei
        uint256 slashedDelta; // newly slashed since the previous report
        uint256 exitedDelta; // newly exited since the previous report
        // execution-layer vaults at the reference block
        uint256 withdrawalVaultBalance;
        uint256 elRewardsVaultBalance;
        // withdrawal requests to finalize (empty: none), and the share rate the oracle computed for them
        uint256[] withdrawalFinalizationBatches;
        uint256 simulatedShareRate;
        // the DVT module: per-cluster exits, slashings, performance, stolen rewards (clusters that changed)
        IDvtModule.ClusterReport[] clusterReports;
        // validators to exit so that withdrawals can be paid: how many from each cluster
        uint256[] exitRequestClusterIds;
        uint256[] exitRequestCounts;
    }

    error ExitRequestsLengthMismatch(uint256 clusterIds, uint256 counts);

    /// @notice A frame's report was applied.
    event ReportApplied(
        uint256 indexed refSlot, bytes32 hash, uint256 timeElapsed, uint256 postTotalPooledEther, uint256 postTotalShares
    );

    /// @param admin governance
    /// @param consensusContract the HashConsensus committee
    /// @param pool the StakingPool (this oracle needs its ORACLE_ROLE)
    /// @param dvtModule the DVT module (this oracle needs its REPORTER_ROLE)
    /// @param sanityChecker bounds on exit requests per report
    function initialize(address admin, address consensusContract, address pool, address dvtModule, address sanityChecker)
        external
        initializer
    {
        if (pool == address(0)) revert ZeroAddress("pool");
        if (dvtModule == address(0)) revert ZeroAddress("dvtModule");
        if (sanityChecker == address(0)) revert ZeroAddress("sanityChecker");
        __BaseOracle_init(admin, consensusContract);
        AccountingOracleStorage storage $ = _ao();
        ($.pool, $.dvtModule, $.sanityChecker) = (StakingPool(payable(pool)), IDvtModule(dvtModule), SanityChecker(sanityChecker));
    }

    /// @notice Submits the data of the frame that reached consensus. Only committee members.
    /// @param data the report; must hash to the consensus report
    /// @param contractVersion this contract's version the member built the data for
    function submitReportData(ReportData calldata data, uint256 contractVersion) external {
        _checkMsgSenderIsMember();
        bytes32 hash = keccak256(abi.encode(data));
        _checkConsensusData(data.refSlot, data.consensusVersion, contractVersion, hash);
        _startProcessing();

        AccountingOracleStorage storage $ = _ao();
        uint256 timeElapsed = _timeElapsed($, data.refSlot);
        $.lastReportRefSlot = uint64(data.refSlot);
        // the module first: exits, penalties (bond ETH into the pool before the pool measures rewards, so no fee is
        // taken on them) and this frame's performance, so that a bad frame forfeits this report's rewards
        if (data.clusterReports.length > 0) $.dvtModule.processClusterReports(data.clusterReports);
        (uint256 postEther, uint256 postShares) = $.pool.handleOracleReport(
            StakingPool.OracleReport({
                timeElapsed: timeElapsed,
                beaconValidators: data.beaconValidators,
                beaconBalance: data.beaconBalance,
                withdrawalVaultBalance: data.withdrawalVaultBalance,
                elRewardsVaultBalance: data.elRewardsVaultBalance,
                slashedDelta: data.slashedDelta,
                exitedDelta: data.exitedDelta,
                withdrawalFinalizationBatches: data.withdrawalFinalizationBatches,
                simulatedShareRate: data.simulatedShareRate
            })
        );
        if (data.exitRequestClusterIds.length > 0) _requestExits($, data);
        emit ReportApplied(data.refSlot, hash, timeElapsed, postEther, postShares);
    }

    function _requestExits(AccountingOracleStorage storage $, ReportData calldata data) private {
        if (data.exitRequestClusterIds.length != data.exitRequestCounts.length) {
            revert ExitRequestsLengthMismatch(data.exitRequestClusterIds.length, data.exitRequestCounts.length);
        }
        uint256 total;
        for (uint256 i; i < data.exitRequestCounts.length; ++i) {
            total += data.exitRequestCounts[i];
        }
        $.sanityChecker.checkExitRequests(total);
        $.dvtModule.requestExits(data.exitRequestClusterIds, data.exitRequestCounts);
    }

    /// @dev Seconds between the previous applied report's reference slot and this one's. Before the first report
    ///      the previous reference is the one before the consensus contract's initial epoch.
    function _timeElapsed(AccountingOracleStorage storage $, uint256 refSlot) private view returns (uint256) {
        IConsensusContract consensus = IConsensusContract(_consensusContract());
        (uint256 slotsPerEpoch, uint256 secondsPerSlot,) = consensus.getChainConfig();
        uint256 previous = $.lastReportRefSlot;
        if (previous == 0) {
            (uint256 initialEpoch,) = consensus.getFrameConfig();
            uint256 firstSlot = initialEpoch * slotsPerEpoch;
            previous = firstSlot == 0 ? 0 : firstSlot - 1;
        }
        return (refSlot - previous) * secondsPerSlot;
    }

    /// @notice The pool reports are applied to.
    function getPool() external view returns (address) {
        return address(_ao().pool);
    }

    /// @notice The DVT module and the sanity checker this oracle reports to.
    function getReportTargets() external view returns (address dvtModule, address sanityChecker) {
        AccountingOracleStorage storage $ = _ao();
        return (address($.dvtModule), address($.sanityChecker));
    }

    /// @notice Reference slot of the last applied report.
    function getLastReportRefSlot() external view returns (uint256) {
        return _ao().lastReportRefSlot;
    }
}
