// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalFixture} from "../ShoalFixture.sol";

/// @notice Gas of `obtainDepositData` alone (the module's part of a deposit), 50 validators to one cluster of 4
///         and of 10 members, as the router calls it. The ceilings hold today's figure plus what settling each
///         member's reward weight costs (one packed slot per member; see ClusterRewards), measured before and
///         after the economics were added with this same file.
contract DepositGasTest is ShoalFixture {
    event log_named_uint(string key, uint256 val);

    /// @dev Measured: 4 members 166,913 before the economics, 10 members 192,647 (see the report); the reward
    ///      settlement adds ~5,000 per member plus one read of the accumulator.
    uint256 internal constant CEILING_4_MEMBERS = 190_000;
    uint256 internal constant CEILING_10_MEMBERS = 250_000;

    function setUp() public {
        setUpShoal();
    }

    function _measure(uint256 members) internal returns (uint256 gas) {
        uint256 n = 50;
        readyCluster(1, members, n, n, 42);
        vm.prank(address(router));
        registry.obtainDepositData(n, "");
        gas = vm.lastCallGas().gasTotalUsed;
    }

    function test_gas_obtainDepositData_50validators_4members() public {
        uint256 gas = _measure(4);
        emit log_named_uint("obtainDepositData(50), 4 members", gas);
        vm.assertLe(gas, CEILING_4_MEMBERS);
    }

    function test_gas_obtainDepositData_50validators_10members() public {
        uint256 gas = _measure(10);
        emit log_named_uint("obtainDepositData(50), 10 members", gas);
        vm.assertLe(gas, CEILING_10_MEMBERS);
    }
}
