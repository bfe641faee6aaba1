// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDepositContract
/// @notice The external interface of the Ethereum beacon-chain deposit contract, as the consensus specs define it
///         (phase0 "Deposit Contract"; canonical deployment at 0x00000000219ab540356cBB839Cbe05303d7705Fa).
///         Function names keep the spec's snake_case so that the selectors, and therefore the ERC-165 interface id,
///         are those of the canonical contract.
interface IDepositContract {
    /// @notice A deposit was accepted. Every field is raw SSZ bytes: `amount` and `index` are 8-byte little-endian.
    event DepositEvent(bytes pubkey, bytes withdrawal_credentials, bytes amount, bytes signature, bytes index);

    /// @notice Deposits `msg.value` (≥ 1 ETH, a whole number of gwei) for the validator `pubkey`.
    /// @param pubkey The validator's BLS12-381 public key, 48 bytes (compressed G1).
    /// @param withdrawal_credentials 32 bytes: 0x00 ‖ sha256(bls key)[1:], 0x01/0x02 ‖ 11 zero bytes ‖ address.
    /// @param signature BLS signature (96 bytes) over the DepositMessage's signing root (domain DEPOSIT).
    /// @param deposit_data_root SSZ hash_tree_root of DepositData{pubkey, withdrawal_credentials, amount, signature};
    ///        the call reverts unless it equals the root the contract computes, which catches malformed calldata.
    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable;

    /// @notice The root of the deposit Merkle tree mixed in with the deposit count, i.e. the SSZ hash_tree_root of
    ///         List[DepositData, 2**32] holding every deposit so far.
    function get_deposit_root() external view returns (bytes32);

    /// @notice The number of deposits so far, as 8 bytes little-endian.
    function get_deposit_count() external view returns (bytes memory);
}
