// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC721Utils} from "@openzeppelin/contracts/token/ERC721/utils/ERC721Utils.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IWithdrawalQueue} from "../interfaces/IWithdrawalQueue.sol";
import {WithdrawalQueueStorage} from "./WithdrawalQueueStorage.sol";

/// @title WithdrawalRequestNFT
/// @notice A lean ERC-721 whose tokens are the queue's withdrawal requests: token id = request id.
/// @dev Full ERC-721 semantics (balances, owners, approvals, operators, `safeTransferFrom` receiver checks, events)
///      over the queue's packed storage: a request stores its owner as a 31-bit *holder index*, and each address
///      that ever held a request gets one index (`holders`/`holderAt`). That keeps a request in one slot; the
///      price is one extra read in `ownerOf` and two fresh slots the first time an address receives a request.
///      Deliberate differences from OpenZeppelin's ERC721:
///      - minting (in the queue) does not call `onERC721Received` (like Lido's queue; a contract owner can still
///        receive by transfer with the check);
///      - a claimed request stays owned (a receipt, so `balanceOf` counts it) but can no longer be transferred,
///        so nobody can be sold an already-paid claim.
abstract contract WithdrawalRequestNFT is WithdrawalQueueStorage, IWithdrawalQueue, IERC721Metadata, IERC721Errors {
    string private constant NAME = "Shoal dvETH Withdrawal Request";
    string private constant SYMBOL = "wqdvETH";

    // ---------------------------------------------------------------- ERC-721 views

    /// @notice ERC-721 name.
    function name() external pure returns (string memory) {
        return NAME;
    }

    /// @notice ERC-721 symbol.
    function symbol() external pure returns (string memory) {
        return SYMBOL;
    }

    /// @notice `baseURI` followed by the decimal request id, or "" if no base URI is set.
    function tokenURI(uint256 requestId) external view returns (string memory) {
        _requireExists(requestId);
        string memory base = _s().baseURI;
        return bytes(base).length == 0 ? "" : string.concat(base, Strings.toString(requestId));
    }

    /// @notice Number of requests (claimed ones included) owned by `owner`.
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert ERC721InvalidOwner(address(0));
        return _s().holders[owner].balance;
    }

    /// @notice Owner of request `requestId` (claimed requests keep their owner).
    function ownerOf(uint256 requestId) public view returns (address) {
        _requireExists(requestId);
        return _ownerOfExisting(requestId);
    }

    /// @notice The single address approved for `requestId`.
    function getApproved(uint256 requestId) external view returns (address) {
        _requireExists(requestId);
        return _s().tokenApprovals[requestId];
    }

    /// @notice Whether `operator` may move all of `owner`'s requests.
    function isApprovedForAll(address owner, address operator) public view returns (bool) {
        return _s().operatorApprovals[owner][operator];
    }

    /// @notice ERC-165: ERC-721 and its metadata extension.
    function supportsInterface(bytes4 interfaceId) public view virtual returns (bool) {
        return interfaceId == type(IERC721).interfaceId || interfaceId == type(IERC721Metadata).interfaceId
            || interfaceId == type(IERC165).interfaceId;
    }

    // ---------------------------------------------------------------- ERC-721 actions

    /// @notice Approves `to` to move `requestId` (the owner or one of its operators may call).
    function approve(address to, uint256 requestId) external {
        address owner = ownerOf(requestId);
        if (msg.sender != owner && !isApprovedForAll(owner, msg.sender)) revert ERC721InvalidApprover(msg.sender);
        _s().tokenApprovals[requestId] = to;
        emit Approval(owner, to, requestId);
    }

    /// @notice Lets `operator` move all the caller's requests, or revokes it.
    function setApprovalForAll(address operator, bool approved) external {
        if (operator == address(0)) revert ERC721InvalidOperator(address(0));
        _s().operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    /// @notice Moves `requestId` (and the right to claim it) from `from` to `to`.
    function transferFrom(address from, address to, uint256 requestId) public {
        _transfer(from, to, requestId);
    }

    /// @notice `transferFrom`, then requires a contract `to` to accept via `onERC721Received`.
    function safeTransferFrom(address from, address to, uint256 requestId) external {
        safeTransferFrom(from, to, requestId, "");
    }

    /// @notice `transferFrom`, then requires a contract `to` to accept via `onERC721Received(data)`.
    function safeTransferFrom(address from, address to, uint256 requestId, bytes memory data) public {
        _transfer(from, to, requestId);
        ERC721Utils.checkOnERC721Received(msg.sender, from, to, requestId, data);
    }

    // ---------------------------------------------------------------- internals

    function _transfer(address from, address to, uint256 requestId) private {
        if (to == address(0)) revert ERC721InvalidReceiver(address(0));
        _requireExists(requestId);
        Layout storage $ = _s();
        Request storage request = $.requests[requestId];
        uint32 packedOwner = request.owner;
        if (packedOwner & CLAIMED_FLAG != 0) revert RequestAlreadyClaimed(requestId);
        address owner = $.holderAt[packedOwner & HOLDER_INDEX_MASK];
        if (owner != from) revert ERC721IncorrectOwner(from, requestId, owner);
        address approved = $.tokenApprovals[requestId];
        if (msg.sender != owner && approved != msg.sender && !$.operatorApprovals[owner][msg.sender]) {
            revert ERC721InsufficientApproval(msg.sender, requestId);
        }
        if (approved != address(0)) delete $.tokenApprovals[requestId];
        Holder memory fromHolder = $.holders[from];
        $.holders[from] = Holder(fromHolder.index, fromHolder.balance - 1);
        request.owner = _addToHolder(to, 1);
        emit Transfer(from, to, requestId);
    }

    /// @dev Adds `count` NFTs to `account`'s balance, registering it (next holder index) on first sight.
    /// @return index The account's holder index.
    function _addToHolder(address account, uint64 count) internal returns (uint32 index) {
        Layout storage $ = _s();
        Holder memory holder = $.holders[account];
        index = holder.index;
        if (index == 0) {
            uint256 next = uint256($.holderCount) + 1;
            if (next > HOLDER_INDEX_MASK) revert TooManyHolders();
            index = uint32(next);
            $.holderCount = index;
            $.holderAt[next] = account;
        }
        $.holders[account] = Holder(index, holder.balance + count);
    }

    function _requireExists(uint256 requestId) internal view {
        if (requestId == 0 || requestId > _s().req.lastRequestId) revert ERC721NonexistentToken(requestId);
    }

    function _ownerOfExisting(uint256 requestId) internal view returns (address) {
        Layout storage $ = _s();
        return $.holderAt[$.requests[requestId].owner & HOLDER_INDEX_MASK];
    }
}
