// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReportFixture} from "./ReportFixture.sol";
import {AccountingOracle} from "../../src/oracle/AccountingOracle.sol";
import {GasMeter} from "../utils/GasMeter.sol";

/// @notice Report processing does not grow with the number of validators: the oracle reports aggregates (count,
///         balance), never per-validator data. Measured for 100 and 10,000 protocol validators with the same
///         report shape (rewards, fee minted to the module and the treasury, vaults collected).
abstract contract ReportGasBase is ReportFixture {
    event log_named_uint(string key, uint256 val);

    /// @dev ERC-7201 slot of StakingPool's storage (see StakingPool.POOL_STORAGE).
    bytes32 internal constant POOL_STORAGE = 0x6a7fe6ffbe0ad24e835289f7b9f21c0bc92b691609ae9440ddf2438eb7563b00;

    function validators() internal pure virtual returns (uint256);

    function setUp() public {
        setUpShoal();
        readyCluster(1, 4, 4, 4, 1);
        stake(makeAddr("alice"), 200 ether);
        attestAndDeposit();
        activateValidators(4);
        _scaleTo(validators());
        nextFrame();
    }

    /// @dev Makes the pool account for `n` active validators (32 ETH each), as if they had been deposited and
    ///      seen: the report path reads only these aggregates, so this is the state a real protocol of `n`
    ///      validators presents to it.
    function _scaleTo(uint256 n) private {
        uint256 extra = (n - 4) * 32 ether;
        bytes32 slot0 = vm.load(address(pool), POOL_STORAGE);
        uint256 shares = uint128(uint256(slot0)) + extra;
        uint256 pooled = (uint256(slot0) >> 128) + extra;
        vm.store(address(pool), POOL_STORAGE, bytes32(shares | (pooled << 128)));
        uint256 balance = n * 32 ether;
        vm.store(address(pool), bytes32(uint256(POOL_STORAGE) + 2), bytes32(n | (n << 64) | (balance << 128)));
        (uint256 deposited, uint256 seen, uint256 bal) = pool.getBeaconStat();
        vm.assertEq(deposited, n);
        vm.assertEq(seen, n);
        vm.assertEq(bal, balance);
    }

    function test_gas_reportProcessing() public {
        AccountingOracle.ReportData memory data = baseReport();
        // one frame of ~3 % APR on the beacon balance, plus execution rewards in the vault
        data.beaconBalance += data.beaconBalance * 3 / 100 * (EPOCHS_PER_FRAME * SLOTS_PER_EPOCH * SECONDS_PER_SLOT) / 365 days;
        vm.deal(address(elRewardsVault), 0.01 ether);
        data.elRewardsVaultBalance = 0.01 ether;
        bytes32 hash = keccak256(abi.encode(data));
        for (uint256 i; i < 2; ++i) {
            vm.prank(oracleMembers[i]);
            hashConsensus.submitReport(data.refSlot, hash, 1);
        }
        uint256 supply = pool.totalSupply();
        bytes memory call = abi.encodeCall(AccountingOracle.submitReportData, (data, 1));
        vm.prank(oracleMembers[0]);
        accountingOracle.submitReportData(data, 1);
        uint256 gas = GasMeter.lastCallAsTx(vm, call);
        vm.assertGt(pool.totalSupply(), supply, "fee shares were minted");
        emit log_named_uint(string.concat("report processing, validators = ", vm.toString(validators())), gas);
        vm.assertLe(gas, 350_000, "report processing over its ceiling");
    }
}

contract ReportGas100Test is ReportGasBase {
    function validators() internal pure override returns (uint256) {
        return 100;
    }
}

contract ReportGas10000Test is ReportGasBase {
    function validators() internal pure override returns (uint256) {
        return 10_000;
    }
}
