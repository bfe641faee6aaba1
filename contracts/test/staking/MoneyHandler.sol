// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../utils/Vm.sol";
import {Predeploys} from "../predeploys/Predeploys.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {StakingRouter} from "../../src/StakingRouter.sol";
import {DepositSecurityModule} from "../../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";

/// @notice Drives the money path with random but valid actions for `MoneyInvariantsTest`: stakes by many
///         actors, transfers, approvals and transferFroms, operator registrations, bond top-ups and withdrawals,
///         clusters, key batches and their confirmation or removal, forced ETH, keeper deposits through the
///         guardians' attestation, and oracle reports of rewards or losses. Inputs are bounded so that almost every call does something; ghost variables
///         record what went in and out so the invariants can compare the contracts' books with reality.
contract MoneyHandler {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint256 internal constant ACTORS = 8;
    uint256 internal constant MAX_OPERATORS = 14;
    uint256 internal constant MAX_CLUSTERS = 5;
    uint256 internal constant MAX_STAKE = 200 ether;
    uint256 internal constant MAX_BOND = 12 ether;
    /// @dev Key seeds of the handler live far from the fixture's small seeds.
    uint256 internal constant KEY_SEED_BASE = 1e9;

    StakingPool public immutable pool;
    StakingRouter public immutable router;
    OperatorRegistry public immutable registry;
    DepositSecurityModule public immutable dsm;
    uint256 public immutable moduleId;

    uint256[] internal sortedGuardianKeys;
    address[] public actors;
    address internal sponsor = address(uint160(uint256(keccak256("handler sponsor"))));

    // ------------------------------------------------------------------------------------------ ghosts
    uint256 public ghostStaked; // ETH staked through the pool
    uint256 public ghostDonated; // ETH forced into the pool outside its accounting
    uint256 public ghostBondIn; // ETH bonded (registrations and top-ups)
    uint256 public ghostBondOut; // ETH withdrawn from bonds
    uint256 public ghostDeposits; // validators deposited by the keeper
    uint256 public ghostUniqueDepositedKeys; // distinct pubkeys seen in DepositEvents
    uint256 public ghostDuplicateDeposits; // a pubkey seen in a second DepositEvent
    uint256 public ghostUnbondedDeposits; // an operator left with more validators than its bond covers
    uint256 public ghostOverAllocation; // a deposit beyond what getDepositAllocation promised
    uint256 public ghostAllowanceErrors; // a transferFrom that did not spend exactly its amount (or spent infinity)
    int256 public ghostClDelta; // consensus-layer rewards (+) and losses (-) reported by the oracle
    uint256 public ghostReports; // reports applied
    uint256 internal keySeed;
    mapping(bytes32 pubkeyHash => bool) internal seenPubkey;
    mapping(bytes32 action => uint256) public calls;

    constructor(
        StakingPool pool_,
        StakingRouter router_,
        OperatorRegistry registry_,
        DepositSecurityModule dsm_,
        uint256 moduleId_,
        uint256[] memory guardianKeys
    ) {
        (pool, router, registry, dsm, moduleId) = (pool_, router_, registry_, dsm_, moduleId_);
        for (uint256 i; i < ACTORS; ++i) {
            actors.push(address(uint160(uint256(keccak256(abi.encode("staker", i))))));
        }
        // guardian signatures must be sorted by signer address
        for (uint256 i; i < guardianKeys.length; ++i) sortedGuardianKeys.push(guardianKeys[i]);
        for (uint256 i; i < sortedGuardianKeys.length; ++i) {
            for (uint256 j = i + 1; j < sortedGuardianKeys.length; ++j) {
                if (vm.addr(sortedGuardianKeys[j]) < vm.addr(sortedGuardianKeys[i])) {
                    (sortedGuardianKeys[i], sortedGuardianKeys[j]) = (sortedGuardianKeys[j], sortedGuardianKeys[i]);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ views for the test
    function actorCount() external pure returns (uint256) {
        return ACTORS;
    }

    function manager(uint256 operatorId) public pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("handler operator", operatorId)))));
    }

    // ------------------------------------------------------------------------------------------ stakers
    function stake(uint256 actorSeed, uint256 amount) external {
        address a = actors[actorSeed % ACTORS];
        amount = _bound(amount, 1, MAX_STAKE);
        vm.deal(a, a.balance + amount);
        vm.prank(a);
        pool.deposit{value: amount}(a, address(0));
        ghostStaked += amount;
        ++calls["stake"];
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = actors[fromSeed % ACTORS];
        address to = actors[toSeed % ACTORS];
        amount = _bound(amount, 0, pool.balanceOf(from));
        vm.prank(from);
        pool.transfer(to, amount);
        ++calls["transfer"];
    }

    function approve(uint256 ownerSeed, uint256 spenderSeed, uint256 amount, bool infinite) external {
        address owner = actors[ownerSeed % ACTORS];
        address spender = actors[spenderSeed % ACTORS];
        amount = infinite ? type(uint256).max : _bound(amount, 0, 2 * MAX_STAKE);
        vm.prank(owner);
        pool.approve(spender, amount);
        ++calls["approve"];
    }

    function transferFrom(uint256 spenderSeed, uint256 ownerSeed, uint256 toSeed, uint256 amount) external {
        address spender = actors[spenderSeed % ACTORS];
        address owner = actors[ownerSeed % ACTORS];
        address to = actors[toSeed % ACTORS];
        uint256 allowed = pool.allowance(owner, spender);
        uint256 balance = pool.balanceOf(owner);
        amount = _bound(amount, 0, allowed < balance ? allowed : balance);
        vm.prank(spender);
        pool.transferFrom(owner, to, amount);
        uint256 expected = allowed == type(uint256).max ? allowed : allowed - amount;
        if (pool.allowance(owner, spender) != expected) ++ghostAllowanceErrors;
        ++calls["transferFrom"];
    }

    /// @dev ETH forced into the pool (selfdestruct, coinbase): the accounting must ignore it.
    function donate(uint256 amount) external {
        amount = _bound(amount, 1, 1_000 ether);
        vm.deal(address(pool), address(pool).balance + amount);
        ghostDonated += amount;
        ++calls["donate"];
    }

    // ------------------------------------------------------------------------------------------ operators
    function registerOperator(uint256 bond) external {
        uint256 id = registry.getOperatorCount() + 1;
        if (id > MAX_OPERATORS) return;
        bond = _bound(bond, 0, MAX_BOND);
        address m = manager(id);
        vm.deal(m, m.balance + bond);
        vm.prank(m);
        registry.registerOperator{value: bond}("handler", m);
        ghostBondIn += bond;
        ++calls["registerOperator"];
    }

    function topUpBond(uint256 opSeed, uint256 amount) external {
        uint256 n = registry.getOperatorCount();
        if (n == 0) return;
        uint256 id = 1 + opSeed % n;
        amount = _bound(amount, 1, MAX_BOND);
        vm.deal(sponsor, sponsor.balance + amount);
        vm.prank(sponsor);
        registry.topUpBond{value: amount}(id);
        ghostBondIn += amount;
        ++calls["topUpBond"];
    }

    function withdrawBond(uint256 opSeed, uint256 amount) external {
        uint256 n = registry.getOperatorCount();
        if (n == 0) return;
        uint256 id = 1 + opSeed % n;
        uint256 unlocked = registry.unlockedBond(id);
        if (unlocked == 0) return;
        amount = _bound(amount, 1, unlocked);
        address m = registry.getOperator(id).manager;
        vm.prank(m);
        registry.withdrawBond(id, amount, payable(m));
        ghostBondOut += amount;
        ++calls["withdrawBond"];
    }

    /// @dev Four distinct operators picked by a partial shuffle, in ascending order.
    function createCluster(uint256 seed) public {
        uint256 n = registry.getOperatorCount();
        if (n < 4 || registry.getClusterCount() >= MAX_CLUSTERS) return;
        uint256[] memory pool_ = new uint256[](n);
        for (uint256 i; i < n; ++i) pool_[i] = i + 1;
        uint256[] memory ids = new uint256[](4);
        for (uint256 i; i < 4; ++i) {
            uint256 j = i + uint256(keccak256(abi.encode(seed, i))) % (n - i);
            (pool_[i], pool_[j]) = (pool_[j], pool_[i]);
            ids[i] = pool_[i];
        }
        for (uint256 i = 1; i < 4; ++i) {
            for (uint256 k = i; k > 0 && ids[k - 1] > ids[k]; --k) (ids[k - 1], ids[k]) = (ids[k], ids[k - 1]);
        }
        vm.prank(registry.getOperator(ids[seed % 4]).manager);
        registry.createCluster(ids);
        ++calls["createCluster"];
    }

    // ------------------------------------------------------------------------------------------ keys
    function addKeys(uint256 clusterSeed, uint256 count) public {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0) return;
        uint256 clusterId = 1 + clusterSeed % clusters;
        count = _bound(count, 1, 6);
        (bytes memory pubkeys, bytes memory signatures) = _makeKeys(count, KEY_SEED_BASE + keySeed++);
        uint256[] memory members = registry.getClusterMembers(clusterId);
        vm.prank(registry.getOperator(members[count % members.length]).manager);
        registry.addKeys(clusterId, pubkeys, signatures);
        ++calls["addKeys"];
    }

    /// @dev One member confirms the first batch it has not confirmed yet.
    function confirmKeys(uint256 clusterSeed, uint256 memberSeed) external {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0) return;
        uint256 clusterId = 1 + clusterSeed % clusters;
        uint256[] memory members = registry.getClusterMembers(clusterId);
        uint256 position = memberSeed % members.length;
        OperatorRegistry.KeyBatch[] memory batches = registry.getKeyBatches(clusterId);
        for (uint256 b; b < batches.length; ++b) {
            if (batches[b].confirmations & (1 << position) != 0) continue;
            vm.prank(registry.getOperator(members[position]).manager);
            registry.confirmKeys(clusterId, b, batches[b].data.codehash);
            ++calls["confirmKeys"];
            return;
        }
    }

    /// @dev Every member confirms every pending batch (a cluster whose nodes all ran the DKG check).
    function confirmAll(uint256 clusterSeed) public {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0) return;
        uint256 clusterId = 1 + clusterSeed % clusters;
        uint256[] memory members = registry.getClusterMembers(clusterId);
        OperatorRegistry.KeyBatch[] memory batches = registry.getKeyBatches(clusterId);
        for (uint256 b; b < batches.length; ++b) {
            for (uint256 m; m < members.length; ++m) {
                if (batches[b].confirmations & (1 << m) != 0) continue;
                vm.prank(registry.getOperator(members[m]).manager);
                registry.confirmKeys(clusterId, b, batches[b].data.codehash);
            }
        }
        ++calls["confirmAll"];
    }

    /// @dev A member removes the cluster's last batch if none of it was deposited.
    function removeKeys(uint256 clusterSeed) external {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0) return;
        uint256 clusterId = 1 + clusterSeed % clusters;
        OperatorRegistry.KeyBatch[] memory batches = registry.getKeyBatches(clusterId);
        if (batches.length == 0) return;
        uint256 last = batches.length - 1;
        if (batches[last].firstIndex < registry.getCluster(clusterId).depositedKeys) return;
        vm.prank(registry.getOperator(registry.getClusterMembers(clusterId)[0]).manager);
        registry.removeKeys(clusterId, last);
        ++calls["removeKeys"];
    }

    // ------------------------------------------------------------------------------------------ keeper
    /// @dev What the keeper does: a fresh block, the guardians' attestation of the current root and nonce, and a
    ///      deposit through the DSM. Checks bond coverage and key uniqueness of what was deposited.
    function deposit() public {
        vm.roll(block.number + 1);
        (,, uint256 promised) = registry.getDepositAllocation(pool.getDepositableEther() / pool.DEPOSIT_SIZE());
        vm.recordLogs();
        uint256 deposited = _attestAndDeposit();
        _checkDepositEvents(vm.getRecordedLogs(), deposited);
        ghostDeposits += deposited;
        if (deposited > promised) ++ghostOverAllocation;
        // at deposit time every operator's bond covers the validators it now runs
        uint256 n = registry.getOperatorCount();
        for (uint256 id = 1; id <= n; ++id) {
            OperatorRegistry.Operator memory op = registry.getOperator(id);
            if (op.validators > registry.validatorsForBond(op.bond)) ++ghostUnbondedDeposits;
        }
        ++calls["deposit"];
    }

    function _attestAndDeposit() internal returns (uint256) {
        uint256 blockNumber = block.number - 1;
        bytes32 blockHash = blockhash(blockNumber);
        bytes32 root = Predeploys.DEPOSIT_CONTRACT.get_deposit_root();
        uint256 nonce = router.getStakingModuleNonce(moduleId);
        DepositSecurityModule.Signature[] memory sigs =
            _guardianSignatures(dsm.attestMessageHash(blockNumber, blockHash, root, moduleId, nonce), dsm.getGuardianQuorum());
        return dsm.depositBufferedEther(blockNumber, blockHash, root, moduleId, nonce, "", sigs);
    }

    /// @dev Every deposited validator is exactly one DepositEvent, and no pubkey is ever seen twice.
    function _checkDepositEvents(Vm.Log[] memory logs, uint256 deposited) internal {
        uint256 seenHere;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(Predeploys.DEPOSIT_CONTRACT)) continue;
            (bytes memory pubkey,,,,) = abi.decode(logs[i].data, (bytes, bytes, bytes, bytes, bytes));
            bytes32 h = keccak256(pubkey);
            if (seenPubkey[h]) ++ghostDuplicateDeposits;
            else ++ghostUniqueDepositedKeys;
            seenPubkey[h] = true;
            ++seenHere;
        }
        if (seenHere != deposited) ++ghostDuplicateDeposits;
    }

    // ------------------------------------------------------------------------------------------ oracle
    /// @dev An oracle report (the handler holds ORACLE_ROLE, standing in for the AccountingOracle after
    ///      consensus): every deposited validator has appeared, and the beacon balance moved by a reward or a loss
    ///      inside the sanity checker's default bounds (10 %/year growth, 0.75 % rebase, 0.5 % unexplained drop),
    ///      over 1 hour to 30 days.
    function report(uint256 seed) external {
        (uint256 deposited, uint256 seen, uint256 prevBalance) = pool.getBeaconStat();
        uint256 timeElapsed = _bound(seed, 1 hours, 30 days);
        uint256 expected = prevBalance + (deposited - seen) * pool.DEPOSIT_SIZE();
        uint256 balance = expected;
        if ((seed >> 64) & 1 == 0) {
            uint256 maxGrowth = expected * 1_000 * timeElapsed / (365 days * 10_000);
            uint256 maxRebase = pool.totalPooledEther() * 7_500_000 / 1e9;
            if (maxRebase < maxGrowth) maxGrowth = maxRebase;
            balance += _bound(seed >> 128, 0, maxGrowth * 9 / 10);
        } else {
            balance -= _bound(seed >> 128, 0, expected * 50 / 10_000 * 9 / 10);
        }
        StakingPool.OracleReport memory r;
        (r.timeElapsed, r.beaconValidators, r.beaconBalance) = (timeElapsed, deposited, balance);
        pool.handleOracleReport(r);
        ghostClDelta += int256(balance) - int256(expected);
        ++ghostReports;
        ++calls["report"];
    }

    // ------------------------------------------------------------------------------------------ internals
    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        return min + x % (max - min + 1);
    }

    function _makeKeys(uint256 count, uint256 seed) internal pure returns (bytes memory pubkeys, bytes memory signatures) {
        for (uint256 i; i < count; ++i) {
            bytes32 h = keccak256(abi.encode(seed, i));
            pubkeys = bytes.concat(pubkeys, h, bytes16(keccak256(abi.encode(h))));
            signatures = bytes.concat(signatures, h, h, keccak256(abi.encode(h, 1)));
        }
    }

    function _guardianSignatures(bytes32 digest, uint256 howMany)
        internal
        view
        returns (DepositSecurityModule.Signature[] memory sigs)
    {
        sigs = new DepositSecurityModule.Signature[](howMany);
        for (uint256 i; i < howMany; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(sortedGuardianKeys[i], digest);
            sigs[i] = DepositSecurityModule.Signature(r, bytes32(uint256(s) | (uint256(v - 27) << 255)));
        }
    }
}
