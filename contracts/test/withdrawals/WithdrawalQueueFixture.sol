// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {Test} from "../utils/Test.sol";
import {IStakingPool} from "../../src/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueue} from "../../src/withdrawals/WithdrawalQueue.sol";
import {TestShareToken} from "./TestShareToken.sol";

/// @notice Shared set-up: a proxied test share token, a proxied queue, and this contract playing the pool
///         (FINALIZE_ROLE, funds finalizations, burns the queue's shares).
abstract contract WithdrawalQueueFixture is Test {
    uint256 internal constant E27 = 1e27;
    uint256 internal constant MIN_REQUEST = 100 gwei;
    uint256 internal constant MAX_REQUEST = 1000 ether;

    TestShareToken internal token;
    WithdrawalQueue internal queue;
    WithdrawalQueue internal implementation;
    address internal admin = address(0xA11CE);
    address internal guardian = address(0x6A4D);
    address internal alice;
    address internal bob;
    uint256 internal alicePk = 0xA11CE5;

    function setUpQueue() internal {
        TestShareToken tokenImpl = new TestShareToken();
        token = TestShareToken(
            address(new ERC1967Proxy(address(tokenImpl), abi.encodeCall(TestShareToken.initialize, (E27))))
        );
        implementation = new WithdrawalQueue(IStakingPool(address(token)), MIN_REQUEST, MAX_REQUEST);
        queue = WithdrawalQueue(
            payable(address(
                    new ERC1967Proxy(address(implementation), abi.encodeCall(WithdrawalQueue.initialize, (admin, E27)))
                ))
        );
        token.setQueue(address(queue));
        vm.startPrank(admin);
        queue.grantRole(queue.FINALIZE_ROLE(), address(this));
        queue.grantRole(queue.PAUSE_ROLE(), guardian);
        queue.grantRole(queue.RESUME_ROLE(), guardian);
        vm.stopPrank();
        alice = vm.addr(alicePk);
        bob = makeAddr("bob");
        vm.deal(address(this), 1e30);
    }

    /// @dev Mints `shares` to `who` and requests one withdrawal of them (no allowance needed).
    function requestAs(address who, uint256 shares) internal returns (uint256 id) {
        token.mint(who, shares);
        vm.prank(who);
        id = queue.requestWithdrawal(shares);
    }

    /// @dev The pool moves the rate: the token's rate and the queue's request rate.
    function pushRate(uint256 rate) internal {
        token.setShareRate(rate);
        queue.notifyShareRate(rate);
    }

    /// @dev What the pool does in a report: batches from the view, prefinalize, finalize with the ETH, burn.
    function finalizeUpTo(uint256 lastId, uint256 rate) internal returns (uint256 eth, uint256 shares) {
        (uint256[] memory batches,,) = queue.calculateFinalizationBatches(
            rate, type(uint256).max, queue.getWithdrawalStatus(ids(lastId))[0].timestamp
        );
        // keep only the batches up to lastId (cut the last one at lastId)
        uint256 n;
        while (n < batches.length && batches[n] < lastId) ++n;
        uint256[] memory cut = new uint256[](n + 1);
        for (uint256 i; i < n; ++i) {
            cut[i] = batches[i];
        }
        cut[n] = lastId;
        (eth, shares) = queue.prefinalize(cut, rate);
        uint256 burnt = queue.finalize{value: eth}(lastId, rate);
        vm.assertEq(burnt, shares, "finalize and prefinalize disagree on shares");
        token.burnShares(address(queue), shares);
    }

    function ids(uint256 a) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = a;
    }

    function ids(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = a;
        r[1] = b;
    }

    function status(uint256 id) internal view returns (IWithdrawalQueue.WithdrawalRequestStatus memory) {
        return queue.getWithdrawalStatus(ids(id))[0];
    }

    receive() external payable {}
}
