// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ModulesFixture} from "./ModulesFixture.sol";
import {IDvtModule} from "../../src/interfaces/IDvtModule.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";
import {UnknownCluster} from "../../src/modules/RegistryLayout.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @notice Penalties from every member's bond in equal parts, to the pool; bond debt and its repayment; strikes;
///         exits unlocking bond; report validation; governance of the parameters.
contract ClusterPenaltiesTest is ModulesFixture {
    function setUp() public {
        setUpModules();
    }

    function _slashingParams(uint256 slashingPenalty) internal view returns (IDvtModule.PenaltyParams memory p) {
        p = registry.getPenaltyParams();
        p.slashingPenalty = slashingPenalty;
    }

    function test_slashing_takenFromEveryMemberEqually_sentToThePool() public {
        uint256 a = newCluster(1, 4, 4); // bond 2.5 ETH each
        depositTo(a, 2);
        uint256 pooled = pool.getPendingPenalties();
        uint256 nonce = registry.getNonce();

        for (uint256 op = 1; op <= 4; ++op) {
            vm.expectEmit(address(registry));
            emit IDvtModule.OperatorPenalised(
                op, a, IDvtModule.PenaltyReason.Slashing, 0.5 ether, 0.5 ether, 2 ether, 0
            );
        }
        vm.expectEmit(address(registry));
        emit IDvtModule.ClusterPenalised(a, IDvtModule.PenaltyReason.Slashing, 2 ether, 2 ether);
        vm.expectEmit(address(registry));
        emit IDvtModule.PenaltiesTransferred(2 ether);
        reportOne(a, 0, 2, 0, 0); // 2 slashed × 1 ETH

        for (uint256 op = 1; op <= 4; ++op) {
            vm.assertEq(bondOf(op), 2 ether, "bond");
            vm.assertEq(registry.unlockedBond(op), 0.5 ether, "unlocked = bond - bondForValidators(2)");
        }
        vm.assertEq(pool.getPendingPenalties() - pooled, 2 ether, "stakers get the penalty");
        vm.assertEq(address(registry).balance, 4 * 2 ether, "the registry keeps only the bonds");
        IDvtModule.ClusterEconomics memory e = registry.getClusterEconomics(a);
        vm.assertEq(e.penaltiesCharged, 2 ether);
        vm.assertEq(e.penaltiesCollected, 2 ether);
        vm.assertEq(registry.getNonce(), nonce + 1, "bond moved: nonce bumped");
    }

    function test_penalty_splitsExactly_firstMembersPayTheRemainder() public {
        uint256 a = newCluster(1, 7, 4);
        depositTo(a, 1);
        IDvtModule.PenaltyParams memory p = _slashingParams(1 ether + 3);
        vm.prank(admin);
        registry.setPenaltyParams(p);
        uint256[] memory members = registry.getClusterMembers(a);
        uint256 before = registry.bondForValidators(4);
        reportOne(a, 0, 1, 0, 0);
        uint256 sum;
        uint256 total = 1 ether + 3;
        uint256 part = total / 7; // remainder 4
        for (uint256 m; m < 7; ++m) {
            uint256 paid = before - bondOf(members[m]);
            vm.assertEq(paid, m < 4 ? part + 1 : part, "part");
            sum += paid;
        }
        vm.assertEq(sum, 1 ether + 3);
    }

    function test_bondExhausted_debtRecorded_depositsBlocked_topUpPaysDebtFirst() public {
        uint256 a = newCluster(1, 4, 2); // bond 1.5 ETH each
        depositTo(a, 2);
        mintRewards(1 ether);
        uint256 pooled = pool.getPendingPenalties();

        IDvtModule.PenaltyParams memory p = _slashingParams(4 ether);
        vm.prank(admin);
        registry.setPenaltyParams(p);
        vm.expectEmit(address(registry));
        emit IDvtModule.OperatorPenalised(1, a, IDvtModule.PenaltyReason.Slashing, 2 ether, 1.5 ether, 0, 0.5 ether);
        reportOne(a, 0, 2, 0, 0); // 8 ETH: 2 per member, 1.5 there
        vm.assertEq(pool.getPendingPenalties() - pooled, 6 ether, "only what the bonds held");
        IDvtModule.ClusterEconomics memory e = registry.getClusterEconomics(a);
        vm.assertEq(e.penaltiesCharged, 8 ether);
        vm.assertEq(e.penaltiesCollected, 6 ether);
        for (uint256 op = 1; op <= 4; ++op) {
            vm.assertEq(bondOf(op), 0);
            vm.assertEq(registry.getBondDebt(op), 0.5 ether);
        }

        // undepositable while in debt, even with keys and bond for them on every other member
        addConfirmedKeys(a, 2, 77);
        (,, uint256 depositable) = registry.getStakingModuleSummary();
        vm.assertEq(depositable, 0, "debt blocks deposits");
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.BondDebtOutstanding.selector, 1, 0.5 ether));
        registry.claimRewards(1);

        // a small top-up goes to the debt (and the pool), not to the bond
        vm.deal(stranger, 10 ether);
        pooled = pool.getPendingPenalties();
        vm.expectEmit(address(registry));
        emit IDvtModule.BondDebtRepaid(1, stranger, 0.3 ether, 0.2 ether);
        vm.prank(stranger);
        registry.topUpBond{value: 0.3 ether}(1);
        vm.assertEq(bondOf(1), 0);
        vm.assertEq(registry.getBondDebt(1), 0.2 ether);
        vm.assertEq(pool.getPendingPenalties() - pooled, 0.3 ether);

        // a larger one clears the debt, the rest becomes bond
        vm.expectEmit(address(registry));
        emit IDvtModule.BondDebtRepaid(1, stranger, 0.2 ether, 0);
        vm.expectEmit(address(registry));
        emit OperatorRegistry.BondDeposited(1, stranger, 2 ether, 2 ether);
        vm.prank(stranger);
        registry.topUpBond{value: 2.2 ether}(1);
        vm.assertEq(bondOf(1), 2 ether);
        vm.assertEq(registry.getBondDebt(1), 0);
        vm.assertGt(registry.claimRewards(1), 0, "claims again once the debt is paid");

        for (uint256 op = 2; op <= 4; ++op) {
            vm.prank(stranger);
            registry.topUpBond{value: 2.5 ether}(op);
        }
        (,, depositable) = registry.getStakingModuleSummary();
        vm.assertEq(depositable, 1, "bond for 3 validators each: one more key");
    }

    function test_strikes_addUpInAWindow_penaltyAtMax_thenReset() public {
        uint256 a = newCluster(1, 4, 4);
        depositTo(a, 1);
        uint256 t0 = block.timestamp;
        reportOne(a, 0, 0, 1_000, 0); // exactly the threshold: fine
        vm.assertEq(registry.getClusterEconomics(a).strikes, 0, "at the threshold is not a strike");

        vm.expectEmit(address(registry));
        emit IDvtModule.StrikeRecorded(a, 1, t0, 1_001);
        reportOne(a, 0, 0, 1_001, 0);
        vm.warp(t0 + 10 days);
        reportOne(a, 0, 0, 5_000, 0);
        vm.assertEq(registry.getClusterEconomics(a).strikes, 2);

        vm.warp(t0 + 30 days); // the window opened at t0 has closed: a new one starts
        reportOne(a, 0, 0, 5_000, 0);
        IDvtModule.ClusterEconomics memory e = registry.getClusterEconomics(a);
        vm.assertEq(e.strikes, 1);
        vm.assertEq(e.strikeWindowStart, t0 + 30 days);
        vm.assertEq(bondOf(1), 2.5 ether, "no penalty yet");

        reportOne(a, 0, 0, 5_000, 0);
        vm.expectEmit(address(registry));
        emit IDvtModule.ClusterPenalised(a, IDvtModule.PenaltyReason.MissedDuties, 0.1 ether, 0.1 ether);
        vm.expectEmit(address(registry));
        emit IDvtModule.StrikesReset(a);
        reportOne(a, 0, 0, 5_000, 0);
        e = registry.getClusterEconomics(a);
        vm.assertEq(e.strikes, 0);
        vm.assertEq(e.strikeWindowStart, 0);
        vm.assertEq(bondOf(1), 2.5 ether - 0.025 ether);
    }

    function test_stolenExecutionRewards_paidBackWithAFine() public {
        uint256 a = newCluster(1, 4, 4);
        depositTo(a, 1);
        uint256 pooled = pool.getPendingPenalties();
        vm.expectEmit(address(registry));
        emit IDvtModule.ClusterPenalised(a, IDvtModule.PenaltyReason.StolenExecutionRewards, 1.1 ether, 1.1 ether);
        reportOne(a, 0, 0, 0, 1 ether);
        vm.assertEq(bondOf(1), 2.5 ether - 0.275 ether);
        vm.assertEq(pool.getPendingPenalties() - pooled, 1.1 ether);
    }

    function test_exits_reduceEveryMembersValidators_unlockingBond() public {
        uint256 a = newCluster(1, 4, 2); // bond 1.5 = exactly 2 validators
        depositTo(a, 2);
        vm.assertEq(registry.unlockedBond(1), 0);
        vm.expectEmit(address(registry));
        emit IDvtModule.ClusterValidatorsExited(a, 1, 1);
        reportOne(a, 1, 0, 0, 0);
        for (uint256 op = 1; op <= 4; ++op) {
            vm.assertEq(registry.getOperator(op).validators, 1);
            vm.assertEq(registry.unlockedBond(op), 0.5 ether);
        }
        (uint256 ex, uint256 dep) = registry.getValidatorCounts();
        vm.assertEq(ex, 1);
        vm.assertEq(dep, 2);
        vm.prank(operatorManager(1));
        registry.withdrawBond(1, 0.5 ether, payable(stranger));
        vm.assertEq(stranger.balance, 0.5 ether);
        reportOne(a, 2, 0, 0, 0); // all out: the whole bond is free
        vm.assertEq(registry.unlockedBond(2), 1.5 ether);
    }

    function test_report_validation() public {
        uint256 a = newCluster(1, 4, 4);
        depositTo(a, 2);
        reportOne(a, 1, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.ExitedCountDecreased.selector, a, 0, 1));
        reportOne(a, 0, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.ExitedCountTooHigh.selector, a, 3, 2));
        reportOne(a, 3, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.SlashedCountTooHigh.selector, a, 3, 2));
        reportOne(a, 1, 3, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.InvalidMissedDutyBps.selector, a, 10_001));
        reportOne(a, 1, 0, 10_001, 0);
        vm.expectRevert(abi.encodeWithSelector(UnknownCluster.selector, 9));
        reportOne(9, 0, 0, 0, 0);

        IDvtModule.ClusterReport[] memory r = new IDvtModule.ClusterReport[](2);
        r[0] = IDvtModule.ClusterReport(a, 1, 0, 0, 0);
        r[1] = IDvtModule.ClusterReport(a, 1, 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.ClusterReportsNotSorted.selector, 1));
        vm.prank(reporter);
        registry.processClusterReports(r);

        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, registry.REPORTER_ROLE()
            )
        );
        vm.prank(stranger);
        registry.processClusterReports(r);
    }

    function test_penaltyParams_roleEventAndValidation() public {
        IDvtModule.PenaltyParams memory p = registry.getPenaltyParams();
        vm.assertEq(p.slashingPenalty, 1 ether, "default: the Bellatrix initial slashing penalty");
        vm.assertEq(p.missedDutyThresholdBps, 1_000);
        vm.assertEq(p.maxStrikes, 3);
        vm.assertEq(p.strikeWindow, 30 days);
        vm.assertEq(p.lateExitPenalty, 0.1 ether);

        p.lateExitPenalty = 0.2 ether;
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, registry.MANAGE_PENALTIES_ROLE()
            )
        );
        vm.prank(stranger);
        registry.setPenaltyParams(p);

        vm.expectEmit(address(registry));
        emit IDvtModule.PenaltyParamsSet(p);
        vm.prank(admin);
        registry.setPenaltyParams(p);
        vm.assertEq(registry.getPenaltyParams().lateExitPenalty, 0.2 ether);

        IDvtModule.PenaltyParams memory bad = registry.getPenaltyParams();
        bad.missedDutyThresholdBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(IDvtModule.InvalidPenaltyParam.selector, "missedDutyThresholdBps", 10_001)
        );
        vm.prank(admin);
        registry.setPenaltyParams(bad);
        bad = registry.getPenaltyParams();
        bad.maxStrikes = 0;
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.InvalidPenaltyParam.selector, "maxStrikes", 0));
        vm.prank(admin);
        registry.setPenaltyParams(bad);
        bad = registry.getPenaltyParams();
        bad.strikeWindow = 0;
        vm.expectRevert(abi.encodeWithSelector(IDvtModule.InvalidPenaltyParam.selector, "strikeWindow", 0));
        vm.prank(admin);
        registry.setPenaltyParams(bad);
        bad = registry.getPenaltyParams();
        bad.slashingPenalty = uint256(type(uint96).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IDvtModule.InvalidPenaltyParam.selector, "slashingPenalty", uint256(type(uint96).max) + 1
            )
        );
        vm.prank(admin);
        registry.setPenaltyParams(bad);
    }
}
