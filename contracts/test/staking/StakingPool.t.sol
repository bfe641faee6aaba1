// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {Vm} from "../utils/Vm.sol";
import {StakingPool} from "../../src/StakingPool.sol";
import {StakeLimitLib} from "../../src/lib/StakeLimitLib.sol";
import {SharesToken} from "../../src/token/SharesToken.sol";
import {ShoalUpgradeable} from "../../src/base/ShoalUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @notice Shared helpers of the pool suites: the pool's ERC-7201 slot and a stand-in for the oracle's report.
abstract contract PoolTestBase is ShoalFixture {
    /// @dev ERC-7201 (computed here, independently of the compiler builtin): keccak256(abi.encode(uint256(keccak256(ns)) - 1)) & ~bytes32(uint256(0xff)).
    function namespaceSlot(string memory ns) internal pure returns (bytes32) {
        return keccak256(abi.encode(uint256(keccak256(bytes(ns))) - 1)) & ~bytes32(uint256(0xff));
    }

    /// @dev Until the AccountingOracle drives `StakingPool`, a report is simulated by writing the pool's
    ///      beacon view in its namespace (slot 2: depositedValidators | beaconValidators << 64 | beaconBalance
    ///      << 128) and re-deriving totalPooledEther (slot 0, high half) so that the buffer is unchanged, exactly
    ///      as a report of `validators` validators holding `beaconBalance` would. Moves the share rate.
    function simulateReport(uint256 validators, uint256 beaconBalance) internal {
        bytes32 base = namespaceSlot("shoal.storage.StakingPool");
        uint256 buffered = pool.getBufferedEther();
        vm.store(address(pool), bytes32(uint256(base) + 2), bytes32(validators | validators << 64 | beaconBalance << 128));
        uint256 shares = pool.totalSupply();
        vm.store(address(pool), base, bytes32(shares | (buffered + beaconBalance) << 128));
        vm.assertEq(pool.getBufferedEther(), buffered, "simulated report keeps the buffer");
        vm.assertEq(pool.totalPooledEther(), buffered + beaconBalance);
    }

    function permitDigest(address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                owner,
                spender,
                value,
                nonce,
                deadline
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", pool.DOMAIN_SEPARATOR(), structHash));
    }
}

/// @notice StakingPool: initialisation, staking, pause and rate limit, the dvETH ERC-20 / ERC-2612 surface, the
///         ERC-4626 views and the buffered/transient/beacon identity.
contract StakingPoolTest is PoolTestBase {
    uint256 internal constant B = 1e15; // StakingPool.BOOTSTRAP_DEPOSIT, restated to catch a silent change
    address internal constant DEAD = 0x000000000000000000000000000000000000dEaD;

    uint256 internal aliceKey = uint256(keccak256("alice key"));
    address internal alice;
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal stranger = makeAddr("stranger");

    function setUp() public {
        setUpShoal();
        alice = vm.addr(aliceKey);
        vm.label(alice, "alice");
    }

    // ============================================================================ initialisation
    function test_initialize_bootstrapMintsDeadSharesAndSetsUp() public view {
        vm.assertEq(pool.BOOTSTRAP_DEPOSIT(), B);
        vm.assertEq(pool.DEAD_SHARES_HOLDER(), DEAD);
        vm.assertEq(pool.totalSupply(), B);
        vm.assertEq(pool.balanceOf(DEAD), B);
        vm.assertEq(pool.totalPooledEther(), B);
        vm.assertEq(pool.getBufferedEther(), B);
        vm.assertEq(address(pool).balance, B);
        vm.assertEq(pool.shareRate(), 1e27);
        vm.assertEq(pool.getRouter(), address(router));
        vm.assertTrue(pool.hasRole(pool.DEFAULT_ADMIN_ROLE(), admin));
        vm.assertFalse(pool.isStakingPaused());
        vm.assertEq(pool.getCurrentStakeLimit(), type(uint256).max);
        vm.assertEq(uint256(pool.getContractVersion()), 1);
        vm.assertEq(pool.name(), "Shoal DV Staked ETH");
        vm.assertEq(pool.symbol(), "dvETH");
        vm.assertEq(uint256(pool.decimals()), 18);
        vm.assertEq(pool.asset(), address(0));
    }

    function test_initialize_emitsBootstrapStakeToDeadHolder() public {
        address impl = address(new StakingPool(withdrawalQueue));
        address predicted = vm.computeCreateAddress(address(this), vm.getNonce(address(this)));
        vm.deal(address(this), B);
        vm.expectEmit(predicted);
        emit IERC20.Transfer(address(0), DEAD, B);
        vm.expectEmit(predicted);
        emit StakingPool.Staked(address(this), DEAD, B, B);
        new ERC1967Proxy{value: B}(impl, abi.encodeCall(StakingPool.initialize, (admin, address(router))));
    }

    function test_initialize_requiresExactlyTheBootstrapDeposit() public {
        address impl = address(new StakingPool(withdrawalQueue));
        bytes memory init = abi.encodeCall(StakingPool.initialize, (admin, address(router)));
        vm.deal(address(this), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(StakingPool.BootstrapDepositRequired.selector, 0, B));
        new ERC1967Proxy(impl, init);
        vm.expectRevert(abi.encodeWithSelector(StakingPool.BootstrapDepositRequired.selector, B - 1, B));
        new ERC1967Proxy{value: B - 1}(impl, init);
        vm.expectRevert(abi.encodeWithSelector(StakingPool.BootstrapDepositRequired.selector, B + 1, B));
        new ERC1967Proxy{value: B + 1}(impl, init);
        StakingPool ok = StakingPool(payable(address(new ERC1967Proxy{value: B}(impl, init))));
        vm.assertEq(ok.totalSupply(), B);
    }

    function test_initialize_rejectsZeroAdminOrRouter() public {
        address impl = address(new StakingPool(withdrawalQueue));
        vm.deal(address(this), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "admin"));
        new ERC1967Proxy{value: B}(impl, abi.encodeCall(StakingPool.initialize, (address(0), address(router))));
        vm.expectRevert(abi.encodeWithSelector(ShoalUpgradeable.ZeroAddress.selector, "router"));
        new ERC1967Proxy{value: B}(impl, abi.encodeCall(StakingPool.initialize, (admin, address(0))));
    }

    function test_initialize_onlyOnce() public {
        vm.deal(address(this), B);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        pool.initialize{value: B}(stranger, stranger);
        vm.assertFalse(pool.hasRole(pool.DEFAULT_ADMIN_ROLE(), stranger));
        vm.assertEq(pool.getRouter(), address(router));
    }

    function test_initialize_implementationCannotBeInitialised() public {
        StakingPool impl = new StakingPool(withdrawalQueue);
        vm.assertEq(uint256(impl.getContractVersion()), uint256(type(uint64).max), "initializers disabled");
        vm.deal(address(this), B);
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        impl.initialize{value: B}(stranger, stranger);
    }

    // ============================================================================ staking
    function test_deposit_mintsSharesOneToOneAtStart() public {
        uint256 supplyBefore = pool.totalSupply();
        uint256 pooledBefore = pool.totalPooledEther();
        uint256 ethBefore = address(pool).balance;
        vm.deal(alice, 5 ether);
        vm.prank(alice);
        uint256 shares = pool.deposit{value: 3 ether}(alice, address(0));
        vm.assertEq(shares, 3 ether, "1:1 at start");
        vm.assertEq(pool.balanceOf(alice), 3 ether);
        vm.assertEq(alice.balance, 2 ether);
        vm.assertEq(pool.totalSupply(), supplyBefore + 3 ether);
        vm.assertEq(pool.totalPooledEther(), pooledBefore + 3 ether);
        vm.assertEq(pool.getBufferedEther(), pooledBefore + 3 ether);
        vm.assertEq(address(pool).balance, ethBefore + 3 ether);
        vm.assertEq(pool.shareRate(), 1e27, "a stake never moves the rate at 1:1");
        vm.assertEq(pool.convertToAssets(pool.balanceOf(alice)), 3 ether);
    }

    function test_deposit_forAnotherReceiver() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        pool.deposit{value: 1 ether}(bob, address(0));
        vm.assertEq(pool.balanceOf(bob), 1 ether);
        vm.assertEq(pool.balanceOf(alice), 0);
    }

    function test_receive_stakesForTheSender() public {
        uint256 supplyBefore = pool.totalSupply();
        vm.deal(alice, 2 ether);
        vm.expectEmit(address(pool));
        emit IERC20.Transfer(address(0), alice, 2 ether);
        vm.expectEmit(address(pool));
        emit StakingPool.Staked(alice, alice, 2 ether, 2 ether);
        vm.prank(alice);
        (bool ok,) = address(pool).call{value: 2 ether}("");
        vm.assertTrue(ok);
        vm.assertEq(pool.balanceOf(alice), 2 ether);
        vm.assertEq(pool.totalSupply(), supplyBefore + 2 ether);
        vm.assertEq(pool.totalPooledEther(), B + 2 ether);
    }

    function test_deposit_emitsTransferStakedAndReferral() public {
        address referral = makeAddr("referral");
        vm.deal(alice, 1 ether);
        vm.expectEmit(address(pool));
        emit IERC20.Transfer(address(0), bob, 1 ether);
        vm.expectEmit(address(pool));
        emit StakingPool.Staked(alice, bob, 1 ether, 1 ether);
        vm.expectEmit(address(pool));
        emit StakingPool.Referral(referral, bob, 1 ether);
        vm.prank(alice);
        pool.deposit{value: 1 ether}(bob, referral);
    }

    function test_deposit_withoutReferral_emitsNoReferral() public {
        vm.deal(alice, 1 ether);
        vm.recordLogs();
        vm.prank(alice);
        pool.deposit{value: 1 ether}(alice, address(0));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(logs.length, 2, "Transfer and Staked only");
        for (uint256 i; i < logs.length; ++i) {
            vm.assertNotEq(uint256(logs[i].topics[0]), uint256(StakingPool.Referral.selector));
        }
    }

    function test_deposit_zeroValue_reverts() public {
        vm.prank(alice);
        vm.expectRevert(StakingPool.ZeroDeposit.selector);
        pool.deposit(alice, address(0));
        vm.prank(alice);
        vm.expectRevert(StakingPool.ZeroDeposit.selector);
        (bool ok,) = address(pool).call("");
        ok;
        vm.assertEq(pool.totalSupply(), B);
    }

    function test_deposit_dustBuyingNoShare_reverts() public {
        stake(alice, 10 ether);
        simulateReport(0, 10 ether + B); // rate 2:1
        vm.assertEq(pool.convertToShares(1), 0);
        vm.deal(bob, 1);
        vm.prank(bob);
        vm.expectRevert(StakingPool.ZeroDeposit.selector);
        pool.deposit{value: 1}(bob, address(0));
        vm.assertEq(bob.balance, 1, "dust is not swallowed");
    }

    function test_deposit_toZeroReceiver_reverts() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        pool.deposit{value: 1 ether}(address(0), address(0));
        vm.assertEq(pool.totalPooledEther(), B);
    }

    // ============================================================================ pause
    function test_pauseStaking_blocksStakesUntilResumed() public {
        vm.expectEmit(address(pool));
        emit StakingPool.StakingPaused();
        vm.prank(admin);
        pool.pauseStaking();
        vm.assertTrue(pool.isStakingPaused());
        vm.assertEq(pool.getCurrentStakeLimit(), 0);
        vm.assertEq(pool.maxDeposit(alice), 0);
        (bool paused,,,) = pool.getStakeLimitParams();
        vm.assertTrue(paused);

        vm.deal(alice, 2 ether);
        vm.prank(alice);
        vm.expectRevert(StakeLimitLib.StakingIsPaused.selector);
        pool.deposit{value: 1 ether}(alice, address(0));
        vm.prank(alice);
        vm.expectRevert(StakeLimitLib.StakingIsPaused.selector);
        (bool ok,) = address(pool).call{value: 1 ether}("");
        ok;
        vm.assertEq(pool.totalPooledEther(), B);

        vm.expectEmit(address(pool));
        emit StakingPool.StakingResumed();
        vm.prank(admin);
        pool.resumeStaking();
        vm.assertFalse(pool.isStakingPaused());
        vm.assertEq(pool.maxDeposit(alice), type(uint256).max);
        vm.prank(alice);
        pool.deposit{value: 1 ether}(alice, address(0));
        vm.assertEq(pool.balanceOf(alice), 1 ether);
    }

    function test_pause_onlyPauseRole_resume_onlyControlRole() public {
        bytes32 pauseRole = pool.STAKING_PAUSE_ROLE();
        bytes32 controlRole = pool.STAKING_CONTROL_ROLE();
        address pauser = makeAddr("pauser");
        vm.prank(admin);
        pool.grantRole(pauseRole, pauser);
        // the pauser cannot resume: pausing must be cheap to give out, resuming not
        vm.prank(pauser);
        pool.pauseStaking();
        vm.prank(pauser);
        vm.expectRevert(abi.encodeWithSignature("AccessControlUnauthorizedAccount(address,bytes32)", pauser, controlRole));
        pool.resumeStaking();
        vm.assertTrue(pool.isStakingPaused());
    }

    // ============================================================================ stake limit
    function test_stakeLimit_setConsumeRegenerate() public {
        vm.expectEmit(address(pool));
        emit StakingPool.StakingLimitSet(10 ether, 1 ether);
        vm.prank(admin);
        pool.setStakingLimit(10 ether, 1 ether);
        (bool paused, bool limited, uint256 maxLimit, uint256 perBlock) = pool.getStakeLimitParams();
        vm.assertFalse(paused);
        vm.assertTrue(limited);
        vm.assertEq(maxLimit, 10 ether);
        vm.assertEq(perBlock, 1 ether);
        vm.assertEq(pool.getCurrentStakeLimit(), 10 ether, "a fresh limit starts full");

        stake(alice, 4 ether);
        vm.assertEq(pool.getCurrentStakeLimit(), 6 ether);
        vm.assertEq(pool.maxDeposit(alice), 6 ether);
        stake(bob, 1 ether);
        vm.assertEq(pool.getCurrentStakeLimit(), 5 ether, "consumed twice in one block");
        vm.roll(block.number + 1);
        vm.assertEq(pool.getCurrentStakeLimit(), 6 ether, "+1 ETH per block");
        vm.roll(block.number + 3);
        vm.assertEq(pool.getCurrentStakeLimit(), 9 ether);
        vm.roll(block.number + 50);
        vm.assertEq(pool.getCurrentStakeLimit(), 10 ether, "capped at the maximum");

        stake(carol, 10 ether);
        vm.assertEq(pool.getCurrentStakeLimit(), 0);
        vm.deal(alice, 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.StakeLimitExceeded.selector, 1, 0));
        pool.deposit{value: 1}(alice, address(0));
        vm.roll(block.number + 2);
        vm.deal(alice, 3 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.StakeLimitExceeded.selector, 3 ether, 2 ether));
        pool.deposit{value: 3 ether}(alice, address(0));
        vm.assertEq(pool.totalPooledEther(), B + 15 ether);
    }

    function test_stakeLimit_maxDepositIsExactlyWhatDepositAccepts() public {
        vm.prank(admin);
        pool.setStakingLimit(7 ether, 0.5 ether);
        stake(alice, 2 ether);
        uint256 maxNow = pool.maxDeposit(bob);
        vm.assertEq(maxNow, 5 ether);
        vm.deal(bob, maxNow + 1);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.StakeLimitExceeded.selector, maxNow + 1, maxNow));
        pool.deposit{value: maxNow + 1}(bob, address(0));
        vm.prank(bob);
        pool.deposit{value: maxNow}(bob, address(0));
        vm.assertEq(pool.maxDeposit(bob), 0);
    }

    function test_stakeLimit_remove() public {
        vm.startPrank(admin);
        pool.setStakingLimit(1 ether, 1 ether);
        vm.expectEmit(address(pool));
        emit StakingPool.StakingLimitRemoved();
        pool.removeStakingLimit();
        vm.stopPrank();
        (bool paused, bool limited, uint256 maxLimit, uint256 perBlock) = pool.getStakeLimitParams();
        vm.assertFalse(paused);
        vm.assertFalse(limited);
        vm.assertEq(maxLimit, 0);
        vm.assertEq(perBlock, 0);
        vm.assertEq(pool.getCurrentStakeLimit(), type(uint256).max);
        stake(alice, 1000 ether);
        vm.assertEq(pool.balanceOf(alice), 1000 ether);
    }

    function test_stakeLimit_invalidParams_revert() public {
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.InvalidStakeLimit.selector, 0, 0));
        pool.setStakingLimit(0, 0);
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.InvalidStakeLimit.selector, 10 ether, 0));
        pool.setStakingLimit(10 ether, 0);
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.InvalidStakeLimit.selector, 10 ether, 10 ether + 1));
        pool.setStakingLimit(10 ether, 10 ether + 1);
        uint256 tooBig = uint256(type(uint96).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.InvalidStakeLimit.selector, tooBig, 1 ether));
        pool.setStakingLimit(tooBig, 1 ether);
        // growth period beyond uint32 blocks
        uint256 slow = uint256(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(StakeLimitLib.InvalidStakeLimit.selector, slow, 1));
        pool.setStakingLimit(slow, 1);
        vm.stopPrank();
        (, bool limited,,) = pool.getStakeLimitParams();
        vm.assertFalse(limited, "nothing was set");
    }

    function test_stakeLimit_changeKeepsWhatIsLeft() public {
        vm.prank(admin);
        pool.setStakingLimit(10 ether, 1 ether);
        stake(alice, 8 ether);
        vm.prank(admin);
        pool.setStakingLimit(20 ether, 2 ether);
        vm.assertEq(pool.getCurrentStakeLimit(), 2 ether, "a raise does not refill");
        vm.roll(block.number + 1);
        vm.assertEq(pool.getCurrentStakeLimit(), 4 ether, "new slope");
        vm.prank(admin);
        pool.setStakingLimit(1 ether, 1 ether);
        vm.assertEq(pool.getCurrentStakeLimit(), 1 ether, "capped by the new maximum");
    }

    function test_stakeLimit_setWhilePaused_staysPaused_resumesFull() public {
        vm.startPrank(admin);
        pool.pauseStaking();
        pool.setStakingLimit(5 ether, 1 ether);
        vm.assertTrue(pool.isStakingPaused());
        vm.assertEq(pool.getCurrentStakeLimit(), 0);
        pool.resumeStaking();
        vm.stopPrank();
        vm.assertEq(pool.getCurrentStakeLimit(), 5 ether);
        stake(alice, 5 ether);
        vm.assertEq(pool.getCurrentStakeLimit(), 0);
        // pausing cannot bank capacity, resuming starts full
        vm.startPrank(admin);
        pool.pauseStaking();
        pool.resumeStaking();
        vm.stopPrank();
        vm.assertEq(pool.getCurrentStakeLimit(), 5 ether);
    }

    function testFuzz_stakeLimit_neverAboveMaxAndGrowsLinearly(uint96 maxLimit, uint96 perBlock, uint96 used, uint16 blocks)
        public
    {
        uint256 max = bound(maxLimit, 1 ether, 1_000_000 ether);
        uint256 inc = bound(perBlock, max / type(uint32).max + 1, max);
        vm.prank(admin);
        pool.setStakingLimit(max, inc);
        (,,, uint256 effective) = pool.getStakeLimitParams();
        vm.assertGe(effective, inc, "regeneration never slower than asked");
        uint256 amount = bound(used, 1 ether, max);
        stake(alice, amount);
        vm.roll(block.number + blocks);
        uint256 expected = max - amount + uint256(blocks) * effective;
        vm.assertEq(pool.getCurrentStakeLimit(), expected < max ? expected : max);
    }

    // ============================================================================ ERC-20
    function test_transfer_movesSharesAndEmits() public {
        stake(alice, 5 ether);
        uint256 supply = pool.totalSupply();
        vm.expectEmit(address(pool));
        emit IERC20.Transfer(alice, bob, 2 ether);
        vm.prank(alice);
        vm.assertTrue(pool.transfer(bob, 2 ether));
        vm.assertEq(pool.balanceOf(alice), 3 ether);
        vm.assertEq(pool.balanceOf(bob), 2 ether);
        vm.assertEq(pool.totalSupply(), supply, "transfers never mint");
        vm.assertEq(pool.totalPooledEther(), B + 5 ether);
        // zero and self transfers are fine and change nothing
        vm.prank(alice);
        pool.transfer(bob, 0);
        vm.prank(alice);
        pool.transfer(alice, 3 ether);
        vm.assertEq(pool.balanceOf(alice), 3 ether);
    }

    function test_transfer_moreThanBalance_reverts() public {
        stake(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 1 ether, 1 ether + 1));
        pool.transfer(bob, 1 ether + 1);
    }

    function test_transfer_toZeroOrToThePool_reverts() public {
        stake(alice, 1 ether);
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        pool.transfer(address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(pool)));
        pool.transfer(address(pool), 1);
        pool.approve(bob, 1 ether);
        vm.stopPrank();
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(pool)));
        pool.transferFrom(alice, address(pool), 1);
        vm.assertEq(pool.balanceOf(alice), 1 ether);
        vm.assertEq(pool.allowance(alice, bob), 1 ether, "allowance untouched by a reverted transferFrom");
    }

    function test_approve_setsAllowanceAndEmits() public {
        vm.expectEmit(address(pool));
        emit IERC20.Approval(alice, bob, 7 ether);
        vm.prank(alice);
        vm.assertTrue(pool.approve(bob, 7 ether));
        vm.assertEq(pool.allowance(alice, bob), 7 ether);
        vm.prank(alice);
        pool.approve(bob, 1);
        vm.assertEq(pool.allowance(alice, bob), 1, "approve overwrites");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidSpender.selector, address(0)));
        pool.approve(address(0), 1);
    }

    function test_transferFrom_spendsAllowance() public {
        stake(alice, 5 ether);
        vm.prank(alice);
        pool.approve(bob, 3 ether);
        vm.expectEmit(address(pool));
        emit IERC20.Transfer(alice, carol, 2 ether);
        vm.prank(bob);
        vm.assertTrue(pool.transferFrom(alice, carol, 2 ether));
        vm.assertEq(pool.allowance(alice, bob), 1 ether);
        vm.assertEq(pool.balanceOf(alice), 3 ether);
        vm.assertEq(pool.balanceOf(carol), 2 ether);
        vm.assertEq(pool.balanceOf(bob), 0);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, bob, 1 ether, 2 ether));
        pool.transferFrom(alice, carol, 2 ether);
        // enough allowance, not enough balance
        vm.prank(alice);
        pool.approve(bob, 10 ether);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 3 ether, 4 ether));
        pool.transferFrom(alice, carol, 4 ether);
        vm.assertEq(pool.allowance(alice, bob), 10 ether);
    }

    function test_transferFrom_infiniteAllowanceIsNeverSpent() public {
        stake(alice, 5 ether);
        vm.prank(alice);
        pool.approve(bob, type(uint256).max);
        vm.recordLogs();
        vm.prank(bob);
        pool.transferFrom(alice, carol, 5 ether);
        vm.assertEq(pool.allowance(alice, bob), type(uint256).max);
        vm.assertEq(pool.balanceOf(carol), 5 ether);
        vm.assertEq(vm.getRecordedLogs().length, 1, "only Transfer, no Approval");
    }

    // ============================================================================ ERC-2612
    function test_domainSeparator_isEip712OfTheToken() public view {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Shoal DV Staked ETH"),
                keccak256("1"),
                block.chainid,
                address(pool)
            )
        );
        vm.assertEq(pool.DOMAIN_SEPARATOR(), expected);
    }

    function test_permit_validSignatureSetsAllowanceAndUsesNonce() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, permitDigest(alice, bob, 4 ether, 0, deadline));
        vm.assertEq(pool.nonces(alice), 0);
        vm.expectEmit(address(pool));
        emit IERC20.Approval(alice, bob, 4 ether);
        vm.prank(stranger); // anyone may relay
        pool.permit(alice, bob, 4 ether, deadline, v, r, s);
        vm.assertEq(pool.allowance(alice, bob), 4 ether);
        vm.assertEq(pool.nonces(alice), 1);
        // and the allowance is real
        stake(alice, 4 ether);
        vm.prank(bob);
        pool.transferFrom(alice, bob, 4 ether);
        vm.assertEq(pool.balanceOf(bob), 4 ether);
    }

    function test_permit_expired_reverts() public {
        uint256 deadline = block.timestamp + 10;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, permitDigest(alice, bob, 1 ether, 0, deadline));
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(SharesToken.ERC2612ExpiredSignature.selector, deadline));
        pool.permit(alice, bob, 1 ether, deadline, v, r, s);
        vm.assertEq(pool.nonces(alice), 0);
        vm.assertEq(pool.allowance(alice, bob), 0);
    }

    function test_permit_atDeadline_isStillValid() public {
        uint256 deadline = block.timestamp + 10;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, permitDigest(alice, bob, 1 ether, 0, deadline));
        vm.warp(deadline);
        pool.permit(alice, bob, 1 ether, deadline, v, r, s);
        vm.assertEq(pool.allowance(alice, bob), 1 ether);
    }

    function test_permit_wrongSigner_reverts() public {
        uint256 malloryKey = uint256(keccak256("mallory key"));
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(malloryKey, permitDigest(alice, bob, 1 ether, 0, deadline));
        vm.expectRevert(abi.encodeWithSelector(SharesToken.ERC2612InvalidSigner.selector, vm.addr(malloryKey), alice));
        pool.permit(alice, bob, 1 ether, deadline, v, r, s);
        // a signature over other terms does not authorise these
        (v, r, s) = vm.sign(aliceKey, permitDigest(alice, bob, 1 ether, 0, deadline));
        bytes32 tampered = permitDigest(alice, bob, 2 ether, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(SharesToken.ERC2612InvalidSigner.selector, ecrecover(tampered, v, r, s), alice));
        pool.permit(alice, bob, 2 ether, deadline, v, r, s);
        vm.assertEq(pool.allowance(alice, bob), 0);
    }

    function test_permit_replayedNonce_reverts() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(aliceKey, permitDigest(alice, bob, 1 ether, 0, deadline));
        pool.permit(alice, bob, 1 ether, deadline, v, r, s);
        vm.prank(alice);
        pool.approve(bob, 0);
        // the same signature now verifies against nonce 1 and recovers someone else
        address recovered = ecrecover(permitDigest(alice, bob, 1 ether, 1, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(SharesToken.ERC2612InvalidSigner.selector, recovered, alice));
        pool.permit(alice, bob, 1 ether, deadline, v, r, s);
        vm.assertEq(pool.allowance(alice, bob), 0);
        vm.assertEq(pool.nonces(alice), 1);
    }

    // ============================================================================ ERC-4626 views
    function test_views_erc4626AtOneToOne() public {
        stake(alice, 10 ether);
        vm.assertEq(pool.totalAssets(), pool.totalPooledEther());
        vm.assertEq(pool.totalAssets(), B + 10 ether);
        vm.assertEq(pool.convertToShares(1 ether), 1 ether);
        vm.assertEq(pool.convertToAssets(1 ether), 1 ether);
        vm.assertEq(pool.previewDeposit(3 ether), 3 ether);
        vm.assertEq(pool.maxDeposit(alice), type(uint256).max);
    }

    function test_views_previewDepositEqualsMintedAfterRateChange() public {
        stake(alice, 30 ether);
        simulateReport(0, 7 ether + 3); // rewards: the rate becomes irregular
        uint256[4] memory amounts = [uint256(1 ether), 3, 12345678901234567, 77 ether];
        for (uint256 i; i < amounts.length; ++i) {
            uint256 preview = pool.previewDeposit(amounts[i]);
            vm.assertEq(preview, amounts[i] * pool.totalSupply() / pool.totalPooledEther());
            vm.assertEq(pool.convertToShares(amounts[i]), preview);
            uint256 minted = stake(bob, amounts[i]);
            vm.assertEq(minted, preview, "previewDeposit is exactly what deposit mints");
        }
        vm.assertGt(pool.shareRate(), 1e27);
        vm.assertEq(pool.totalAssets(), pool.totalPooledEther());
    }

    // ============================================================================ buffer / transient / beacon
    function test_depositToValidators_movesBufferToTransient() public {
        readyCluster(1, 4, 3, 3, 1);
        stake(alice, 100 ether);
        uint256 pooled = pool.totalPooledEther();
        uint256 supply = pool.totalSupply();
        (uint256 dep0, uint256 seen0, uint256 bal0) = pool.getBeaconStat();
        vm.assertEq(dep0 + seen0 + bal0, 0);
        vm.assertEq(pool.getTransientEther(), 0);
        vm.assertEq(pool.getBufferedEther(), pooled);
        vm.assertEq(pool.getDepositableEther(), pooled);

        vm.expectEmit(address(pool));
        emit StakingPool.ValidatorsDeposited(moduleId, 3, 3);
        vm.assertEq(attestAndDeposit(), 3);

        (uint256 deposited, uint256 seen, uint256 beaconBalance) = pool.getBeaconStat();
        vm.assertEq(deposited, 3);
        vm.assertEq(seen, 0);
        vm.assertEq(beaconBalance, 0);
        vm.assertEq(pool.getTransientEther(), 96 ether);
        vm.assertEq(pool.getBufferedEther(), pooled - 96 ether);
        vm.assertEq(pool.totalPooledEther(), pooled, "a deposit is not a loss");
        vm.assertEq(pool.totalSupply(), supply);
        vm.assertEq(pool.shareRate(), 1e27);
        vm.assertEq(address(pool).balance, pool.getBufferedEther());
        vm.assertEq(DEPOSIT_CONTRACT.balance, 96 ether);
        vm.assertEq(pool.totalPooledEther(), pool.getBufferedEther() + beaconBalance + pool.getTransientEther());
    }

    function test_forcedEther_isIgnoredByAccounting() public {
        stake(alice, 10 ether);
        uint256 rate = pool.shareRate();
        vm.deal(address(pool), address(pool).balance + 500 ether); // selfdestruct / coinbase
        vm.assertEq(pool.totalPooledEther(), B + 10 ether);
        vm.assertEq(pool.getBufferedEther(), B + 10 ether);
        vm.assertEq(pool.shareRate(), rate);
        vm.assertEq(stake(bob, 1 ether), 1 ether);
    }

    // ============================================================================ storage
    function test_storage_poolNamespaceHoldsTheAccounting() public {
        stake(alice, 3 ether);
        bytes32 base = namespaceSlot("shoal.storage.StakingPool");
        vm.assertEq(base, bytes32(0x6a7fe6ffbe0ad24e835289f7b9f21c0bc92b691609ae9440ddf2438eb7563b00));
        uint256 slot0 = uint256(vm.load(address(pool), base));
        vm.assertEq(slot0 & type(uint128).max, pool.totalSupply(), "totalShares");
        vm.assertEq(slot0 >> 128, pool.totalPooledEther(), "totalPooledEther");
        vm.assertEq(address(uint160(uint256(vm.load(address(pool), bytes32(uint256(base) + 3))))), address(router));
    }

    function test_deposit_toThePoolItself_reverts() public {
        vm.deal(alice, 1 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(pool)));
        pool.deposit{value: 1 ether}(address(pool), address(0));
    }
}

/// @notice Every ERC-7201 namespace of the money path is at the slot the formula gives: recomputed here and
///         checked by reading state the contracts wrote there.
contract StorageNamespacesTest is PoolTestBase {
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        setUpShoal();
    }

    function test_storage_sharesTokenNamespace() public {
        stake(alice, 2 ether);
        vm.prank(alice);
        pool.approve(bob, 5);
        bytes32 base = namespaceSlot("shoal.storage.SharesToken");
        vm.assertEq(base, bytes32(0xc4e442f38bc24afaeeca79332dc3ffad95e893351504243d0ce310dd3db4e800));
        vm.assertEq(uint256(vm.load(address(pool), keccak256(abi.encode(alice, base)))), 2 ether, "balances");
        bytes32 inner = keccak256(abi.encode(alice, uint256(base) + 1));
        vm.assertEq(uint256(vm.load(address(pool), keccak256(abi.encode(bob, inner)))), 5, "allowances");
    }

    function test_storage_stakingPoolNamespace() public {
        vm.prank(admin);
        pool.setStakingLimit(10 ether, 1 ether);
        bytes32 base = namespaceSlot("shoal.storage.StakingPool");
        uint256 limit = uint256(vm.load(address(pool), bytes32(uint256(base) + 1)));
        // StakeLimit { uint32 prevBlock; uint96 prevLimit; uint32 growthBlocks; uint96 maxLimit }
        vm.assertEq(limit & type(uint32).max, block.number, "prevBlock");
        vm.assertEq((limit >> 32) & type(uint96).max, 10 ether, "prevLimit");
        vm.assertEq((limit >> 128) & type(uint32).max, 10, "growthBlocks");
        vm.assertEq(limit >> 160, 10 ether, "maxLimit");
    }

    function test_storage_routerNamespace() public view {
        bytes32 base = namespaceSlot("shoal.storage.StakingRouter");
        vm.assertEq(base, bytes32(0xe1d6aba28f7ad64cec9752e134f2b5a73121277e3a3a2bda0766d1a6b3bfee00));
        vm.assertEq(address(uint160(uint256(vm.load(address(router), base)))), address(pool), "pool");
        vm.assertEq(address(uint160(uint256(vm.load(address(router), bytes32(uint256(base) + 1))))), DEPOSIT_CONTRACT);
        vm.assertEq(vm.load(address(router), bytes32(uint256(base) + 2)), withdrawalCredentials);
        vm.assertEq(address(uint160(uint256(vm.load(address(router), bytes32(uint256(base) + 3))))), treasury);
        vm.assertEq(uint256(vm.load(address(router), bytes32(uint256(base) + 4))), router.getStakingModuleCount());
    }

    function test_storage_registryAndBondCurveNamespaces() public {
        uint256[] memory ids = registerOperators(1, 4, 2 ether);
        createCluster(ids);
        bytes32 base = namespaceSlot("shoal.storage.OperatorRegistry");
        vm.assertEq(base, bytes32(0xc7d5204f45297944f4ccb59592957921f1c2aefb7c0f494738882612c06b8600));
        vm.assertEq(uint256(vm.load(address(registry), base)), registry.getNonce(), "nonce");
        uint256 counts = uint256(vm.load(address(registry), bytes32(uint256(base) + 1)));
        vm.assertEq(counts & type(uint32).max, 4, "operatorCount");
        vm.assertEq((counts >> 32) & type(uint32).max, 1, "clusterCount");

        bytes32 curve = namespaceSlot("shoal.storage.BondCurve");
        vm.assertEq(curve, bytes32(0x903dcc387de5dbdcfaf1095ce57b65ef980fc054aa5105829006270f775e7100));
        uint256 word = uint256(vm.load(address(registry), curve));
        vm.assertEq(word & type(uint128).max, FIRST_BOND);
        vm.assertEq(word >> 128, NEXT_BOND);
    }

    function test_storage_dsmNamespace() public view {
        bytes32 base = namespaceSlot("shoal.storage.DepositSecurityModule");
        vm.assertEq(base, bytes32(0xc017a308a91896b7856b7fa0e6af0d7ee8d2e6227b542125c271ea1eb7b54600));
        vm.assertEq(address(uint160(uint256(vm.load(address(dsm), base)))), address(router), "router");
        vm.assertEq(address(uint160(uint256(vm.load(address(dsm), bytes32(uint256(base) + 1))))), DEPOSIT_CONTRACT);
        uint256 word2 = uint256(vm.load(address(dsm), bytes32(uint256(base) + 2)));
        vm.assertEq(address(uint160(word2)), address(pool), "pool");
        vm.assertEq((word2 >> 160) & type(uint64).max, dsm.getGuardianQuorum(), "quorum");
        uint256 word3 = uint256(vm.load(address(dsm), bytes32(uint256(base) + 3)));
        vm.assertEq(word3 & type(uint64).max, dsm.getPauseIntentValidityBlocks());
        vm.assertEq(word3 >> 64 & type(uint64).max, dsm.getMaxDepositsPerCall());
        vm.assertEq(uint256(vm.load(address(dsm), bytes32(uint256(base) + 4))), dsm.getGuardians().length, "guardians");
    }
}

/// @notice Share math under fuzzing: rounding always favours the pool and the first-depositor inflation attack
///         is closed (dead shares + internal accounting).
contract SharesMathFuzzTest is PoolTestBase {
    uint256 internal constant MAX_STAKE = 1_000_000 ether;
    address internal victim = makeAddr("victim");
    address internal attacker = makeAddr("attacker");

    function setUp() public {
        setUpShoal();
    }

    /// @dev A simulated report between 0.5× and 2× of the pool's size moves the rate both ways.
    function _moveRate(uint256 seed) private {
        uint256 pooled = pool.totalPooledEther();
        uint256 validators = 1 + seed % 1000;
        uint256 principal = validators * 32 ether;
        // report: principal deposited earlier (the buffer is unchanged) and a beacon balance of
        // 50 %..150 % of it, so the rate moves up or down
        uint256 beaconBalance = bound(seed >> 16, principal / 2, principal * 3 / 2);
        simulateReport(validators, beaconBalance);
        // the report adds principal the supply never paid for: mint its shares to the dead holder at the
        // pre-report rate so that the rate moves only by the gain or loss
        bytes32 base = namespaceSlot("shoal.storage.StakingPool");
        uint256 supply = pool.totalSupply();
        uint256 extraShares = principal * supply / pooled;
        vm.store(address(pool), base, bytes32((supply + extraShares) | pool.totalPooledEther() << 128));
        bytes32 deadSlot = keccak256(abi.encode(pool.DEAD_SHARES_HOLDER(), namespaceSlot("shoal.storage.SharesToken")));
        vm.store(address(pool), deadSlot, bytes32(uint256(vm.load(address(pool), deadSlot)) + extraShares));
    }

    function testFuzz_deposits_mintAtMostProRataAndNeverLowerTheRate(uint256[6] memory amounts, uint256 rateSeed)
        public
    {
        stake(makeAddr("early"), 10 ether);
        _moveRate(rateSeed);
        for (uint256 i; i < amounts.length; ++i) {
            uint256 a = bound(amounts[i], 1, MAX_STAKE);
            uint256 supply = pool.totalSupply();
            uint256 pooled = pool.totalPooledEther();
            uint256 expected = a * supply / pooled;
            address who = address(uint160(0x1000 + i));
            if (expected == 0) {
                vm.deal(who, a);
                vm.prank(who);
                vm.expectRevert(StakingPool.ZeroDeposit.selector);
                pool.deposit{value: a}(who, address(0));
                continue;
            }
            uint256 minted = stake(who, a);
            vm.assertEq(minted, expected, "floor(a * S / P)");
            vm.assertLe(minted * pooled, a * supply, "never more than pro rata");
            // the rate after is at least the rate before: (P + a) / (S + m) >= P / S
            vm.assertGe((pooled + a) * supply, pooled * (supply + minted), "rate never falls on a stake");
            vm.assertEq(pool.totalSupply(), supply + minted);
            vm.assertEq(pool.totalPooledEther(), pooled + a);
            // what the depositor can claim at the current rate is at most what it paid, and it loses at most
            // one share's worth (plus a wei) to rounding
            uint256 worth = pool.convertToAssets(pool.balanceOf(who));
            vm.assertLe(worth, a, "no depositor gains at the current rate");
            vm.assertLe(a - worth, pooled / supply + 2, "rounding takes at most one share");
        }
    }

    function testFuzz_convert_roundTripNeverGains(uint256 x, uint256 rateSeed, uint256 stakeAmount) public {
        stake(makeAddr("early"), bound(stakeAmount, 1 ether, MAX_STAKE));
        _moveRate(rateSeed);
        x = bound(x, 0, 1e9 ether);
        vm.assertLe(pool.convertToAssets(pool.convertToShares(x)), x, "assets -> shares -> assets");
        vm.assertLe(pool.convertToShares(pool.convertToAssets(x)), x, "shares -> assets -> shares");
    }

    /// The classic attack: be the first depositor, mint a wei of shares, donate a fortune so the rate explodes,
    /// and let the victim's deposit round to zero shares. Here the dead shares already exist and a donation
    /// does not enter the accounting, so the victim is paid in full.
    function test_inflationAttack_donationDoesNotMoveTheRate() public {
        vm.assertEq(pool.balanceOf(pool.DEAD_SHARES_HOLDER()), pool.BOOTSTRAP_DEPOSIT(), "dead shares exist");
        stake(attacker, 1);
        vm.deal(address(pool), address(pool).balance + 10_000 ether);
        vm.assertEq(pool.totalPooledEther(), pool.BOOTSTRAP_DEPOSIT() + 1);
        vm.assertEq(pool.shareRate(), 1e27);
        uint256 minted = stake(victim, 1 ether);
        vm.assertEq(minted, 1 ether, "victim gets every share");
        vm.assertEq(pool.convertToAssets(minted), 1 ether);
        vm.assertEq(pool.convertToAssets(pool.balanceOf(attacker)), 1, "the attacker's wei is still worth a wei");
    }

    function testFuzz_inflationAttack_victimNeverRoundsToZero(uint256 attackerStake, uint256 donation, uint256 victimStake)
        public
    {
        attackerStake = bound(attackerStake, 1, MAX_STAKE);
        donation = bound(donation, 0, 100 * MAX_STAKE);
        victimStake = bound(victimStake, 1, MAX_STAKE);
        stake(attacker, attackerStake);
        uint256 rate = pool.shareRate();
        vm.deal(address(pool), address(pool).balance + donation);
        vm.assertEq(pool.shareRate(), rate, "a donation never moves the rate");
        uint256 minted = stake(victim, victimStake);
        vm.assertEq(minted, victimStake, "1:1 whatever the attacker did");
        vm.assertEq(pool.convertToAssets(pool.balanceOf(victim)), victimStake);
        vm.assertEq(pool.balanceOf(pool.DEAD_SHARES_HOLDER()), pool.BOOTSTRAP_DEPOSIT());
    }
}
