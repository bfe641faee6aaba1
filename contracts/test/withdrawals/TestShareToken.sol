// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {
    ERC20PermitUpgradeable
} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC20PermitUpgradeable.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";

/// @notice TEST ONLY. A dvETH stand-in: non-rebasing ERC-20 of shares with ERC-2612 permit and a share rate the
///         test sets. Deployed behind an ERC1967Proxy like the real pool, so gas figures include the proxy hop.
///         Anyone may mint, burn and set the rate: it exists for tests; the lead's integration tests swap in the pool.
contract TestShareToken is ERC20PermitUpgradeable {
    /// @dev ETH per share, 1e27 precision (IStakingPool convention).
    uint256 public shareRate;

    constructor() {
        _disableInitializers();
    }

    function initialize(uint256 rate) external initializer {
        __ERC20_init("Test dvETH", "dvETH");
        __ERC20Permit_init("Test dvETH");
        shareRate = rate;
    }

    /// @dev The queue allowed to pull holders' shares (the real pool uses its configured queue).
    address public queue;

    error UnexpectedSender(address sender);

    function setQueue(address queue_) external {
        queue = queue_;
    }

    /// @dev The real pool's queue-only pull, kept simple: a plain transfer to the queue's stored balance.
    function pullSharesForWithdrawal(address holder, uint256 shares) external {
        if (msg.sender != queue) revert UnexpectedSender(msg.sender);
        _transfer(holder, msg.sender, shares);
    }

    function setShareRate(uint256 rate) external {
        shareRate = rate;
    }

    function mint(address to, uint256 shares) external {
        _mint(to, shares);
    }

    /// @dev The pool's post-finalization burn of the queue's shares.
    function burnShares(address from, uint256 shares) external {
        _burn(from, shares);
    }

    function convertToAssets(uint256 shares) external view returns (uint256) {
        return shares * shareRate / 1e27;
    }

    function convertToShares(uint256 assets) external view returns (uint256) {
        return assets * 1e27 / shareRate;
    }

    function totalPooledEther() external view returns (uint256) {
        return totalSupply() * shareRate / 1e27;
    }
}
