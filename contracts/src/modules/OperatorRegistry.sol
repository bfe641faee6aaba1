// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "../base/ShoalUpgradeable.sol";
import {BondCurve} from "./BondCurve.sol";
import {IStakingModule} from "../interfaces/IStakingModule.sol";
import {KeyData} from "../lib/KeyData.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {
    RegistryLayout,
    UnknownOperator,
    UnknownCluster,
    NotOperatorManager,
    NotClusterMember,
    NonceChanged
} from "./RegistryLayout.sol";
import {ClusterRewards} from "./ClusterRewards.sol";
import {ClusterPenalties} from "./ClusterPenalties.sol";
import {ExitRequests} from "./ExitRequests.sol";
import {OperatorRegistryExtension} from "./OperatorRegistryExtension.sol";
import {DvtModuleForwarder} from "./DvtModuleForwarder.sol";

/// @title OperatorRegistry — the DVT staking module
/// @notice Permissionless, bonded operators form distributed-validator clusters of n ∈ {4, 7, 10} members
///         with threshold t = ceil(2n/3). A cluster registers the validator keys its DKG produced (pubkey +
///         deposit signature for 32 ETH to the protocol's withdrawal credentials); **every member confirms** each
///         key batch on-chain; confirmed keys are deposited only while **every member's bond** covers them.
///
/// What it promises:
///  - A key is deposited at most once, and a pubkey can exist only once in the module (across clusters).
///  - A key is handed to the router only after all n members confirmed the exact batch (its code hash) and
///    while each member's bond ≥ bondForValidators(validators it runs after the deposit).
///  - Bond is withdrawable only above what the operator's validators require.
///  - Allocation inside the module is least-active-first: new validators go to the clusters with the fewest
///    active validators, capped by their depositable keys.
///
///  - Operator rewards, penalties and exit requests (`IDvtModule`): see `ClusterRewards`, `ClusterPenalties`
///    and `ExitRequests`. Their external functions run in `OperatorRegistryExtension` through DELEGATECALL on
///    this contract's storage (the whole would exceed the EIP-170 code size limit); the internal parts the
///    deposit and bond paths need (reward weights, bond debt) are compiled in here.
///
/// What it trusts: the StakingRouter (`ROUTER_ROLE`) to call `obtainDepositData` only for real deposits and
/// `onRewardsMinted` with the shares it minted here; the AccountingOracle (`REPORTER_ROLE`) for per-cluster
/// exits, slashings and performance.
contract OperatorRegistry is
    ShoalUpgradeable,
    BondCurve,
    RegistryLayout,
    ClusterRewards,
    ClusterPenalties,
    ExitRequests,
    DvtModuleForwarder,
    IStakingModule
{
    // ------------------------------------------------------------------------------------------ constants
    /// @notice Sets the bond curve.
    bytes32 public constant MANAGE_BOND_CURVE_ROLE = keccak256("MANAGE_BOND_CURVE_ROLE");
    /// @notice Deactivates (and reactivates) clusters, e.g. after a front-run key was found.
    bytes32 public constant MANAGE_CLUSTERS_ROLE = keccak256("MANAGE_CLUSTERS_ROLE");

    /// @notice Keys per batch. 100 × 144 bytes + 1 fits the EIP-170 code size limit (24,576 bytes) with room.
    uint256 public constant MAX_KEYS_PER_BATCH = 100;
    /// @notice Cluster members are recorded in one slot as ten 24-bit operator ids.
    uint256 public constant MAX_CLUSTER_SIZE = 10;

    // ------------------------------------------------------------------------------------------ events
    event OperatorRegistered(uint256 indexed operatorId, address indexed manager, address rewardAddress, string name);
    event OperatorRewardAddressSet(uint256 indexed operatorId, address rewardAddress);
    event OperatorManagerSet(uint256 indexed operatorId, address manager);
    event BondDeposited(uint256 indexed operatorId, address indexed from, uint256 amount, uint256 bond);
    event BondWithdrawn(uint256 indexed operatorId, address indexed to, uint256 amount, uint256 bond);
    event ClusterCreated(uint256 indexed clusterId, uint256[] operatorIds, uint256 threshold);
    event ClusterActiveSet(uint256 indexed clusterId, bool active);
    event KeysAdded(
        uint256 indexed clusterId, uint256 indexed batchIndex, uint256 firstIndex, uint256 count, bytes32 codeHash
    );
    event KeysConfirmed(uint256 indexed clusterId, uint256 indexed batchIndex, uint256 indexed operatorId);
    event KeyBatchFullyConfirmed(uint256 indexed clusterId, uint256 indexed batchIndex, uint256 confirmedKeys);
    event KeysRemoved(uint256 indexed clusterId, uint256 fromBatchIndex, uint256 totalKeys);
    event KeysDeposited(uint256 indexed clusterId, uint256 fromIndex, uint256 count);

    // ------------------------------------------------------------------------------------------ errors
    /// @notice An address manages one operator at most (cluster members must be distinct identities).
    error ManagerAlreadyRegistered(address manager, uint256 operatorId);
    error InvalidClusterSize(uint256 size);
    error OperatorsNotSortedOrDuplicate(uint256 index);
    error ZeroAmount();
    error BondShortfall(uint256 operatorId, uint256 requested, uint256 unlocked);
    error InvalidKeyCount(uint256 count);
    error InvalidKeysLength(uint256 pubkeysLength, uint256 signaturesLength);
    error DuplicateKey(bytes pubkey);
    error UnknownBatch(uint256 clusterId, uint256 batchIndex);
    error BatchHashMismatch(bytes32 expected, bytes32 actual);
    error AlreadyConfirmed(uint256 clusterId, uint256 batchIndex, uint256 operatorId);
    error BatchAlreadyDeposited(uint256 clusterId, uint256 batchIndex);
    error NotEnoughDepositableKeys(uint256 requested, uint256 available);
    error TooManyOperators();

    // ------------------------------------------------------------------------------------------ setup
    /// @param admin governance
    /// @param router the StakingRouter (gets ROUTER_ROLE)
    /// @param firstBond bond for an operator's first validator
    /// @param nextBond bond for each further validator
    function initialize(address admin, address router, uint256 firstBond, uint256 nextBond) external initializer {
        __ShoalUpgradeable_init(admin);
        if (router == address(0)) revert ZeroAddress("router");
        _grantRole(ROUTER_ROLE, router);
        _setBondCurve(firstBond, nextBond);
        // default penalty and exit parameters, set by the extension's code within this initialisation
        (bool ok, bytes memory err) =
            EXTENSION.delegatecall(abi.encodeCall(OperatorRegistryExtension.initializeEconomics, ()));
        if (!ok) Address.verifyCallResult(ok, err);
    }

    // ------------------------------------------------------------------------------------------ operators
    /// @notice Registers the caller as an operator; `msg.value` (may be zero) becomes its bond.
    /// @return operatorId the new operator's id (ids start at 1)
    function registerOperator(string calldata name, address rewardAddress)
        external
        payable
        returns (uint256 operatorId)
    {
        if (rewardAddress == address(0)) revert ZeroAddress("rewardAddress");
        RegistryStorage storage $ = _registry();
        operatorId = ++$.operatorCount;
        if (operatorId > ID_MASK) revert TooManyOperators();
        _claimManager($, msg.sender, operatorId);
        Operator storage op = $.operators[operatorId];
        op.manager = msg.sender;
        op.rewardAddress = rewardAddress;
        $.operatorNames[operatorId] = name;
        _rewardsOnOperatorRegistered(operatorId);
        emit OperatorRegistered(operatorId, msg.sender, rewardAddress, name);
        if (msg.value > 0) _addBond(operatorId, op, msg.value);
    }

    /// @notice Adds `msg.value` to an operator's bond. Anyone may top up any operator. An operator's bond debt
    ///         (penalties its bond could not cover) is paid first, to the pool; the rest becomes bond.
    /// @dev Runs in the extension (it shares the bond-debt code with the penalties).
    function topUpBond(uint256) external payable {
        _delegate();
    }

    /// @notice Withdraws unlocked bond (above what the operator's validators require). Only the manager.
    /// @dev Runs in the extension (keeps this contract under the EIP-170 size limit).
    function withdrawBond(uint256, uint256, address payable) external {
        _delegate();
    }

    /// @notice Changes where the operator's rewards go. Only the manager.
    function setRewardAddress(uint256 operatorId, address rewardAddress) external {
        if (rewardAddress == address(0)) revert ZeroAddress("rewardAddress");
        _managedOperator(operatorId).rewardAddress = rewardAddress;
        emit OperatorRewardAddressSet(operatorId, rewardAddress);
    }

    /// @notice Hands the operator to a new manager key. Only the manager.
    function setManager(uint256 operatorId, address manager) external {
        if (manager == address(0)) revert ZeroAddress("manager");
        Operator storage op = _managedOperator(operatorId);
        RegistryStorage storage $ = _registry();
        delete $.operatorOfManager[op.manager];
        _claimManager($, manager, operatorId);
        op.manager = manager;
        emit OperatorManagerSet(operatorId, manager);
    }

    function _claimManager(RegistryStorage storage $, address manager, uint256 operatorId) private {
        uint256 existing = $.operatorOfManager[manager];
        if (existing != 0) revert ManagerAlreadyRegistered(manager, existing);
        $.operatorOfManager[manager] = operatorId;
    }

    /// @notice Sets the bond curve. `MANAGE_BOND_CURVE_ROLE`. Raising it can make keys undepositable; it never
    ///         touches bonds.
    function setBondCurve(uint256 firstBond, uint256 nextBond) external onlyRole(MANAGE_BOND_CURVE_ROLE) {
        _setBondCurve(firstBond, nextBond);
        _bumpNonce();
    }

    // ------------------------------------------------------------------------------------------ clusters
    /// @notice Forms a cluster of registered operators (ids strictly ascending, n ∈ {4, 7, 10}). The caller
    ///         must manage one of them. Members agree to the cluster by confirming its keys.
    /// @return clusterId the new cluster's id (ids start at 1)
    function createCluster(uint256[] calldata operatorIds) external returns (uint256 clusterId) {
        uint256 n = operatorIds.length;
        if (n != 4 && n != 7 && n != 10) revert InvalidClusterSize(n);
        RegistryStorage storage $ = _registry();
        uint256 packed;
        bool callerIsMember;
        for (uint256 i; i < n; ++i) {
            uint256 id = operatorIds[i];
            if (i > 0 && id <= operatorIds[i - 1]) revert OperatorsNotSortedOrDuplicate(i);
            Operator storage op = _operator(id);
            if (op.manager == msg.sender) callerIsMember = true;
            op.clusters += 1;
            packed |= id << (i * ID_BITS);
        }
        if (!callerIsMember) revert NotClusterMember(0, msg.sender);
        clusterId = ++$.clusterCount;
        Cluster storage c = $.clusters[clusterId];
        c.size = uint8(n);
        c.threshold = uint8(thresholdFor(n));
        c.active = true;
        c.members = packed;
        emit ClusterCreated(clusterId, operatorIds, c.threshold);
    }

    /// @notice Stops (or resumes) deposits to a cluster. `MANAGE_CLUSTERS_ROLE`.
    function setClusterActive(uint256 clusterId, bool active) external onlyRole(MANAGE_CLUSTERS_ROLE) {
        _cluster(clusterId).active = active;
        emit ClusterActiveSet(clusterId, active);
        _bumpNonce();
    }

    /// @notice Threshold of a cluster of `n`: ceil(2n/3), the BFT quorum of the DV signing scheme.
    function thresholdFor(uint256 n) public pure returns (uint256) {
        return (2 * n + 2) / 3;
    }

    // ------------------------------------------------------------------------------------------ keys
    /// @notice A member registers a batch of keys produced by the cluster's DKG. The batch still needs every
    ///         member's confirmation. `pubkeys` is 48 bytes per key, `signatures` 96 bytes per key.
    /// @return batchIndex index of the new batch in the cluster
    function addKeys(uint256 clusterId, bytes calldata pubkeys, bytes calldata signatures)
        external
        returns (uint256 batchIndex)
    {
        Cluster storage c = _cluster(clusterId);
        _memberPosition(c, clusterId, msg.sender);
        uint256 count = pubkeys.length / KeyData.PUBKEY_LENGTH;
        if (count == 0 || count > MAX_KEYS_PER_BATCH) revert InvalidKeyCount(count);
        if (pubkeys.length != count * KeyData.PUBKEY_LENGTH || signatures.length != count * KeyData.SIGNATURE_LENGTH) {
            revert InvalidKeysLength(pubkeys.length, signatures.length);
        }
        RegistryStorage storage $ = _registry();
        for (uint256 i; i < count; ++i) {
            bytes calldata pubkey = pubkeys[i * KeyData.PUBKEY_LENGTH:(i + 1) * KeyData.PUBKEY_LENGTH];
            bytes32 h = keccak256(pubkey);
            if ($.keyExists[h]) revert DuplicateKey(pubkey);
            $.keyExists[h] = true;
        }
        address data = KeyData.write(pubkeys, signatures);
        batchIndex = $.batches[clusterId].length;
        uint256 firstIndex = c.totalKeys;
        $.batches[clusterId].push(
            KeyBatch({data: data, firstIndex: uint32(firstIndex), count: uint16(count), confirmations: 0})
        );
        c.totalKeys = uint32(firstIndex + count);
        emit KeysAdded(clusterId, batchIndex, firstIndex, count, data.codehash);
        _bumpNonce();
    }

    /// @notice A member confirms a key batch. `codeHash` must equal keccak256(0x00 ‖ pubkeys ‖ signatures) of
    ///         the batch, i.e. what the member verified against its own DKG output. When all members have
    ///         confirmed a batch and all earlier ones, its keys become depositable.
    function confirmKeys(uint256 clusterId, uint256 batchIndex, bytes32 codeHash) external {
        Cluster storage c = _cluster(clusterId);
        (uint256 position, uint256 operatorId) = _memberPosition(c, clusterId, msg.sender);
        KeyBatch[] storage batches = _registry().batches[clusterId];
        if (batchIndex >= batches.length) revert UnknownBatch(clusterId, batchIndex);
        KeyBatch storage b = batches[batchIndex];
        if (b.data.codehash != codeHash) revert BatchHashMismatch(b.data.codehash, codeHash);
        uint16 bit = uint16(1 << position);
        if (b.confirmations & bit != 0) revert AlreadyConfirmed(clusterId, batchIndex, operatorId);
        b.confirmations |= bit;
        emit KeysConfirmed(clusterId, batchIndex, operatorId);
        // advance the confirmed prefix over every batch now confirmed by all
        uint16 all = uint16((1 << c.size) - 1);
        uint256 next = c.confirmedBatches;
        uint256 advanced;
        while (next < batches.length && batches[next].confirmations == all) {
            KeyBatch storage done = batches[next];
            c.confirmedKeys = done.firstIndex + done.count;
            emit KeyBatchFullyConfirmed(clusterId, next, c.confirmedKeys);
            ++next;
            ++advanced;
        }
        if (advanced > 0) {
            c.confirmedBatches = uint32(next);
            _bumpNonce();
        }
    }

    /// @notice A member removes the batches from `fromBatchIndex` on, none of whose keys may be deposited.
    ///         Their pubkeys may be registered again later.
    /// @dev Runs in the extension (rarely used; keeps this contract under the EIP-170 size limit).
    function removeKeys(uint256, uint256) external {
        _delegate();
    }

    // ------------------------------------------------------------------------------------------ module API
    /// @inheritdoc IStakingModule
    function getStakingModuleSummary() external view returns (uint256 exited, uint256 deposited, uint256 depositable) {
        RegistryStorage storage $ = _registry();
        (,, depositable) = _allocate(type(uint256).max);
        return ($.totalExited, $.totalDeposited, depositable);
    }

    /// @inheritdoc IStakingModule
    function getValidatorCounts() external view returns (uint256 exited, uint256 deposited) {
        RegistryStorage storage $ = _registry();
        return ($.totalExited, $.totalDeposited);
    }

    /// @inheritdoc IStakingModule
    function getNonce() external view returns (uint256) {
        return _registry().nonce;
    }

    /// @inheritdoc IStakingModule
    function obtainDepositData(uint256 count, bytes calldata)
        external
        onlyRole(ROUTER_ROLE)
        returns (bytes memory pubkeys, bytes memory signatures)
    {
        (uint256[] memory clusterIds, uint256[] memory counts, uint256 total) = _allocate(count);
        if (total != count) revert NotEnoughDepositableKeys(count, total);
        pubkeys = new bytes(count * KeyData.PUBKEY_LENGTH);
        signatures = new bytes(count * KeyData.SIGNATURE_LENGTH);
        uint256 written;
        for (uint256 i; i < clusterIds.length; ++i) {
            if (counts[i] == 0) continue;
            _depositFromCluster(clusterIds[i], counts[i], pubkeys, signatures, written);
            written += counts[i];
        }
        RegistryStorage storage $ = _registry();
        $.totalDeposited += uint64(count);
        _bumpNonce();
    }

    /// @dev Hands out the next `k` keys of a cluster and charges them to every member's bond.
    function _depositFromCluster(
        uint256 clusterId,
        uint256 k,
        bytes memory pubkeys,
        bytes memory signatures,
        uint256 written
    ) private {
        RegistryStorage storage $ = _registry();
        Cluster storage c = $.clusters[clusterId];
        uint256 from = c.depositedKeys;
        c.depositBatch = uint32(_copyKeys(clusterId, c.depositBatch, from, k, pubkeys, signatures, written));
        c.depositedKeys = uint32(from + k);
        uint256 members = c.members;
        for (uint256 m; m < c.size; ++m) {
            $.operators[_memberId(members, m)].validators += uint32(k);
        }
        _rewardsOnDeposit(clusterId); // earns from the next oracle report (see ClusterRewards)
        emit KeysDeposited(clusterId, from, k);
    }

    /// @dev Copies keys [from, from + k) of a cluster, walking its batches from `batch`; returns the batch
    ///      that holds key `from + k` (the next deposit starts there).
    function _copyKeys(
        uint256 clusterId,
        uint256 batch,
        uint256 from,
        uint256 k,
        bytes memory pubkeys,
        bytes memory signatures,
        uint256 written
    ) private view returns (uint256) {
        KeyBatch[] storage batches = _registry().batches[clusterId];
        while (k > 0) {
            KeyBatch memory b = batches[batch];
            uint256 offset = from - b.firstIndex;
            uint256 take = b.count - offset;
            if (take > k) take = k;
            KeyData.readInto(
                b.data,
                b.count,
                offset,
                take,
                pubkeys,
                written * KeyData.PUBKEY_LENGTH,
                signatures,
                written * KeyData.SIGNATURE_LENGTH
            );
            (from, k, written) = (from + take, k - take, written + take);
            if (offset + take == b.count) ++batch;
        }
        return batch;
    }

    /// @dev Working state of an allocation (a struct keeps the stack shallow).
    struct Allocation {
        uint256 n; // candidate clusters
        uint256[] clusterIds;
        uint256[] counts;
        uint256[] active; // active validators per candidate, as allocated so far
        uint256[] keysLeft;
        uint256[] members;
        uint256[] sizes;
        uint256 nOps; // distinct operators of the candidates
        uint256[] opIds;
        uint256[] opSpare; // validators each operator's bond still covers
    }

    /// @dev Least-active-first allocation of up to `maxCount` validators. Each step gives validators to the
    ///      active cluster with the fewest active validators, until it catches up with the next one or runs out
    ///      of depositable keys or bond; bond use is tracked per operator across the clusters it shares.
    ///      Cost grows with clusters × members: fine for hundreds of clusters; an index of depositable
    ///      clusters is the next step beyond that.
    function _allocate(uint256 maxCount)
        private
        view
        returns (uint256[] memory clusterIds, uint256[] memory counts, uint256 total)
    {
        Allocation memory a = _candidates();
        uint256[] memory cap = new uint256[](a.n);
        while (total < maxCount) {
            _capacities(a, cap);
            // the least-active cluster that can take a validator, and the level of the next one
            uint256 best = type(uint256).max;
            for (uint256 i; i < a.n; ++i) {
                if (cap[i] > 0 && (best == type(uint256).max || a.active[i] < a.active[best])) best = i;
            }
            if (best == type(uint256).max) break;
            uint256 nextLevel = type(uint256).max;
            for (uint256 i; i < a.n; ++i) {
                if (i != best && cap[i] > 0 && a.active[i] < nextLevel) nextLevel = a.active[i];
            }
            // fill `best` up to the next level (one at a time on a tie), within its capacity and the request
            uint256 give = maxCount - total;
            if (cap[best] < give) give = cap[best];
            if (nextLevel != type(uint256).max) {
                uint256 gap = nextLevel > a.active[best] ? nextLevel - a.active[best] : 1;
                if (gap < give) give = gap;
            }
            a.counts[best] += give;
            a.active[best] += give;
            a.keysLeft[best] -= give;
            for (uint256 m; m < a.sizes[best]; ++m) {
                a.opSpare[_opIndex(a, a.members[best], m)] -= give;
            }
            total += give;
        }
        (clusterIds, counts) = (a.clusterIds, a.counts);
    }

    /// @dev Active clusters with confirmed, undeposited keys, and the spare bond of their operators.
    function _candidates() private view returns (Allocation memory a) {
        RegistryStorage storage $ = _registry();
        uint256 nClusters = $.clusterCount;
        uint256 n;
        for (uint256 id = 1; id <= nClusters; ++id) {
            Cluster storage c = $.clusters[id];
            if (c.active && c.confirmedKeys > c.depositedKeys) ++n;
        }
        a.n = n;
        (a.clusterIds, a.counts, a.active, a.keysLeft, a.members, a.sizes) =
        (new uint256[](n), new uint256[](n), new uint256[](n), new uint256[](n), new uint256[](n), new uint256[](n));
        (a.opIds, a.opSpare) = (new uint256[](n * MAX_CLUSTER_SIZE), new uint256[](n * MAX_CLUSTER_SIZE));
        uint256 i;
        for (uint256 id = 1; id <= nClusters && i < n; ++id) {
            Cluster storage c = $.clusters[id];
            if (!c.active || c.confirmedKeys <= c.depositedKeys) continue;
            (a.clusterIds[i], a.members[i], a.sizes[i]) = (id, c.members, c.size);
            a.active[i] = c.depositedKeys - c.exitedKeys;
            a.keysLeft[i] = c.confirmedKeys - c.depositedKeys;
            for (uint256 m; m < c.size; ++m) {
                uint256 opId = _memberId(c.members, m);
                if (_opIndex(a, c.members, m) < a.nOps) continue; // already cached
                Operator storage op = $.operators[opId];
                uint256 covered = validatorsForBond(op.bond);
                (a.opIds[a.nOps], a.opSpare[a.nOps]) = (opId, covered > op.validators ? covered - op.validators : 0);
                ++a.nOps;
            }
            ++i;
        }
    }

    /// @dev cap[i] = what candidate i can still take: its keys, and the spare bond of its tightest member.
    function _capacities(Allocation memory a, uint256[] memory cap) private pure {
        for (uint256 i; i < a.n; ++i) {
            uint256 c = a.keysLeft[i];
            for (uint256 m; m < a.sizes[i] && c > 0; ++m) {
                uint256 spare = a.opSpare[_opIndex(a, a.members[i], m)];
                if (spare < c) c = spare;
            }
            cap[i] = c;
        }
    }

    /// @dev Index in the operator cache of member `m` of a packed member list (== nOps when not cached).
    function _opIndex(Allocation memory a, uint256 members, uint256 m) private pure returns (uint256 j) {
        uint256 id = _memberId(members, m);
        while (j < a.nOps && a.opIds[j] != id) ++j;
    }

    // ------------------------------------------------------------------------------------------ views
    /// @notice Bond above what the operator's validators require.
    function unlockedBond(uint256 operatorId) public view returns (uint256) {
        Operator storage op = _operator(operatorId);
        uint256 required = bondForValidators(op.validators);
        return op.bond > required ? op.bond - required : 0;
    }

    /// @notice An operator's record.
    function getOperator(uint256 operatorId) external view returns (Operator memory) {
        return _operator(operatorId);
    }

    /// @notice An operator's display name.
    function getOperatorName(uint256 operatorId) external view returns (string memory) {
        _operator(operatorId);
        return _registry().operatorNames[operatorId];
    }

    /// @notice Number of registered operators (ids 1..n).
    function getOperatorCount() external view returns (uint256) {
        return _registry().operatorCount;
    }

    /// @notice A cluster's record (members packed; see `getClusterMembers`).
    function getCluster(uint256 clusterId) external view returns (Cluster memory) {
        return _cluster(clusterId);
    }

    /// @notice A cluster's operator ids in ascending order.
    function getClusterMembers(uint256 clusterId) public view returns (uint256[] memory ids) {
        Cluster storage c = _cluster(clusterId);
        ids = new uint256[](c.size);
        for (uint256 m; m < c.size; ++m) {
            ids[m] = _memberId(c.members, m);
        }
    }

    /// @notice Number of clusters (ids 1..n).
    function getClusterCount() external view returns (uint256) {
        return _registry().clusterCount;
    }

    /// @notice A cluster's key batches.
    function getKeyBatches(uint256 clusterId) external view returns (KeyBatch[] memory) {
        _cluster(clusterId);
        return _registry().batches[clusterId];
    }

    /// @notice Keys [from, from + count) of a cluster (pubkeys 48 bytes each, signatures 96 bytes each).
    function getKeys(uint256 clusterId, uint256 from, uint256 count)
        external
        view
        returns (bytes memory pubkeys, bytes memory signatures)
    {
        Cluster storage c = _cluster(clusterId);
        if (from + count > c.totalKeys) revert NotEnoughDepositableKeys(from + count, c.totalKeys);
        pubkeys = new bytes(count * KeyData.PUBKEY_LENGTH);
        signatures = new bytes(count * KeyData.SIGNATURE_LENGTH);
        if (count == 0) return (pubkeys, signatures);
        KeyBatch[] storage batches = _registry().batches[clusterId];
        uint256 batch;
        while (batches[batch].firstIndex + batches[batch].count <= from) ++batch;
        _copyKeys(clusterId, batch, from, count, pubkeys, signatures, 0);
    }

    /// @notice Whether a pubkey is registered in the module.
    function isKeyRegistered(bytes calldata pubkey) external view returns (bool) {
        return _registry().keyExists[keccak256(pubkey)];
    }

    /// @notice How many validators the module could deposit now, and how they would be spread.
    function getDepositAllocation(uint256 maxCount)
        external
        view
        returns (uint256[] memory clusterIds, uint256[] memory counts, uint256 total)
    {
        return _allocate(maxCount);
    }

    // ------------------------------------------------------------------------------------------ internals
    function _addBond(uint256 operatorId, Operator storage op, uint256 amount) private {
        uint256 bond = op.bond + amount;
        op.bond = uint96(bond); // total ETH supply is far below 2^96 wei
        emit BondDeposited(operatorId, msg.sender, amount, bond);
    }
}
