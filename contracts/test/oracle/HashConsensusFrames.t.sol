// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

import {Test} from "../utils/Test.sol";
import {HashConsensus} from "../../src/oracle/HashConsensus.sol";

/// @notice Frame arithmetic for any chain timing, frame layout and timestamp, checked against the definition
///         (reference slot = last slot of the epoch before the frame's first epoch, deadline = last slot of the
///         frame) rather than against a copy of the formula.
contract HashConsensusFramesTest is Test {
    address internal admin = makeAddr("admin");
    HashConsensus internal impl;

    function setUp() public {
        impl = new HashConsensus();
    }

    struct Config {
        uint256 genesis;
        uint256 sps;
        uint256 spe;
        uint256 initialEpoch;
        uint256 epf;
    }

    function _config(uint256 genesis, uint256 sps, uint256 spe, uint256 initialEpoch, uint256 epf)
        internal
        pure
        returns (Config memory c)
    {
        c.genesis = bound(genesis, 0, 2_000_000_000);
        c.sps = bound(sps, 1, 64);
        c.spe = bound(spe, 1, 64);
        c.initialEpoch = bound(initialEpoch, c.spe == 1 ? 2 : 1, 1_000_000);
        c.epf = bound(epf, 1, 1_000);
    }

    function _deploy(Config memory c) internal returns (HashConsensus) {
        bytes memory init =
            abi.encodeCall(HashConsensus.initialize, (admin, c.genesis, c.sps, c.spe, c.initialEpoch, c.epf, address(0), 1));
        return HashConsensus(address(new ERC1967Proxy(address(impl), init)));
    }

    function _firstFramedTime(Config memory c) internal pure returns (uint256) {
        return c.genesis + c.initialEpoch * c.spe * c.sps;
    }

    function testFuzz_frameAt_matchesDefinition(
        uint256 genesis,
        uint256 sps,
        uint256 spe,
        uint256 initialEpoch,
        uint256 epf,
        uint256 offset
    ) public {
        Config memory c = _config(genesis, sps, spe, initialEpoch, epf);
        HashConsensus hc = _deploy(c);
        uint256 t = _firstFramedTime(c) + bound(offset, 0, 10_000_000_000);
        (uint256 refSlot, uint256 deadline) = hc.getFrameAt(t);
        uint256 slot = (t - c.genesis) / c.sps;
        uint256 frameStartEpoch = (refSlot + 1) / c.spe;

        vm.assertEq((refSlot + 1) % c.spe, 0, "ref slot is the last slot of an epoch");
        vm.assertGe(frameStartEpoch, c.initialEpoch, "no frame before the initial epoch");
        vm.assertEq((frameStartEpoch - c.initialEpoch) % c.epf, 0, "frames start every epochsPerFrame epochs");
        vm.assertLt(refSlot, slot, "the reference slot is in the past");
        vm.assertLe(slot, deadline, "the current slot is within the frame");
        vm.assertEq(deadline - refSlot, c.epf * c.spe, "a frame is epochsPerFrame epochs long");

        // The frame ends exactly at its deadline slot's last second; the next frame's reference slot is this deadline.
        uint256 lastSecond = c.genesis + (deadline + 1) * c.sps - 1;
        (uint256 sameRef,) = hc.getFrameAt(lastSecond);
        vm.assertEq(sameRef, refSlot);
        (uint256 nextRef, uint256 nextDeadline) = hc.getFrameAt(lastSecond + 1);
        vm.assertEq(nextRef, deadline);
        vm.assertEq(nextDeadline, deadline + c.epf * c.spe);

        // getCurrentFrame is getFrameAt(now).
        vm.warp(t);
        (uint256 currentRef, uint256 currentDeadline) = hc.getCurrentFrame();
        vm.assertEq(currentRef, refSlot);
        vm.assertEq(currentDeadline, deadline);
    }

    function testFuzz_noFrameBeforeInitialEpoch(uint256 genesis, uint256 sps, uint256 spe, uint256 initialEpoch, uint256 before)
        public
    {
        Config memory c = _config(genesis, sps, spe, initialEpoch, 1);
        HashConsensus hc = _deploy(c);
        uint256 first = _firstFramedTime(c);
        uint256 t = first - bound(before, 1, first);
        uint256 epoch = t < c.genesis ? 0 : (t - c.genesis) / c.sps / c.spe;
        vm.expectRevert(abi.encodeWithSelector(HashConsensus.InitialEpochNotReached.selector, epoch, c.initialEpoch));
        hc.getFrameAt(t);
        (uint256 firstRef,) = hc.getFrameAt(first);
        vm.assertEq(firstRef, c.initialEpoch * c.spe - 1);
    }

    function testFuzz_setFrameConfig_restartsFramesAtCurrentFrameStart(uint256 offset, uint256 oldEpf, uint256 newEpf)
        public
    {
        Config memory c = _config(1_606_824_023, 12, 32, 10, oldEpf);
        HashConsensus hc = _deploy(c);
        bytes32 role = hc.MANAGE_FRAME_CONFIG_ROLE();
        vm.prank(admin);
        hc.grantRole(role, admin);
        vm.warp(_firstFramedTime(c) + bound(offset, 0, 1_000_000_000));
        (uint256 refBefore,) = hc.getCurrentFrame();
        uint256 frameStartEpoch = (refBefore + 1) / c.spe;
        uint256 epoch = (block.timestamp - c.genesis) / c.sps / c.spe;
        newEpf = bound(newEpf, 1, 1_000);
        vm.prank(admin);
        hc.setFrameConfig(newEpf);

        (uint256 initialEpoch, uint256 epf) = hc.getFrameConfig();
        vm.assertEq(initialEpoch, frameStartEpoch, "new frames start at the current frame's start");
        vm.assertEq(epf, newEpf);
        (uint256 refAfter, uint256 deadline) = hc.getCurrentFrame();
        if (epoch < frameStartEpoch + newEpf) {
            vm.assertEq(refAfter, refBefore, "the current frame keeps its reference slot");
        } else {
            vm.assertGt(refAfter, refBefore, "a shorter frame moved the current frame forward");
            vm.assertEq(((refAfter + 1) / c.spe - frameStartEpoch) % newEpf, 0);
        }
        vm.assertEq(deadline, refAfter + newEpf * c.spe);
    }
}
