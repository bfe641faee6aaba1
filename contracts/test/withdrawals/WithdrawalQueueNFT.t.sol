// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IWithdrawalQueue} from "../../src/interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueueFixture} from "./WithdrawalQueueFixture.sol";

contract GoodReceiver is IERC721Receiver {
    bytes public lastData;
    address public lastOperator;

    function onERC721Received(address operator, address, uint256, bytes calldata data) external returns (bytes4) {
        lastData = data;
        lastOperator = operator;
        return IERC721Receiver.onERC721Received.selector;
    }
}

contract NotAReceiver {}

/// @notice ERC-721 semantics of the request NFTs.
contract WithdrawalQueueNFTTest is WithdrawalQueueFixture {
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    uint256 internal id;

    function setUp() public {
        setUpQueue();
        id = requestAs(alice, 1 ether);
    }

    function test_metadataAndInterfaces() public {
        vm.assertEq(queue.name(), "Shoal dvETH Withdrawal Request");
        vm.assertEq(queue.symbol(), "wqdvETH");
        vm.assertEq(queue.tokenURI(id), "");
        vm.prank(admin);
        vm.expectEmit(address(queue));
        emit IWithdrawalQueue.BaseURISet("https://shoal.example/wq/");
        queue.setBaseURI("https://shoal.example/wq/");
        vm.assertEq(queue.tokenURI(id), "https://shoal.example/wq/1");
        vm.assertTrue(queue.supportsInterface(type(IERC721).interfaceId));
        vm.assertTrue(queue.supportsInterface(type(IERC721Metadata).interfaceId));
        vm.assertTrue(queue.supportsInterface(type(IERC165).interfaceId));
        vm.assertTrue(queue.supportsInterface(type(IAccessControl).interfaceId));
        vm.assertFalse(queue.supportsInterface(0xdeadbeef));
    }

    function test_setBaseURI_onlyAdmin() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, bob, queue.DEFAULT_ADMIN_ROLE()
            )
        );
        vm.prank(bob);
        queue.setBaseURI("x");
    }

    function test_nonexistentTokens() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 0));
        queue.ownerOf(0);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        queue.ownerOf(2);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        queue.tokenURI(2);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 2));
        queue.getApproved(2);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidOwner.selector, address(0)));
        queue.balanceOf(address(0));
    }

    function test_transferFrom_movesTokenAndBalances() public {
        vm.expectEmit(address(queue));
        emit Transfer(alice, bob, id);
        vm.prank(alice);
        queue.transferFrom(alice, bob, id);
        vm.assertEq(queue.ownerOf(id), bob);
        vm.assertEq(queue.balanceOf(alice), 0);
        vm.assertEq(queue.balanceOf(bob), 1);
        vm.assertEq(status(id).owner, bob);
    }

    function test_transferFrom_rejectsWrongFromZeroToAndStrangers() public {
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721IncorrectOwner.selector, bob, id, alice));
        queue.transferFrom(bob, alice, id);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(0)));
        queue.transferFrom(alice, address(0), id);
        vm.stopPrank();
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, bob, id));
        queue.transferFrom(alice, bob, id);
    }

    function test_approve_singleTokenAndClearedOnTransfer() public {
        vm.expectEmit(address(queue));
        emit Approval(alice, bob, id);
        vm.prank(alice);
        queue.approve(bob, id);
        vm.assertEq(queue.getApproved(id), bob);
        vm.prank(bob);
        queue.transferFrom(alice, address(0xB0B2), id);
        vm.assertEq(queue.getApproved(id), address(0));
        vm.assertEq(queue.ownerOf(id), address(0xB0B2));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, bob, id));
        queue.transferFrom(address(0xB0B2), bob, id);
    }

    function test_approve_onlyOwnerOrOperator() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidApprover.selector, bob));
        queue.approve(bob, id);
        vm.prank(alice);
        queue.setApprovalForAll(bob, true);
        vm.prank(bob);
        queue.approve(address(0xCAFE), id); // an operator may approve
        vm.assertEq(queue.getApproved(id), address(0xCAFE));
    }

    function test_setApprovalForAll_operatorMovesAndCanBeRevoked() public {
        vm.expectEmit(address(queue));
        emit ApprovalForAll(alice, bob, true);
        vm.prank(alice);
        queue.setApprovalForAll(bob, true);
        vm.assertTrue(queue.isApprovedForAll(alice, bob));
        uint256 second = requestAs(alice, 1 ether);
        vm.prank(bob);
        queue.transferFrom(alice, bob, second);
        vm.prank(alice);
        queue.setApprovalForAll(bob, false);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, bob, id));
        queue.transferFrom(alice, bob, id);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidOperator.selector, address(0)));
        queue.setApprovalForAll(address(0), true);
    }

    function test_safeTransferFrom_checksReceivers() public {
        GoodReceiver good = new GoodReceiver();
        vm.prank(alice);
        queue.safeTransferFrom(alice, address(good), id, "hello");
        vm.assertEq(queue.ownerOf(id), address(good));
        vm.assertEq(good.lastData(), bytes("hello"));
        vm.assertEq(good.lastOperator(), alice);
        uint256 second = requestAs(alice, 1 ether);
        NotAReceiver bad = new NotAReceiver();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(bad)));
        queue.safeTransferFrom(alice, address(bad), second);
        vm.prank(alice);
        queue.safeTransferFrom(alice, bob, second); // an EOA needs no callback
        vm.assertEq(queue.ownerOf(second), bob);
    }

    function test_claimedRequestCannotBeTransferred() public {
        finalizeUpTo(id, E27);
        vm.startPrank(alice);
        queue.claimWithdrawal(id);
        vm.expectRevert(abi.encodeWithSelector(IWithdrawalQueue.RequestAlreadyClaimed.selector, id));
        queue.transferFrom(alice, bob, id);
        vm.stopPrank();
        vm.assertEq(queue.balanceOf(alice), 1); // the receipt stays
    }

    function test_transferToSelfKeepsBalance() public {
        vm.prank(alice);
        queue.transferFrom(alice, alice, id);
        vm.assertEq(queue.balanceOf(alice), 1);
        vm.assertEq(queue.ownerOf(id), alice);
    }
}
