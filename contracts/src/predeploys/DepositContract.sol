// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IDepositContract} from "../interfaces/IDepositContract.sol";
import {LittleEndian} from "./LittleEndian.sol";

/**
 * @title DepositContract — our implementation of the beacon-chain deposit contract specification
 *
 * @notice What it promises (consensus-specs phase0 "Deposit Contract"):
 *  - `deposit` accepts only a 48-byte pubkey, 32-byte withdrawal credentials, a 96-byte signature, a value of at
 *    least 1 ETH that is a whole number of gwei fitting a uint64, and a `deposit_data_root` equal to the SSZ
 *    hash_tree_root of the DepositData it describes (computed here with the SHA-256 precompile).
 *  - every accepted deposit is appended, in order, as a leaf of an incremental Merkle tree of depth 32 and announced by
 *    `DepositEvent(pubkey, withdrawal_credentials, amount, signature, index)` whose `amount` (gwei) and `index`
 *    are 8-byte little-endian, byte for byte the event of the canonical contract;
 *  - `get_deposit_root()` equals hash_tree_root(List[DepositData, 2**32]) of all deposits so far (the tree root mixed
 *    in with the little-endian count), and `get_deposit_count()` is that count as 8 bytes little-endian;
 *  - the ETH stays here for ever (there is no way out, as on the real chain, where the beacon chain credits it).
 *
 * @notice What it trusts: nothing but the EVM and its SHA-256 precompile. It does not verify the BLS signature (the
 *  beacon chain does, and ignores a deposit with a bad one), so a bad signature burns the deposit, as on mainnet.
 *
 * @dev Built to be placed with `vm.etch` / `anvil_setCode` at 0x00000000219ab540356cBB839Cbe05303d7705Fa: it works
 *  from runtime code and zeroed storage alone (no constructor, no immutables; the zero-subtree hashes are a code
 *  constant). Its storage layout is the canonical Solidity contract's: `branch[0..31]` in slots 0–31 and
 *  `deposit_count` in slot 32 (the canonical contract also stores its zero hashes in slots 33–64; we do not).
 *  Not upgradeable: it is a system contract.
 *
 *  Gas: `deposit` builds the event's ABI encoding once in memory and hashes the SSZ chunks in place from it (the
 *  pubkey's 16 bytes of ABI padding are exactly its SSZ padding), so the calldata is copied once and the seven
 *  SHA-256 calls of the DepositData root are the minimum the SSZ layout needs.
 *
 *   DepositData root (each ─┬─ is one sha256 of 64 bytes):
 *
 *                          root
 *                 ┌─────────┴──────────┐
 *               left                 right
 *          ┌──────┴──────┐      ┌──────┴───────┐
 *     pubkey_root      wc     amount‖0²⁴   sig_root
 *    sha256(pk‖0¹⁶)                     ┌──────┴───────┐
 *                                 sha256(sig[0:64])  sha256(sig[64:96]‖0³²)
 */
contract DepositContract is IDepositContract, IERC165 {
    // ---------------------------------------------------------------- constants (consensus specs, phase0)

    /// @dev DEPOSIT_CONTRACT_TREE_DEPTH: the deposit tree has 2**32 leaves.
    uint256 internal constant DEPOSIT_CONTRACT_TREE_DEPTH = 32;
    /// @dev The spec caps deposits at 2**32 - 1 so that the incremental insertion never runs off the top of the tree.
    uint256 internal constant MAX_DEPOSIT_COUNT = 2 ** DEPOSIT_CONTRACT_TREE_DEPTH - 1;
    /// @dev BLS12-381 compressed G1 public key.
    uint256 internal constant PUBKEY_LENGTH = 48;
    /// @dev Withdrawal credentials are one SSZ Bytes32.
    uint256 internal constant WITHDRAWAL_CREDENTIALS_LENGTH = 32;
    /// @dev BLS12-381 compressed G2 signature.
    uint256 internal constant SIGNATURE_LENGTH = 96;
    /// @dev The deposit contract's minimum (the spec's `require(msg.value >= 1 ether)`).
    uint256 internal constant MIN_DEPOSIT_VALUE = 1 ether;
    /// @dev Amounts are recorded in gwei (DepositData.amount is a uint64 of gwei).
    uint256 internal constant GWEI = 1 gwei;
    /// @dev The SHA-256 precompile (Ethereum yellow paper, address 0x02).
    uint256 private constant SHA256_PRECOMPILE = 0x02;

    /// @dev zero_hashes[h] for h = 0..31: the root of an all-zero subtree of height h (zero_hashes[0] = 0,
    ///      zero_hashes[h+1] = sha256(zero_hashes[h] ‖ zero_hashes[h])). A code constant, not storage, so the contract
    ///      works without a constructor; the tests recompute every entry.
    bytes private constant ZERO_HASHES =
        hex"0000000000000000000000000000000000000000000000000000000000000000f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b"
        hex"db56114e00fdd4c1f85c892bf35ac9a89289aaecb1ebd0a96cde606a748b5d71c78009fdf07fc56a11f122370658a353aaa542ed63e44c4bc15ff4cd105ab33c"
        hex"536d98837f2dd165a55d5eeae91485954472d56f246df256bf3cae19352a123c9efde052aa15429fae05bad4d0b1d7c64da64d03d7a1854a588c2cb8430c0d30"
        hex"d88ddfeed400a8755596b21942c1497e114c302e6118290f91e6772976041fa187eb0ddba57e35f6d286673802a4af5975e22506c7cf4c64bb6be5ee11527f2c"
        hex"26846476fd5fc54a5d43385167c95144f2643f533cc85bb9d16b782f8d7db193506d86582d252405b840018792cad2bf1259f1ef5aa5f887e13cb2f0094f51e1"
        hex"ffff0ad7e659772f9534c195c815efc4014ef1e1daed4404c06385d11192e92b6cf04127db05441cd833107a52be852868890e4317e6a02ab47683aa75964220"
        hex"b7d05f875f140027ef5118a2247bbb84ce8f2f0f1123623085daf7960c329f5fdf6af5f5bbdb6be9ef8aa618e4bf8073960867171e29676f8b284dea6a08a85e"
        hex"b58d900f5e182e3c50ef74969ea16c7726c549757cc23523c369587da7293784d49a7502ffcfb0340b1d7885688500ca308161a7f96b62df9d083b71fcc8f2bb"
        hex"8fe6b1689256c0d385f42f5bbe2027a22c1996e110ba97c171d3e5948de92beb8d0d63c39ebade8509e0ae3c9c3876fb5fa112be18f905ecacfecb92057603ab"
        hex"95eec8b2e541cad4e91de38385f2e046619f54496c2382cb6cacd5b98c26f5a4f893e908917775b62bff23294dbbe3a1cd8e6cc1c35b4801887b646a6f81f17f"
        hex"cddba7b592e3133393c16194fac7431abf2f5485ed711db282183c819e08ebaa8a8d7fe3af8caa085a7639a832001457dfb9128a8061142ad0335629ff23ff9c"
        hex"feb3c337d7a51a6fbf00b9e34c52e1c9195c969bd4e7a0bfd51d5c5bed9c1167e71f0aa83cc32edfbefa9f4d3e0174ca85182eec9f3a09f6a6c0df6377a510d7"
        hex"31206fa80a50bb6abe29085058f16212212a60eec8f049fecb92d8c8e0a84bc021352bfecbeddde993839f614c3dac0a3ee37543f9b412b16199dc158e23b544"
        hex"619e312724bb6d7c3153ed9de791d764a366b389af13c58bf8a8d90481a467657cdd2986268250628d0c10e385c58c6191e6fbe05191bcc04f133f2cea72c1c4"
        hex"848930bd7ba8cac54661072113fb278869e07bb8587f91392933374d017bcbe18869ff2c22b28cc10510d9853292803328be4fb0e80495e8bb8d271f5b889636"
        hex"b5fe28e79f1b850f8658246ce9b6a1e7b49fc06db7143e8fe0b4f2b0c5523a5c985e929f70af28d0bdd1a90a808f977f597c7c778c489e98d3bd8910d31ac0f7";

    // ---------------------------------------------------------------- storage (canonical layout)

    /// @dev branch[h]: the left sibling at height h of the path of the next leaf (slots 0–31).
    bytes32[DEPOSIT_CONTRACT_TREE_DEPTH] private branch;
    /// @dev Number of deposits so far (slot 32).
    uint256 private deposit_count;

    // ---------------------------------------------------------------- errors

    /// @notice The pubkey is not 48 bytes.
    error InvalidPubkeyLength(uint256 length);
    /// @notice The withdrawal credentials are not 32 bytes.
    error InvalidWithdrawalCredentialsLength(uint256 length);
    /// @notice The signature is not 96 bytes.
    error InvalidSignatureLength(uint256 length);
    /// @notice Less than 1 ETH was sent.
    error DepositValueTooLow(uint256 value);
    /// @notice The value is not a whole number of gwei.
    error DepositValueNotMultipleOfGwei(uint256 value);
    /// @notice The value in gwei does not fit a uint64.
    error DepositValueTooHigh(uint256 value);
    /// @notice The provided deposit_data_root is not the hash_tree_root of the DepositData sent.
    error DepositDataRootMismatch(bytes32 provided, bytes32 computed);
    /// @notice The tree holds MAX_DEPOSIT_COUNT deposits already.
    error DepositTreeFull();

    // ---------------------------------------------------------------- deposit

    /// @inheritdoc IDepositContract
    function deposit(
        bytes calldata pubkey,
        bytes calldata withdrawal_credentials,
        bytes calldata signature,
        bytes32 deposit_data_root
    ) external payable override {
        if (pubkey.length != PUBKEY_LENGTH) revert InvalidPubkeyLength(pubkey.length);
        if (withdrawal_credentials.length != WITHDRAWAL_CREDENTIALS_LENGTH) {
            revert InvalidWithdrawalCredentialsLength(withdrawal_credentials.length);
        }
        if (signature.length != SIGNATURE_LENGTH) revert InvalidSignatureLength(signature.length);
        if (msg.value < MIN_DEPOSIT_VALUE) revert DepositValueTooLow(msg.value);
        if (msg.value % GWEI != 0) revert DepositValueNotMultipleOfGwei(msg.value);
        uint256 amountGwei = msg.value / GWEI;
        if (amountGwei > type(uint64).max) revert DepositValueTooHigh(msg.value);
        uint256 count = deposit_count;
        if (count >= MAX_DEPOSIT_COUNT) revert DepositTreeFull();

        bytes32 amountLe = LittleEndian.toLittleEndian64(amountGwei);
        bytes32 indexLe = LittleEndian.toLittleEndian64(count);
        bytes32 topic = DepositEvent.selector;
        bytes4 mismatch = DepositDataRootMismatch.selector;

        // Everything below works in memory past the free-memory pointer (never allocated: nothing after this block
        // uses memory) and in the scratch words 0x00–0x3f.
        assembly ("memory-safe") {
            // p: the DepositEvent data, ABI-encoded (5 dynamic `bytes`; 0x240 bytes):
            //   0x000 offsets (0xa0, 0x100, 0x140, 0x180, 0x200)
            //   0x0a0 48  | 0x0c0 pubkey[0:32] | 0x0e0 pubkey[32:48] ‖ 0¹⁶
            //   0x100 32  | 0x120 withdrawal_credentials
            //   0x140 8   | 0x160 amount (LE) ‖ 0²⁴
            //   0x180 96  | 0x1a0 signature[0:32] | 0x1c0 signature[32:64] | 0x1e0 signature[64:96]
            //   0x200 8   | 0x220 index (LE) ‖ 0²⁴
            // s = p + 0x240: four words of scratch for the DepositData tree.
            let p := mload(0x40)
            let s := add(p, 0x240)
            mstore(p, 0xa0)
            mstore(add(p, 0x20), 0x100)
            mstore(add(p, 0x40), 0x140)
            mstore(add(p, 0x60), 0x180)
            mstore(add(p, 0x80), 0x200)
            mstore(add(p, 0xa0), 48)
            mstore(add(p, 0xe0), 0) // the pubkey's padding: memory past the free pointer may be dirty
            calldatacopy(add(p, 0xc0), pubkey.offset, 48)
            let wc := calldataload(withdrawal_credentials.offset)
            mstore(add(p, 0x100), 32)
            mstore(add(p, 0x120), wc)
            mstore(add(p, 0x140), 8)
            mstore(add(p, 0x160), amountLe)
            mstore(add(p, 0x180), 96)
            calldatacopy(add(p, 0x1a0), signature.offset, 96)
            mstore(add(p, 0x200), 0) // for now the SSZ padding of signature[64:96]; the index length comes later

            // pubkey_root = sha256(pubkey ‖ 0¹⁶), straight from the event buffer -> s
            let ok := staticcall(gas(), SHA256_PRECOMPILE, add(p, 0xc0), 0x40, s, 0x20)
            // left = sha256(pubkey_root ‖ withdrawal_credentials) -> s
            mstore(add(s, 0x20), wc)
            ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, s, 0x40, s, 0x20))
            // sha256(signature[0:64]) -> s+0x40 ; sha256(signature[64:96] ‖ 0³²) -> s+0x60
            ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, add(p, 0x1a0), 0x40, add(s, 0x40), 0x20))
            ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, add(p, 0x1e0), 0x40, add(s, 0x60), 0x20))
            // signature_root -> s+0x60
            ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, add(s, 0x40), 0x40, add(s, 0x60), 0x20))
            // right = sha256(amount ‖ 0²⁴ ‖ signature_root) -> s+0x20
            mstore(add(s, 0x40), amountLe)
            ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, add(s, 0x40), 0x40, add(s, 0x20), 0x20))
            // node = sha256(left ‖ right)
            ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, s, 0x40, s, 0x20))
            if iszero(ok) { revert(0, 0) } // only an out-of-gas precompile call can fail
            let node := mload(s)
            if iszero(eq(node, deposit_data_root)) {
                mstore(0x00, mismatch)
                mstore(0x04, deposit_data_root)
                mstore(0x24, node)
                revert(0x00, 0x44)
            }

            mstore(add(p, 0x200), 8)
            mstore(add(p, 0x220), indexLe)
            log1(p, 0x240, topic)

            // Append the leaf. With n = count + 1 deposits, the new leaf is hashed up once per trailing zero bit of n
            // with the stored left siblings, and the result becomes branch[h] at the first set bit.
            let size := add(count, 1)
            sstore(deposit_count.slot, size)
            let h := 0
            for {} iszero(and(size, 1)) {} {
                mstore(0x00, sload(add(branch.slot, h)))
                mstore(0x20, node)
                ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, 0x00, 0x40, 0x00, 0x20))
                node := mload(0x00)
                size := shr(1, size)
                h := add(h, 1)
            }
            if iszero(ok) { revert(0, 0) }
            sstore(add(branch.slot, h), node)
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDepositContract
    function get_deposit_root() external view override returns (bytes32 root) {
        bytes memory zeroHashes = ZERO_HASHES;
        uint256 count = deposit_count;
        bytes32 countLe = LittleEndian.toLittleEndian64(count);
        assembly ("memory-safe") {
            let zeros := add(zeroHashes, 0x20)
            let node := 0
            let size := count
            let ok := 1
            for { let h := 0 } lt(h, DEPOSIT_CONTRACT_TREE_DEPTH) { h := add(h, 1) } {
                switch and(size, 1)
                case 1 {
                    // a filled left subtree: its root is the stored branch
                    mstore(0x00, sload(add(branch.slot, h)))
                    mstore(0x20, node)
                }
                default {
                    // an empty right subtree
                    mstore(0x00, node)
                    mstore(0x20, mload(add(zeros, shl(5, h))))
                }
                ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, 0x00, 0x40, 0x00, 0x20))
                node := mload(0x00)
                size := shr(1, size)
            }
            // SSZ mix_in_length: sha256(tree_root ‖ uint256_le(count))
            mstore(0x00, node)
            mstore(0x20, countLe)
            ok := and(ok, staticcall(gas(), SHA256_PRECOMPILE, 0x00, 0x40, 0x00, 0x20))
            if iszero(ok) { revert(0, 0) }
            root := mload(0x00)
        }
    }

    /// @inheritdoc IDepositContract
    function get_deposit_count() external view override returns (bytes memory) {
        return abi.encodePacked(bytes8(LittleEndian.toLittleEndian64(deposit_count)));
    }

    /// @notice ERC-165: true for IERC165 (0x01ffc9a7) and IDepositContract (0x85640907).
    /// @param interfaceId The interface identifier to test.
    function supportsInterface(bytes4 interfaceId) external pure override returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IDepositContract).interfaceId;
    }
}
