// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";
import {MoneyHandler} from "./MoneyHandler.sol";
import {OperatorRegistry} from "../../src/modules/OperatorRegistry.sol";

/// @notice Invariants of the money path under random sequences of stakes, token moves, operator and bond
///         changes, key management and keeper deposits (see `MoneyHandler`). Default profile: 64 runs × depth 32;
///         `FOUNDRY_PROFILE=deep` runs the long campaign.
///
///   ETH ──stake──▶ pool buffer ──32 ETH/key──▶ deposit contract          bonds ──▶ registry balance
///                                   oracle reports ──▶ beacon balance (rewards, losses) + fee shares
///   invariants:  Σ balances = totalSupply          pooled = buffered + beacon + transient
///                pooled = staked + reported rewards − losses
///                pool ETH = buffered + forced ETH   deposit contract = 32 ETH × deposited validators
///                registry ETH = Σ bonds             every operator's validators ≤ what its bond covers
///                Σ cluster deposited keys = module deposited = pool deposited, no pubkey deposited twice
contract MoneyInvariantsTest is ShoalFixture {
    MoneyHandler internal handler;

    function setUp() public {
        setUpShoal();
        handler = new MoneyHandler(pool, router, registry, dsm, moduleId, guardianKeys);
        bytes32 oracleRole = pool.ORACLE_ROLE();
        vm.prank(admin);
        pool.grantRole(oracleRole, address(handler)); // the handler plays the AccountingOracle
        // a running start: six bonded operators, one cluster with confirmed keys, some stake
        for (uint256 i; i < 6; ++i) handler.registerOperator(4 ether);
        handler.createCluster(0);
        handler.addKeys(0, 4);
        handler.confirmAll(0);
        handler.stake(0, 40 ether);

        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = MoneyHandler.stake.selector;
        selectors[1] = MoneyHandler.transfer.selector;
        selectors[2] = MoneyHandler.approve.selector;
        selectors[3] = MoneyHandler.transferFrom.selector;
        selectors[4] = MoneyHandler.donate.selector;
        selectors[5] = MoneyHandler.registerOperator.selector;
        selectors[6] = MoneyHandler.topUpBond.selector;
        selectors[7] = MoneyHandler.withdrawBond.selector;
        selectors[8] = MoneyHandler.createCluster.selector;
        selectors[9] = MoneyHandler.addKeys.selector;
        selectors[10] = MoneyHandler.confirmKeys.selector;
        selectors[11] = MoneyHandler.confirmAll.selector;
        selectors[12] = MoneyHandler.removeKeys.selector;
        selectors[13] = MoneyHandler.deposit.selector;
        selectors[14] = MoneyHandler.stake.selector; // staking twice as likely: deposits need ETH
        selectors[15] = MoneyHandler.report.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    // ============================================================================ invariants
    /// @dev Forge runs one campaign per invariant function; grouping the checks in two functions checks every
    ///      property after every call at a quarter of the cost of one campaign each.
    function invariant_poolBooksMatchTheEther() public view {
        _checkBalancesSumToTotalSupply();
        _checkPooledEtherIsWhatWasStaked();
        _checkPooledEqualsBufferedPlusBeaconPlusTransient();
        _checkPoolEtherCoversBuffered();
        _checkDepositContractHolds32EtherPerValidator();
    }

    function invariant_bondsCoverValidatorsAndKeysAreDepositedOnce() public view {
        _checkRegistryEtherEqualsSumOfBonds();
        _checkBondsCoverValidators();
        _checkNoKeyDepositedTwice();
    }

    // ============================================================================ token
    function _checkBalancesSumToTotalSupply() internal view {
        // holders: the stakers, the dead-shares holder, and the fee recipients of reports (treasury, module)
        uint256 sum = pool.balanceOf(pool.DEAD_SHARES_HOLDER()) + pool.balanceOf(treasury) + pool.balanceOf(address(registry));
        for (uint256 i; i < handler.actorCount(); ++i) sum += pool.balanceOf(handler.actors(i));
        // operators' reward addresses (distinct from the stakers), where module fee shares may be paid on
        for (uint256 id = 1; id <= registry.getOperatorCount(); ++id) sum += pool.balanceOf(registry.getOperator(id).rewardAddress);
        vm.assertEq(sum, pool.totalSupply(), "sum of holders' shares == totalSupply");
        vm.assertEq(handler.ghostAllowanceErrors(), 0, "transferFrom spends exactly its amount");
    }

    /// The pool's ether is exactly what was staked plus what reports said the validators earned or lost.
    function _checkPooledEtherIsWhatWasStaked() internal view {
        int256 expected = int256(pool.BOOTSTRAP_DEPOSIT() + handler.ghostStaked()) + handler.ghostClDelta();
        vm.assertTrue(int256(pool.totalPooledEther()) == expected, "pooled == staked + reported rewards - losses");
        if (handler.ghostReports() == 0) vm.assertEq(pool.totalSupply(), pool.totalPooledEther(), "no report: 1:1");
    }

    // ============================================================================ pool accounting
    function _checkPooledEqualsBufferedPlusBeaconPlusTransient() internal view {
        (uint256 deposited, uint256 seen, uint256 beaconBalance) = pool.getBeaconStat();
        vm.assertLe(seen, deposited);
        vm.assertEq(pool.getTransientEther(), (deposited - seen) * 32 ether);
        vm.assertEq(
            pool.totalPooledEther(),
            pool.getBufferedEther() + beaconBalance + pool.getTransientEther(),
            "totalPooledEther == buffered + beaconBalance + transient"
        );
    }

    function _checkPoolEtherCoversBuffered() internal view {
        vm.assertGe(address(pool).balance, pool.getBufferedEther(), "pool ETH >= buffered");
        vm.assertEq(address(pool).balance, pool.getBufferedEther() + handler.ghostDonated(), "only forced ETH is extra");
    }

    function _checkDepositContractHolds32EtherPerValidator() internal view {
        (uint256 deposited,,) = pool.getBeaconStat();
        vm.assertEq(DEPOSIT_CONTRACT.balance, deposited * 32 ether, "deposit contract == 32 ETH x deposited");
        vm.assertEq(deposited, handler.ghostDeposits());
    }

    // ============================================================================ bonds
    function _checkRegistryEtherEqualsSumOfBonds() internal view {
        uint256 sum;
        for (uint256 id = 1; id <= registry.getOperatorCount(); ++id) sum += registry.getOperator(id).bond;
        vm.assertEq(address(registry).balance, sum, "registry ETH == sum of bonds");
        vm.assertEq(sum, handler.ghostBondIn() - handler.ghostBondOut());
    }

    function _checkBondsCoverValidators() internal view {
        vm.assertEq(handler.ghostUnbondedDeposits(), 0, "a deposit left an operator under-bonded");
        vm.assertEq(handler.ghostOverAllocation(), 0, "a deposit exceeded the module's allocation");
        for (uint256 id = 1; id <= registry.getOperatorCount(); ++id) {
            OperatorRegistry.Operator memory op = registry.getOperator(id);
            vm.assertLe(op.validators, registry.validatorsForBond(op.bond), "validators <= what the bond covers");
            vm.assertLe(registry.bondForValidators(op.validators), op.bond);
        }
    }

    // ============================================================================ keys
    function _checkNoKeyDepositedTwice() internal view {
        uint256 sumDeposited;
        for (uint256 id = 1; id <= registry.getClusterCount(); ++id) {
            OperatorRegistry.Cluster memory c = registry.getCluster(id);
            vm.assertLe(c.depositedKeys, c.confirmedKeys, "only confirmed keys are deposited");
            vm.assertLe(c.confirmedKeys, c.totalKeys);
            sumDeposited += c.depositedKeys;
        }
        (uint256 poolDeposited,,) = pool.getBeaconStat();
        (, uint256 moduleDeposited) = registry.getValidatorCounts();
        vm.assertEq(sumDeposited, poolDeposited, "sum of clusters' deposited keys == pool's deposited validators");
        vm.assertEq(moduleDeposited, poolDeposited);
        vm.assertEq(handler.ghostDuplicateDeposits(), 0, "a pubkey reached the deposit contract twice");
        vm.assertEq(handler.ghostUniqueDepositedKeys(), poolDeposited);
    }

    // ============================================================================ the handler itself
    /// The handler can reach every action and its deposits really happen (so the invariants are not vacuous).
    function test_handler_drivesTheWholeMoneyPath() public {
        for (uint256 i; i < 6; ++i) handler.registerOperator(6 ether);
        handler.createCluster(7);
        handler.addKeys(1, 3);
        handler.confirmKeys(1, 0);
        handler.confirmAll(1);
        handler.addKeys(1, 2);
        handler.removeKeys(1);
        handler.stake(1, 150 ether);
        handler.stake(2, 100 ether);
        handler.transfer(1, 3, 10 ether);
        handler.approve(2, 4, 0, true);
        handler.transferFrom(4, 2, 5, 7 ether);
        handler.approve(1, 6, 5 ether, false);
        handler.transferFrom(6, 1, 6, 5 ether);
        handler.donate(3 ether);
        handler.topUpBond(2, 1 ether);
        handler.deposit();
        vm.assertGt(handler.ghostDeposits(), 0, "deposits happened");
        handler.withdrawBond(2, 100 ether); // operator 3, topped up above
        vm.assertGt(handler.ghostBondOut(), 0, "unlocked bond was withdrawn");
        handler.deposit();
        uint256 rate = pool.shareRate();
        handler.report(uint256(1) << 64 | uint256(7 ether) << 128 | 3 days); // a loss
        vm.assertGt(handler.ghostReports(), 0, "reports happened");
        vm.assertTrue(handler.ghostClDelta() < 0, "the loss was booked");
        vm.assertLt(pool.shareRate(), rate, "a loss lowers the rate");
        (uint256 deposited, uint256 seen,) = pool.getBeaconStat();
        vm.assertEq(seen, deposited, "every deposited validator appeared");
        string[16] memory actions = [
            "stake",
            "transfer",
            "approve",
            "transferFrom",
            "donate",
            "registerOperator",
            "topUpBond",
            "withdrawBond",
            "createCluster",
            "addKeys",
            "confirmKeys",
            "confirmAll",
            "removeKeys",
            "deposit",
            "deposit",
            "report"
        ];
        for (uint256 i; i < actions.length; ++i) {
            vm.assertGt(handler.calls(bytes32(bytes(actions[i]))), 0, actions[i]);
        }
        _checkBalancesSumToTotalSupply();
        _checkPooledEtherIsWhatWasStaked();
        _checkPooledEqualsBufferedPlusBeaconPlusTransient();
        _checkPoolEtherCoversBuffered();
        _checkDepositContractHolds32EtherPerValidator();
        _checkRegistryEtherEqualsSumOfBonds();
        _checkBondsCoverValidators();
        _checkNoKeyDepositedTwice();
    }
}
