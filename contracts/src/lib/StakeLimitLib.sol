// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Stake rate limit and pause flag packed in one storage slot (read and written once per stake).
/// @dev `prevBlock == 0` means paused (a running limit always has a non-zero block). `maxLimit == 0` means
///      no limit. Otherwise the limit regenerates linearly: `maxLimit / growthBlocks` per block, so after
///      `growthBlocks` blocks a fully used limit is whole again.
///
///        limit ▲   maxLimit ─────────────╱‾‾‾‾‾‾‾‾
///              │                        ╱
///              │    stake ─▶ │╲        ╱   slope = maxLimit / growthBlocks
///              │             │ ╲______╱
///              └─────────────────────────────────▶ block
struct StakeLimit {
    uint32 prevBlock;
    uint96 prevLimit;
    uint32 growthBlocks;
    uint96 maxLimit;
}

library StakeLimitLib {
    error StakingIsPaused();
    error StakeLimitExceeded(uint256 amount, uint256 currentLimit);
    error InvalidStakeLimit(uint256 maxStakeLimit, uint256 increasePerBlock);

    /// @dev The limit available now.
    function current(StakeLimit memory s) internal view returns (uint256) {
        if (s.prevBlock == 0) return 0;
        if (s.maxLimit == 0) return type(uint256).max;
        uint256 grown = uint256(s.prevLimit) + (block.number - s.prevBlock) * increasePerBlock(s);
        return grown < s.maxLimit ? grown : s.maxLimit;
    }

    function increasePerBlock(StakeLimit memory s) internal pure returns (uint256) {
        return s.growthBlocks == 0 ? 0 : s.maxLimit / s.growthBlocks;
    }

    function isPaused(StakeLimit memory s) internal pure returns (bool) {
        return s.prevBlock == 0;
    }

    /// @dev Takes `amount` from the limit or reverts. Without a limit it only checks the pause (no write).
    function consume(StakeLimit storage self, uint256 amount) internal {
        StakeLimit memory s = self;
        if (s.prevBlock == 0) revert StakingIsPaused();
        if (s.maxLimit == 0) return;
        uint256 limit = current(s);
        if (amount > limit) revert StakeLimitExceeded(amount, limit);
        (self.prevBlock, self.prevLimit) = (uint32(block.number), uint96(limit - amount));
    }

    function pause(StakeLimit storage self) internal {
        self.prevBlock = 0;
    }

    function resume(StakeLimit storage self) internal {
        StakeLimit memory s = self;
        if (s.prevBlock != 0) return;
        // a resumed limit starts full: pausing must not be a way to bank capacity, nor to withhold it
        (self.prevBlock, self.prevLimit) = (uint32(block.number), s.maxLimit);
    }

    function setLimit(StakeLimit storage self, uint256 maxStakeLimit, uint256 increase) internal {
        if (maxStakeLimit == 0 || maxStakeLimit > type(uint96).max || increase == 0 || increase > maxStakeLimit) {
            revert InvalidStakeLimit(maxStakeLimit, increase);
        }
        StakeLimit memory s = self;
        uint256 growthBlocks = maxStakeLimit / increase;
        if (growthBlocks > type(uint32).max) revert InvalidStakeLimit(maxStakeLimit, increase);
        // keep what is left of the old limit (capped by the new maximum); a fresh limit starts full
        uint256 left = s.maxLimit == 0 ? maxStakeLimit : current(s);
        if (left > maxStakeLimit) left = maxStakeLimit;
        self.maxLimit = uint96(maxStakeLimit);
        self.growthBlocks = uint32(growthBlocks);
        self.prevLimit = uint96(left);
        if (s.prevBlock != 0) self.prevBlock = uint32(block.number);
    }

    function removeLimit(StakeLimit storage self) internal {
        (self.maxLimit, self.growthBlocks, self.prevLimit) = (0, 0, 0);
    }
}
