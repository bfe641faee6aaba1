// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {RegistryLayout} from "./RegistryLayout.sol";
import {KeyData} from "../lib/KeyData.sol";
import {ClusterRewards} from "./ClusterRewards.sol";
import {ClusterPenalties} from "./ClusterPenalties.sol";
import {ExitRequests} from "./ExitRequests.sol";
import {IDvtModule, IWithdrawalVaultExits} from "../interfaces/IDvtModule.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

interface IUnlockedBond {
    function unlockedBond(uint256 operatorId) external view returns (uint256);
}

/// @title OperatorRegistryExtension — the DVT module's economics (rewards, penalties, exit requests)
/// @notice Code of `IDvtModule`, run by the OperatorRegistry through DELEGATECALL on the registry's own storage
///         (every namespace is ERC-7201, so the two contracts share it without collisions). It exists because
///         the registry and its economics together exceed the EIP-170 code size limit (24,576 bytes).
///         Every function here is reached through the registry's address: `msg.sender`, `msg.value`, roles,
///         events and balances are the registry's. Called directly, every function reverts (`NotDelegated`).
///
/// What it promises: see `ClusterRewards`, `ClusterPenalties` and `ExitRequests`.
/// What it trusts: the registry to delegate only the `IDvtModule` calls it received.
contract OperatorRegistryExtension is Initializable, RegistryLayout, ClusterRewards, ClusterPenalties, ExitRequests {
    /// @notice Same error as ShoalUpgradeable's (the registry's), for a zero address argument.
    error ZeroAddress(string what);
    /// @notice The registry's errors and events this code raises (same signatures as `OperatorRegistry`'s).
    error ZeroAmount();
    error BondShortfall(uint256 operatorId, uint256 requested, uint256 unlocked);
    error UnknownBatch(uint256 clusterId, uint256 batchIndex);
    error BatchAlreadyDeposited(uint256 clusterId, uint256 batchIndex);
    event BondDeposited(uint256 indexed operatorId, address indexed from, uint256 amount, uint256 bond);
    event BondWithdrawn(uint256 indexed operatorId, address indexed to, uint256 amount, uint256 bond);
    event KeysRemoved(uint256 indexed clusterId, uint256 fromBatchIndex, uint256 totalKeys);

    /// @dev OpenZeppelin AccessControlUpgradeable's storage, which the registry (a ShoalUpgradeable) keeps its
    ///      roles in: read here directly rather than inheriting AccessControl's public functions twice.
    struct RoleData {
        mapping(address account => bool) hasRole;
        bytes32 adminRole;
    }

    struct AccessControlStorage {
        mapping(bytes32 role => RoleData) roles;
    }

    // keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.AccessControl")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ACCESS_CONTROL_STORAGE =
        0x02dd7bc7dec4dceedda775e58dd541e08a116c6c53815c0bd028192f7b626800;

    /// @dev AccessControl's admin role (the zero role).
    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;

    /// @notice OpenZeppelin's error, as the registry's own role checks raise it.
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);

    /// @dev This contract's own address, to tell a DELEGATECALL (address(this) = the registry) from a call.
    address private immutable SELF = address(this);

    modifier onlyRole(bytes32 role) {
        if (!_hasRole(role, msg.sender)) revert AccessControlUnauthorizedAccount(msg.sender, role);
        _;
    }

    function _hasRole(bytes32 role, address account) private view returns (bool) {
        AccessControlStorage storage $;
        assembly {
            $.slot := ACCESS_CONTROL_STORAGE
        }
        return $.roles[role].hasRole[account];
    }

    modifier onlyDelegated() {
        if (address(this) == SELF) revert NotDelegated();
        _;
    }

    // ------------------------------------------------------------------------------------------ setup
    /// @notice Default penalty and exit parameters, the rewards' pending list. Only from the registry's `initialize` (through DELEGATECALL,
    ///         while the proxy is initialising).
    function initializeEconomics() external onlyDelegated onlyInitializing {
        _initRewards();
        _initPenaltyParams();
        _initExitParams();
    }

    // ------------------------------------------------------------------------------------------ bond
    /// @notice `OperatorRegistry.topUpBond`: pays the operator's bond debt first (to the pool), the rest
    ///         becomes bond; bumps the nonce (more bond may make more keys depositable). Anyone.
    function topUpBond(uint256 operatorId) external payable onlyDelegated {
        if (msg.value == 0) revert ZeroAmount();
        Operator storage op = _operator(operatorId);
        uint256 amount = _repayBondDebt(operatorId, msg.value);
        if (amount > 0) {
            uint256 bond = op.bond + amount;
            op.bond = uint96(bond); // total ETH supply is far below 2^96 wei
            emit BondDeposited(operatorId, msg.sender, amount, bond);
        }
        _bumpNonce();
    }

    /// @notice `OperatorRegistry.withdrawBond`: withdraws unlocked bond (above what the operator's validators require). Only the manager.
    function withdrawBond(uint256 operatorId, uint256 amount, address payable to) external onlyDelegated {
        Operator storage op = _managedOperator(operatorId);
        if (amount == 0) revert ZeroAmount();
        if (to == address(0)) revert ZeroAddress("to");
        uint256 unlocked = IUnlockedBond(address(this)).unlockedBond(operatorId); // the registry's own view
        if (amount > unlocked) revert BondShortfall(operatorId, amount, unlocked);
        op.bond -= uint96(amount);
        emit BondWithdrawn(operatorId, to, amount, op.bond);
        _bumpNonce();
        Address.sendValue(to, amount);
    }

    /// @notice `OperatorRegistry.removeKeys`: a member removes the batches from `fromBatchIndex` on, none of whose keys may be deposited.
    ///         Their pubkeys may be registered again later.
    function removeKeys(uint256 clusterId, uint256 fromBatchIndex) external onlyDelegated {
        Cluster storage c = _cluster(clusterId);
        _memberPosition(c, clusterId, msg.sender);
        RegistryStorage storage $ = _registry();
        KeyBatch[] storage batches = $.batches[clusterId];
        if (fromBatchIndex >= batches.length) revert UnknownBatch(clusterId, fromBatchIndex);
        if (batches[fromBatchIndex].firstIndex < c.depositedKeys) {
            revert BatchAlreadyDeposited(clusterId, fromBatchIndex);
        }
        for (uint256 i = batches.length; i > fromBatchIndex; --i) {
            KeyBatch memory b = batches[i - 1];
            for (uint256 k; k < b.count; ++k) {
                delete $.keyExists[keccak256(KeyData.pubkeyAt(b.data, k))];
            }
            batches.pop();
        }
        uint256 total =
            fromBatchIndex == 0 ? 0 : batches[fromBatchIndex - 1].firstIndex + batches[fromBatchIndex - 1].count;
        c.totalKeys = uint32(total);
        if (c.confirmedBatches > fromBatchIndex) {
            c.confirmedBatches = uint32(fromBatchIndex);
            c.confirmedKeys = uint32(total);
        }
        emit KeysRemoved(clusterId, fromBatchIndex, total);
        _bumpNonce();
    }

    // ------------------------------------------------------------------------------------------ rewards
    /// @notice Spreads the `shares` the router minted to the registry (see `ClusterRewards`). `ROUTER_ROLE`.
    function onRewardsMinted(uint256 shares) external onlyDelegated onlyRole(ROUTER_ROLE) {
        _distributeRewards(shares);
    }

    /// @inheritdoc IDvtModule
    function claimRewards(uint256 operatorId) external onlyDelegated returns (uint256) {
        uint256 debt = _bondDebt(operatorId);
        if (debt > 0) revert BondDebtOutstanding(operatorId, debt);
        return _claimRewards(operatorId);
    }

    // ------------------------------------------------------------------------------------------ reports
    /// @inheritdoc IDvtModule
    function processClusterReports(ClusterReport[] calldata reports) external onlyDelegated onlyRole(REPORTER_ROLE) {
        _endForfeits(); // a forfeit lasts one report, even when that report minted nothing
        _activateDeposits(); // deposits made since the last report start earning
        uint256 collected;
        for (uint256 i; i < reports.length; ++i) {
            ClusterReport calldata r = reports[i];
            if (i > 0 && r.clusterId <= reports[i - 1].clusterId) revert ClusterReportsNotSorted(i);
            collected += _processClusterReport(r);
        }
        _sendPenaltiesToPool(collected);
        if (reports.length > 0) _keySetChanged(); // exits unlock bond, penalties take it
    }

    function _processClusterReport(ClusterReport calldata r) private returns (uint256 collected) {
        uint256 id = r.clusterId;
        (uint256 deposited, uint256 exited) = _clusterKeys(id); // reverts for an unknown cluster
        if (r.exitedTotal < exited) revert ExitedCountDecreased(id, r.exitedTotal, exited);
        if (r.exitedTotal > deposited) revert ExitedCountTooHigh(id, r.exitedTotal, deposited);
        if (r.newlySlashed > deposited) revert SlashedCountTooHigh(id, r.newlySlashed, deposited);
        if (r.missedDutyBps > TOTAL_BASIS_POINTS) revert InvalidMissedDutyBps(id, r.missedDutyBps);
        if (r.exitedTotal > exited) {
            _rewardsOnExits(id, exited, r.exitedTotal);
            _recordExits(id, r.exitedTotal);
            emit ClusterValidatorsExited(id, r.exitedTotal, r.exitedTotal - exited);
        }
        if (r.newlySlashed > 0) collected += _penaliseSlashing(id, r.newlySlashed);
        (bool bad, uint256 missedDutyPenalty) = _recordPerformance(id, r.missedDutyBps);
        collected += missedDutyPenalty;
        if (bad) _forfeitRewards(id, r.missedDutyBps);
        if (r.stolenExecutionRewards > 0) collected += _penaliseStolenRewards(id, r.stolenExecutionRewards);
    }

    // ------------------------------------------------------------------------------------------ exits
    /// @inheritdoc IDvtModule
    function requestExits(uint256[] calldata clusterIds, uint256[] calldata counts) external onlyDelegated {
        bool limited = !_hasRole(REPORTER_ROLE, msg.sender);
        if (limited && !_hasRole(EXIT_REQUESTER_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, EXIT_REQUESTER_ROLE);
        }
        _requestExits(clusterIds, counts, limited);
    }

    /// @inheritdoc IDvtModule
    function forceLateExit(uint256 clusterId, uint256 keyIndex) external payable onlyDelegated {
        (, address vault) = _protocolContracts();
        if (vault == address(0)) revert ProtocolContractsNotSet();
        bytes memory pubkey = _markLateExit(clusterId, keyIndex);
        _sendPenaltiesToPool(_penaliseLateExit(clusterId));
        _keySetChanged();
        uint256 fee = IWithdrawalVaultExits(vault).exitRequestFee();
        if (msg.value < fee) revert InsufficientExitFee(msg.value, fee);
        emit LateExitForced(clusterId, keyIndex, msg.sender, pubkey, fee);
        IWithdrawalVaultExits(vault).triggerExits{value: fee}(pubkey);
        if (msg.value > fee) Address.sendValue(payable(msg.sender), msg.value - fee);
    }

    // ------------------------------------------------------------------------------------------ governance
    /// @inheritdoc IDvtModule
    function setProtocolContracts(address pool, address withdrawalVault)
        external
        onlyDelegated
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (pool == address(0)) revert ZeroAddress("pool");
        if (withdrawalVault == address(0)) revert ZeroAddress("withdrawalVault");
        RegistryStorage storage $ = _registry();
        ($.stakingPool, $.withdrawalVault) = (pool, withdrawalVault);
        emit ProtocolContractsSet(pool, withdrawalVault);
    }

    /// @inheritdoc IDvtModule
    function setPenaltyParams(PenaltyParams calldata params) external onlyDelegated onlyRole(MANAGE_PENALTIES_ROLE) {
        _setPenaltyParams(params);
    }

    /// @inheritdoc IDvtModule
    function setExitParams(uint256 exitDeadline, uint256 keeperDailyExitLimit)
        external
        onlyDelegated
        onlyRole(MANAGE_EXITS_ROLE)
    {
        _setExitParams(exitDeadline, keeperDailyExitLimit);
    }

    // ------------------------------------------------------------------------------------------ views
    /// @inheritdoc IDvtModule
    function getOperatorRewards(uint256 operatorId)
        external
        view
        onlyDelegated
        returns (uint256 claimable, uint256 weight)
    {
        return _operatorRewards(operatorId);
    }

    /// @inheritdoc IDvtModule
    function getRewardsState()
        external
        view
        onlyDelegated
        returns (uint256 rewardPerWeight, uint256 totalWeight, uint256 undistributed, uint256 forfeitingValidators)
    {
        return _rewardsState();
    }

    /// @inheritdoc IDvtModule
    function getBondDebt(uint256 operatorId) external view onlyDelegated returns (uint256) {
        _rewardAddress(operatorId); // reverts for an unknown operator
        return _bondDebt(operatorId);
    }

    /// @inheritdoc IDvtModule
    function getClusterEconomics(uint256 clusterId) external view onlyDelegated returns (ClusterEconomics memory e) {
        (uint256 deposited, uint256 exited) = _clusterKeys(clusterId);
        ClusterPenaltyState memory p = _clusterPenaltyState(clusterId);
        (uint256 requested, uint256 forced) = _exitCounts(clusterId);
        e.rewardsForfeited = _isForfeiting(clusterId);
        e.activeValidators = deposited - exited;
        e.earningValidators = _earningOf(clusterId);
        (e.strikes, e.strikeWindowStart) = (p.strikes, p.strikeWindowStart);
        (e.penaltiesCharged, e.penaltiesCollected) = (p.charged, p.collected);
        (e.exitsRequested, e.exitedValidators, e.lateExitsForced) = (requested, exited, forced);
    }

    /// @inheritdoc IDvtModule
    function getPenaltyParams() external view onlyDelegated returns (PenaltyParams memory) {
        return _penaltyParams();
    }

    /// @inheritdoc IDvtModule
    function getExitParams()
        external
        view
        onlyDelegated
        returns (uint256 exitDeadline, uint256 keeperDailyExitLimit, uint256 keeperExitsLeftToday)
    {
        return _exitParams();
    }

    /// @inheritdoc IDvtModule
    function getProtocolContracts() external view onlyDelegated returns (address pool, address withdrawalVault) {
        return _protocolContracts();
    }

    /// @inheritdoc IDvtModule
    function getExitDeadline(uint256 clusterId, uint256 keyIndex) external view onlyDelegated returns (uint256) {
        _clusterKeys(clusterId); // reverts for an unknown cluster
        return _exitDeadline(clusterId, keyIndex);
    }

    /// @inheritdoc IDvtModule
    function getPendingExitRequests(uint256 clusterId)
        external
        view
        onlyDelegated
        returns (uint256[] memory keyIndexes, uint256[] memory deadlines)
    {
        return _pendingExits(clusterId);
    }

    /// @inheritdoc IDvtModule
    function getLateExits(uint256 fromClusterId, uint256 maxResults)
        external
        view
        onlyDelegated
        returns (uint256[] memory clusterIds, uint256[] memory keyIndexes, uint256 nextClusterId)
    {
        return _lateExits(fromClusterId, maxResults);
    }
}
