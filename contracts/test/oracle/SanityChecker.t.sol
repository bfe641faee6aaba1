// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "../../src/base/ShoalUpgradeable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {Test} from "../utils/Test.sol";
import {SanityChecker} from "../../src/oracle/SanityChecker.sol";
import {SanityCheckerV2} from "./TestOracle.sol";

/// @notice Every limit on both sides of its bound (exactly at the limit passes, one unit beyond reverts with the
///         error naming it), fuzzed; per-limit roles; upgrade.
contract SanityCheckerTest is Test {
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant DAY = 1 days;
    uint256 internal constant BP = 10_000;

    event LimitSet(SanityChecker.Limit indexed limit, uint256 value);

    address internal admin = makeAddr("admin");
    address internal stranger = makeAddr("stranger");
    SanityChecker internal checker;

    function _defaults() internal pure returns (SanityChecker.Limits memory) {
        return SanityChecker.Limits({
            maxAnnualBeaconBalanceGrowthBP: 1_000, // 10% a year
            maxPositiveRebase: 750_000, // 0.075% of total pooled ether per report
            maxUnexplainedBalanceDropBP: 50, // 0.5%
            maxLossPerSlashedValidator: 32 ether,
            maxValidatorsAppearedPerDay: 43_200,
            maxValidatorsExitedPerDay: 3_600,
            maxExitRequestsPerReport: 600,
            maxShareRateDeviationBP: 5
        });
    }

    function setUp() public {
        SanityChecker impl = new SanityChecker();
        checker = SanityChecker(
            address(new ERC1967Proxy(address(impl), abi.encodeCall(SanityChecker.initialize, (admin, _defaults()))))
        );
        bytes32 role = checker.ALL_LIMITS_MANAGER_ROLE();
        vm.prank(admin);
        checker.grantRole(role, admin);
    }

    function _setLimits(SanityChecker.Limits memory l) internal {
        vm.prank(admin);
        checker.setLimits(l);
    }

    /// @dev A quiet report: 100 validators, nothing changed, one day.
    function _report() internal pure returns (SanityChecker.AccountingReport memory r) {
        r.timeElapsed = DAY;
        r.preTotalPooledEther = 3_300 ether;
        r.preBeaconBalance = 3_200 ether;
        r.postBeaconBalance = 3_200 ether;
        r.preBeaconValidators = 100;
        r.postBeaconValidators = 100;
    }

    function _relaxed() internal pure returns (SanityChecker.Limits memory l) {
        l = SanityChecker.Limits({
            maxAnnualBeaconBalanceGrowthBP: type(uint16).max,
            maxPositiveRebase: type(uint32).max,
            maxUnexplainedBalanceDropBP: uint16(BP),
            maxLossPerSlashedValidator: 32 ether,
            maxValidatorsAppearedPerDay: type(uint32).max,
            maxValidatorsExitedPerDay: type(uint32).max,
            maxExitRequestsPerReport: type(uint32).max,
            maxShareRateDeviationBP: uint16(BP)
        });
    }

    function test_quietReport_passes() public view {
        checker.checkAccountingReport(_report());
    }

    // ---- annual beacon balance growth ----

    function testFuzz_annualGrowth_boundary(uint256 limit, uint256 expected, uint256 elapsed, uint256 split, uint256 appeared)
        public
    {
        limit = bound(limit, 1, type(uint16).max);
        appeared = bound(appeared, 0, 1_000);
        expected = bound(expected, appeared * 32 ether + 1 ether, 1e9 ether);
        elapsed = bound(elapsed, 1 hours, YEAR);
        SanityChecker.Limits memory l = _relaxed();
        l.maxAnnualBeaconBalanceGrowthBP = uint16(limit);
        _setLimits(l);

        uint256 maxGrowth = limit * expected * elapsed / (YEAR * BP);
        SanityChecker.AccountingReport memory r = _report();
        r.timeElapsed = elapsed;
        r.preTotalPooledEther = 100 * expected; // keep the rebase bound out of the way
        r.preBeaconBalance = expected - appeared * 32 ether;
        r.postBeaconValidators = r.preBeaconValidators + appeared;
        uint256 actual = expected + maxGrowth;
        r.withdrawalVaultBalance = bound(split, 0, actual); // part of it already swept to the vault
        r.postBeaconBalance = actual - r.withdrawalVaultBalance;
        checker.checkAccountingReport(r);

        r.postBeaconBalance += 1;
        uint256 shown = _ceilDiv((maxGrowth + 1) * YEAR * BP, expected * elapsed);
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.AnnualBeaconBalanceGrowthTooHigh.selector, shown, limit));
        checker.checkAccountingReport(r);
    }

    function test_annualGrowth_fromNothingRefused() public {
        SanityChecker.AccountingReport memory r = _report();
        r.preBeaconBalance = 0;
        r.preBeaconValidators = 0;
        r.postBeaconValidators = 0;
        r.postBeaconBalance = 1 gwei;
        vm.expectRevert(
            abi.encodeWithSelector(SanityChecker.AnnualBeaconBalanceGrowthTooHigh.selector, type(uint256).max, 1_000)
        );
        checker.checkAccountingReport(r);
    }

    // ---- positive rebase ----

    function testFuzz_positiveRebase_boundary(uint256 limit, uint256 pooled, uint256 clShare) public {
        limit = bound(limit, 1, 1e9);
        pooled = bound(pooled, 1 ether, 1e9 ether);
        SanityChecker.Limits memory l = _relaxed();
        l.maxPositiveRebase = uint32(limit);
        _setLimits(l);

        uint256 maxIncrease = limit * pooled / 1e9;
        uint256 clGrowth = bound(clShare, 0, maxIncrease);
        SanityChecker.AccountingReport memory r = _report();
        r.timeElapsed = YEAR; // annual bound 655%: out of the way
        r.preTotalPooledEther = pooled;
        r.preBeaconBalance = pooled;
        r.postBeaconBalance = pooled + clGrowth;
        r.elRewardsVaultBalance = maxIncrease - clGrowth;
        checker.checkAccountingReport(r);

        r.elRewardsVaultBalance += 1;
        uint256 shown = _ceilDiv((maxIncrease + 1) * 1e9, pooled);
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.PositiveRebaseTooHigh.selector, shown, limit));
        checker.checkAccountingReport(r);
    }

    function testFuzz_positiveRebase_elRewardsNetOfClDrop(uint256 limit, uint256 drop) public {
        limit = bound(limit, 1, 1e9);
        uint256 pooled = 3_300 ether;
        drop = bound(drop, 0, 16 ether); // within the 0.5% unexplained-drop default
        SanityChecker.Limits memory l = _defaults();
        l.maxPositiveRebase = uint32(limit);
        _setLimits(l);

        uint256 maxIncrease = limit * pooled / 1e9;
        SanityChecker.AccountingReport memory r = _report();
        r.postBeaconBalance = r.preBeaconBalance - drop;
        r.elRewardsVaultBalance = drop + maxIncrease;
        checker.checkAccountingReport(r);
        r.elRewardsVaultBalance += 1;
        vm.expectRevert(
            abi.encodeWithSelector(SanityChecker.PositiveRebaseTooHigh.selector, _ceilDiv((maxIncrease + 1) * 1e9, pooled), limit)
        );
        checker.checkAccountingReport(r);
    }

    // ---- unexplained balance drop ----

    function testFuzz_unexplainedDrop_boundary(uint256 limit, uint256 expected, uint256 slashed, uint256 lossEach)
        public
    {
        limit = bound(limit, 0, BP - 1);
        expected = bound(expected, 1 ether, 1e9 ether);
        slashed = bound(slashed, 0, 100);
        lossEach = bound(lossEach, 0, 32 ether);
        SanityChecker.Limits memory l = _relaxed();
        l.maxUnexplainedBalanceDropBP = uint16(limit);
        l.maxLossPerSlashedValidator = uint96(lossEach);
        _setLimits(l);

        uint256 maxDrop = slashed * lossEach + limit * expected / BP;
        vm.assume(maxDrop < expected);
        SanityChecker.AccountingReport memory r = _report();
        r.preBeaconBalance = expected;
        r.slashedDelta = slashed;
        r.postBeaconBalance = expected - maxDrop;
        checker.checkAccountingReport(r);

        r.postBeaconBalance -= 1;
        uint256 unexplained = maxDrop + 1 - slashed * lossEach;
        uint256 shown = _ceilDiv(unexplained * BP, expected);
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.UnexplainedBalanceDropTooHigh.selector, shown, limit));
        checker.checkAccountingReport(r);
    }

    // ---- validators appeared / exited per day ----

    function testFuzz_appearedPerDay_boundary(uint256 limit, uint256 elapsed) public {
        limit = bound(limit, 0, 100_000);
        elapsed = bound(elapsed, 1, 30 days);
        SanityChecker.Limits memory l = _relaxed();
        l.maxValidatorsAppearedPerDay = uint32(limit);
        _setLimits(l);

        uint256 allowed = limit * elapsed / DAY;
        SanityChecker.AccountingReport memory r = _report();
        r.timeElapsed = elapsed;
        r.postBeaconValidators = r.preBeaconValidators + allowed;
        r.postBeaconBalance = r.preBeaconBalance + allowed * 32 ether;
        checker.checkAccountingReport(r);

        r.postBeaconValidators += 1;
        r.postBeaconBalance += 32 ether;
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.TooManyValidatorsAppeared.selector, allowed + 1, allowed));
        checker.checkAccountingReport(r);
    }

    function test_beaconValidators_cannotDecrease() public {
        SanityChecker.AccountingReport memory r = _report();
        r.postBeaconValidators = 99;
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.BeaconValidatorsDecreased.selector, 100, 99));
        checker.checkAccountingReport(r);
    }

    function testFuzz_exitedPerDay_boundary(uint256 limit, uint256 elapsed) public {
        limit = bound(limit, 0, 100_000);
        elapsed = bound(elapsed, 1, 30 days);
        SanityChecker.Limits memory l = _relaxed();
        l.maxValidatorsExitedPerDay = uint32(limit);
        _setLimits(l);

        uint256 allowed = limit * elapsed / DAY;
        SanityChecker.AccountingReport memory r = _report();
        r.timeElapsed = elapsed;
        r.exitedDelta = allowed;
        checker.checkAccountingReport(r);

        r.exitedDelta += 1;
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.TooManyValidatorsExited.selector, allowed + 1, allowed));
        checker.checkAccountingReport(r);
    }

    // ---- exit requests per report ----

    function testFuzz_exitRequests_boundary(uint256 limit) public {
        limit = bound(limit, 0, type(uint32).max);
        SanityChecker.Limits memory l = _defaults();
        l.maxExitRequestsPerReport = uint32(limit);
        _setLimits(l);
        checker.checkExitRequests(limit);
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.TooManyExitRequests.selector, limit + 1, limit));
        checker.checkExitRequests(limit + 1);
    }

    // ---- finalization share rate ----

    function testFuzz_shareRateDeviation_boundary(uint256 limit, uint256 actual) public {
        limit = bound(limit, 0, BP);
        actual = bound(actual, 1, 1e30);
        SanityChecker.Limits memory l = _defaults();
        l.maxShareRateDeviationBP = uint16(limit);
        _setLimits(l);

        uint256 maxDiff = limit * actual / BP;
        checker.checkFinalizationShareRate(actual + maxDiff, actual);
        vm.expectRevert(
            abi.encodeWithSelector(
                SanityChecker.ShareRateDeviationTooHigh.selector, _ceilDiv((maxDiff + 1) * BP, actual), limit
            )
        );
        checker.checkFinalizationShareRate(actual + maxDiff + 1, actual);

        checker.checkFinalizationShareRate(actual - maxDiff, actual);
        if (maxDiff + 1 <= actual) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    SanityChecker.ShareRateDeviationTooHigh.selector, _ceilDiv((maxDiff + 1) * BP, actual), limit
                )
            );
            checker.checkFinalizationShareRate(actual - maxDiff - 1, actual);
        }
    }

    function test_shareRate_zeroActualRefused() public {
        vm.expectRevert(SanityChecker.ZeroShareRate.selector);
        checker.checkFinalizationShareRate(1, 0);
    }

    function test_inputs_tooLargeRefusedByName() public {
        SanityChecker.AccountingReport memory r = _report();
        r.postBeaconBalance = uint256(type(uint128).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                SanityChecker.InputTooLarge.selector, "postBeaconBalance", r.postBeaconBalance, type(uint128).max
            )
        );
        checker.checkAccountingReport(r);
        vm.expectRevert(
            abi.encodeWithSelector(SanityChecker.InputTooLarge.selector, "simulatedShareRate", type(uint256).max, type(uint128).max)
        );
        checker.checkFinalizationShareRate(type(uint256).max, 1e27);
    }

    // ---- setters and roles ----

    function test_roles_eachLimitHasItsOwnRole() public {
        bytes32[8] memory roles = [
            checker.ANNUAL_BALANCE_GROWTH_MANAGER_ROLE(),
            checker.POSITIVE_REBASE_MANAGER_ROLE(),
            checker.BALANCE_DROP_MANAGER_ROLE(),
            checker.SLASHING_LOSS_MANAGER_ROLE(),
            checker.APPEARED_VALIDATORS_MANAGER_ROLE(),
            checker.EXITED_VALIDATORS_MANAGER_ROLE(),
            checker.EXIT_REQUESTS_MANAGER_ROLE(),
            checker.SHARE_RATE_DEVIATION_MANAGER_ROLE()
        ];
        uint256[8] memory values = [uint256(2_000), 1_000_000, 100, 16 ether, 100, 200, 300, 7];
        for (uint256 i = 0; i < 8; ++i) {
            address holder = makeAddr(string.concat("holder", vm.toString(i)));
            vm.prank(admin);
            checker.grantRole(roles[i], holder);
            for (uint256 j = 0; j < 8; ++j) {
                // Only the limit's own role can set it.
                vm.prank(holder);
                if (i != j) {
                    vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", holder, roles[j]));
                } else {
                    vm.expectEmit(address(checker));
                    emit LimitSet(SanityChecker.Limit(j), values[j]);
                }
                _callSetter(j, values[j]);
            }
        }
        SanityChecker.Limits memory l = checker.getLimits();
        vm.assertEq(uint256(l.maxAnnualBeaconBalanceGrowthBP), values[0]);
        vm.assertEq(uint256(l.maxPositiveRebase), values[1]);
        vm.assertEq(uint256(l.maxUnexplainedBalanceDropBP), values[2]);
        vm.assertEq(uint256(l.maxLossPerSlashedValidator), values[3]);
        vm.assertEq(uint256(l.maxValidatorsAppearedPerDay), values[4]);
        vm.assertEq(uint256(l.maxValidatorsExitedPerDay), values[5]);
        vm.assertEq(uint256(l.maxExitRequestsPerReport), values[6]);
        vm.assertEq(uint256(l.maxShareRateDeviationBP), values[7]);

        bytes32 allRole = checker.ALL_LIMITS_MANAGER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", stranger, allRole));
        checker.setLimits(_defaults());
    }

    function _callSetter(uint256 which, uint256 value) internal {
        if (which == 0) checker.setMaxAnnualBeaconBalanceGrowthBP(value);
        else if (which == 1) checker.setMaxPositiveRebase(value);
        else if (which == 2) checker.setMaxUnexplainedBalanceDropBP(value);
        else if (which == 3) checker.setMaxLossPerSlashedValidator(value);
        else if (which == 4) checker.setMaxValidatorsAppearedPerDay(value);
        else if (which == 5) checker.setMaxValidatorsExitedPerDay(value);
        else if (which == 6) checker.setMaxExitRequestsPerReport(value);
        else checker.setMaxShareRateDeviationBP(value);
    }

    function testFuzz_setters_refuseOutOfRange(uint256 which, uint256 excess) public {
        which = bound(which, 0, 7);
        SanityChecker.Limit limit = SanityChecker.Limit(which);
        uint256 maxValue = checker.maxLimitValue(limit);
        excess = bound(excess, 1, 1e30);
        bytes32 role = _roleOf(which);
        vm.prank(admin);
        checker.grantRole(role, admin);
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SanityChecker.LimitOutOfRange.selector, limit, maxValue + excess, maxValue));
        _callSetter(which, maxValue + excess);
        vm.prank(admin);
        _callSetter(which, maxValue); // the maximum itself is accepted
    }

    function _roleOf(uint256 which) internal view returns (bytes32) {
        bytes32[8] memory roles = [
            checker.ANNUAL_BALANCE_GROWTH_MANAGER_ROLE(),
            checker.POSITIVE_REBASE_MANAGER_ROLE(),
            checker.BALANCE_DROP_MANAGER_ROLE(),
            checker.SLASHING_LOSS_MANAGER_ROLE(),
            checker.APPEARED_VALIDATORS_MANAGER_ROLE(),
            checker.EXITED_VALIDATORS_MANAGER_ROLE(),
            checker.EXIT_REQUESTS_MANAGER_ROLE(),
            checker.SHARE_RATE_DEVIATION_MANAGER_ROLE()
        ];
        return roles[which];
    }

    function test_initialize_refusesZeroAdminAndReinit() public {
        SanityChecker impl = new SanityChecker();
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "admin"));
        new ERC1967Proxy(address(impl), abi.encodeCall(SanityChecker.initialize, (address(0), _defaults())));
        vm.expectRevert(abi.encodeWithSignature("InvalidInitialization()"));
        checker.initialize(admin, _defaults());
    }

    function test_upgrade_keepsLimitsAndRoles() public {
        SanityChecker.Limits memory l = _defaults();
        l.maxExitRequestsPerReport = 1234;
        _setLimits(l);
        SanityCheckerV2 v2 = new SanityCheckerV2();

        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", stranger, bytes32(0))
        );
        checker.upgradeToAndCall(address(v2), "");

        vm.prank(admin);
        checker.upgradeToAndCall(address(v2), abi.encodeCall(SanityCheckerV2.initializeV2, ()));
        vm.assertEq(SanityCheckerV2(address(checker)).v2Marker(), "SanityChecker v2");
        vm.assertEq(uint256(checker.getContractVersion()), 2);
        SanityChecker.Limits memory after_ = checker.getLimits();
        vm.assertEq(keccak256(abi.encode(after_)), keccak256(abi.encode(l)));
        vm.assertTrue(checker.hasRole(checker.ALL_LIMITS_MANAGER_ROLE(), admin));
    }

    function _ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
