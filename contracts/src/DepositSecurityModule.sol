// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "./base/ShoalUpgradeable.sol";
import {IDepositContract} from "./interfaces/IDepositContract.sol";
import {IStakingRouter} from "./interfaces/IStakingRouter.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

interface IPoolDeposits {
    function depositBufferedEther(uint256 maxCount, uint256 moduleId, bytes calldata depositCalldata)
        external
        returns (uint256);
}

/// @title DepositSecurityModule — guardians against deposit front-running
/// @notice The threat: an operator who knows a registered key's secret can send its own 1 ETH deposit for that
///         key with *its own* withdrawal credentials before the pool's 32 ETH arrive. The beacon chain keys a
///         validator by pubkey and keeps the first credentials it saw, so the pool's 32 ETH would go to a
///         validator the attacker withdraws.
///
/// The defence (a guardian quorum, after Lido's DSM): off-chain guardians watch the deposit contract. For a
/// deposit to happen, a quorum of them signs (deposit contract root, module nonce, recent block). They sign only
/// if no key of the module's depositable set was ever deposited with other credentials. On-chain this contract
/// checks that
///  - the deposit contract's root is still the attested one: *any* deposit after the attestation (including a
///    front-run) changes the root, so a stale attestation is worthless;
///  - the module's nonce is unchanged: the key set is exactly the one the guardians checked;
///  - the attested block is recent and on this chain (its hash).
/// A single guardian can pause deposits to a module at once (directly or with a signed pause message), so
/// one honest guardian who sees a front-run stops the module until governance resolves it.
///
/// What it trusts: at least a quorum of guardians to be honest and awake; one honest guardian to pause.
contract DepositSecurityModule is ShoalUpgradeable {
    bytes32 public constant MANAGE_GUARDIANS_ROLE = keccak256("MANAGE_GUARDIANS_ROLE");
    bytes32 public constant UNPAUSE_ROLE = keccak256("UNPAUSE_ROLE");

    /// @notice An attestation must be for a block at most this old (blockhash is available for 256 blocks).
    uint256 public constant MAX_ATTESTATION_AGE_BLOCKS = 256;

    struct Signature {
        bytes32 r;
        bytes32 vs; // EIP-2098 compact signature
    }

    /// @custom:storage-location erc7201:shoal.storage.DepositSecurityModule
    struct DsmStorage {
        IStakingRouter router;
        IDepositContract depositContract;
        IPoolDeposits pool;
        uint64 quorum;
        uint64 pauseIntentValidityBlocks;
        uint64 maxDepositsPerCall;
        address[] guardians; // kept sorted is not required; index map below
        mapping(address guardian => uint256) guardianIndexPlusOne;
        mapping(uint256 moduleId => bool) paused;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.DepositSecurityModule")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant DSM_STORAGE = 0xc017a308a91896b7856b7fa0e6af0d7ee8d2e6227b542125c271ea1eb7b54600;

    function _dsm() private pure returns (DsmStorage storage $) {
        assembly {
            $.slot := DSM_STORAGE
        }
    }

    event GuardianAdded(address guardian);
    event GuardianRemoved(address guardian);
    event GuardianQuorumChanged(uint256 quorum);
    event PauseIntentValidityBlocksChanged(uint256 blocks);
    event MaxDepositsPerCallChanged(uint256 maxDeposits);
    event DepositsPaused(uint256 indexed moduleId, address indexed guardian);
    event DepositsUnpaused(uint256 indexed moduleId);
    event DepositsAttested(uint256 indexed moduleId, uint256 blockNumber, bytes32 depositRoot, uint256 nonce, uint256 deposited);

    error DepositRootChanged(bytes32 attested, bytes32 actual);
    error ModuleNonceChanged(uint256 attested, uint256 actual);
    error StaleOrUnknownBlock(uint256 blockNumber, bytes32 blockHash);
    error ModuleDepositsPaused(uint256 moduleId);
    error ModuleNotActive(uint256 moduleId);
    error NoQuorum(uint256 valid, uint256 quorum);
    error SignaturesNotSorted(uint256 index);
    error NotAGuardian(address account);
    error DuplicateGuardian(address guardian);
    error InvalidQuorum(uint256 quorum, uint256 guardians);
    error PauseIntentExpired(uint256 blockNumber);
    error InvalidParameter(string name, uint256 value);

    /// @param admin governance
    /// @param pool the StakingPool (this contract holds its DEPOSIT_ROLE)
    /// @param router the StakingRouter
    /// @param depositContract the beacon deposit contract
    /// @param pauseIntentValidityBlocks how long a signed pause message stays valid
    /// @param maxDepositsPerCall validators per deposit call (bounds gas and what one attestation can move)
    function initialize(
        address admin,
        address pool,
        address router,
        address depositContract,
        uint256 pauseIntentValidityBlocks,
        uint256 maxDepositsPerCall
    ) external initializer {
        __ShoalUpgradeable_init(admin);
        if (pool == address(0)) revert ZeroAddress("pool");
        if (router == address(0)) revert ZeroAddress("router");
        if (depositContract == address(0)) revert ZeroAddress("depositContract");
        DsmStorage storage $ = _dsm();
        ($.pool, $.router, $.depositContract) = (IPoolDeposits(pool), IStakingRouter(router), IDepositContract(depositContract));
        _setPauseIntentValidityBlocks(pauseIntentValidityBlocks);
        _setMaxDepositsPerCall(maxDepositsPerCall);
    }

    // ------------------------------------------------------------------------------------------ deposits
    /// @notice The digest guardians sign to allow a deposit.
    function attestMessageHash(uint256 blockNumber, bytes32 blockHash, bytes32 depositRoot, uint256 moduleId, uint256 nonce)
        public
        view
        returns (bytes32)
    {
        return keccak256(
            abi.encode(keccak256("shoal.dsm.attest"), block.chainid, address(this), blockNumber, blockHash, depositRoot, moduleId, nonce)
        );
    }

    /// @notice The digest a guardian signs to pause a module.
    function pauseMessageHash(uint256 blockNumber, uint256 moduleId) public view returns (bytes32) {
        return keccak256(abi.encode(keccak256("shoal.dsm.pause"), block.chainid, address(this), blockNumber, moduleId));
    }

    /// @notice Deposits buffered ETH to validators of `moduleId`, given a quorum of guardian signatures over
    ///         the attested state. Anyone may call (keepers do). Signatures must be sorted by signer address.
    /// @return deposited validators deposited
    function depositBufferedEther(
        uint256 blockNumber,
        bytes32 blockHash,
        bytes32 depositRoot,
        uint256 moduleId,
        uint256 nonce,
        bytes calldata depositCalldata,
        Signature[] calldata sortedGuardianSignatures
    ) external returns (uint256 deposited) {
        DsmStorage storage $ = _dsm();
        if ($.paused[moduleId]) revert ModuleDepositsPaused(moduleId);
        if (!$.router.isModuleActive(moduleId)) revert ModuleNotActive(moduleId);
        if (blockHash == bytes32(0) || blockhash(blockNumber) != blockHash || block.number - blockNumber > MAX_ATTESTATION_AGE_BLOCKS) {
            revert StaleOrUnknownBlock(blockNumber, blockHash);
        }
        bytes32 actualRoot = $.depositContract.get_deposit_root();
        if (actualRoot != depositRoot) revert DepositRootChanged(depositRoot, actualRoot);
        uint256 actualNonce = $.router.getStakingModuleNonce(moduleId);
        if (actualNonce != nonce) revert ModuleNonceChanged(nonce, actualNonce);
        _verifyQuorum(attestMessageHash(blockNumber, blockHash, depositRoot, moduleId, nonce), sortedGuardianSignatures);
        deposited = $.pool.depositBufferedEther($.maxDepositsPerCall, moduleId, depositCalldata);
        emit DepositsAttested(moduleId, blockNumber, depositRoot, nonce, deposited);
    }

    /// @notice Pauses deposits to `moduleId`. A guardian calls with an empty signature, or anyone relays a
    ///         guardian's signed pause message for a recent `blockNumber`.
    function pauseDeposits(uint256 blockNumber, uint256 moduleId, Signature calldata sig) external {
        DsmStorage storage $ = _dsm();
        address guardian = msg.sender;
        if (sig.r != bytes32(0) || sig.vs != bytes32(0)) {
            guardian = ECDSA.recover(pauseMessageHash(blockNumber, moduleId), sig.r, sig.vs);
        }
        if ($.guardianIndexPlusOne[guardian] == 0) revert NotAGuardian(guardian);
        if (blockNumber > block.number || block.number - blockNumber > $.pauseIntentValidityBlocks) {
            revert PauseIntentExpired(blockNumber);
        }
        if (!$.paused[moduleId]) {
            $.paused[moduleId] = true;
            emit DepositsPaused(moduleId, guardian);
        }
    }

    /// @notice Resumes deposits to `moduleId` once the cause is resolved. `UNPAUSE_ROLE`.
    function unpauseDeposits(uint256 moduleId) external onlyRole(UNPAUSE_ROLE) {
        DsmStorage storage $ = _dsm();
        if ($.paused[moduleId]) {
            $.paused[moduleId] = false;
            emit DepositsUnpaused(moduleId);
        }
    }

    function _verifyQuorum(bytes32 digest, Signature[] calldata sigs) private view {
        DsmStorage storage $ = _dsm();
        uint256 quorum = $.quorum;
        if (quorum == 0 || sigs.length < quorum) revert NoQuorum(sigs.length, quorum);
        address prev;
        for (uint256 i; i < sigs.length; ++i) {
            address signer = ECDSA.recover(digest, sigs[i].r, sigs[i].vs);
            if (signer <= prev) revert SignaturesNotSorted(i); // also rejects a guardian counted twice
            if ($.guardianIndexPlusOne[signer] == 0) revert NotAGuardian(signer);
            prev = signer;
        }
    }

    // ------------------------------------------------------------------------------------------ guardians
    /// @notice Adds a guardian and sets the quorum. `MANAGE_GUARDIANS_ROLE`.
    function addGuardian(address guardian, uint256 newQuorum) external onlyRole(MANAGE_GUARDIANS_ROLE) {
        if (guardian == address(0)) revert ZeroAddress("guardian");
        DsmStorage storage $ = _dsm();
        if ($.guardianIndexPlusOne[guardian] != 0) revert DuplicateGuardian(guardian);
        $.guardians.push(guardian);
        $.guardianIndexPlusOne[guardian] = $.guardians.length;
        emit GuardianAdded(guardian);
        _setQuorum(newQuorum);
    }

    /// @notice Removes a guardian and sets the quorum. `MANAGE_GUARDIANS_ROLE`.
    function removeGuardian(address guardian, uint256 newQuorum) external onlyRole(MANAGE_GUARDIANS_ROLE) {
        DsmStorage storage $ = _dsm();
        uint256 indexPlusOne = $.guardianIndexPlusOne[guardian];
        if (indexPlusOne == 0) revert NotAGuardian(guardian);
        address last = $.guardians[$.guardians.length - 1];
        $.guardians[indexPlusOne - 1] = last;
        $.guardianIndexPlusOne[last] = indexPlusOne;
        $.guardians.pop();
        delete $.guardianIndexPlusOne[guardian];
        emit GuardianRemoved(guardian);
        _setQuorum(newQuorum);
    }

    /// @notice Sets the quorum (1..guardians). `MANAGE_GUARDIANS_ROLE`.
    function setGuardianQuorum(uint256 newQuorum) external onlyRole(MANAGE_GUARDIANS_ROLE) {
        _setQuorum(newQuorum);
    }

    /// @notice Sets how long a signed pause message stays valid. `DEFAULT_ADMIN_ROLE`.
    function setPauseIntentValidityBlocks(uint256 blocks) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPauseIntentValidityBlocks(blocks);
    }

    /// @notice Sets the validators per deposit call. `DEFAULT_ADMIN_ROLE`.
    function setMaxDepositsPerCall(uint256 maxDeposits) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxDepositsPerCall(maxDeposits);
    }

    function _setQuorum(uint256 newQuorum) private {
        DsmStorage storage $ = _dsm();
        if (newQuorum == 0 || newQuorum > $.guardians.length) revert InvalidQuorum(newQuorum, $.guardians.length);
        $.quorum = uint64(newQuorum);
        emit GuardianQuorumChanged(newQuorum);
    }

    function _setPauseIntentValidityBlocks(uint256 blocks) private {
        if (blocks == 0 || blocks > type(uint64).max) revert InvalidParameter("pauseIntentValidityBlocks", blocks);
        _dsm().pauseIntentValidityBlocks = uint64(blocks);
        emit PauseIntentValidityBlocksChanged(blocks);
    }

    function _setMaxDepositsPerCall(uint256 maxDeposits) private {
        if (maxDeposits == 0 || maxDeposits > type(uint64).max) revert InvalidParameter("maxDepositsPerCall", maxDeposits);
        _dsm().maxDepositsPerCall = uint64(maxDeposits);
        emit MaxDepositsPerCallChanged(maxDeposits);
    }

    // ------------------------------------------------------------------------------------------ views
    function getGuardians() external view returns (address[] memory) {
        return _dsm().guardians;
    }

    function isGuardian(address account) external view returns (bool) {
        return _dsm().guardianIndexPlusOne[account] != 0;
    }

    function getGuardianQuorum() external view returns (uint256) {
        return _dsm().quorum;
    }

    function isDepositsPaused(uint256 moduleId) external view returns (bool) {
        return _dsm().paused[moduleId];
    }

    function getMaxDepositsPerCall() external view returns (uint256) {
        return _dsm().maxDepositsPerCall;
    }

    function getPauseIntentValidityBlocks() external view returns (uint256) {
        return _dsm().pauseIntentValidityBlocks;
    }
}
