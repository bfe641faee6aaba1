// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModuleHooks} from "./ModuleHooks.sol";
import {KeyData} from "../lib/KeyData.sol";

// File-level: raised and emitted by the accessors below for both the registry and its delegatecalled extension
// (one declaration, so each contract's ABI lists each once; import them to match selectors and topics).
error UnknownOperator(uint256 operatorId);
error UnknownCluster(uint256 clusterId);
error NotOperatorManager(uint256 operatorId, address caller);
error NotClusterMember(uint256 clusterId, address caller);
event NonceChanged(uint256 nonce);

/// @title RegistryLayout
/// @notice The OperatorRegistry's own storage (operators, clusters, key batches) and the hooks the module's
///         economics use to read and change it. Shared by `OperatorRegistry` and `OperatorRegistryExtension`,
///         which run on the same proxy storage (the extension through DELEGATECALL).
abstract contract RegistryLayout is ModuleHooks {
    /// @notice The StakingRouter: deposits and reward notifications.
    bytes32 public constant ROUTER_ROLE = keccak256("ROUTER_ROLE");
    /// @notice The AccountingOracle: per-cluster reports, and exit requests without the keepers' limit.
    bytes32 public constant REPORTER_ROLE = keccak256("REPORTER_ROLE");

    // ------------------------------------------------------------------------------------------ storage
    struct Operator {
        // slot 0
        address manager; // the operator's Ethereum identity (signs the cluster definition off-chain too)
        uint32 validators; // validators this operator's bond must cover (deposited, not yet exited)
        uint32 clusters; // clusters it belongs to
        // slot 1
        address rewardAddress;
        uint96 bond; // wei
    }

    struct Cluster {
        // slot 0
        uint8 size;
        uint8 threshold;
        bool active;
        uint32 totalKeys;
        uint32 confirmedKeys; // prefix of keys confirmed by every member
        uint32 depositedKeys; // prefix of keys deposited
        uint32 exitedKeys; // validators exited (reported by the oracle)
        uint32 confirmedBatches; // prefix of batches confirmed by every member
        uint32 depositBatch; // batch holding key `depositedKeys`
        // slot 1: up to 10 operator ids of 24 bits, in ascending order
        uint256 members;
    }

    struct KeyBatch {
        address data; // KeyData pointer
        uint32 firstIndex; // index of the batch's first key in the cluster
        uint16 count;
        uint16 confirmations; // bitmask over member positions
    }

    /// @custom:storage-location erc7201:shoal.storage.OperatorRegistry
    struct RegistryStorage {
        uint256 nonce;
        uint32 operatorCount;
        uint32 clusterCount;
        uint64 totalDeposited;
        uint64 totalExited;
        uint32 pendingDeposits; // deposits since the last report, for ClusterRewards (same slot: no extra write)
        mapping(uint256 operatorId => Operator) operators;
        mapping(uint256 clusterId => Cluster) clusters;
        mapping(uint256 clusterId => KeyBatch[]) batches;
        mapping(bytes32 pubkeyHash => bool) keyExists;
        mapping(uint256 operatorId => string) operatorNames;
        // appended for the module's economics (IDvtModule.setProtocolContracts)
        address stakingPool;
        address withdrawalVault;
        // one operator per manager address, so a cluster's members are distinct identities (two members with one
        // manager could never confirm keys separately, and one entity would hold two signing shares)
        mapping(address manager => uint256 operatorId) operatorOfManager;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.OperatorRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant REGISTRY_STORAGE = 0xc7d5204f45297944f4ccb59592957921f1c2aefb7c0f494738882612c06b8600;

    function _registry() internal pure returns (RegistryStorage storage $) {
        assembly {
            $.slot := REGISTRY_STORAGE
        }
    }

    // ------------------------------------------------------------------------------------------ accessors
    function _operator(uint256 operatorId) internal view returns (Operator storage op) {
        op = _registry().operators[operatorId];
        if (op.manager == address(0)) revert UnknownOperator(operatorId);
    }

    function _cluster(uint256 clusterId) internal view returns (Cluster storage c) {
        c = _registry().clusters[clusterId];
        if (c.size == 0) revert UnknownCluster(clusterId);
    }

    function _managedOperator(uint256 operatorId) internal view returns (Operator storage op) {
        op = _operator(operatorId);
        if (op.manager != msg.sender) revert NotOperatorManager(operatorId, msg.sender);
    }

    /// @dev Position (0..n-1) and id of the member managed by `account`, or revert.
    function _memberPosition(Cluster storage c, uint256 clusterId, address account)
        internal
        view
        returns (uint256 position, uint256 operatorId)
    {
        uint256 members = c.members;
        RegistryStorage storage $ = _registry();
        for (uint256 m; m < c.size; ++m) {
            uint256 id = _memberId(members, m);
            if ($.operators[id].manager == account) return (m, id);
        }
        revert NotClusterMember(clusterId, account);
    }

    function _bumpNonce() internal {
        uint256 nonce = ++_registry().nonce;
        emit NonceChanged(nonce);
    }

    // ------------------------------------------------------------------------------------------ hooks
    function _clusterShape(uint256 clusterId) internal view override returns (uint256 size, uint256 members) {
        Cluster storage c = _cluster(clusterId);
        return (c.size, c.members);
    }

    function _clusterKeys(uint256 clusterId) internal view override returns (uint256 deposited, uint256 exited) {
        Cluster storage c = _cluster(clusterId);
        return (c.depositedKeys, c.exitedKeys);
    }

    function _clusterCount() internal view override returns (uint256) {
        return _registry().clusterCount;
    }

    function _pendingDeposits() internal view override returns (uint256) {
        return _registry().pendingDeposits;
    }

    function _setPendingDeposits(uint256 n) internal override {
        _registry().pendingDeposits = uint32(n);
    }

    function _recordExits(uint256 clusterId, uint256 exitedTotal) internal override {
        RegistryStorage storage $ = _registry();
        Cluster storage c = $.clusters[clusterId];
        uint256 delta = exitedTotal - c.exitedKeys;
        c.exitedKeys = uint32(exitedTotal);
        $.totalExited += uint64(delta);
        uint256 members = c.members;
        for (uint256 m; m < c.size; ++m) {
            $.operators[_memberId(members, m)].validators -= uint32(delta);
        }
    }

    function _takeBond(uint256 operatorId, uint256 amount) internal override returns (uint256 taken, uint256 bondLeft) {
        Operator storage op = _registry().operators[operatorId];
        uint256 bond = op.bond;
        taken = amount < bond ? amount : bond;
        bondLeft = bond - taken;
        op.bond = uint96(bondLeft);
    }

    function _rewardAddress(uint256 operatorId) internal view override returns (address) {
        return _operator(operatorId).rewardAddress;
    }

    /// @dev Binary search for the batch holding the key (batches are contiguous and ascending).
    function _pubkeyOf(uint256 clusterId, uint256 keyIndex) internal view override returns (bytes memory) {
        KeyBatch[] storage batches = _registry().batches[clusterId];
        uint256 lo;
        uint256 hi = batches.length - 1;
        while (lo < hi) {
            uint256 mid = (lo + hi + 1) / 2;
            if (batches[mid].firstIndex <= keyIndex) lo = mid;
            else hi = mid - 1;
        }
        KeyBatch storage b = batches[lo];
        return KeyData.pubkeyAt(b.data, keyIndex - b.firstIndex);
    }

    function _protocolContracts() internal view override returns (address pool, address withdrawalVault) {
        RegistryStorage storage $ = _registry();
        return ($.stakingPool, $.withdrawalVault);
    }

    function _keySetChanged() internal override {
        _bumpNonce();
    }
}
