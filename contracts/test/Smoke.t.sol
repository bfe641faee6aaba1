// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;
import {Test} from "./utils/Test.sol";
contract SmokeTest is Test {
    function test_smoke() public { vm.assertEq(uint256(1), uint256(1)); vm.deal(address(this), 1 ether); vm.assertEq(address(this).balance, 1 ether); }
    function testFuzz_bound(uint256 x) public pure { uint256 y = bound(x, 3, 9); vm.assertGe(y, 3); vm.assertLe(y, 9); }
}
