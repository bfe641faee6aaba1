// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {SystemHandler} from "./SystemHandler.sol";
import {MoneyHandler} from "../staking/MoneyHandler.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {IDvtModule} from "../../src/interfaces/IDvtModule.sol";
import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";

/// @notice Invariants of the whole money system (issue #3 §4) under random sequences of stakes, transfers, keeper
///         deposits, oracle reports through the real committee (rewards and losses inside the sanity bounds,
///         vault inflows, withdrawal finalization), withdrawal requests, NFT transfers, claims, and the DVT
///         module's penalties, exits, forced late exits, rewards, bond top-ups and withdrawals (`SystemHandler`).
///
///   ETH in ─┬─ stakes ─────────────▶ pool ───32 ETH───▶ deposit contract
///           ├─ forced ETH ─────────▶ pool
///           ├─ bonds, top-ups ─────▶ registry ──penalties, debt repaid──▶ pool
///           └─ sweeps, EL rewards ─▶ WithdrawalVault, EL vault ──reports──▶ pool ──finalization──▶ queue
///   ETH out ◀─ claims (queue), bond withdrawals (registry)
///
///   conservation: pool + vaults + queue + registry + router + DSM + deposit contract = in − out   (to the wei)
///
/// Profiles: CI runs a short campaign (inline config below: 24 runs × depth 32 per invariant); `npm run test:deep`
/// (FOUNDRY_PROFILE=deep) runs the deep one, 10,000 runs × depth 50 as foundry.toml's deep profile says (forge
/// 1.7.1 applies `default.*` inline settings under every profile, hence the explicit `deep.*` lines).
contract SystemInvariantsTest is ShoalFixture {
    SystemHandler internal handler;
    MoneyHandler internal money;

    function setUp() public {
        setUpShoal();
        handler = new SystemHandler(
            SystemHandler.System({
                pool: pool,
                router: router,
                registry: registry,
                dsm: dsm,
                withdrawalVault: withdrawalVault,
                elRewardsVault: elRewardsVault,
                queue: withdrawalQueue,
                sanityChecker: sanityChecker,
                hashConsensus: hashConsensus,
                accountingOracle: accountingOracle,
                moduleId: moduleId,
                depositContract: DEPOSIT_CONTRACT
            }),
            guardianKeys,
            oracleMembers
        );
        money = handler.money();
        // the handler's keeper requests exits within the keepers' daily limit
        bytes32 exitRequester = registry.EXIT_REQUESTER_ROLE();
        address keeper = handler.keeper();
        vm.prank(admin);
        registry.grantRole(exitRequester, keeper);

        // a running start: six bonded operators, a cluster with confirmed keys, stake, validators on the chain
        for (uint256 i; i < 6; ++i) handler.registerOperator(4 ether);
        handler.createCluster(0);
        handler.addConfirmedKeys(0, 4);
        handler.stake(0, 100 ether);
        handler.stake(1, 60 ether);
        handler.deposit();
        handler.report(0, 0, 0, 0);

        targetContract(address(handler));
        bytes4[] memory s = new bytes4[](26);
        s[0] = SystemHandler.stake.selector;
        s[1] = SystemHandler.stake.selector;
        s[2] = SystemHandler.transfer.selector;
        s[3] = SystemHandler.donate.selector;
        s[4] = SystemHandler.registerOperator.selector;
        s[5] = SystemHandler.createCluster.selector;
        s[6] = SystemHandler.addConfirmedKeys.selector;
        s[7] = SystemHandler.addConfirmedKeys.selector;
        s[8] = SystemHandler.topUpBond.selector;
        s[9] = SystemHandler.withdrawBond.selector;
        s[10] = SystemHandler.deposit.selector;
        s[11] = SystemHandler.deposit.selector;
        s[12] = SystemHandler.claimRewards.selector;
        s[13] = SystemHandler.sweep.selector;
        s[14] = SystemHandler.elRewards.selector;
        s[15] = SystemHandler.requestWithdrawals.selector;
        s[16] = SystemHandler.requestWithdrawals.selector;
        s[17] = SystemHandler.transferRequest.selector;
        s[18] = SystemHandler.claim.selector;
        s[19] = SystemHandler.claim.selector;
        s[20] = SystemHandler.requestExits.selector;
        s[21] = SystemHandler.forceLateExit.selector;
        s[22] = SystemHandler.report.selector;
        s[23] = SystemHandler.report.selector;
        s[24] = SystemHandler.report.selector;
        s[25] = SystemHandler.elRewards.selector;
        targetSelector(FuzzSelector(address(handler), s));
    }

    // ============================================================================ invariants
    /// @dev Forge runs one campaign per invariant function, so every check here runs after every call of one
    ///      campaign. The rate bound has its own campaign so that a violation of it cannot end the runs that
    ///      check everything else (and vice versa).
    /// forge-config: default.invariant.runs = 24
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.runs = 10000
    /// forge-config: deep.invariant.depth = 50
    function invariant_moneySystem() public view {
        _checkNoValidActionRefused();
        _checkEthConservation();
        _checkPooledEtherIdentity();
        _checkQueueSolvency();
        _checkClaimCaps();
        _checkBonds();
        _checkRewardsSolvency();
        _checkSupply();
        _checkBeaconModel();
    }

    /// forge-config: default.invariant.runs = 24
    /// forge-config: default.invariant.depth = 32
    /// forge-config: deep.invariant.runs = 10000
    /// forge-config: deep.invariant.depth = 50
    function invariant_reportMovesRateWithinSanityBounds() public view {
        _checkRateBound();
    }

    // ============================================================================ ETH
    /// Every wei is in the pool, a vault, the queue (locked), the registry (bonds) or the deposit contract, or it
    /// was paid out (claims, bond withdrawals) — exactly.
    function _checkEthConservation() internal view {
        uint256 ethIn = handler.ghostBaseline() + money.ghostStaked() + money.ghostDonated() + money.ghostBondIn()
            + handler.ghostVaultInflows();
        uint256 ethOut = handler.ghostClaimed() + money.ghostBondOut();
        vm.assertEq(handler.systemEther(), ethIn - ethOut, "ETH conservation: system balances == ghost in - ghost out");
        vm.assertEq(address(router).balance, 0, "the router keeps no ETH");
        vm.assertEq(address(dsm).balance, 0, "the DSM keeps no ETH");
        (uint256 deposited,,) = pool.getBeaconStat();
        vm.assertEq(DEPOSIT_CONTRACT.balance, deposited * pool.DEPOSIT_SIZE(), "deposit contract == 32 ETH x deposited");
    }

    /// totalPooledEther = buffered + beacon + transient; the pool holds the buffer (and, on top, penalties it has
    /// not yet released into the rate, and forced ETH); pooled ether is exactly what was staked, earned, lost,
    /// released from penalties and finalized.
    function _checkPooledEtherIdentity() internal view {
        (uint256 deposited, uint256 seen, uint256 beaconBalance) = pool.getBeaconStat();
        vm.assertLe(seen, deposited, "seen validators <= deposited");
        vm.assertEq(pool.getTransientEther(), (deposited - seen) * pool.DEPOSIT_SIZE(), "transient == 32 ETH x unseen");
        uint256 buffered = pool.getBufferedEther();
        vm.assertEq(
            pool.totalPooledEther(),
            buffered + beaconBalance + pool.getTransientEther(),
            "pooled-ether identity: totalPooledEther == buffered + beaconBalance + transient"
        );
        vm.assertGe(address(pool).balance, buffered, "pool ETH balance >= buffered");
        uint256 pendingPenalties = pool.getPendingPenalties();
        vm.assertEq(
            address(pool).balance,
            buffered + pendingPenalties + money.ghostDonated(),
            "pool ETH == buffered + penalties not yet released + forced ETH"
        );
        uint256 released = handler.ghostPenaltiesCollected() + handler.ghostDebtRepaid() - pendingPenalties;
        int256 expected = int256(pool.BOOTSTRAP_DEPOSIT() + money.ghostStaked()) + handler.ghostReportedChange()
            + int256(released) - int256(handler.ghostLocked());
        vm.assertTrue(
            int256(pool.totalPooledEther()) == expected,
            string.concat(
                "pooled == staked + reported change + released penalties - locked for withdrawals: expected ",
                vm.toString(uint256(expected))
            )
        );
    }

    // ============================================================================ queue
    /// Σ claimable of finalized, unclaimed requests ≤ lockedEther ≤ queue balance (= locked: nothing else reaches
    /// the queue); the queue holds exactly the shares of unfinalized requests.
    function _checkQueueSolvency() internal view {
        uint256 lastFinalized = withdrawalQueue.lastFinalizedRequestId();
        uint256 owed;
        for (uint256 i; i < handler.requestCount(); ++i) {
            uint256 id = handler.requestIds(i);
            if (id > lastFinalized || handler.claimed(id)) continue;
            owed += withdrawalQueue.claimableEther(id);
        }
        uint256 locked = withdrawalQueue.lockedEther();
        vm.assertLe(owed, locked, "queue solvency: sum of claimable of finalized requests <= lockedEther");
        vm.assertLe(locked, address(withdrawalQueue).balance, "queue solvency: lockedEther <= queue balance");
        vm.assertEq(address(withdrawalQueue).balance, locked, "queue ETH == lockedEther");
        vm.assertEq(locked, handler.ghostLocked() - handler.ghostClaimed(), "locked == finalized - claimed");
        vm.assertEq(
            pool.balanceOf(address(withdrawalQueue)),
            withdrawalQueue.unfinalizedShares(),
            "queue dvETH == shares of unfinalized requests"
        );
    }

    /// No request is (or can be) paid more than min(ETH at request, shares × finalization rate).
    function _checkClaimCaps() internal view {
        vm.assertEq(handler.ghostCapViolations(), 0, "caps: a claim paid more than its cap");
        vm.assertEq(handler.ghostClaimMismatches(), 0, "caps: a claim paid other than the queue's claimable view");
        vm.assertEq(handler.ghostOvervaluedRequests(), 0, "caps: a request was valued above its shares' worth");
        uint256 lastFinalized = withdrawalQueue.lastFinalizedRequestId();
        uint256 n = handler.requestCount();
        uint256[] memory ids = new uint256[](1);
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.requestIds(i);
            if (id > lastFinalized || handler.claimed(id)) continue;
            ids[0] = id;
            IWithdrawalQueue.WithdrawalRequestStatus memory st = withdrawalQueue.getWithdrawalStatus(ids)[0];
            vm.assertLe(withdrawalQueue.claimableEther(id), handler.claimCap(id, st.etherAtRequest), "caps: claimable above cap");
        }
    }

    // ============================================================================ bonds
    /// The registry holds exactly the bonds; bonds are what went in minus withdrawals and penalties; an operator
    /// short of bond carries debt instead of a negative bond; debt = charged − collected − repaid.
    function _checkBonds() internal view {
        uint256 bonds;
        uint256 debts;
        for (uint256 id = 1; id <= registry.getOperatorCount(); ++id) {
            uint256 bond = registry.getOperator(id).bond;
            uint256 debt = registry.getBondDebt(id);
            if (bond > 0) vm.assertEq(debt, 0, "bonds: an operator with bond carries no debt");
            bonds += bond;
            debts += debt;
        }
        vm.assertEq(address(registry).balance, bonds, "bonds: registry balance == sum of bonds");
        vm.assertEq(
            bonds,
            money.ghostBondIn() - money.ghostBondOut() - handler.ghostPenaltiesCollected() - handler.ghostDebtRepaid(),
            "bonds: sum of bonds == in - withdrawn - penalties collected - debt repaid"
        );
        uint256 charged;
        uint256 collected;
        for (uint256 id = 1; id <= registry.getClusterCount(); ++id) {
            IDvtModule.ClusterEconomics memory e = registry.getClusterEconomics(id);
            charged += e.penaltiesCharged;
            collected += e.penaltiesCollected;
        }
        vm.assertEq(collected, handler.ghostPenaltiesCollected(), "bonds: penalties collected == ETH the pool received");
        vm.assertEq(debts, charged - collected - handler.ghostDebtRepaid(), "bonds: debt == charged - collected - repaid");
    }

    /// The module can pay every operator's rewards: Σ claimable + undistributed ≤ its dvETH.
    function _checkRewardsSolvency() internal view {
        uint256 owed;
        for (uint256 id = 1; id <= registry.getOperatorCount(); ++id) {
            (uint256 claimable,) = registry.getOperatorRewards(id);
            owed += claimable;
        }
        (,, uint256 undistributed,) = registry.getRewardsState();
        vm.assertLe(owed + undistributed, pool.balanceOf(address(registry)), "rewards: owed shares <= module's dvETH");
    }

    // ============================================================================ rate
    /// One report moves the share rate up by at most the max positive rebase, and down by at most the
    /// unexplained-drop limit plus the slashing allowance.
    function _checkRateBound() internal view {
        string memory detail = string.concat(
            " (first: rate ",
            vm.toString(handler.firstRateViolation(0)),
            " -> ",
            vm.toString(handler.firstRateViolation(1)),
            ", bound ",
            vm.toString(handler.firstRateViolation(2)),
            "; penalty wei in that report ",
            vm.toString(handler.firstRateViolation(3)),
            ", requests it finalized ",
            vm.toString(handler.firstRateViolation(4)),
            "; upward violations without finalization ",
            vm.toString(handler.ghostRateUpViolationsWithoutFinalization()),
            ")"
        );
        vm.assertEq(handler.ghostRateUpViolations(), 0, string.concat("rate bound: a report raised the rate beyond the max positive rebase", detail));
        vm.assertEq(handler.ghostRateDownViolations(), 0, string.concat("rate bound: a report lowered the rate beyond the allowed drop", detail));
    }

    // ============================================================================ token
    /// Σ balances == totalSupply over every possible holder: stakers, dead shares, treasury, module, queue, the
    /// pool's burner (finalized requests' shares waiting to be burnt), operators' reward addresses.
    function _checkSupply() internal view {
        uint256 sum = pool.balanceOf(pool.DEAD_SHARES_HOLDER()) + pool.balanceOf(treasury)
            + pool.balanceOf(address(registry)) + pool.balanceOf(address(withdrawalQueue))
            + pool.balanceOf(pool.BURNER());
        for (uint256 i; i < money.actorCount(); ++i) sum += pool.balanceOf(money.actors(i));
        for (uint256 id = 1; id <= registry.getOperatorCount(); ++id) {
            sum += pool.balanceOf(registry.getOperator(id).rewardAddress);
        }
        vm.assertEq(sum, pool.totalSupply(), "supply: sum of balances == totalSupply");
    }

    // ============================================================================ the handler itself
    /// Every report, request, claim, cluster report and exit the handler built was accepted.
    function _checkNoValidActionRefused() internal view {
        if (handler.ghostUnexpectedReverts() == 0) return;
        vm.assertEq(
            handler.ghostUnexpectedReverts(),
            0,
            string.concat(
                "a valid action was refused: ",
                handler.firstUnexpectedRevertAction(),
                " reverted with ",
                vm.toString(handler.firstUnexpectedRevert())
            )
        );
    }

    /// The handler's beacon chain agrees with the pool: between reports, the validators' balance plus what was
    /// swept to the vault is what the last report said.
    function _checkBeaconModel() internal view {
        (,, uint256 beaconBalance) = pool.getBeaconStat();
        vm.assertEq(handler.beaconModel() + address(withdrawalVault).balance, beaconBalance, "beacon model == reported");
    }

    /// The handler reaches every action, and the money really moves (so the invariants are not vacuous).
    function test_handler_drivesTheWholeMoneySystem() public {
        for (uint256 i; i < 4; ++i) handler.registerOperator(8 ether);
        handler.createCluster(3);
        handler.addConfirmedKeys(1, 5);
        handler.stake(2, 500 ether);
        handler.stake(3, 1); // one wei buys no share at a rate above 1: the handler stakes the least that does
        handler.transfer(2, 4, 50 ether);
        handler.donate(1 ether);
        handler.deposit();
        handler.report(3, 1, 0, 1); // validators appear, a reward
        handler.elRewards(1 ether);
        handler.sweep(0.5 ether);
        handler.requestWithdrawals(2, 1, 7, 3);
        handler.requestWithdrawals(4, 4 * 5 + 0, 9, 2); // owned by another actor
        handler.transferRequest(0, 6);
        handler.report(7, 3 << 8, (1 << 96) | (uint256(2) << 192), 2); // finalizes; pulls the sweep and EL rewards
        vm.assertGt(handler.ghostFinalizedRequests(), 0, "requests were finalized");
        handler.claim(6, 0); // one by one, to the owner
        handler.claim(2, 1); // batch with hints
        vm.assertGt(handler.ghostClaimed(), 0, "claims paid");
        // exits: the oracle's report and a keeper request them, the deadline passes, a keeper forces one out
        handler.report(0, uint256(1) << 160 | uint256(1) << 168, 5, 0); // the oracle asks cluster 1 for an exit
        handler.requestExits(1, 1);
        for (uint256 i; i < 4; ++i) handler.report(45, 0, 5, i);
        handler.forceLateExit(0, 0.001 ether);
        vm.assertGt(handler.ghostExitFees(), 0, "a late exit was forced");
        // penalties: a slashing report, then a top-up that repays debt, rewards claimed, bond withdrawn
        uint256 slashing = 1 | (1 << 2) | (uint256(1) << 43); // one slashed validator in a cluster
        handler.report(0, slashing, 2, 0); // a loss, explained by the slashing
        vm.assertGt(handler.ghostPenaltiesCollected(), 0, "penalties reached the pool");
        handler.topUpBond(0, 3 ether);
        for (uint256 id; id < 10; ++id) handler.claimRewards(id);
        handler.withdrawBond(7, 1 ether);
        string[19] memory actions = [
            "stake",
            "transfer",
            "donate",
            "registerOperator",
            "createCluster",
            "addConfirmedKeys",
            "topUpBond",
            "withdrawBond",
            "deposit",
            "claimRewards",
            "sweep",
            "elRewards",
            "requestWithdrawals",
            "transferRequest",
            "claim",
            "requestExits",
            "forceLateExit",
            "report",
            "report"
        ];
        for (uint256 i; i < actions.length; ++i) {
            vm.assertGt(handler.calls(bytes32(bytes(actions[i]))), 0, actions[i]);
        }
        invariant_moneySystem();
        invariant_reportMovesRateWithinSanityBounds();
    }

    /// Penalties ride on the report too: the cluster news moves bond ETH into the pool before the pool's
    /// accounting, outside the SanityChecker's rebase check. Two slashings (1 ETH each by default) reported
    /// without a matching balance loss — after Electra a slashed validator's initial penalty is 1/4096 of its
    /// balance, so the loss may well show only later — lift the rate of a ~160 ETH pool by ~1.25 %.
    function test_rateBound_slashingPenaltiesInAReport_stayWithinMaxPositiveRebase() public {
        uint256 rateBefore = pool.shareRate();
        // one frame; cluster 1: two newly slashed, no exits, no missed duties, nothing stolen; no balance change
        uint256 news = 2 | (1 << 8) | (uint256(2) << 43) | (uint256(1) << 80) | (uint256(2) << 120);
        handler.report(0, news, 4, 0);
        vm.assertGt(handler.ghostPenaltiesCollected(), 0, "the slashing penalties reached the pool");
        uint256 maxRebase = sanityChecker.getLimits().maxPositiveRebase;
        vm.assertLe(
            pool.shareRate(),
            (rateBefore + 1) * (1e9 + maxRebase) / 1e9 + 1,
            string.concat("one report raised the rate from ", vm.toString(rateBefore), " to ", vm.toString(pool.shareRate()))
        );
    }

    /// The campaign's shrunk counter-example, by hand: a holder of most of the supply asks to withdraw at the
    /// current rate; the next report brings EL rewards at exactly the max positive rebase (0.75 %) and finalizes
    /// the request at its request-time value (it is capped there: gains after a request stay with stakers). The
    /// request's share of the reward stays in the pool for the few remaining shares, so the rate jumps by far
    /// more than the sanity checker allows one report (sandwichable: stake before, request after).
    function test_rateBound_finalizingRequestsBelowTheNewRate_staysWithinMaxPositiveRebase() public {
        address whale = money.actors(0);
        handler.stake(0, 1_000 ether); // the whale now holds 1,100 of ~1,160 dvETH; 1,032 ETH are buffered
        uint256[] memory shares = new uint256[](1);
        shares[0] = 990 ether;
        vm.prank(whale);
        withdrawalQueue.requestWithdrawals(shares, whale);
        for (uint256 i; i < 5; ++i) handler.elRewards(2 ether); // 10 ETH of EL rewards wait in the vault
        uint256 rateBefore = pool.shareRate();
        // one frame, no cluster news, no beacon reward, all EL rewards allowed, finalize all the buffer can pay
        handler.report(0, 0, 4 | (uint256(1) << 96) | (uint256(2) << 192), 0);
        vm.assertEq(withdrawalQueue.lastFinalizedRequestId(), 1, "the request was finalized");
        uint256 maxRebase = sanityChecker.getLimits().maxPositiveRebase;
        vm.assertLe(
            pool.shareRate(),
            (rateBefore + 1) * (1e9 + maxRebase) / 1e9 + 1,
            string.concat("one report raised the rate from ", vm.toString(rateBefore), " to ", vm.toString(pool.shareRate()))
        );
    }
}
