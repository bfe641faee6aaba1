// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "./base/ShoalUpgradeable.sol";
import {SharesToken} from "./token/SharesToken.sol";
import {IStakingPool} from "./interfaces/IStakingPool.sol";
import {IStakingRouter} from "./interfaces/IStakingRouter.sol";
import {StakeLimit, StakeLimitLib} from "./lib/StakeLimitLib.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
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
/// What it trusts: the StakingRouter to deposit exactly the ETH it receives; `ORACLE_ROLE` (the
/// AccountingOracle) for beacon-chain state; `DEPOSIT_ROLE` (the DepositSecurityModule) for front-run safety.
contract StakingPool is ShoalUpgradeable, SharesToken, IStakingPool {
    using StakeLimitLib for StakeLimit;

    // ------------------------------------------------------------------------------------------ constants
    /// @notice Pauses staking (an emergency brake that must be quick to pull).
    bytes32 public constant STAKING_PAUSE_ROLE = keccak256("STAKING_PAUSE_ROLE");
    /// @notice Resumes staking and sets the stake rate limit.
    bytes32 public constant STAKING_CONTROL_ROLE = keccak256("STAKING_CONTROL_ROLE");
    /// @notice Deposits buffered ETH to validators (the DepositSecurityModule).
    bytes32 public constant DEPOSIT_ROLE = keccak256("DEPOSIT_ROLE");

    /// @notice Size of one validator deposit (consensus specs: MAX_EFFECTIVE_BALANCE for 0x01 validators).
    uint256 public constant DEPOSIT_SIZE = 32 ether;

    /// @notice ETH the deployer stakes at initialisation; its shares go to `DEAD_SHARES_HOLDER` forever so
    ///         the supply never returns to zero (no first-depositor rate manipulation). 0.001 ETH.
    uint256 public constant BOOTSTRAP_DEPOSIT = 1e15;

    /// @notice Holder of the bootstrap shares: an address without a key.
    address public constant DEAD_SHARES_HOLDER = 0x000000000000000000000000000000000000dEaD;

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
    }

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

    // ------------------------------------------------------------------------------------------ errors
    error ZeroDeposit();
    error BootstrapDepositRequired(uint256 sent, uint256 required);
    error NotEnoughBufferedEther(uint256 requested, uint256 available);
    error UnexpectedDepositCount(uint256 count);
    error AmountTooLarge(uint256 amount);

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
        _pool().stakeLimit.setLimit(maxStakeLimit, stakeLimitIncreasePerBlock);
        emit StakingLimitSet(maxStakeLimit, stakeLimitIncreasePerBlock);
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

    // ------------------------------------------------------------------------------------------ views
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

    /// @notice Buffered ETH that may go to new validators now.
    function getDepositableEther() public view returns (uint256) {
        return getBufferedEther();
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
