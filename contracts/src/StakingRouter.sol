// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ShoalUpgradeable} from "./base/ShoalUpgradeable.sol";
import {IStakingRouter} from "./interfaces/IStakingRouter.sol";
import {IStakingModule, IStakingModuleRewards} from "./interfaces/IStakingModule.sol";
import {IDepositContract} from "./interfaces/IDepositContract.sol";

/// @title StakingRouter
/// @notice Registry of staking modules (sets of node operators) and the one path by which pool ETH reaches the
///         deposit contract. Each module has a stake-share cap and a fee split (module fee to its operators,
///         treasury fee to the protocol).
///
/// What it promises:
///  - Every deposit is exactly 32 ETH per key, to the protocol's withdrawal credentials, with the
///    `deposit_data_root` computed here from the key, the credentials and the signature (so the deposit
///    contract's own check is against our data, not the module's word).
///  - A module never holds more than its `stakeShareLimit` of the protocol's active validators through new
///    deposits, and receives none while it is not `Active`.
///  - Withdrawal credentials are fixed at initialisation: keys are signed for them, so changing them would
///    make every registered key's deposit signature invalid (and a deposit with an invalid signature is lost).
///
/// What it trusts: the pool to send 32 ETH per validator; modules to return keys whose deposit signatures are
/// valid (the DVT module's members confirm them; guardians watch for front-running).
contract StakingRouter is ShoalUpgradeable, IStakingRouter {
    // ------------------------------------------------------------------------------------------ constants
    /// @notice Adds modules and changes their parameters and status.
    bytes32 public constant MANAGE_MODULES_ROLE = keccak256("MANAGE_MODULES_ROLE");

    /// @notice Basis points in 100 %.
    uint256 public constant TOTAL_BASIS_POINTS = 10_000;
    /// @notice Precision of fee shares in `getFeeDistribution` (100 % = 1e20, as Lido's router uses).
    uint256 public constant FEE_PRECISION = 1e20;
    /// @notice Validator deposit size (consensus specs).
    uint256 public constant DEPOSIT_SIZE = 32 ether;
    /// @dev 32 ETH in gwei as 8 little-endian bytes, left-aligned in a word (SSZ uint64 of DepositData.amount).
    uint256 private constant DEPOSIT_AMOUNT_LE_WORD = 0x0040597307000000 << 192;
    /// @dev keccak256("deposit(bytes,bytes,bytes,bytes32)")[:4]
    uint256 private constant DEPOSIT_SELECTOR = 0x22895118;

    enum ModuleStatus {
        Active,
        DepositsPaused,
        Stopped
    }

    struct StakingModule {
        address module;
        uint16 stakeShareLimitBps; // cap on the module's share of all active validators
        uint16 moduleFeeBps; // share of rewards to the module's operators
        uint16 treasuryFeeBps; // share of rewards to the protocol treasury
        ModuleStatus status;
        uint64 lastDepositBlock;
        string name;
    }

    // ------------------------------------------------------------------------------------------ storage
    /// @custom:storage-location erc7201:shoal.storage.StakingRouter
    struct RouterStorage {
        address pool;
        IDepositContract depositContract;
        bytes32 withdrawalCredentials;
        address treasury;
        uint256 moduleCount;
        mapping(uint256 moduleId => StakingModule) modules;
    }

    // keccak256(abi.encode(uint256(keccak256("shoal.storage.StakingRouter")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant ROUTER_STORAGE = 0xe1d6aba28f7ad64cec9752e134f2b5a73121277e3a3a2bda0766d1a6b3bfee00;

    function _router() private pure returns (RouterStorage storage $) {
        assembly {
            $.slot := ROUTER_STORAGE
        }
    }

    // ------------------------------------------------------------------------------------------ events
    event StakingModuleAdded(
        uint256 indexed moduleId, address module, string name, uint256 stakeShareLimitBps, uint256 moduleFeeBps, uint256 treasuryFeeBps
    );
    event StakingModuleUpdated(uint256 indexed moduleId, uint256 stakeShareLimitBps, uint256 moduleFeeBps, uint256 treasuryFeeBps);
    event StakingModuleStatusSet(uint256 indexed moduleId, ModuleStatus status);
    event TreasurySet(address treasury);
    event WithdrawalCredentialsSet(bytes32 withdrawalCredentials);
    event Deposited(uint256 indexed moduleId, uint256 count, uint256 amount);
    event RewardsMinted(uint256 indexed moduleId, uint256 shares);

    // ------------------------------------------------------------------------------------------ errors
    error NotPool(address caller);
    error UnknownModule(uint256 moduleId);
    error InvalidBps(string what, uint256 value);
    error InvalidDepositValue(uint256 value);
    error ModuleNotActive(uint256 moduleId);
    error InvalidWithdrawalCredentials(bytes32 credentials);
    error DepositDataLength(uint256 pubkeysLength, uint256 signaturesLength, uint256 count);

    // ------------------------------------------------------------------------------------------ setup
    /// @param admin governance
    /// @param pool the StakingPool (the only caller of `deposit`)
    /// @param depositContract the beacon deposit contract
    /// @param withdrawalCredentials 0x01 or 0x02 credentials pointing at the WithdrawalVault
    /// @param treasury receiver of the treasury fee
    function initialize(address admin, address pool, address depositContract, bytes32 withdrawalCredentials, address treasury)
        external
        initializer
    {
        __ShoalUpgradeable_init(admin);
        if (pool == address(0)) revert ZeroAddress("pool");
        if (depositContract == address(0)) revert ZeroAddress("depositContract");
        _checkWithdrawalCredentials(withdrawalCredentials);
        RouterStorage storage $ = _router();
        ($.pool, $.depositContract, $.withdrawalCredentials) = (pool, IDepositContract(depositContract), withdrawalCredentials);
        emit WithdrawalCredentialsSet(withdrawalCredentials);
        _setTreasury(treasury);
    }

    // ------------------------------------------------------------------------------------------ modules
    /// @notice Registers a staking module. `MANAGE_MODULES_ROLE`.
    /// @return moduleId the new module's id (ids start at 1)
    function addStakingModule(
        string calldata name,
        address module,
        uint256 stakeShareLimitBps,
        uint256 moduleFeeBps,
        uint256 treasuryFeeBps
    ) external onlyRole(MANAGE_MODULES_ROLE) returns (uint256 moduleId) {
        if (module == address(0)) revert ZeroAddress("module");
        RouterStorage storage $ = _router();
        moduleId = ++$.moduleCount;
        StakingModule storage m = $.modules[moduleId];
        (m.module, m.name) = (module, name);
        _setParams(m, stakeShareLimitBps, moduleFeeBps, treasuryFeeBps);
        emit StakingModuleAdded(moduleId, module, name, stakeShareLimitBps, moduleFeeBps, treasuryFeeBps);
    }

    /// @notice Changes a module's cap and fees. `MANAGE_MODULES_ROLE`.
    function updateStakingModule(uint256 moduleId, uint256 stakeShareLimitBps, uint256 moduleFeeBps, uint256 treasuryFeeBps)
        external
        onlyRole(MANAGE_MODULES_ROLE)
    {
        _setParams(_module(moduleId), stakeShareLimitBps, moduleFeeBps, treasuryFeeBps);
        emit StakingModuleUpdated(moduleId, stakeShareLimitBps, moduleFeeBps, treasuryFeeBps);
    }

    /// @notice Sets a module's status (Active, DepositsPaused, Stopped). `MANAGE_MODULES_ROLE`.
    function setStakingModuleStatus(uint256 moduleId, ModuleStatus status) external onlyRole(MANAGE_MODULES_ROLE) {
        _module(moduleId).status = status;
        emit StakingModuleStatusSet(moduleId, status);
    }

    /// @notice Sets the treasury. `DEFAULT_ADMIN_ROLE`.
    function setTreasury(address treasury) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury);
    }

    function _setParams(StakingModule storage m, uint256 limit, uint256 moduleFee, uint256 treasuryFee) private {
        if (limit > TOTAL_BASIS_POINTS) revert InvalidBps("stakeShareLimit", limit);
        if (moduleFee + treasuryFee > TOTAL_BASIS_POINTS) revert InvalidBps("fees", moduleFee + treasuryFee);
        (m.stakeShareLimitBps, m.moduleFeeBps, m.treasuryFeeBps) = (uint16(limit), uint16(moduleFee), uint16(treasuryFee));
    }

    /// @dev 0x01 (execution address) or 0x02 (compounding, EIP-7251) credentials: the type byte, 11 zero bytes,
    ///      then a non-zero 20-byte address.
    function _checkWithdrawalCredentials(bytes32 credentials) private pure {
        uint256 c = uint256(credentials);
        uint256 kind = c >> 248;
        bool zeroPadding = (c >> 160) & ((1 << 88) - 1) == 0;
        if ((kind != 0x01 && kind != 0x02) || !zeroPadding || uint160(c) == 0) {
            revert InvalidWithdrawalCredentials(credentials);
        }
    }

    function _setTreasury(address treasury) private {
        if (treasury == address(0)) revert ZeroAddress("treasury");
        _router().treasury = treasury;
        emit TreasurySet(treasury);
    }

    // ------------------------------------------------------------------------------------------ deposits
    /// @inheritdoc IStakingRouter
    function getDepositableCount(uint256 moduleId, uint256 maxCount) public view returns (uint256) {
        StakingModule storage m = _module(moduleId);
        if (m.status != ModuleStatus.Active || maxCount == 0) return 0;
        (uint256 exited, uint256 deposited, uint256 depositable) = IStakingModule(m.module).getStakingModuleSummary();
        uint256 count = depositable < maxCount ? depositable : maxCount;
        if (m.stakeShareLimitBps == TOTAL_BASIS_POINTS) return count;
        // cap: moduleActive + count <= limit × (allActive + count)  ⇔  count <= (limit×all − 10⁴×module) / (10⁴ − limit)
        uint256 moduleActive = deposited - exited;
        uint256 allActive = _totalActiveValidators();
        uint256 allowedScaled = m.stakeShareLimitBps * allActive;
        uint256 usedScaled = TOTAL_BASIS_POINTS * moduleActive;
        if (allowedScaled <= usedScaled) return 0;
        uint256 room = (allowedScaled - usedScaled) / (TOTAL_BASIS_POINTS - m.stakeShareLimitBps);
        return room < count ? room : count;
    }

    /// @inheritdoc IStakingRouter
    /// @dev Gas: the keys come back in two contiguous buffers; the deposit calldata is built once in memory and
    ///      only the key, signature and root are rewritten per validator, so memory does not grow with the batch.
    function deposit(uint256 moduleId, bytes calldata depositCalldata) external payable {
        RouterStorage storage $ = _router();
        if (msg.sender != $.pool) revert NotPool(msg.sender);
        uint256 count = msg.value / DEPOSIT_SIZE;
        if (count == 0 || msg.value != count * DEPOSIT_SIZE) revert InvalidDepositValue(msg.value);
        StakingModule storage m = _module(moduleId);
        if (m.status != ModuleStatus.Active) revert ModuleNotActive(moduleId);
        m.lastDepositBlock = uint64(block.number);
        (bytes memory pubkeys, bytes memory signatures) = IStakingModule(m.module).obtainDepositData(count, depositCalldata);
        if (pubkeys.length != count * 48 || signatures.length != count * 96) {
            revert DepositDataLength(pubkeys.length, signatures.length, count);
        }
        _depositToBeaconChain(address($.depositContract), $.withdrawalCredentials, pubkeys, signatures, count);
        emit Deposited(moduleId, count, msg.value);
    }

    /// @dev For each key: DepositData root per the consensus specs (hash_tree_root of
    ///      {pubkey, withdrawal_credentials, amount, signature}) with the SHA-256 precompile, then
    ///      `deposit{value: 32 ether}`. Reverts bubble up.
    function _depositToBeaconChain(
        address depositContract,
        bytes32 credentials,
        bytes memory pubkeys,
        bytes memory signatures,
        uint256 count
    ) private {
        assembly ("memory-safe") {
            let buf := mload(0x40)
            let args := add(buf, 4)
            // static ABI head of deposit(bytes pubkey, bytes withdrawal_credentials, bytes signature, bytes32 root)
            mstore(buf, shl(224, DEPOSIT_SELECTOR))
            mstore(args, 0x80) // pubkey: length at 0x80, data 0xa0..0xe0
            mstore(add(args, 0x20), 0xe0) // credentials: length at 0xe0, data 0x100
            mstore(add(args, 0x40), 0x120) // signature: length at 0x120, data 0x140..0x1a0
            mstore(add(args, 0x80), 48)
            mstore(add(args, 0xe0), 32)
            mstore(add(args, 0x100), credentials)
            mstore(add(args, 0x120), 96)
            let s := add(args, 0x1a0) // 0x80 bytes of hashing scratch
            mstore(0x40, add(s, 0x80))
            let ok := 1
            for { let i := 0 } lt(i, count) { i := add(i, 1) } {
                let pk := add(add(pubkeys, 0x20), mul(i, 48))
                let sg := add(add(signatures, 0x20), mul(i, 96))
                mstore(add(args, 0xa0), mload(pk))
                // second pubkey word: its 16 bytes, then zero padding (which is also SSZ's padding)
                mstore(add(args, 0xc0), and(mload(add(pk, 0x20)), not(0xffffffffffffffffffffffffffffffff)))
                mstore(add(args, 0x140), mload(sg))
                mstore(add(args, 0x160), mload(add(sg, 0x20)))
                mstore(add(args, 0x180), mload(add(sg, 0x40)))
                // pubkey_root = sha256(pubkey ‖ 16 zero bytes)
                ok := and(ok, staticcall(gas(), 2, add(args, 0xa0), 0x40, s, 0x20))
                // left = sha256(pubkey_root ‖ credentials)
                mstore(add(s, 0x20), credentials)
                ok := and(ok, staticcall(gas(), 2, s, 0x40, s, 0x20))
                // signature_root = sha256(sha256(sig[0:64]) ‖ sha256(sig[64:96] ‖ 32 zero bytes))
                ok := and(ok, staticcall(gas(), 2, add(args, 0x140), 0x40, add(s, 0x20), 0x20))
                mstore(add(s, 0x40), mload(add(args, 0x180)))
                mstore(add(s, 0x60), 0)
                ok := and(ok, staticcall(gas(), 2, add(s, 0x40), 0x40, add(s, 0x40), 0x20))
                ok := and(ok, staticcall(gas(), 2, add(s, 0x20), 0x40, add(s, 0x60), 0x20))
                // right = sha256(amount_le ‖ 24 zero bytes ‖ signature_root)
                mstore(add(s, 0x40), DEPOSIT_AMOUNT_LE_WORD)
                ok := and(ok, staticcall(gas(), 2, add(s, 0x40), 0x40, add(s, 0x20), 0x20))
                // root = sha256(left ‖ right)
                ok := and(ok, staticcall(gas(), 2, s, 0x40, add(args, 0x60), 0x20))
                if iszero(ok) { revert(0, 0) }
                if iszero(call(gas(), depositContract, DEPOSIT_SIZE, buf, 0x1a4, 0, 0)) {
                    returndatacopy(0, 0, returndatasize())
                    revert(0, returndatasize())
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ rewards
    /// @inheritdoc IStakingRouter
    /// @dev A module's fee counts in proportion to its share of active validators, so a module earns on the stake
    ///      it actually runs; the treasury's fee likewise. Fees are in FEE_PRECISION (100 % = 1e20).
    function getFeeDistribution()
        external
        view
        returns (uint256[] memory moduleIds, address[] memory modules, uint256[] memory moduleFees, uint256 totalFee)
    {
        RouterStorage storage $ = _router();
        uint256 n = $.moduleCount;
        (moduleIds, modules, moduleFees) = (new uint256[](n), new address[](n), new uint256[](n));
        uint256[] memory active = new uint256[](n);
        uint256 allActive;
        for (uint256 i; i < n; ++i) {
            StakingModule storage m = $.modules[i + 1];
            (uint256 exited, uint256 deposited) = IStakingModule(m.module).getValidatorCounts();
            (moduleIds[i], modules[i], active[i]) = (i + 1, m.module, deposited - exited);
            allActive += active[i];
        }
        if (allActive == 0) return (moduleIds, modules, moduleFees, 0);
        uint256 perBp = FEE_PRECISION / TOTAL_BASIS_POINTS;
        for (uint256 i; i < n; ++i) {
            StakingModule storage m = $.modules[i + 1];
            // a stopped module still earns on what it runs: its operators still do the work
            moduleFees[i] = active[i] * m.moduleFeeBps * perBp / allActive;
            totalFee += moduleFees[i] + active[i] * m.treasuryFeeBps * perBp / allActive;
        }
    }

    /// @inheritdoc IStakingRouter
    function onRewardsMinted(uint256[] calldata moduleIds, uint256[] calldata shares) external {
        RouterStorage storage $ = _router();
        if (msg.sender != $.pool) revert NotPool(msg.sender);
        for (uint256 i; i < moduleIds.length; ++i) {
            if (shares[i] == 0) continue;
            IStakingModuleRewards(_module(moduleIds[i]).module).onRewardsMinted(shares[i]);
            emit RewardsMinted(moduleIds[i], shares[i]);
        }
    }

    // ------------------------------------------------------------------------------------------ views
    /// @inheritdoc IStakingRouter
    function getStakingModuleNonce(uint256 moduleId) external view returns (uint256) {
        return IStakingModule(_module(moduleId).module).getNonce();
    }

    /// @inheritdoc IStakingRouter
    function isModuleActive(uint256 moduleId) external view returns (bool) {
        return _module(moduleId).status == ModuleStatus.Active;
    }

    /// @inheritdoc IStakingRouter
    function getWithdrawalCredentials() external view returns (bytes32) {
        return _router().withdrawalCredentials;
    }

    /// @notice A module's record.
    function getStakingModule(uint256 moduleId) external view returns (StakingModule memory) {
        return _module(moduleId);
    }

    /// @notice Number of modules (ids 1..n).
    function getStakingModuleCount() external view returns (uint256) {
        return _router().moduleCount;
    }

    /// @inheritdoc IStakingRouter
    function getTreasury() external view returns (address) {
        return _router().treasury;
    }

    /// @notice The pool, the deposit contract.
    function getPool() external view returns (address) {
        return _router().pool;
    }

    function getDepositContract() external view returns (address) {
        return address(_router().depositContract);
    }

    /// @notice Active validators (deposited − exited) of all modules.
    function getTotalActiveValidators() external view returns (uint256) {
        return _totalActiveValidators();
    }

    function _totalActiveValidators() private view returns (uint256 total) {
        RouterStorage storage $ = _router();
        for (uint256 id = 1; id <= $.moduleCount; ++id) {
            (uint256 exited, uint256 deposited) = IStakingModule($.modules[id].module).getValidatorCounts();
            total += deposited - exited;
        }
    }

    function _module(uint256 moduleId) private view returns (StakingModule storage m) {
        m = _router().modules[moduleId];
        if (m.module == address(0)) revert UnknownModule(moduleId);
    }
}
