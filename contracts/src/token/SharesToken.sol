// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712Upgradeable} from "@openzeppelin/contracts-upgradeable/utils/cryptography/EIP712Upgradeable.sol";
import {NoncesUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/NoncesUpgradeable.sol";

/// @title SharesToken
/// @notice A non-rebasing ERC-20 whose units are pool *shares*, with ERC-2612 permit.
/// @dev Balances and allowances live here; the total supply is owned by the derived contract
///      (`_totalShares`/`_setTotalShares`) so it can share a storage slot with the pool's hot accounting and
///      a stake costs one less storage write. Semantics follow OpenZeppelin's ERC20 (same errors, infinite
///      allowance is never decreased).
abstract contract SharesToken is IERC20, IERC20Metadata, IERC20Permit, IERC20Errors, EIP712Upgradeable, NoncesUpgradeable {
    /// @custom:storage-location erc7201:shoal.storage.SharesToken
    struct TokenStorage {
        mapping(address account => uint256) balances;
        mapping(address account => mapping(address spender => uint256)) allowances;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.SharesToken")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant TOKEN_STORAGE = 0xc4e442f38bc24afaeeca79332dc3ffad95e893351504243d0ce310dd3db4e800;

    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    /// @notice A permit whose deadline has passed.
    error ERC2612ExpiredSignature(uint256 deadline);
    /// @notice A permit signed by someone other than the owner.
    error ERC2612InvalidSigner(address signer, address owner);

    function _tokenStorage() private pure returns (TokenStorage storage $) {
        assembly {
            $.slot := TOKEN_STORAGE
        }
    }

    // ---------------------------------------------------------------- supply owned by the derived contract
    function _totalShares() internal view virtual returns (uint256);
    function _setTotalShares(uint256 newTotal) internal virtual;

    // ---------------------------------------------------------------- ERC-20
    /// @inheritdoc IERC20Metadata
    function decimals() public pure returns (uint8) {
        return 18;
    }

    /// @inheritdoc IERC20
    function totalSupply() public view returns (uint256) {
        return _totalShares();
    }

    /// @inheritdoc IERC20
    /// @dev Virtual: a derived contract may hold shares for an account outside `balances` (see `_debit`).
    function balanceOf(address account) public view virtual returns (uint256) {
        return _tokenStorage().balances[account];
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) public view returns (uint256) {
        return _tokenStorage().allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _spendAllowance(from, msg.sender, value);
        _transfer(from, to, value);
        return true;
    }

    // ---------------------------------------------------------------- ERC-2612
    /// @inheritdoc IERC20Permit
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        _approve(owner, spender, value);
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(IERC20Permit, NoncesUpgradeable) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc IERC20Permit
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internals
    function _transfer(address from, address to, uint256 value) internal {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        if (to == address(this)) revert ERC20InvalidReceiver(to); // shares sent to the pool would be lost
        TokenStorage storage $ = _tokenStorage();
        uint256 fromBalance = $.balances[from];
        if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
        unchecked {
            $.balances[from] = fromBalance - value;
            $.balances[to] += value; // bounded by total supply
        }
        emit Transfer(from, to, value);
    }

    /// @dev The first half of a transfer whose destination the derived contract keeps itself (it must count the
    ///      shares in its `balanceOf` override and emit the `Transfer`): checked exactly like `_transfer`'s debit.
    function _debit(address from, uint256 value) internal {
        TokenStorage storage $ = _tokenStorage();
        uint256 fromBalance = $.balances[from];
        if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
        unchecked {
            $.balances[from] = fromBalance - value;
        }
    }

    /// @dev The second half of such a transfer, once the derived contract releases the shares to `to`.
    function _credit(address to, uint256 value) internal {
        unchecked {
            _tokenStorage().balances[to] += value; // bounded by total supply
        }
    }

    /// @dev `account`'s balance as stored here, without what a derived contract holds for it elsewhere.
    function _storedBalance(address account) internal view returns (uint256) {
        return _tokenStorage().balances[account];
    }

    function _mint(address to, uint256 shares) internal {
        if (to == address(0) || to == address(this)) revert ERC20InvalidReceiver(to);
        _setTotalShares(_totalShares() + shares);
        unchecked {
            _tokenStorage().balances[to] += shares; // bounded by total supply
        }
        emit Transfer(address(0), to, shares);
    }

    /// @dev Mint when the caller has already updated the total (saves a read of the packed slot).
    function _mintPresized(address to, uint256 shares) internal {
        if (to == address(0) || to == address(this)) revert ERC20InvalidReceiver(to); // shares held by the pool are lost
        unchecked {
            _tokenStorage().balances[to] += shares;
        }
        emit Transfer(address(0), to, shares);
    }

    function _burn(address from, uint256 shares) internal {
        _debit(from, shares);
        _setTotalShares(_totalShares() - shares);
        emit Transfer(from, address(0), shares);
    }

    function _approve(address owner, address spender, uint256 value) internal {
        if (owner == address(0)) revert ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _tokenStorage().allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    function _spendAllowance(address owner, address spender, uint256 value) internal {
        uint256 current = allowance(owner, spender);
        if (current == type(uint256).max) return;
        if (current < value) revert ERC20InsufficientAllowance(spender, current, value);
        unchecked {
            _tokenStorage().allowances[owner][spender] = current - value;
        }
    }
}
