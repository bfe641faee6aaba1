// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "./base/ShoalUpgradeable.sol";
import {SharesToken} from "./token/SharesToken.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";
import {IStakingRouter} from "./interfaces/IStakingRouter.sol";
import {IWithdrawalQueue} from "./interfaces/IWithdrawalQueue.sol";
import {SanityChecker} from "./oracle/SanityChecker.sol";
import {WithdrawalVault} from "./vaults/WithdrawalVault.sol";
import {ExecutionRewardsVault} from "./vaults/ExecutionRewardsVault.sol";
import {StakeLimit, StakeLimitLib} from "./lib/StakeLimitLib.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title StakingPool — pooled staking and the dvETH token
/// @notice Anyone stakes any amount of ETH and receives dvETH, a non-rebasing ERC-20 of pool *shares*.
///         A share's value is `totalPooledEther / totalShares` and only the oracle's reports move it.
///
/// What it promises:
///  - `totalPooledEther = bufferedEther + beaconBalance + transientEther`, where transient is
///    32 ETH for every validator deposited but not yet seen by the oracle. Every function keeps the identity.
///  - The pool's accounting is internal: ETH forced into the contract (selfdestruct, coinbase) is ignored, so a
///    donation cannot move the share rate. The only way the rate moves is an oracle report, whose size the
///    SanityChecker bounds. Together with the dead shares minted at initialisation (see `BOOTSTRAP_DEPOSIT`)
///    this closes the first-depositor inflation attack: rounding can never take more than one wei-share from
///    a depositor.
///  - Buffered ETH leaves only as 32 ETH validator deposits through the StakingRouter, called by the
///    deposit-security module (`DEPOSIT_ROLE`) which checks the guardians' attestation first.
///
///  - Σ balanceOf over all accounts = totalSupply. The withdrawal queue's dvETH is not a stored balance written
///    on every request: `balanceOf(queue)` = its stored balance (dvETH anyone sent it, which stays there) + the
///    shares of its unfinalized requests, which the queue knows (`unfinalizedShares`). A request debits the holder
///    (`pullSharesForWithdrawal`, `Transfer(holder, queue)`); finalization credits BURNER with exactly the
///    shares the finalized requests leave the queue with (`Transfer(queue, BURNER)`). Both sides move by the same
///    integer amount, so the sum stays exact.
///
/// What it trusts: the StakingRouter to deposit exactly the ETH it receives; `ORACLE_ROLE` (the
/// AccountingOracle) for beacon-chain state; `DEPOSIT_ROLE` (the DepositSecurityModule) for front-run safety;
/// the withdrawal queue to pull shares only from the holder who called it and to count them in
/// `unfinalizedShares` until it finalizes them.
contract StakingPool is ShoalUpgradeable, SharesToken, IStakingPool {
    using StakeLimitLib for StakeLimit;

    // ------------------------------------------------------------------------------------------ constants
    /// @notice Pauses staking (an emergency brake that must be quick to pull).
    bytes32 public constant STAKING_PAUSE_ROLE = keccak256("STAKING_PAUSE_ROLE");
    /// @notice Resumes staking and sets the stake rate limit.
    bytes32 public constant STAKING_CONTROL_ROLE = keccak256("STAKING_CONTROL_ROLE");
    /// @notice Deposits buffered ETH to validators (the DepositSecurityModule).
    bytes32 public constant DEPOSIT_ROLE = keccak256("DEPOSIT_ROLE");

    /// @notice Applies oracle reports (the AccountingOracle).
    bytes32 public constant ORACLE_ROLE = keccak256("ORACLE_ROLE");
    /// @notice Pays operator penalties (bond ETH) into the pool (the DVT module).
    bytes32 public constant PENALTY_SOURCE_ROLE = keccak256("PENALTY_SOURCE_ROLE");

    /// @notice Size of one validator deposit (consensus specs: MAX_EFFECTIVE_BALANCE for 0x01 validators).
    uint256 public constant DEPOSIT_SIZE = 32 ether;

    /// @notice ETH the deployer stakes at initialisation; its shares go to `DEAD_SHARES_HOLDER` forever so
    ///         the supply never returns to zero (no first-depositor rate manipulation). 0.001 ETH.
    uint256 public constant BOOTSTRAP_DEPOSIT = 1e15;

    /// @notice Holder of the bootstrap shares: an address without a key.
    address public constant DEAD_SHARES_HOLDER = 0x000000000000000000000000000000000000dEaD;

    /// @notice Holds the shares of finalized withdrawal requests until they can be burnt (an address without a key).
    /// @dev A request is paid at most its value at request time, so burning its shares at a higher finalization
    ///      rate hands the difference to the remaining holders. Burnt all at once after a large, old request, that
    ///      could lift the rate by more than one report may (a sandwich: stake before, withdraw after); so the
    ///      pool burns only what keeps the report within the sanity checker's max positive rebase, and the rest in
    ///      later reports (Transfer events to and from this address show both steps).
    address public constant BURNER = address(uint160(uint256(keccak256("shoal.StakingPool.burner"))));

    /// @notice Precision of the router's fee shares (100 % = 1e20).
    uint256 private constant FEE_PRECISION = 1e20;

    /// @dev The sanity checker's rebase precision (1e9 = 100 %).
    uint256 private constant REBASE_PRECISION = 1e9;

    /// @notice Precision of `shareRate()` (ETH per share × 1e27), shared with the oracle and the queue.
    uint256 public constant SHARE_RATE_PRECISION = 1e27;

    // ------------------------------------------------------------------------------------------ storage
    /// @custom:storage-location erc7201:shoal.storage.StakingPool
    struct PoolStorage {
        // slot 0 — written on every stake: supply and pooled ether together (one SSTORE).
        uint128 totalShares;
        uint128 totalPooledEther;
        // slot 1 — stake rate limit and pause flag.
        StakeLimit stakeLimit;
        // slot 2 — beacon-chain view.
        uint64 depositedValidators; // ever deposited through the router
        uint64 beaconValidators; // ever seen on the beacon chain (oracle), <= depositedValidators
        uint128 beaconBalance; // their total balance at the last report
        // slot 3+ — wiring.
        IStakingRouter router;
        WithdrawalVault withdrawalVault;
        ExecutionRewardsVault elRewardsVault;
        SanityChecker sanityChecker;
        uint128 pendingPenalties; // penalty ETH held, not yet in totalPooledEther (released by reports)
    }

    /// @notice What the AccountingOracle hands over from a report that reached consensus.
    struct OracleReport {
        uint256 timeElapsed; // seconds since the previous report's reference slot
        uint256 beaconValidators; // protocol validators ever seen on the beacon chain (never decreases)
        uint256 beaconBalance; // their total balance at the reference slot (wei)
        uint256 withdrawalVaultBalance; // to move from the WithdrawalVault (its balance at the reference block)
        uint256 elRewardsVaultBalance; // at most this much from the ExecutionRewardsVault
        uint256 slashedDelta; // validators newly slashed since the previous report
        uint256 exitedDelta; // validators newly exited since the previous report
        uint256[] withdrawalFinalizationBatches; // ends of request runs to finalize (empty: none)
        uint256 simulatedShareRate; // the oracle's share rate after rewards, before finalization (1e27)
    }

    /// @notice The withdrawal queue (its proxy), fixed in the implementation as the queue fixes its `POOL`: the
    ///         queue pulls holders' shares on every request, and an immutable spares that hot path a cold storage
    ///         read (2,100 gas, EIP-2929). The queue upgrades behind its own proxy, so its address never needs to
    ///         change; moving to another queue takes a pool upgrade, refused while this one holds shares.
    IWithdrawalQueue public immutable WITHDRAWAL_QUEUE;

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.StakingPool")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant POOL_STORAGE = 0x6a7fe6ffbe0ad24e835289f7b9f21c0bc92b691609ae9440ddf2438eb7563b00;

    function _pool() private pure returns (PoolStorage storage $) {
        assembly {
            $.slot := POOL_STORAGE
        }
    }

    // ------------------------------------------------------------------------------------------ events
    /// @notice `sender` staked `assets` wei for `receiver`, who got `shares` dvETH.
    event Staked(address indexed sender, address indexed receiver, uint256 assets, uint256 shares);
    /// @notice The stake was tagged with a referral (emitted only when a referral is given).
    event Referral(address indexed referral, address indexed receiver, uint256 assets);
    /// @notice `count` validators were deposited to module `moduleId`, moving 32 ETH each from buffer to transient.
    event ValidatorsDeposited(uint256 indexed moduleId, uint256 count, uint256 depositedValidators);
    event StakingPaused();
    event StakingResumed();
    event StakingLimitSet(uint256 maxStakeLimit, uint256 stakeLimitIncreasePerBlock);
    event StakingLimitRemoved();
    event RouterSet(address router);
    event ProtocolContractsSet(address withdrawalQueue, address withdrawalVault, address elRewardsVault, address sanityChecker);
    /// @notice A report moved the beacon-chain view.
    event BeaconStatUpdated(uint256 beaconValidators, uint256 beaconBalance, uint256 appearedValidators);
    /// @notice ETH pulled into the buffer from the vaults during a report.
    event VaultsCollected(uint256 withdrawals, uint256 executionRewards);
    /// @notice The share rate moved. Everything an integration needs to follow the rate and the APR.
    event TokenRebased(
        uint256 timeElapsed,
        uint256 preTotalShares,
        uint256 preTotalEther,
        uint256 postTotalShares,
        uint256 postTotalEther,
        uint256 sharesMintedAsFees,
        uint256 rewards
    );
    /// @notice Withdrawal requests up to `lastRequestId` were finalized: `etherLocked` left the pool for the
    ///         queue and `sharesBurned` were burnt from it.
    event WithdrawalsFinalized(uint256 lastRequestId, uint256 etherLocked, uint256 sharesBurned, uint256 shareRate);
    event FeeSharesMinted(address indexed recipient, uint256 shares);
    event PenaltyReceived(address indexed from, uint256 amount);
    /// @notice A report moved `released` penalty ETH into pooled ether; `pending` waits for later reports.
    event PenaltiesReleased(uint256 released, uint256 pending);

    // ------------------------------------------------------------------------------------------ errors
    error ZeroDeposit();
    error BootstrapDepositRequired(uint256 sent, uint256 required);
    error NotEnoughBufferedEther(uint256 requested, uint256 available);
    error UnexpectedDepositCount(uint256 count);
    error AmountTooLarge(uint256 amount);
    error UnexpectedSender(address sender);
    error BeaconValidatorsDecreased(uint256 reported, uint256 previous);
    error BeaconValidatorsAboveDeposited(uint256 reported, uint256 deposited);
    error NotEnoughEtherToFinalize(uint256 required, uint256 available);
    /// @notice The withdrawal queue cannot be replaced while it holds `shares` of unfinalized requests (they are
    ///         counted through it: a new queue would drop them from the supply's sum and strand them).
    error QueueHoldsShares(address queue, uint256 shares);
    /// @notice `setProtocolContracts` named another queue than the implementation's `WITHDRAWAL_QUEUE`.
    error QueueMismatch(address given, address expected);

    /// @param withdrawalQueue The withdrawal queue's proxy (predicted by the deployer, as the queue's own
    ///        implementation is built with the pool's proxy address).
    constructor(IWithdrawalQueue withdrawalQueue) {
        if (address(withdrawalQueue) == address(0)) revert ZeroAddress("withdrawalQueue");
        WITHDRAWAL_QUEUE = withdrawalQueue;
    }

    // ------------------------------------------------------------------------------------------ setup
    /// @notice Initialises the proxy. Must be sent exactly `BOOTSTRAP_DEPOSIT` wei (see there).
    /// @param admin governance: DEFAULT_ADMIN_ROLE (upgrades, roles)
    /// @param router the StakingRouter
    function initialize(address admin, address router) external payable initializer {
        if (msg.value != BOOTSTRAP_DEPOSIT) revert BootstrapDepositRequired(msg.value, BOOTSTRAP_DEPOSIT);
        __ShoalUpgradeable_init(admin);
        __EIP712_init("Shoal DV Staked ETH", "1");
        __Nonces_init();
        _setRouter(router);
        PoolStorage storage $ = _pool();
        $.stakeLimit.resume(); // staking starts unpaused and without a limit
        $.totalShares = uint128(BOOTSTRAP_DEPOSIT);
        $.totalPooledEther = uint128(BOOTSTRAP_DEPOSIT);
        _mintPresized(DEAD_SHARES_HOLDER, BOOTSTRAP_DEPOSIT);
        emit Staked(msg.sender, DEAD_SHARES_HOLDER, BOOTSTRAP_DEPOSIT, BOOTSTRAP_DEPOSIT);
    }

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return "Shoal DV Staked ETH";
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return "dvETH";
    }

    // ------------------------------------------------------------------------------------------ staking
    /// @notice Stakes `msg.value` wei and mints dvETH shares to `receiver`.
    /// @param receiver who gets the shares
    /// @param referral optional referral tag (zero for none), emitted for off-chain programmes
    /// @return shares minted (rounded down: the pool never gives more than the ETH is worth)
    function deposit(address receiver, address referral) external payable returns (uint256 shares) {
        shares = _stake(receiver, msg.value);
        if (referral != address(0)) emit Referral(referral, receiver, msg.value);
    }

    /// @notice Plain ETH transfers stake for the sender.
    receive() external payable {
        _stake(msg.sender, msg.value);
    }

    function _stake(address receiver, uint256 assets) private returns (uint256 shares) {
        if (assets == 0) revert ZeroDeposit();
        PoolStorage storage $ = _pool();
        $.stakeLimit.consume(assets);
        uint256 supply = $.totalShares;
        uint256 pooled = $.totalPooledEther;
        shares = assets * supply / pooled;
        if (shares == 0) revert ZeroDeposit(); // dust that would buy no share
        uint256 newPooled = pooled + assets;
        if (newPooled > type(uint128).max) revert AmountTooLarge(assets);
        // supply grows slower than pooled ether, so it fits whenever pooled ether does
        ($.totalShares, $.totalPooledEther) = (uint128(supply + shares), uint128(newPooled));
        _mintPresized(receiver, shares);
        emit Staked(msg.sender, receiver, assets, shares);
    }

    // ------------------------------------------------------------------------------------------ deposits
    /// @notice Deposits up to `maxCount` validators of module `moduleId` from the buffer. Only `DEPOSIT_ROLE`
    ///         (the DepositSecurityModule, after verifying the guardians' attestation).
    /// @return count validators deposited (may be fewer than `maxCount`, or zero)
    function depositBufferedEther(uint256 maxCount, uint256 moduleId, bytes calldata depositCalldata)
        external
        onlyRole(DEPOSIT_ROLE)
        returns (uint256 count)
    {
        PoolStorage storage $ = _pool();
        count = Math.min(maxCount, getDepositableEther() / DEPOSIT_SIZE);
        count = $.router.getDepositableCount(moduleId, count);
        if (count == 0) return 0;
        if (count > type(uint32).max) revert UnexpectedDepositCount(count);
        $.depositedValidators += uint64(count);
        $.router.deposit{value: count * DEPOSIT_SIZE}(moduleId, depositCalldata);
        emit ValidatorsDeposited(moduleId, count, $.depositedValidators);
    }

    // ------------------------------------------------------------------------------------------ control
    /// @notice Stops new stakes at once. `STAKING_PAUSE_ROLE`.
    function pauseStaking() external onlyRole(STAKING_PAUSE_ROLE) {
        _pool().stakeLimit.pause();
        emit StakingPaused();
    }

    /// @notice Allows stakes again. `STAKING_CONTROL_ROLE`.
    function resumeStaking() external onlyRole(STAKING_CONTROL_ROLE) {
        _pool().stakeLimit.resume();
        emit StakingResumed();
    }

    /// @notice Limits how fast ETH can be staked: at most `maxStakeLimit` at once, regenerating by
    ///         `stakeLimitIncreasePerBlock` per block. Protects the rate from sudden inflows a report could
    ///         exploit and gives operators time to add keys. `STAKING_CONTROL_ROLE`.
    function setStakingLimit(uint256 maxStakeLimit, uint256 stakeLimitIncreasePerBlock)
        external
        onlyRole(STAKING_CONTROL_ROLE)
    {
        StakeLimit storage limit = _pool().stakeLimit;
        limit.setLimit(maxStakeLimit, stakeLimitIncreasePerBlock);
        // the limit regenerates in whole blocks (maxStakeLimit / growthBlocks), so report the effective rate
        emit StakingLimitSet(maxStakeLimit, StakeLimitLib.increasePerBlock(limit));
    }

    /// @notice Removes the stake rate limit. `STAKING_CONTROL_ROLE`.
    function removeStakingLimit() external onlyRole(STAKING_CONTROL_ROLE) {
        _pool().stakeLimit.removeLimit();
        emit StakingLimitRemoved();
    }

    /// @notice Points the pool at a new StakingRouter. `DEFAULT_ADMIN_ROLE`.
    function setRouter(address router) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRouter(router);
    }

    function _setRouter(address router) private {
        if (router == address(0)) revert ZeroAddress("router");
        _pool().router = IStakingRouter(router);
        emit RouterSet(router);
    }

    /// @notice Connects the report path: vaults and sanity checker. `DEFAULT_ADMIN_ROLE`. The queue is the
    ///         implementation's `WITHDRAWAL_QUEUE`; it is named here so the call and its event state the whole wiring.
    function setProtocolContracts(address withdrawalQueue, address withdrawalVault, address elRewardsVault, address sanityChecker)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (withdrawalQueue != address(WITHDRAWAL_QUEUE)) revert QueueMismatch(withdrawalQueue, address(WITHDRAWAL_QUEUE));
        if (withdrawalVault == address(0)) revert ZeroAddress("withdrawalVault");
        if (elRewardsVault == address(0)) revert ZeroAddress("elRewardsVault");
        if (sanityChecker == address(0)) revert ZeroAddress("sanityChecker");
        PoolStorage storage $ = _pool();
        $.withdrawalVault = WithdrawalVault(payable(withdrawalVault));
        $.elRewardsVault = ExecutionRewardsVault(payable(elRewardsVault));
        $.sanityChecker = SanityChecker(sanityChecker);
        emit ProtocolContractsSet(withdrawalQueue, withdrawalVault, elRewardsVault, sanityChecker);
    }

    // ------------------------------------------------------------------------------------------ withdrawals
    /// @inheritdoc IStakingPool
    /// @dev No allowance: the holder authorised the move by calling the queue, which passes its own caller. The
    ///      shares are not credited to a stored balance: the queue counts them (see `balanceOf`).
    function pullSharesForWithdrawal(address holder, uint256 shares) external {
        if (msg.sender != address(WITHDRAWAL_QUEUE)) revert UnexpectedSender(msg.sender);
        _debit(holder, shares);
        emit Transfer(holder, msg.sender, shares);
    }

    /// @inheritdoc IERC20
    /// @dev For the withdrawal queue: its stored balance plus the shares of its unfinalized requests.
    function balanceOf(address account) public view override(IERC20, SharesToken) returns (uint256 shares) {
        shares = _storedBalance(account);
        if (account == address(WITHDRAWAL_QUEUE)) shares += WITHDRAWAL_QUEUE.unfinalizedShares();
    }

    /// @dev Upgrades by `DEFAULT_ADMIN_ROLE`; one that binds another queue is refused while this queue holds
    ///      shares of unfinalized requests (`balanceOf` counts them through this queue only).
    function _authorizeUpgrade(address newImplementation) internal view override {
        super._authorizeUpgrade(newImplementation);
        address next;
        try StakingPool(payable(newImplementation)).WITHDRAWAL_QUEUE() returns (IWithdrawalQueue q) {
            next = address(q);
        } catch {}
        if (next != address(WITHDRAWAL_QUEUE)) {
            uint256 held = WITHDRAWAL_QUEUE.unfinalizedShares();
            if (held != 0) revert QueueHoldsShares(address(WITHDRAWAL_QUEUE), held);
        }
    }

    // ------------------------------------------------------------------------------------------ ETH in
    /// @notice Withdrawn validator balances, sent by the WithdrawalVault during a report (accounted there).
    function receiveWithdrawals() external payable {
        if (msg.sender != address(_pool().withdrawalVault)) revert UnexpectedSender(msg.sender);
    }

    /// @notice Execution-layer rewards, sent by the ExecutionRewardsVault during a report (accounted there).
    function receiveELRewards() external payable {
        if (msg.sender != address(_pool().elRewardsVault)) revert UnexpectedSender(msg.sender);
    }

    /// @notice Operator penalties taken from bonds. They belong to the stakers, but enter the share rate only
    ///         through reports and within the max positive rebase (see `_releasePenalties`), so a large penalty
    ///         cannot jump the rate for someone to sandwich. `PENALTY_SOURCE_ROLE`.
    function receivePenalty() external payable onlyRole(PENALTY_SOURCE_ROLE) {
        PoolStorage storage $ = _pool();
        $.pendingPenalties += uint128(msg.value);
        emit PenaltyReceived(msg.sender, msg.value);
    }

    // ------------------------------------------------------------------------------------------ reports
    /// @notice Applies an oracle report: the beacon-chain view, the vaults' ETH, the protocol fee on rewards,
    ///         and withdrawal finalization. `ORACLE_ROLE` (the AccountingOracle, after hash consensus).
    ///
    ///   rewards = (beaconBalance' − beaconBalance − 32 ETH × appeared) + withdrawals + executionRewards
    ///   fee     = rewards × totalFee, minted as new shares so that holders keep (1 − totalFee) of rewards:
    ///             feeShares = fee × totalShares / (totalPooledEther' − fee)
    /// @return postTotalEther totalPooledEther after the report
    /// @return postTotalShares total shares after the report
    function handleOracleReport(OracleReport calldata r)
        external
        onlyRole(ORACLE_ROLE)
        returns (uint256 postTotalEther, uint256 postTotalShares)
    {
        PoolStorage storage $ = _pool();
        uint256 preTotalEther = $.totalPooledEther;
        uint256 preTotalShares = $.totalShares;
        _checkReport($, r, preTotalEther);

        // 1. beacon view and vault ETH
        uint256 appeared = r.beaconValidators - $.beaconValidators;
        int256 clDelta = int256(r.beaconBalance) - int256(uint256($.beaconBalance)) - int256(appeared * DEPOSIT_SIZE);
        ($.beaconValidators, $.beaconBalance) = (uint64(r.beaconValidators), uint128(r.beaconBalance));
        emit BeaconStatUpdated(r.beaconValidators, r.beaconBalance, appeared);
        if (r.withdrawalVaultBalance > 0) $.withdrawalVault.withdrawWithdrawals(r.withdrawalVaultBalance);
        uint256 elRewards = r.elRewardsVaultBalance > 0 ? $.elRewardsVault.withdrawRewards(r.elRewardsVaultBalance) : 0;
        emit VaultsCollected(r.withdrawalVaultBalance, elRewards);
        int256 change = clDelta + int256(r.withdrawalVaultBalance) + int256(elRewards);
        postTotalEther = uint256(int256(preTotalEther) + change);
        $.totalPooledEther = uint128(postTotalEther);

        // 2. the protocol fee on positive rewards
        uint256 feeShares = change > 0 ? _mintFees($, uint256(change), postTotalEther, preTotalShares) : 0;

        // 3. withdrawals, at the rate holders see after the fee; their shares burnt within the rebase bound
        if (r.withdrawalFinalizationBatches.length > 0) _finalizeWithdrawals($, r);
        _burnDeferredShares($, preTotalEther, preTotalShares);
        _releasePenalties($, preTotalEther, preTotalShares);
        postTotalEther = $.totalPooledEther;
        postTotalShares = $.totalShares;
        WITHDRAWAL_QUEUE.notifyShareRate(postTotalEther * SHARE_RATE_PRECISION / postTotalShares);
        emit TokenRebased(
            r.timeElapsed, preTotalShares, preTotalEther, postTotalShares, postTotalEther, feeShares, change > 0 ? uint256(change) : 0
        );
    }

    function _checkReport(PoolStorage storage $, OracleReport calldata r, uint256 preTotalEther) private view {
        if (r.beaconValidators < $.beaconValidators) revert BeaconValidatorsDecreased(r.beaconValidators, $.beaconValidators);
        if (r.beaconValidators > $.depositedValidators) {
            revert BeaconValidatorsAboveDeposited(r.beaconValidators, $.depositedValidators);
        }
        $.sanityChecker.checkAccountingReport(
            SanityChecker.AccountingReport({
                timeElapsed: r.timeElapsed,
                preTotalPooledEther: preTotalEther,
                preBeaconBalance: $.beaconBalance,
                postBeaconBalance: r.beaconBalance,
                preBeaconValidators: $.beaconValidators,
                postBeaconValidators: r.beaconValidators,
                withdrawalVaultBalance: r.withdrawalVaultBalance,
                elRewardsVaultBalance: r.elRewardsVaultBalance,
                slashedDelta: r.slashedDelta,
                exitedDelta: r.exitedDelta
            })
        );
    }

    /// @dev Mints the fee on `rewards` as shares: to each module by its weighted fee, the rest to the treasury.
    function _mintFees(PoolStorage storage $, uint256 rewards, uint256 postTotalEther, uint256 totalShares)
        private
        returns (uint256 feeShares)
    {
        (uint256[] memory moduleIds, address[] memory modules, uint256[] memory moduleFees, uint256 totalFee) =
            $.router.getFeeDistribution();
        if (totalFee == 0) return 0;
        uint256 precision = FEE_PRECISION;
        uint256 feeEther = rewards * totalFee / precision;
        feeShares = feeEther * totalShares / (postTotalEther - feeEther);
        uint256[] memory moduleShares = new uint256[](modules.length);
        uint256 toModules;
        for (uint256 i; i < modules.length; ++i) {
            moduleShares[i] = feeShares * moduleFees[i] / totalFee;
            toModules += moduleShares[i];
            if (moduleShares[i] > 0) {
                _mint(modules[i], moduleShares[i]);
                emit FeeSharesMinted(modules[i], moduleShares[i]);
            }
        }
        address treasury = $.router.getTreasury();
        if (feeShares > toModules) {
            _mint(treasury, feeShares - toModules);
            emit FeeSharesMinted(treasury, feeShares - toModules);
        }
        $.router.onRewardsMinted(moduleIds, moduleShares);
    }

    /// @dev Locks ETH for the requests in the batches at the report's rate and burns their shares. The rate must
    ///      agree with the pool's own post-fee rate within the sanity checker's bound.
    function _finalizeWithdrawals(PoolStorage storage $, OracleReport calldata r) private {
        uint256 actualRate = uint256($.totalPooledEther) * SHARE_RATE_PRECISION / $.totalShares;
        $.sanityChecker.checkFinalizationShareRate(r.simulatedShareRate, actualRate);
        // finalize at the lower of the two: never pay out more than the pool's own books say a share is worth
        uint256 rate = r.simulatedShareRate < actualRate ? r.simulatedShareRate : actualRate;
        IWithdrawalQueue queue = WITHDRAWAL_QUEUE;
        (uint256 ethToLock, uint256 sharesToBurn) = queue.prefinalize(r.withdrawalFinalizationBatches, rate);
        uint256 buffered = getBufferedEther();
        if (ethToLock > buffered) revert NotEnoughEtherToFinalize(ethToLock, buffered);
        uint256 lastId = r.withdrawalFinalizationBatches[r.withdrawalFinalizationBatches.length - 1];
        queue.finalize{value: ethToLock}(lastId, rate);
        $.totalPooledEther -= uint128(ethToLock);
        // the finalized requests' shares leave the queue's count (inside `finalize`) and wait at BURNER, burnt by
        // _burnDeferredShares within the rebase bound
        _credit(BURNER, sharesToBurn);
        emit Transfer(address(queue), BURNER, sharesToBurn);
        emit WithdrawalsFinalized(lastId, ethToLock, sharesToBurn, rate);
    }

    /// @dev Burns pending request shares, as many as keep this report's rate at or below the rate before it
    ///      times (1 + maxPositiveRebase); what is left waits for the next reports.
    ///        rate after burning b = pooled / (shares − b) ≤ preEther × (1e9 + limit) / (preShares × 1e9)
    ///        ⇔ b ≤ shares − pooled × preShares × 1e9 / (preEther × (1e9 + limit))   (rounded so as never to exceed it)
    function _burnDeferredShares(PoolStorage storage $, uint256 preEther, uint256 preShares) private {
        uint256 pending = _storedBalance(BURNER);
        if (pending == 0) return;
        uint256 limit = $.sanityChecker.getLimits().maxPositiveRebase;
        uint256 minShares = Math.mulDiv(uint256($.totalPooledEther) * REBASE_PRECISION, preShares, preEther * (REBASE_PRECISION + limit), Math.Rounding.Ceil);
        uint256 shares = $.totalShares;
        if (shares <= minShares) return;
        _burn(BURNER, Math.min(pending, shares - minShares));
    }

    /// @dev Adds held penalty ETH to pooled ether, as much as keeps the rate at or below the rate before the
    ///      report times (1 + maxPositiveRebase): pooled ≤ preEther × (1e9 + limit) × shares / (preShares × 1e9).
    function _releasePenalties(PoolStorage storage $, uint256 preEther, uint256 preShares) private {
        uint256 pending = $.pendingPenalties;
        if (pending == 0) return;
        uint256 limit = $.sanityChecker.getLimits().maxPositiveRebase;
        uint256 maxPooled = Math.mulDiv(preEther * (REBASE_PRECISION + limit), $.totalShares, preShares * REBASE_PRECISION);
        uint256 pooled = $.totalPooledEther;
        if (maxPooled <= pooled) return;
        uint256 released = Math.min(pending, maxPooled - pooled);
        $.pendingPenalties = uint128(pending - released);
        $.totalPooledEther = uint128(pooled + released);
        emit PenaltiesReleased(released, pending - released);
    }

    // ------------------------------------------------------------------------------------------ views
    /// @notice Penalty ETH held by the pool and not yet released into the share rate.
    function getPendingPenalties() external view returns (uint256) {
        return _pool().pendingPenalties;
    }

    /// @inheritdoc IStakingPool
    function totalPooledEther() public view returns (uint256) {
        return _pool().totalPooledEther;
    }

    /// @notice ERC-4626 view: ETH under management (= `totalPooledEther`).
    function totalAssets() external view returns (uint256) {
        return _pool().totalPooledEther;
    }

    /// @notice ERC-4626 view: the underlying asset is native ETH, represented by the zero address.
    function asset() external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IStakingPool
    function convertToShares(uint256 assets) public view returns (uint256) {
        PoolStorage storage $ = _pool();
        return assets * $.totalShares / $.totalPooledEther;
    }

    /// @inheritdoc IStakingPool
    function convertToAssets(uint256 shares) public view returns (uint256) {
        PoolStorage storage $ = _pool();
        return shares * $.totalPooledEther / $.totalShares;
    }

    /// @notice ERC-4626 view: shares a deposit of `assets` would mint now (exactly what `deposit` gives).
    function previewDeposit(uint256 assets) external view returns (uint256) {
        return convertToShares(assets);
    }

    /// @notice ERC-4626 view: the most `receiver` can deposit now (stake limit, pause).
    function maxDeposit(address) external view returns (uint256) {
        return getCurrentStakeLimit();
    }

    /// @inheritdoc IStakingPool
    function shareRate() external view returns (uint256) {
        PoolStorage storage $ = _pool();
        return uint256($.totalPooledEther) * SHARE_RATE_PRECISION / $.totalShares;
    }

    /// @notice ETH held by the pool and not yet deposited: totalPooledEther − beaconBalance − transient.
    function getBufferedEther() public view returns (uint256) {
        PoolStorage storage $ = _pool();
        return $.totalPooledEther - $.beaconBalance - _transientEther($);
    }

    /// @notice Buffered ETH that may go to new validators now: what is not needed by unfinalized withdrawal
    ///         requests (withdrawals come first: a depositor waiting for ETH should not wait for a validator exit
    ///         the pool could have avoided).
    function getDepositableEther() public view returns (uint256) {
        uint256 buffered = getBufferedEther();
        uint256 reserved = WITHDRAWAL_QUEUE.unfinalizedEther();
        return buffered > reserved ? buffered - reserved : 0;
    }

    /// @notice Beacon-chain view of the pool.
    /// @return depositedValidators validators ever deposited
    /// @return beaconValidators validators ever seen by the oracle
    /// @return beaconBalance their balance at the last report (wei)
    function getBeaconStat()
        external
        view
        returns (uint256 depositedValidators, uint256 beaconValidators, uint256 beaconBalance)
    {
        PoolStorage storage $ = _pool();
        return ($.depositedValidators, $.beaconValidators, $.beaconBalance);
    }

    /// @notice ETH in validators deposited but not yet seen by the oracle (32 ETH each).
    function getTransientEther() external view returns (uint256) {
        return _transientEther(_pool());
    }

    /// @notice How much can be staked right now (0 while paused; type(uint256).max without a limit).
    function getCurrentStakeLimit() public view returns (uint256) {
        return _pool().stakeLimit.current();
    }

    /// @notice Whether staking is paused.
    function isStakingPaused() external view returns (bool) {
        return _pool().stakeLimit.isPaused();
    }

    /// @notice The stake rate limit's parameters.
    function getStakeLimitParams()
        external
        view
        returns (bool paused, bool limited, uint256 maxStakeLimit, uint256 increasePerBlock)
    {
        StakeLimit memory s = _pool().stakeLimit;
        return (s.isPaused(), s.maxLimit != 0, s.maxLimit, s.increasePerBlock());
    }

    /// @notice The StakingRouter.
    function getRouter() external view returns (address) {
        return address(_pool().router);
    }

    /// @notice The contracts of the report path.
    function getProtocolContracts()
        external
        view
        returns (address withdrawalQueue, address withdrawalVault, address elRewardsVault, address sanityChecker)
    {
        PoolStorage storage $ = _pool();
        return (address(WITHDRAWAL_QUEUE), address($.withdrawalVault), address($.elRewardsVault), address($.sanityChecker));
    }

    function _transientEther(PoolStorage storage $) private view returns (uint256) {
        return uint256($.depositedValidators - $.beaconValidators) * DEPOSIT_SIZE;
    }

    // ------------------------------------------------------------------------------------------ token hooks
    function _totalShares() internal view override returns (uint256) {
        return _pool().totalShares;
    }

    function _setTotalShares(uint256 newTotal) internal override {
        _pool().totalShares = uint128(newTotal);
    }
}
