// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ShoalUpgradeable} from "../base/ShoalUpgradeable.sol";

/// @title SanityChecker
/// @notice Bounds what one oracle report may do to the protocol. Even a quorum of the committee (colluding, buggy
///         or fed a wrong beacon node) cannot move the share rate, the validator counts or the exit flow further than
///         these limits per report; a report outside them reverts and the frame is simply missed.
///
/// WHAT IT PROMISES: every check is `view` (reads only its own limits), reverts with an error that names the limit,
/// the offending value and the allowed value, and compares by cross-multiplication (no rounding in the decision: a
/// value exactly at the limit passes, one unit more reverts).
///
/// UPGRADES: UUPS through `ShoalUpgradeable` (DEFAULT_ADMIN_ROLE authorises).
///
/// WHAT IT TRUSTS: the caller (the AccountingOracle) to pass the pool's own pre-report figures; the limit managers.
///
/// BALANCE MODEL used by `checkAccountingReport` (all amounts in wei):
///
///     expected = preBeaconBalance + (postValidators - preValidators) * DEPOSIT_SIZE   (what the beacon side should
///                                                                                       hold with zero rewards)
///     actual   = postBeaconBalance + withdrawalVaultBalance                           (ETH swept to the vault since
///                                                                                       the last report is still ours)
///     actual >= expected : growth = actual - expected      -> annualised growth limit
///     actual <  expected : drop   = expected - actual      -> minus slashedDelta * maxLossPerSlashedValidator
///                                                             -> unexplained drop limit
///     rebase = (actual - expected) + elRewardsVaultBalance, if > 0, relative to preTotalPooledEther
///                                                          -> positive rebase limit
contract SanityChecker is ShoalUpgradeable {
    // ---------------------------------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Basis points in one whole (100%).
    uint256 public constant MAX_BASIS_POINTS = 10_000;
    /// @notice Precision of the positive rebase limit: 1e9 = the whole of total pooled ether (Lido's convention).
    uint256 public constant REBASE_PRECISION = 1e9;
    /// @notice Seconds in a (365-day) year, the period over which balance growth is annualised.
    uint256 public constant SECONDS_PER_YEAR = 365 days;
    /// @notice Seconds in a day, the period of the validators appeared/exited rates.
    uint256 public constant SECONDS_PER_DAY = 1 days;
    /// @notice ETH a newly seen validator brought in: the deposit of one validator (consensus specs'
    ///         MAX_EFFECTIVE_BALANCE for 0x01 credentials, the amount the protocol deposits per key).
    uint256 public constant DEPOSIT_SIZE = 32 ether;
    /// @notice Largest amount (wei) or share rate a check accepts: 2^128 - 1 wei is ~3.4e20 ETH, millions of times the
    ///         ETH supply, so real inputs never reach it, and with it every product in the checks fits in 256 bits.
    uint256 public constant MAX_AMOUNT = type(uint128).max;
    /// @notice Largest count or duration (seconds) a check accepts (same reason as `MAX_AMOUNT`).
    uint256 public constant MAX_COUNT = type(uint64).max;

    // ---------------------------------------------------------------------------------------------------------------
    // Roles: one per limit, plus one for setting all of them at once
    // ---------------------------------------------------------------------------------------------------------------

    bytes32 public constant ALL_LIMITS_MANAGER_ROLE = keccak256("ALL_LIMITS_MANAGER_ROLE");
    bytes32 public constant ANNUAL_BALANCE_GROWTH_MANAGER_ROLE = keccak256("ANNUAL_BALANCE_GROWTH_MANAGER_ROLE");
    bytes32 public constant POSITIVE_REBASE_MANAGER_ROLE = keccak256("POSITIVE_REBASE_MANAGER_ROLE");
    bytes32 public constant BALANCE_DROP_MANAGER_ROLE = keccak256("BALANCE_DROP_MANAGER_ROLE");
    bytes32 public constant SLASHING_LOSS_MANAGER_ROLE = keccak256("SLASHING_LOSS_MANAGER_ROLE");
    bytes32 public constant APPEARED_VALIDATORS_MANAGER_ROLE = keccak256("APPEARED_VALIDATORS_MANAGER_ROLE");
    bytes32 public constant EXITED_VALIDATORS_MANAGER_ROLE = keccak256("EXITED_VALIDATORS_MANAGER_ROLE");
    bytes32 public constant EXIT_REQUESTS_MANAGER_ROLE = keccak256("EXIT_REQUESTS_MANAGER_ROLE");
    bytes32 public constant SHARE_RATE_DEVIATION_MANAGER_ROLE = keccak256("SHARE_RATE_DEVIATION_MANAGER_ROLE");

    // ---------------------------------------------------------------------------------------------------------------
    // Limits
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Names the limits in events and in `LimitOutOfRange`.
    enum Limit {
        AnnualBeaconBalanceGrowth,
        PositiveRebase,
        UnexplainedBalanceDrop,
        MaxLossPerSlashedValidator,
        ValidatorsAppearedPerDay,
        ValidatorsExitedPerDay,
        ExitRequestsPerReport,
        ShareRateDeviation
    }

    /// @notice Every limit, with the economic reason for it.
    struct Limits {
        /// @notice Max annualised growth of the protocol's beacon balance, in basis points.
        /// @dev Consensus-layer rewards are a few percent a year (~3% on mainnet, set by the base reward and total
        ///      stake); anything far above is a wrong balance, not rewards. Allow headroom for MEV-free CL variance.
        uint16 maxAnnualBeaconBalanceGrowthBP;
        /// @notice Max growth of total pooled ether in one report, as a fraction of it (1e9 = 100%).
        /// @dev Caps how far one report can lift the share rate (CL rewards + EL rewards pulled from the vault), so a
        ///      report cannot create a rate jump a holder could sandwich (buy before, withdraw after).
        uint32 maxPositiveRebase;
        /// @notice Max drop of the beacon balance not explained by reported slashings, in basis points of the
        ///         expected balance.
        /// @dev Without slashings, losses come from missed duties (inactivity): a few basis points per day for the
        ///      whole set offline. A larger unexplained drop means a wrong report or an attack on the rate downward
        ///      (cheap withdrawals for someone who bought the token back).
        uint16 maxUnexplainedBalanceDropBP;
        /// @notice The balance drop each newly slashed validator may explain, in wei.
        /// @dev A slashed validator loses the initial penalty (1/4096 of its effective balance after Electra), missed
        ///      duties until it withdraws and the correlation penalty (up to its whole balance in a mass slashing);
        ///      its balance (~32 ETH with 0x01 credentials) bounds the total.
        uint96 maxLossPerSlashedValidator;
        /// @notice Max validators that may newly appear on the beacon chain per day.
        /// @dev Bounded by the beacon chain's activation churn and by how fast the protocol can deposit; a larger
        ///      count would credit deposits (32 ETH each) that were never made.
        uint32 maxValidatorsAppearedPerDay;
        /// @notice Max validators that may newly be reported exited per day.
        /// @dev Bounded by the beacon chain's exit churn; a larger count would release bond and penalties wrongly.
        uint32 maxValidatorsExitedPerDay;
        /// @notice Max validator exit requests one report may make.
        /// @dev Exits are irreversible and leave the stake earning nothing for days; a report requesting many more
        ///      exits than withdrawals need is a fault or an attack on the operators.
        uint32 maxExitRequestsPerReport;
        /// @notice Max deviation between the share rate the oracle simulated off-chain and the one the report
        ///         actually produced on-chain, in basis points of the actual one.
        /// @dev Withdrawal requests are finalized at the simulated rate; a rate off by more than rounding means the
        ///      oracle's simulation or the report is wrong and requesters would be paid the wrong amount.
        uint16 maxShareRateDeviationBP;
    }

    /// @notice Inputs of `checkAccountingReport`, all figures in wei except counts and seconds.
    struct AccountingReport {
        uint256 timeElapsed; // seconds between the previous report's reference slot and this one's
        uint256 preTotalPooledEther; // the pool's total pooled ether before applying the report
        uint256 preBeaconBalance; // beacon balance the pool recorded at the previous report
        uint256 postBeaconBalance; // beacon balance of the protocol's validators at this reference slot
        uint256 preBeaconValidators; // validators the pool had seen on the beacon chain at the previous report
        uint256 postBeaconValidators; // validators seen at this reference slot (never decreases)
        uint256 withdrawalVaultBalance; // ETH in the withdrawal vault the report moves to the pool
        uint256 elRewardsVaultBalance; // ETH in the execution-rewards vault the report moves to the pool
        uint256 slashedDelta; // protocol validators newly slashed since the previous report
        uint256 exitedDelta; // protocol validators newly exited since the previous report
    }

    /// @custom:storage-location erc7201:shoal.storage.SanityChecker
    struct SanityCheckerStorage {
        Limits limits;
    }

    /// @dev keccak256(abi.encode(uint256(keccak256("shoal.storage.SanityChecker")) - 1)) & ~bytes32(uint256(0xff))
    ///      (computed by scripts/erc7201-slot.mjs).
    bytes32 private constant STORAGE_SLOT = 0xfe4492605d54ef253494dbf60edfcbb29223389a980a6af41e91bce190746b00;

    function _storage() private pure returns (SanityCheckerStorage storage $) {
        assembly {
            $.slot := STORAGE_SLOT
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Events and errors
    // ---------------------------------------------------------------------------------------------------------------

    event LimitSet(Limit indexed limit, uint256 value);

    error LimitOutOfRange(Limit limit, uint256 value, uint256 maxValue);
    error AnnualBeaconBalanceGrowthTooHigh(uint256 annualGrowthBP, uint256 maxAnnualGrowthBP);
    error PositiveRebaseTooHigh(uint256 rebase, uint256 maxRebase);
    error UnexplainedBalanceDropTooHigh(uint256 dropBP, uint256 maxDropBP);
    error BeaconValidatorsDecreased(uint256 preValidators, uint256 postValidators);
    error TooManyValidatorsAppeared(uint256 appeared, uint256 allowed);
    error TooManyValidatorsExited(uint256 exited, uint256 allowed);
    error TooManyExitRequests(uint256 requests, uint256 allowed);
    error ShareRateDeviationTooHigh(uint256 deviationBP, uint256 maxDeviationBP);
    error ZeroShareRate();
    error InputTooLarge(string field, uint256 value, uint256 maxValue);

    // ---------------------------------------------------------------------------------------------------------------
    // Initialisation and upgrades
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Sets the admin and every limit.
    function initialize(address admin, Limits calldata limits) external initializer {
        __ShoalUpgradeable_init(admin);
        _setAll(limits);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Setters (each limit has its own role)
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Sets every limit at once.
    function setLimits(Limits calldata limits) external onlyRole(ALL_LIMITS_MANAGER_ROLE) {
        _setAll(limits);
    }

    /// @notice Sets the max annualised beacon balance growth (basis points, at most 65535).
    function setMaxAnnualBeaconBalanceGrowthBP(uint256 value) external onlyRole(ANNUAL_BALANCE_GROWTH_MANAGER_ROLE) {
        _storage().limits.maxAnnualBeaconBalanceGrowthBP = uint16(_checked(Limit.AnnualBeaconBalanceGrowth, value));
    }

    /// @notice Sets the max positive rebase per report (1e9 = 100% of total pooled ether).
    function setMaxPositiveRebase(uint256 value) external onlyRole(POSITIVE_REBASE_MANAGER_ROLE) {
        _storage().limits.maxPositiveRebase = uint32(_checked(Limit.PositiveRebase, value));
    }

    /// @notice Sets the max beacon balance drop not explained by slashings (basis points, at most 10000).
    function setMaxUnexplainedBalanceDropBP(uint256 value) external onlyRole(BALANCE_DROP_MANAGER_ROLE) {
        _storage().limits.maxUnexplainedBalanceDropBP = uint16(_checked(Limit.UnexplainedBalanceDrop, value));
    }

    /// @notice Sets the balance drop one newly slashed validator may explain (wei).
    function setMaxLossPerSlashedValidator(uint256 value) external onlyRole(SLASHING_LOSS_MANAGER_ROLE) {
        _storage().limits.maxLossPerSlashedValidator = uint96(_checked(Limit.MaxLossPerSlashedValidator, value));
    }

    /// @notice Sets the max validators appearing on the beacon chain per day.
    function setMaxValidatorsAppearedPerDay(uint256 value) external onlyRole(APPEARED_VALIDATORS_MANAGER_ROLE) {
        _storage().limits.maxValidatorsAppearedPerDay = uint32(_checked(Limit.ValidatorsAppearedPerDay, value));
    }

    /// @notice Sets the max validators reported exited per day.
    function setMaxValidatorsExitedPerDay(uint256 value) external onlyRole(EXITED_VALIDATORS_MANAGER_ROLE) {
        _storage().limits.maxValidatorsExitedPerDay = uint32(_checked(Limit.ValidatorsExitedPerDay, value));
    }

    /// @notice Sets the max exit requests of one report.
    function setMaxExitRequestsPerReport(uint256 value) external onlyRole(EXIT_REQUESTS_MANAGER_ROLE) {
        _storage().limits.maxExitRequestsPerReport = uint32(_checked(Limit.ExitRequestsPerReport, value));
    }

    /// @notice Sets the max deviation between simulated and actual share rate (basis points, at most 10000).
    function setMaxShareRateDeviationBP(uint256 value) external onlyRole(SHARE_RATE_DEVIATION_MANAGER_ROLE) {
        _storage().limits.maxShareRateDeviationBP = uint16(_checked(Limit.ShareRateDeviation, value));
    }

    /// @notice The largest value `limit` can be set to.
    function maxLimitValue(Limit limit) public pure returns (uint256) {
        if (limit == Limit.AnnualBeaconBalanceGrowth) return type(uint16).max;
        if (limit == Limit.PositiveRebase) return type(uint32).max;
        if (limit == Limit.UnexplainedBalanceDrop || limit == Limit.ShareRateDeviation) return MAX_BASIS_POINTS;
        if (limit == Limit.MaxLossPerSlashedValidator) return type(uint96).max;
        return type(uint32).max; // validators per day, exit requests per report
    }

    /// @notice Every limit.
    function getLimits() external view returns (Limits memory) {
        return _storage().limits;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Checks
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Reverts unless the accounting part of a report is within every balance and validator limit.
    /// @dev See the balance model in the contract header. Reverts with `BeaconValidatorsDecreased`,
    ///      `TooManyValidatorsAppeared`, `TooManyValidatorsExited`, `AnnualBeaconBalanceGrowthTooHigh`,
    ///      `UnexplainedBalanceDropTooHigh` or `PositiveRebaseTooHigh`.
    function checkAccountingReport(AccountingReport calldata r) external view {
        Limits memory l = _storage().limits;
        _bounded("timeElapsed", r.timeElapsed, MAX_COUNT);
        _bounded("preTotalPooledEther", r.preTotalPooledEther, MAX_AMOUNT);
        _bounded("preBeaconBalance", r.preBeaconBalance, MAX_AMOUNT);
        _bounded("postBeaconBalance", r.postBeaconBalance, MAX_AMOUNT);
        _bounded("preBeaconValidators", r.preBeaconValidators, MAX_COUNT);
        _bounded("postBeaconValidators", r.postBeaconValidators, MAX_COUNT);
        _bounded("withdrawalVaultBalance", r.withdrawalVaultBalance, MAX_AMOUNT);
        _bounded("elRewardsVaultBalance", r.elRewardsVaultBalance, MAX_AMOUNT);
        _bounded("slashedDelta", r.slashedDelta, MAX_COUNT);
        _bounded("exitedDelta", r.exitedDelta, MAX_COUNT);

        if (r.postBeaconValidators < r.preBeaconValidators) {
            revert BeaconValidatorsDecreased(r.preBeaconValidators, r.postBeaconValidators);
        }
        uint256 appeared = r.postBeaconValidators - r.preBeaconValidators;
        _checkPerDay(appeared, l.maxValidatorsAppearedPerDay, r.timeElapsed, false);
        _checkPerDay(r.exitedDelta, l.maxValidatorsExitedPerDay, r.timeElapsed, true);

        uint256 expected = r.preBeaconBalance + appeared * DEPOSIT_SIZE;
        uint256 actual = r.postBeaconBalance + r.withdrawalVaultBalance;
        if (actual >= expected) {
            uint256 growth = actual - expected;
            // growth / expected * YEAR / timeElapsed <= max / 10000, cross-multiplied (exact).
            uint256 maxGrowthBP = l.maxAnnualBeaconBalanceGrowthBP;
            if (growth * SECONDS_PER_YEAR * MAX_BASIS_POINTS > maxGrowthBP * expected * r.timeElapsed) {
                uint256 denominator = expected * r.timeElapsed;
                uint256 shown = denominator == 0
                    ? type(uint256).max
                    : Math.mulDiv(growth, SECONDS_PER_YEAR * MAX_BASIS_POINTS, denominator, Math.Rounding.Ceil);
                revert AnnualBeaconBalanceGrowthTooHigh(shown, maxGrowthBP);
            }
            _checkRebase(growth + r.elRewardsVaultBalance, r.preTotalPooledEther, l.maxPositiveRebase);
        } else {
            uint256 drop = expected - actual;
            uint256 explained = r.slashedDelta * l.maxLossPerSlashedValidator;
            uint256 unexplained = drop > explained ? drop - explained : 0;
            if (unexplained * MAX_BASIS_POINTS > uint256(l.maxUnexplainedBalanceDropBP) * expected) {
                uint256 shown = Math.mulDiv(unexplained, MAX_BASIS_POINTS, expected, Math.Rounding.Ceil);
                revert UnexplainedBalanceDropTooHigh(shown, l.maxUnexplainedBalanceDropBP);
            }
            if (r.elRewardsVaultBalance > drop) {
                _checkRebase(r.elRewardsVaultBalance - drop, r.preTotalPooledEther, l.maxPositiveRebase);
            }
        }
    }

    /// @notice Reverts with `TooManyExitRequests` if one report requests more than the allowed exits.
    function checkExitRequests(uint256 count) external view {
        uint256 allowed = _storage().limits.maxExitRequestsPerReport;
        if (count > allowed) revert TooManyExitRequests(count, allowed);
    }

    /// @notice Reverts with `ShareRateDeviationTooHigh` if the share rate the oracle simulated deviates from the
    ///         actual post-report rate by more than the allowed basis points of the actual one (any common scale,
    ///         e.g. the pool's 1e27 precision).
    function checkFinalizationShareRate(uint256 simulatedShareRate, uint256 actualShareRate) external view {
        if (actualShareRate == 0) revert ZeroShareRate();
        _bounded("simulatedShareRate", simulatedShareRate, MAX_AMOUNT);
        _bounded("actualShareRate", actualShareRate, MAX_AMOUNT);
        uint256 maxBP = _storage().limits.maxShareRateDeviationBP;
        uint256 diff = simulatedShareRate > actualShareRate
            ? simulatedShareRate - actualShareRate
            : actualShareRate - simulatedShareRate;
        // diff / actual <= maxBP / 10000, cross-multiplied (exact; inputs are bounded so nothing overflows).
        if (diff * MAX_BASIS_POINTS > maxBP * actualShareRate) {
            revert ShareRateDeviationTooHigh(Math.ceilDiv(diff * MAX_BASIS_POINTS, actualShareRate), maxBP);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    /// @dev count per day <= maxPerDay, i.e. count * DAY <= maxPerDay * timeElapsed (exact).
    function _checkPerDay(uint256 count, uint256 maxPerDay, uint256 timeElapsed, bool exited) private pure {
        if (count * SECONDS_PER_DAY > maxPerDay * timeElapsed) {
            uint256 allowed = maxPerDay * timeElapsed / SECONDS_PER_DAY;
            if (exited) revert TooManyValidatorsExited(count, allowed);
            revert TooManyValidatorsAppeared(count, allowed);
        }
    }

    /// @dev increase / preTotalPooledEther <= maxRebase / 1e9, cross-multiplied (exact). With nothing pooled yet the
    ///      rate is undefined, so no rebase bound applies (the balance checks above still do).
    function _checkRebase(uint256 increase, uint256 preTotalPooledEther, uint256 maxRebase) private pure {
        if (preTotalPooledEther == 0 || increase == 0) return;
        if (increase * REBASE_PRECISION > maxRebase * preTotalPooledEther) {
            revert PositiveRebaseTooHigh(
                Math.mulDiv(increase, REBASE_PRECISION, preTotalPooledEther, Math.Rounding.Ceil), maxRebase
            );
        }
    }

    function _bounded(string memory field, uint256 value, uint256 maxValue) private pure {
        if (value > maxValue) revert InputTooLarge(field, value, maxValue);
    }

    function _checked(Limit limit, uint256 value) private returns (uint256) {
        uint256 maxValue = maxLimitValue(limit);
        if (value > maxValue) revert LimitOutOfRange(limit, value, maxValue);
        emit LimitSet(limit, value);
        return value;
    }

    function _setAll(Limits calldata l) private {
        SanityCheckerStorage storage $ = _storage();
        $.limits = Limits({
            maxAnnualBeaconBalanceGrowthBP: uint16(_checked(Limit.AnnualBeaconBalanceGrowth, l.maxAnnualBeaconBalanceGrowthBP)),
            maxPositiveRebase: uint32(_checked(Limit.PositiveRebase, l.maxPositiveRebase)),
            maxUnexplainedBalanceDropBP: uint16(_checked(Limit.UnexplainedBalanceDrop, l.maxUnexplainedBalanceDropBP)),
            maxLossPerSlashedValidator: uint96(_checked(Limit.MaxLossPerSlashedValidator, l.maxLossPerSlashedValidator)),
            maxValidatorsAppearedPerDay: uint32(_checked(Limit.ValidatorsAppearedPerDay, l.maxValidatorsAppearedPerDay)),
            maxValidatorsExitedPerDay: uint32(_checked(Limit.ValidatorsExitedPerDay, l.maxValidatorsExitedPerDay)),
            maxExitRequestsPerReport: uint32(_checked(Limit.ExitRequestsPerReport, l.maxExitRequestsPerReport)),
            maxShareRateDeviationBP: uint16(_checked(Limit.ShareRateDeviation, l.maxShareRateDeviationBP))
        });
    }
}
