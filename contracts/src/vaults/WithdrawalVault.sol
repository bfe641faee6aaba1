// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "../base/ShoalUpgradeable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

interface IPoolWithdrawals {
    function receiveWithdrawals() external payable;
}

/// @title WithdrawalVault — the protocol's withdrawal credentials
/// @notice Every protocol validator's 0x01 withdrawal credentials point here, so the beacon chain's withdrawal
///         sweep (EIP-4895: a balance credit, no code runs) lands skimmed rewards and exited balances in this
///         contract. It also submits **EIP-7002** triggerable exits, which only the credentials' address can do:
///         that is how the protocol forces out a validator whose cluster ignores an exit request.
///
/// What it promises: ETH leaves only to the pool, during report processing (the pool asks for exactly the
/// amount the oracle reported); exits are requested only by `TRIGGER_EXIT_ROLE` (the DVT module, which checks
/// deadlines), paying the system contract's current fee, with any excess refunded.
/// What it trusts: the pool to ask only for reported amounts; the EIP-7002 system contract at its address.
contract WithdrawalVault is ShoalUpgradeable {
    bytes32 public constant TRIGGER_EXIT_ROLE = keccak256("TRIGGER_EXIT_ROLE");

    /// @notice EIP-7002 WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS.
    address public constant WITHDRAWAL_REQUEST_PREDEPLOY = 0x00000961Ef480Eb55e80D19ad83579A64c007002;
    uint256 private constant PUBKEY_LENGTH = 48;

    /// @custom:storage-location erc7201:shoal.storage.WithdrawalVault
    struct VaultStorage {
        address pool;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.WithdrawalVault")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant VAULT_STORAGE = 0xe1baee11380399eef6bbbcff468b69b1a23229957bd247fed6f3ef6610a9dc00;

    function _vault() private pure returns (VaultStorage storage $) {
        assembly {
            $.slot := VAULT_STORAGE
        }
    }

    event WithdrawalsTransferred(uint256 amount);
    event ExitTriggered(bytes pubkey, uint256 fee);

    error NotPool(address caller);
    error NotEnoughEther(uint256 requested, uint256 balance);
    error InvalidPubkeysLength(uint256 length);
    error InsufficientFee(uint256 provided, uint256 required);
    error FeeReadFailed();
    error ExitRequestFailed(bytes pubkey);

    /// @param admin governance
    /// @param pool the StakingPool
    function initialize(address admin, address pool) external initializer {
        __ShoalUpgradeable_init(admin);
        if (pool == address(0)) revert ZeroAddress("pool");
        _vault().pool = pool;
    }

    /// @notice Accepts ETH (the beacon chain credits balances without calling; this is for anything else).
    receive() external payable {}

    /// @notice Sends `amount` to the pool. Only the pool, while it applies an oracle report.
    function withdrawWithdrawals(uint256 amount) external {
        address pool = _vault().pool;
        if (msg.sender != pool) revert NotPool(msg.sender);
        if (amount > address(this).balance) revert NotEnoughEther(amount, address(this).balance);
        emit WithdrawalsTransferred(amount);
        IPoolWithdrawals(pool).receiveWithdrawals{value: amount}();
    }

    /// @notice The EIP-7002 fee for one exit request right now.
    function exitRequestFee() public view returns (uint256 fee) {
        (bool ok, bytes memory data) = WITHDRAWAL_REQUEST_PREDEPLOY.staticcall("");
        if (!ok || data.length != 32) revert FeeReadFailed();
        fee = abi.decode(data, (uint256));
    }

    /// @notice Requests full exits of validators (48-byte pubkeys, concatenated) through EIP-7002, paying the
    ///         current fee for each from `msg.value`; the excess goes back to the caller. `TRIGGER_EXIT_ROLE`.
    function triggerExits(bytes calldata pubkeys) external payable onlyRole(TRIGGER_EXIT_ROLE) {
        if (pubkeys.length == 0 || pubkeys.length % PUBKEY_LENGTH != 0) revert InvalidPubkeysLength(pubkeys.length);
        uint256 count = pubkeys.length / PUBKEY_LENGTH;
        uint256 fee = exitRequestFee(); // constant within a block: the queue's excess changes only per block
        if (msg.value < fee * count) revert InsufficientFee(msg.value, fee * count);
        for (uint256 i; i < count; ++i) {
            bytes calldata pubkey = pubkeys[i * PUBKEY_LENGTH:(i + 1) * PUBKEY_LENGTH];
            // EIP-7002 input: pubkey (48) ‖ amount (8 bytes, big-endian gwei); amount 0 = full exit
            (bool ok,) = WITHDRAWAL_REQUEST_PREDEPLOY.call{value: fee}(abi.encodePacked(pubkey, uint64(0)));
            if (!ok) revert ExitRequestFailed(pubkey);
            emit ExitTriggered(pubkey, fee);
        }
        uint256 refund = msg.value - fee * count;
        if (refund > 0) Address.sendValue(payable(msg.sender), refund);
    }

    /// @notice The pool this vault pays.
    function getPool() external view returns (address) {
        return _vault().pool;
    }
}
