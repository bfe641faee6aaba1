// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../utils/Vm.sol";
import {MoneyHandler} from "../staking/MoneyHandler.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {StakingRouter} from "../../src/StakingRouter.sol";
import {DepositSecurityModule} from "../../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {IDvtModule} from "../../src/interfaces/IDvtModule.sol";
import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueue} from "../../src/withdrawals/WithdrawalQueue.sol";
import {WithdrawalVault} from "../../src/vaults/WithdrawalVault.sol";
import {ExecutionRewardsVault} from "../../src/vaults/ExecutionRewardsVault.sol";
import {SanityChecker} from "../../src/oracle/SanityChecker.sol";
import {HashConsensus} from "../../src/oracle/HashConsensus.sol";
import {AccountingOracle} from "../../src/oracle/AccountingOracle.sol";

/// @notice Drives the whole money system for `SystemInvariantsTest` with random but valid actions, and keeps
///         ghost books of every wei that entered or left it.
///
///   stakers ──stake──▶ pool ──32 ETH──▶ deposit contract        (beacon chain, modelled here: `beaconModel`)
///      ▲                 ▲ ▲ ▲                                        │ rewards/losses (oracle reports)
///      │ claims          │ │ └── penalties ◀── registry (bonds) ◀── operators' bonds, top-ups, withdrawals
///   queue ◀─finalize─────┘ └── report pulls ◀── WithdrawalVault (vm.deal = EIP-4895 sweep), EL rewards vault
///
/// The staking, token, operator, key and deposit actions are `MoneyHandler`'s (issue #2), composed, not copied:
/// its ghosts (staked, donated, bond in/out) count here too. This handler adds what issue #3 brings: oracle reports
/// through the real committee (HashConsensus votes by 2 of 3 members + AccountingOracle.submitReportData) with
/// CL rewards/losses, vault inflows and EL rewards inside the SanityChecker's limits, withdrawal finalization in
/// the reports, requests, NFT transfers, claims, and the DVT module's penalties, exits and rewards.
///
/// The module's per-cluster news (exits, slashings, missed duties, stolen EL rewards) and the oracle's exit
/// requests travel inside the committee's report, as the AccountingOracle applies them (`processClusterReports`
/// before the pool's accounting, `requestExits` after); keepers request exits within their daily limit and force
/// late exits on their own.
///
/// Calls that must succeed with the inputs the handler chose (reports, requests, claims, cluster reports, exits)
/// are wrapped in try/catch and count as `ghostUnexpectedReverts` (first reason kept): a revert there means the
/// system refused something valid, or this handler's model is wrong — either way the invariant test fails.
contract SystemHandler {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice The protocol's contracts, as the fixture deployed them.
    struct System {
        StakingPool pool;
        StakingRouter router;
        OperatorRegistry registry;
        DepositSecurityModule dsm;
        WithdrawalVault withdrawalVault;
        ExecutionRewardsVault elRewardsVault;
        WithdrawalQueue queue;
        SanityChecker sanityChecker;
        HashConsensus hashConsensus;
        AccountingOracle accountingOracle;
        uint256 moduleId;
        address depositContract;
    }

    // ------------------------------------------------------------------------------------------ bounds
    /// @dev The issue's range of one stake: 1 wei .. 1000 ETH.
    uint256 internal constant MAX_STAKE = 1_000 ether;
    /// @dev MoneyHandler stakes at most this much per call (its own bound); larger stakes are split.
    uint256 internal constant MONEY_HANDLER_MAX_STAKE = 200 ether;
    /// @dev Execution-layer rewards per inflow: a few blocks' priority fees and MEV.
    uint256 internal constant MAX_EL_INFLOW = 2 ether;
    /// @dev Frames a report may skip (missed frames): 45 frames of 64 min ≈ 2 days, so exit deadlines (4 days)
    ///      pass within a few reports.
    uint256 internal constant MAX_SKIPPED_FRAMES = 45;
    /// @dev Requests per `requestWithdrawals` call and claims per `claim` call.
    uint256 internal constant MAX_REQUESTS_PER_CALL = 3;
    uint256 internal constant MAX_CLAIMS_PER_CALL = 5;
    /// @dev Stolen execution rewards one cluster report may name.
    uint256 internal constant MAX_STOLEN = 1 ether;
    /// @dev Validators one cluster report may name newly slashed.
    uint256 internal constant MAX_SLASHED_PER_REPORT = 2;
    /// @dev Extra fee a keeper sends with `forceLateExit` (the excess must come back).
    uint256 internal constant MAX_EXTRA_EXIT_FEE = 0.01 ether;
    uint256 internal constant BASIS_POINTS = 10_000;
    uint256 internal constant FEE_PRECISION = 1e20; // the router's fee precision (100 % = 1e20)
    uint256 internal constant RATE_PRECISION = 1e27; // the pool's share-rate precision

    // ------------------------------------------------------------------------------------------ wiring
    MoneyHandler public immutable money;
    StakingPool public immutable pool;
    StakingRouter public immutable router;
    OperatorRegistry public immutable registry;
    WithdrawalQueue public immutable queue;
    WithdrawalVault public immutable withdrawalVault;
    ExecutionRewardsVault public immutable elRewardsVault;
    SanityChecker public immutable sanityChecker;
    HashConsensus public immutable hashConsensus;
    AccountingOracle public immutable accountingOracle;
    address public immutable depositContract;
    address[] public oracleMembers;
    /// @notice Holds EXIT_REQUESTER_ROLE (the daily-limited path) and pays forced exits' EIP-7002 fees.
    address public immutable keeper = address(uint160(uint256(keccak256("system handler keeper"))));

    // ------------------------------------------------------------------------------------------ ghosts: ETH
    /// @notice ETH of the system when the handler was created (the pool's bootstrap deposit).
    uint256 public ghostBaseline;
    uint256 public ghostVaultInflows; // vm.deal onto the WithdrawalVault (EIP-4895 sweeps) and EL rewards vault
    uint256 public ghostClaimed; // ETH paid to request owners
    uint256 public ghostExitFees; // EIP-7002 fees paid by the keeper (they never enter the system's balances)
    uint256 public ghostPenaltiesCollected; // bond ETH handed to the pool by cluster reports and forced exits
    uint256 public ghostDebtRepaid; // bond-debt repayments handed to the pool by top-ups
    uint256 public ghostLocked; // ETH the pool sent to the queue at finalization
    int256 public ghostReportedChange; // CL rewards − losses + EL rewards taken by reports (the pool's `change`)
    /// @notice The beacon chain: total balance of the protocol's validators that appeared (the truth reports tell).
    uint256 public beaconModel;

    // ------------------------------------------------------------------------------------------ ghosts: queue
    uint256[] public requestIds;
    mapping(uint256 id => uint256) public requestShares; // shares the handler asked to lock
    mapping(uint256 id => uint256) public requestValueCap; // ⌈shares × the pool's rate at request⌉ (ETH at request)
    mapping(uint256 id => uint256) public finalizationRateCap; // the rate the report simulated when it finalized
    mapping(uint256 id => bool) public claimed;
    uint256 public ghostCapViolations; // a claim paid more than min(ETH at request, shares × finalization rate)
    uint256 public ghostClaimMismatches; // a claim paid other than the queue's own claimable view
    uint256 public ghostOvervaluedRequests; // the queue valued a request above its shares' worth at request
    uint256 public ghostRefundErrors; // forceLateExit kept more than the EIP-7002 fee

    // ------------------------------------------------------------------------------------------ ghosts: rate
    uint256 public ghostRateUpViolations;
    uint256 public ghostRateDownViolations;
    /// @notice The largest one-report rate increase seen, in parts per billion of the pre-report rate.
    uint256 public ghostMaxRateUpPpb;
    /// @notice Upward violations by reports that finalized nothing (so penalties or rewards alone did it).
    uint256 public ghostRateUpViolationsWithoutFinalization;
    /// @notice The first out-of-bound report: rate before, after, the bound it broke, the penalty ETH the report's
    ///         cluster news moved into the pool, and the number of requests it finalized.
    uint256[5] public firstRateViolation;

    // ------------------------------------------------------------------------------------------ ghosts: misc
    uint256 public ghostUnexpectedReverts;
    bytes public firstUnexpectedRevert;
    string public firstUnexpectedRevertAction;
    uint256 public ghostReports;
    uint256 public ghostFinalizedRequests;
    mapping(bytes32 action => uint256) public calls;

    /// @dev One report being planned: inputs the oracle derives, and what the invariants need afterwards.
    struct Plan {
        uint256 refSlot;
        uint256 timeElapsed;
        uint256 seen; // validators the pool had seen before
        uint256 newSeen;
        uint256 expected; // beacon balance with zero rewards (SanityChecker's `expected`)
        uint256 slashed;
        uint256 exited;
        uint256 gain;
        uint256 loss;
        uint256 wv; // WithdrawalVault balance pulled
        uint256 el; // EL rewards pulled
        uint256 preTotal; // totalPooledEther the report starts from
        uint256 simRate;
        uint256 available; // buffered ETH after the report, before finalization
        IDvtModule.ClusterReport[] clusterReports;
        uint256[] exitClusterIds;
        uint256[] exitCounts;
    }

    constructor(System memory s, uint256[] memory guardianKeys, address[] memory members) {
        money = new MoneyHandler(s.pool, s.router, s.registry, s.dsm, s.moduleId, guardianKeys);
        (pool, router, registry, queue) = (s.pool, s.router, s.registry, s.queue);
        (withdrawalVault, elRewardsVault, sanityChecker) = (s.withdrawalVault, s.elRewardsVault, s.sanityChecker);
        (hashConsensus, accountingOracle, depositContract) = (s.hashConsensus, s.accountingOracle, s.depositContract);
        oracleMembers = members;
        ghostBaseline = systemEther();
        (,, beaconModel) = s.pool.getBeaconStat();
    }

    // ================================================================================ views for the test
    /// @notice Every wei the system holds: pool, vaults, queue, registry (bonds), router, DSM, deposit contract.
    function systemEther() public view returns (uint256) {
        return address(pool).balance + address(withdrawalVault).balance + address(elRewardsVault).balance
            + address(queue).balance + address(registry).balance + address(router).balance
            + address(money.dsm()).balance + depositContract.balance;
    }

    function requestCount() external view returns (uint256) {
        return requestIds.length;
    }

    function actor(uint256 seed) public view returns (address) {
        return money.actors(seed % money.actorCount());
    }

    // ================================================================================ stakers (MoneyHandler)
    /// @notice Stakes 1 wei .. 1000 ETH (at least what buys one share at the current rate).
    function stake(uint256 actorSeed, uint256 amount) external {
        amount = _bound(amount, 1, MAX_STAKE);
        uint256 oneShare = _ceilDiv(pool.totalPooledEther(), pool.totalSupply());
        if (amount < oneShare) amount = oneShare;
        uint256 parts = _ceilDiv(amount, MONEY_HANDLER_MAX_STAKE);
        for (uint256 i; i < parts; ++i) {
            uint256 part = amount / parts + (i == 0 ? amount % parts : 0);
            money.stake(actorSeed, part - 1); // MoneyHandler bounds x to 1 + x % 200 ETH
        }
        ++calls["stake"];
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        money.transfer(fromSeed, toSeed, amount);
        ++calls["transfer"];
    }

    /// @notice ETH forced into the pool (selfdestruct, coinbase): counted in, ignored by the pool's books.
    function donate(uint256 amount) external {
        money.donate(amount);
        ++calls["donate"];
    }

    // ================================================================================ operators (MoneyHandler)
    function registerOperator(uint256 bond) external {
        money.registerOperator(bond);
        ++calls["registerOperator"];
    }

    function createCluster(uint256 seed) external {
        money.createCluster(seed);
        ++calls["createCluster"];
    }

    /// @notice A cluster adds a batch of keys and every member confirms it.
    function addConfirmedKeys(uint256 clusterSeed, uint256 count) external {
        money.addKeys(clusterSeed, count);
        money.confirmAll(clusterSeed);
        ++calls["addConfirmedKeys"];
    }

    /// @notice A bond top-up; it pays the operator's bond debt first, and that part goes to the pool.
    function topUpBond(uint256 opSeed, uint256 amount) external {
        uint256 before = address(pool).balance;
        money.topUpBond(opSeed, amount);
        ghostDebtRepaid += address(pool).balance - before;
        ++calls["topUpBond"];
    }

    function withdrawBond(uint256 opSeed, uint256 amount) external {
        money.withdrawBond(opSeed, amount);
        ++calls["withdrawBond"];
    }

    /// @notice The keeper deposits buffered ETH to validators with the guardians' attestation.
    function deposit() external {
        money.deposit();
        ++calls["deposit"];
    }

    /// @notice An operator's reward shares go to its reward address (skipped while it has debt or nothing).
    function claimRewards(uint256 opSeed) external {
        uint256 n = registry.getOperatorCount();
        if (n == 0) return;
        uint256 id = 1 + opSeed % n;
        (uint256 claimable,) = registry.getOperatorRewards(id);
        if (claimable == 0 || registry.getBondDebt(id) > 0) return;
        try registry.claimRewards(id) {}
        catch (bytes memory reason) {
            _unexpected("claimRewards", reason);
        }
        ++calls["claimRewards"];
    }

    // ================================================================================ the chain
    /// @notice EIP-4895 sweep: the beacon chain moves `amount` of the validators' balance to the WithdrawalVault
    ///         (skimmed rewards or an exit). No code runs, hence `vm.deal`.
    function sweep(uint256 amount) external {
        if (beaconModel == 0) return;
        amount = _bound(amount, 1, beaconModel);
        _sweep(amount);
        ++calls["sweep"];
    }

    /// @notice Priority fees and MEV land in the ExecutionRewardsVault (the fee recipient).
    function elRewards(uint256 amount) external {
        amount = _bound(amount, 1, MAX_EL_INFLOW);
        vm.deal(address(elRewardsVault), address(elRewardsVault).balance + amount);
        ghostVaultInflows += amount;
        ++calls["elRewards"];
    }

    function _sweep(uint256 amount) private {
        beaconModel -= amount;
        vm.deal(address(withdrawalVault), address(withdrawalVault).balance + amount);
        ghostVaultInflows += amount;
    }

    // ================================================================================ withdrawals
    /// @notice An actor locks 1..3 parts of its dvETH in requests (each within the queue's ETH limits), owned by
    ///         itself or another actor; no allowance (the queue pulls the caller's shares through the pool). A
    ///         single request for itself goes through `requestWithdrawal`, the rest through the batch.
    function requestWithdrawals(uint256 actorSeed, uint256 ownerSeed, uint256 sharesSeed, uint256 count) external {
        address a = actor(actorSeed);
        address owner = ownerSeed % 4 == 0 ? actor(ownerSeed >> 2) : a;
        (uint256[] memory shares,) = _requestSizes(pool.balanceOf(a), sharesSeed, count);
        if (shares.length == 0) return;
        uint256 poolRate = pool.shareRate();
        vm.prank(a);
        if (shares.length == 1 && owner == a) {
            try queue.requestWithdrawal(shares[0]) returns (uint256 id) {
                uint256[] memory ids = new uint256[](1);
                ids[0] = id;
                _recordRequests(ids, shares, owner, poolRate);
            } catch (bytes memory reason) {
                _unexpected("requestWithdrawal", reason);
            }
        } else {
            try queue.requestWithdrawals(shares, owner) returns (uint256[] memory ids) {
                _recordRequests(ids, shares, owner, poolRate);
            } catch (bytes memory reason) {
                _unexpected("requestWithdrawals", reason);
            }
        }
        ++calls["requestWithdrawals"];
    }

    /// @dev 1..3 share amounts out of `balance`, each worth between the queue's min and max at its request rate.
    function _requestSizes(uint256 balance, uint256 seed, uint256 count)
        private
        view
        returns (uint256[] memory shares, uint256 total)
    {
        uint256 rate = queue.requestShareRate();
        (uint256 minEther, uint256 maxEther) = queue.requestLimits();
        uint256 minShares = _ceilDiv(minEther * RATE_PRECISION, rate);
        uint256 maxShares = maxEther * RATE_PRECISION / rate;
        count = _bound(count, 1, MAX_REQUESTS_PER_CALL);
        if (balance < count * minShares) count = balance / minShares;
        shares = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            uint256 room = balance - total - (count - 1 - i) * minShares;
            shares[i] = _bound(uint256(keccak256(abi.encode(seed, i))), minShares, room < maxShares ? room : maxShares);
            total += shares[i];
        }
    }

    function _recordRequests(uint256[] memory ids, uint256[] memory shares, address owner, uint256 poolRate) private {
        IWithdrawalQueue.WithdrawalRequestStatus[] memory st = queue.getWithdrawalStatus(ids);
        for (uint256 i; i < ids.length; ++i) {
            uint256 id = ids[i];
            requestIds.push(id);
            requestShares[id] = shares[i];
            // a request's value is defined from cumulative shares (WithdrawalMath): its shares' value at the
            // request rate rounded down, or 1 wei more; never above the exact value rounded up
            requestValueCap[id] = _ceilDiv(shares[i] * poolRate, RATE_PRECISION);
            if (st[i].shares != shares[i] || st[i].etherAtRequest > requestValueCap[id] || st[i].owner != owner) {
                ++ghostOvervaluedRequests;
            }
        }
    }

    /// @notice An NFT owner gives an unclaimed request (and the right to claim it) to another actor.
    function transferRequest(uint256 pick, uint256 toSeed) external {
        uint256 n = requestIds.length;
        if (n == 0) return;
        uint256 id = requestIds[pick % n];
        if (claimed[id]) return;
        address owner = queue.ownerOf(id);
        address to = actor(toSeed);
        vm.prank(owner);
        try queue.transferFrom(owner, to, id) {}
        catch (bytes memory reason) {
            _unexpected("transferRequest", reason);
        }
        ++calls["transferRequest"];
    }

    /// @notice An actor claims up to five of its finalized requests: one by one (on-chain hint search) or in a
    ///         batch with hints from `findCheckpointHints`. Each payment is checked against its cap.
    function claim(uint256 actorSeed, uint256 mode) external {
        address a = actor(actorSeed);
        uint256[] memory ids = _claimableOf(a);
        if (ids.length == 0) return;
        uint256[] memory hints = queue.findCheckpointHints(ids, 1, queue.lastCheckpointIndex());
        uint256[] memory expected = queue.getClaimableEther(ids, hints);
        IWithdrawalQueue.WithdrawalRequestStatus[] memory st = queue.getWithdrawalStatus(ids);
        for (uint256 i; i < ids.length; ++i) {
            if (expected[i] > _cap(ids[i], st[i].etherAtRequest)) ++ghostCapViolations;
        }
        if (mode % 2 == 0) {
            for (uint256 i; i < ids.length; ++i) {
                uint256 before = a.balance;
                vm.prank(a);
                try queue.claimWithdrawal(ids[i]) {
                    _paid(ids[i], a.balance - before, expected[i], st[i].etherAtRequest);
                } catch (bytes memory reason) {
                    _unexpected("claimWithdrawal", reason);
                }
            }
        } else {
            address recipient = actor(mode >> 1);
            uint256 before = recipient.balance;
            vm.prank(a);
            try queue.claimWithdrawalsTo(ids, hints, recipient) {
                uint256 paid = recipient.balance - before;
                uint256 sum;
                for (uint256 i; i < ids.length; ++i) {
                    sum += expected[i];
                    claimed[ids[i]] = true;
                }
                ghostClaimed += paid;
                if (paid != sum) ++ghostClaimMismatches;
            } catch (bytes memory reason) {
                _unexpected("claimWithdrawalsTo", reason);
            }
        }
        ++calls["claim"];
    }

    function _paid(uint256 id, uint256 paid, uint256 expected, uint256 etherAtRequest) private {
        claimed[id] = true;
        ghostClaimed += paid;
        if (paid != expected) ++ghostClaimMismatches;
        if (paid > _cap(id, etherAtRequest)) ++ghostCapViolations;
    }

    /// @notice The most request `id` may ever pay: min(ETH at request as the queue stored it, its shares × the
    ///         pool's rate at request, its shares × the rate the report simulated when it finalized it).
    function claimCap(uint256 id, uint256 etherAtRequest) external view returns (uint256) {
        return _cap(id, etherAtRequest);
    }

    function _cap(uint256 id, uint256 etherAtRequest) private view returns (uint256 cap) {
        cap = etherAtRequest < requestValueCap[id] ? etherAtRequest : requestValueCap[id];
        uint256 atFinalization = requestShares[id] * finalizationRateCap[id] / RATE_PRECISION;
        if (atFinalization < cap) cap = atFinalization;
    }

    /// @dev Finalized, unclaimed requests `a` owns, ascending, at most MAX_CLAIMS_PER_CALL.
    function _claimableOf(address a) private view returns (uint256[] memory ids) {
        uint256 lastFinalized = queue.lastFinalizedRequestId();
        ids = new uint256[](MAX_CLAIMS_PER_CALL);
        uint256 found;
        for (uint256 i; i < requestIds.length && found < MAX_CLAIMS_PER_CALL; ++i) {
            uint256 id = requestIds[i];
            if (id > lastFinalized || claimed[id] || queue.ownerOf(id) != a) continue;
            ids[found++] = id;
        }
        assembly {
            mstore(ids, found)
        }
    }

    // ================================================================================ DVT module: exits
    /// @notice A keeper (EXIT_REQUESTER_ROLE, daily limit) asks a cluster to exit some active validators.
    function requestExits(uint256 clusterSeed, uint256 count) external {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0) return;
        uint256 id = 1 + clusterSeed % clusters;
        OperatorRegistry.Cluster memory c = registry.getCluster(id);
        uint256 requested = registry.getClusterEconomics(id).exitsRequested;
        uint256 from = requested > c.exitedKeys ? requested : c.exitedKeys;
        if (from >= c.depositedKeys) return;
        count = _bound(count, 1, c.depositedKeys - from);
        (,, uint256 left) = registry.getExitParams();
        if (left == 0) return;
        if (count > left) count = left;
        uint256[] memory ids = new uint256[](1);
        uint256[] memory counts = new uint256[](1);
        (ids[0], counts[0]) = (id, count);
        vm.prank(keeper);
        try registry.requestExits(ids, counts) {}
        catch (bytes memory reason) {
            _unexpected("requestExits", reason);
        }
        ++calls["requestExits"];
    }

    /// @notice A keeper forces out a key past its exit deadline through EIP-7002, paying the fee (plus some
    ///         excess, which must come back); the cluster pays the late-exit penalty to the pool.
    function forceLateExit(uint256 clusterSeed, uint256 extra) external {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0) return;
        (uint256[] memory ids, uint256[] memory keys,) = registry.getLateExits(1 + clusterSeed % clusters, 1);
        if (ids.length == 0) (ids, keys,) = registry.getLateExits(1, 1);
        if (ids.length == 0) return;
        uint256 fee = withdrawalVault.exitRequestFee();
        extra = _bound(extra, 0, MAX_EXTRA_EXIT_FEE);
        vm.deal(keeper, keeper.balance + fee + extra);
        uint256 keeperBefore = keeper.balance;
        uint256 poolBefore = address(pool).balance;
        vm.prank(keeper);
        try registry.forceLateExit{value: fee + extra}(ids[0], keys[0]) {
            ghostPenaltiesCollected += address(pool).balance - poolBefore;
            ghostExitFees += fee;
            if (keeper.balance != keeperBefore - fee) ++ghostRefundErrors;
        } catch (bytes memory reason) {
            _unexpected("forceLateExit", reason);
        }
        ++calls["forceLateExit"];
    }

    // ================================================================================ oracle report
    /// @notice One frame's report through the real committee: time passes (1..46 frames), the module gets its
    ///         per-cluster news (exits — swept to the vault —, slashings, missed duties, stolen EL rewards), the
    ///         beacon balance moves by a reward or a loss inside the SanityChecker's limits for the elapsed time,
    ///         the vaults are pulled, and the requests the buffer can pay are finalized at the simulated rate.
    function report(uint256 timeSeed, uint256 newsSeed, uint256 balanceSeed, uint256 voteSeed) external {
        Plan memory p;
        _advanceFrames(p, timeSeed);
        _appear(p, timeSeed >> 64);
        _clusterNews(p, newsSeed);
        _exitRequests(p, newsSeed >> 160);
        _balanceChange(p, balanceSeed);
        _simulate(p);
        _submit(p, balanceSeed >> 192, voteSeed);
        ++calls["report"];
    }

    function _advanceFrames(Plan memory p, uint256 seed) private {
        (uint256 slotsPerEpoch, uint256 secondsPerSlot,) = hashConsensus.getChainConfig();
        (uint256 initialEpoch, uint256 epochsPerFrame) = hashConsensus.getFrameConfig();
        uint256 frames = 1 + _bound(seed, 0, MAX_SKIPPED_FRAMES);
        vm.warp(block.timestamp + frames * epochsPerFrame * slotsPerEpoch * secondsPerSlot);
        vm.roll(block.number + frames * epochsPerFrame * slotsPerEpoch);
        (p.refSlot,) = hashConsensus.getCurrentFrame();
        uint256 previous = accountingOracle.getLastReportRefSlot();
        if (previous == 0) previous = initialEpoch * slotsPerEpoch - 1; // as AccountingOracle._timeElapsed
        p.timeElapsed = (p.refSlot - previous) * secondsPerSlot;
    }

    /// @dev Deposited validators appear on the beacon chain with 32 ETH each (usually all, sometimes some).
    function _appear(Plan memory p, uint256 seed) private {
        uint256 deposited;
        uint256 reportedBalance;
        (deposited, p.seen, reportedBalance) = pool.getBeaconStat();
        uint256 pending = deposited - p.seen;
        p.newSeen = p.seen + (seed % 4 == 3 ? _bound(seed >> 2, 0, pending) : pending);
        p.expected = reportedBalance + (p.newSeen - p.seen) * pool.DEPOSIT_SIZE();
        beaconModel += (p.newSeen - p.seen) * pool.DEPOSIT_SIZE();
    }

    /// @dev The module's part of the report (one random cluster, or none); exited validators' balances were swept
    ///      to the WithdrawalVault by the reference slot.
    function _clusterNews(Plan memory p, uint256 seed) private {
        p.clusterReports = _clusterReport(p, seed);
        uint256 exitedBalance = p.exited * pool.DEPOSIT_SIZE();
        if (exitedBalance > beaconModel) exitedBalance = beaconModel;
        if (exitedBalance > 0) _sweep(exitedBalance);
    }

    /// @dev Sometimes the oracle asks one cluster to exit some of its active validators not yet asked.
    function _exitRequests(Plan memory p, uint256 seed) private view {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0 || seed % 4 != 1) return;
        uint256 id = 1 + (seed >> 2) % clusters;
        OperatorRegistry.Cluster memory c = registry.getCluster(id);
        uint256 exitedAfter = c.exitedKeys;
        if (p.clusterReports.length > 0 && p.clusterReports[0].clusterId == id) exitedAfter += p.exited;
        uint256 requested = registry.getClusterEconomics(id).exitsRequested;
        uint256 from = requested > exitedAfter ? requested : exitedAfter;
        if (from >= c.depositedKeys) return;
        (p.exitClusterIds, p.exitCounts) = (new uint256[](1), new uint256[](1));
        (p.exitClusterIds[0], p.exitCounts[0]) = (id, _bound(seed >> 8, 1, c.depositedKeys - from));
    }

    /// @dev Exits (of validators that appeared), slashings, missed duties and stolen EL rewards of one cluster.
    function _clusterReport(Plan memory p, uint256 seed) private view returns (IDvtModule.ClusterReport[] memory r) {
        uint256 clusters = registry.getClusterCount();
        if (clusters == 0 || seed % 3 == 0) return r;
        uint256 id = 1 + (seed >> 2) % clusters;
        OperatorRegistry.Cluster memory c = registry.getCluster(id);
        (uint256 moduleExited,) = registry.getValidatorCounts();
        uint256 canExit = c.depositedKeys - c.exitedKeys;
        if (p.newSeen - moduleExited < canExit) canExit = p.newSeen - moduleExited;
        p.exited = (seed >> 8) % 3 == 0 ? _bound(seed >> 10, 0, canExit) : 0;
        uint256 active = c.depositedKeys - c.exitedKeys - p.exited;
        p.slashed = (seed >> 40) % 8 == 0 ? _bound(seed >> 43, 0, active < MAX_SLASHED_PER_REPORT ? active : MAX_SLASHED_PER_REPORT) : 0;
        r = new IDvtModule.ClusterReport[](1);
        r[0] = IDvtModule.ClusterReport({
            clusterId: id,
            exitedTotal: c.exitedKeys + p.exited,
            newlySlashed: p.slashed,
            missedDutyBps: (seed >> 80) % 4 == 0 ? _bound(seed >> 82, 0, BASIS_POINTS) : _bound(seed >> 82, 0, 1_000),
            stolenExecutionRewards: (seed >> 120) % 8 == 0 ? _bound(seed >> 123, 1, MAX_STOLEN) : 0
        });
    }

    /// @dev A reward or a loss on the beacon balance, and EL rewards, as large as the limits allow at most.
    ///      expected (zero rewards) = reported balance + 32 ETH × appeared = beaconModel + WithdrawalVault balance.
    function _balanceChange(Plan memory p, uint256 seed) private {
        SanityChecker.Limits memory l = sanityChecker.getLimits();
        p.preTotal = pool.totalPooledEther(); // penalties wait in the pool and are released after the accounting
        p.wv = address(withdrawalVault).balance;
        uint256 maxRebase = uint256(l.maxPositiveRebase) * p.preTotal / sanityChecker.REBASE_PRECISION();
        uint256 elBalance = address(elRewardsVault).balance;
        if (seed % 3 != 2) {
            // reward: annualised growth and one-report rebase
            uint256 maxGrowth = uint256(l.maxAnnualBeaconBalanceGrowthBP) * p.expected * p.timeElapsed
                / (sanityChecker.SECONDS_PER_YEAR() * BASIS_POINTS);
            if (maxGrowth > maxRebase) maxGrowth = maxRebase;
            p.gain = (seed >> 2) % 4 == 0 ? maxGrowth : _bound(seed >> 4, 0, maxGrowth);
            beaconModel += p.gain;
            p.el = _pickEl(elBalance, maxRebase - p.gain, seed >> 96);
        } else {
            // loss: the unexplained-drop limit plus what the slashings explain
            uint256 maxLoss = uint256(l.maxUnexplainedBalanceDropBP) * p.expected / BASIS_POINTS
                + p.slashed * uint256(l.maxLossPerSlashedValidator);
            if (maxLoss > beaconModel) maxLoss = beaconModel;
            p.loss = (seed >> 2) % 4 == 0 ? maxLoss : _bound(seed >> 4, 0, maxLoss);
            beaconModel -= p.loss;
            p.el = _pickEl(elBalance, maxRebase + p.loss, seed >> 96);
        }
    }

    /// @dev The oracle usually pulls all it may; sometimes less.
    function _pickEl(uint256 balance, uint256 allowed, uint256 seed) private pure returns (uint256) {
        uint256 el = balance < allowed ? balance : allowed;
        return seed % 4 == 0 ? _bound(seed >> 2, 0, el) : el;
    }

    /// @dev The rate the pool will have after the report and its fee, before finalization (exactly as the pool
    ///      computes it), and the buffer finalization may use.
    function _simulate(Plan memory p) private view {
        int256 change = int256(p.gain) - int256(p.loss) + int256(p.el);
        uint256 postEther = uint256(int256(p.preTotal) + change);
        uint256 shares = pool.totalSupply();
        if (change > 0) {
            (,,, uint256 totalFee) = router.getFeeDistribution();
            uint256 feeEther = uint256(change) * totalFee / FEE_PRECISION;
            shares += feeEther * shares / (postEther - feeEther);
        }
        p.simRate = postEther * RATE_PRECISION / shares;
        p.available = pool.getBufferedEther() + p.wv + p.el;
    }

    function _submit(Plan memory p, uint256 finalizeSeed, uint256 voteSeed) private {
        AccountingOracle.ReportData memory data;
        data.consensusVersion = hashConsensus.getConsensusVersion();
        data.refSlot = p.refSlot;
        data.beaconValidators = p.newSeen;
        data.beaconBalance = beaconModel;
        data.slashedDelta = p.slashed;
        data.exitedDelta = p.exited;
        data.withdrawalVaultBalance = p.wv;
        data.elRewardsVaultBalance = p.el;
        data.simulatedShareRate = p.simRate;
        data.withdrawalFinalizationBatches = _finalizationBatches(p, finalizeSeed);
        data.clusterReports = p.clusterReports;
        data.exitRequestClusterIds = p.exitClusterIds;
        data.exitRequestCounts = p.exitCounts;
        _vote(data, voteSeed);

        uint256 version = accountingOracle.getContractVersion();
        uint256 lastFinalized = queue.lastFinalizedRequestId();
        uint256 queueBefore = address(queue).balance;
        uint256 registryBefore = address(registry).balance;
        uint256 rateBefore = pool.shareRate();
        vm.prank(oracleMembers[(voteSeed >> 4) % 3]);
        try accountingOracle.submitReportData(data, version) {
            uint256 penalties = registryBefore - address(registry).balance; // bond ETH the cluster news took
            ghostPenaltiesCollected += penalties;
            _checkRate(
                p,
                [rateBefore, pool.shareRate()],
                data.withdrawalFinalizationBatches.length,
                penalties,
                queue.lastFinalizedRequestId() - lastFinalized
            );
            ghostLocked += address(queue).balance - queueBefore;
            ghostReportedChange += int256(p.gain) - int256(p.loss) + int256(p.el);
            uint256 nowFinalized = queue.lastFinalizedRequestId();
            for (uint256 id = lastFinalized + 1; id <= nowFinalized; ++id) finalizationRateCap[id] = p.simRate;
            ghostFinalizedRequests += nowFinalized - lastFinalized;
            ++ghostReports;
        } catch (bytes memory reason) {
            _unexpected("submitReportData", reason);
        }
    }

    /// @dev What the oracle finalizes: usually all the buffer can pay; sometimes it keeps some back, or none.
    function _finalizationBatches(Plan memory p, uint256 seed) private view returns (uint256[] memory batches) {
        if (queue.lastRequestId() == queue.lastFinalizedRequestId() || seed % 8 == 0) return batches;
        uint256 available = seed % 8 == 1 ? _bound(seed >> 3, 0, p.available) : p.available;
        (batches,,) = queue.calculateFinalizationBatches(p.simRate, available, block.timestamp);
    }

    /// @dev Two of the three members vote the report's hash (consensus at the second vote).
    function _vote(AccountingOracle.ReportData memory data, uint256 seed) private {
        bytes32 hash = keccak256(abi.encode(data));
        uint256 first = seed % 3;
        uint256 second = (first + 1 + (seed >> 2) % 2) % 3;
        vm.prank(oracleMembers[first]);
        hashConsensus.submitReport(data.refSlot, hash, data.consensusVersion);
        vm.prank(oracleMembers[second]);
        hashConsensus.submitReport(data.refSlot, hash, data.consensusVersion);
    }

    /// @dev Upward: at most the max positive rebase. Downward: at most the unexplained drop on the expected
    ///      balance plus `maxLossPerSlashedValidator` per slashing, relative to the pooled ether the report
    ///      started from; the queue's lock may round up by one wei per finalized batch.
    function _checkRate(Plan memory p, uint256[2] memory rates, uint256 batches, uint256 penalties, uint256 finalized)
        private
    {
        (uint256 before, uint256 afterRate) = (rates[0], rates[1]);
        SanityChecker.Limits memory l = sanityChecker.getLimits();
        uint256 precision = sanityChecker.REBASE_PRECISION();
        if (afterRate > before) {
            uint256 ppb = (afterRate - before) * precision / before;
            if (ppb > ghostMaxRateUpPpb) ghostMaxRateUpPpb = ppb;
            // after ≤ (before + 1) × (1 + maxPositiveRebase): `before` is rounded down by at most one unit
            uint256 bound = (before + 1) * (precision + l.maxPositiveRebase) / precision + 1;
            if (afterRate > bound) {
                if (finalized == 0) ++ghostRateUpViolationsWithoutFinalization;
                if (ghostRateUpViolations++ == 0) firstRateViolation = [before, afterRate, bound, penalties, finalized];
            }
        } else if (afterRate < before) {
            uint256 allowedDrop = uint256(l.maxUnexplainedBalanceDropBP) * p.expected / BASIS_POINTS
                + p.slashed * uint256(l.maxLossPerSlashedValidator);
            uint256 rounding = (batches + 1) * RATE_PRECISION / pool.totalSupply() + 1;
            uint256 bound = (before + 1) * allowedDrop / p.preTotal + rounding;
            if (before - afterRate > bound) {
                if (ghostRateDownViolations++ == 0) {
                    firstRateViolation = [before, afterRate, before - bound, penalties, finalized];
                }
            }
        }
    }

    // ================================================================================ internals
    function _unexpected(string memory action, bytes memory reason) private {
        if (ghostUnexpectedReverts++ == 0) {
            firstUnexpectedRevert = reason;
            firstUnexpectedRevertAction = action;
        }
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        if (x >= min && x <= max) return x;
        if (max - min == type(uint256).max) return x;
        return min + x % (max - min + 1);
    }

    function _ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
