// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../test/utils/Vm.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {StakingPool} from "../src/StakingPool.sol";
import {StakingRouter} from "../src/StakingRouter.sol";
import {DepositSecurityModule} from "../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../src/modules/OperatorRegistry.sol";
import {WithdrawalVault} from "../src/vaults/WithdrawalVault.sol";
import {ExecutionRewardsVault} from "../src/vaults/ExecutionRewardsVault.sol";
import {WithdrawalQueue} from "../src/withdrawals/WithdrawalQueue.sol";
import {IStakingPool} from "../src/interfaces/IStakingPool.sol";
import {IWithdrawalQueue} from "../src/interfaces/IWithdrawalQueue.sol";
import {SanityChecker} from "../src/oracle/SanityChecker.sol";
import {HashConsensus} from "../src/oracle/HashConsensus.sol";
import {AccountingOracle} from "../src/oracle/AccountingOracle.sol";

/// @notice Deploys the protocol behind ERC1967 proxies, every proxy initialised in its own constructor (no
///         window in which someone else could initialise it). The contracts refer to each other, so their
///         addresses are predicted from the deployer's nonce before any is created. Used by the deployment
///         script and by every test fixture, so tests run exactly what we deploy.
abstract contract ShoalDeployer {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    struct Config {
        address admin;
        address treasury;
        address depositContract;
        // DVT module
        uint256 firstBond;
        uint256 nextBond;
        uint256 moduleStakeShareLimitBps;
        uint256 moduleFeeBps;
        uint256 treasuryFeeBps;
        // deposit security
        uint256 pauseIntentValidityBlocks;
        uint256 maxDepositsPerCall;
        address[] guardians;
        uint256 guardianQuorum;
        // withdrawal queue (ETH value per request)
        uint256 minWithdrawalEther;
        uint256 maxWithdrawalEther;
        // oracle committee and frames
        uint256 genesisTime;
        uint256 secondsPerSlot;
        uint256 slotsPerEpoch;
        uint256 initialEpoch;
        uint256 epochsPerFrame;
        address[] oracleMembers;
        uint256 oracleQuorum;
        SanityChecker.Limits limits;
    }

    struct Deployment {
        StakingPool pool;
        StakingRouter router;
        OperatorRegistry registry;
        DepositSecurityModule dsm;
        WithdrawalVault withdrawalVault;
        ExecutionRewardsVault elRewardsVault;
        WithdrawalQueue withdrawalQueue;
        SanityChecker sanityChecker;
        HashConsensus hashConsensus;
        AccountingOracle accountingOracle;
        uint256 dvtModuleId;
    }

    /// @dev Implementations first, then everything else in this order (nonces n, n+1, …). The queue's and the
    ///      pool's implementations come after the prediction: each is built with the other's proxy address.
    uint256 private constant WQ_IMPL = 0;
    uint256 private constant POOL_IMPL = 1;
    uint256 private constant POOL = 2;
    uint256 private constant ROUTER = 3;
    uint256 private constant REGISTRY = 4;
    uint256 private constant DSM = 5;
    uint256 private constant VAULT = 6;
    uint256 private constant EL_VAULT = 7;
    uint256 private constant QUEUE = 8;
    uint256 private constant SANITY = 9;
    uint256 private constant CONSENSUS = 10;
    uint256 private constant ORACLE = 11;

    /// @dev Creates implementations and proxies from `deployer` (the contract or broadcaster running this).
    ///      Sends `StakingPool.BOOTSTRAP_DEPOSIT` wei with the pool's initialisation.
    function _deployShoal(Config memory cfg, address deployer) internal returns (Deployment memory d) {
        address[8] memory impls = [
            address(0), // the pool's, built below with the queue's predicted address
            address(new StakingRouter()),
            address(new OperatorRegistry()),
            address(new DepositSecurityModule()),
            address(new WithdrawalVault()),
            address(new SanityChecker()),
            address(new HashConsensus()),
            address(new AccountingOracle())
        ];
        address[12] memory addr = _predict(deployer);
        // the request limits are immutables of the queue's implementation: changing them is an upgrade
        address wqImpl =
            address(new WithdrawalQueue(IStakingPool(addr[POOL]), cfg.minWithdrawalEther, cfg.maxWithdrawalEther));
        impls[0] = address(new StakingPool(IWithdrawalQueue(addr[QUEUE])));
        uint256 bootstrap = StakingPool(payable(impls[0])).BOOTSTRAP_DEPOSIT();
        bytes32 credentials = bytes32(uint256(uint160(addr[VAULT])) | (uint256(0x01) << 248));

        d.pool = StakingPool(payable(_proxy(impls[0], bootstrap, abi.encodeCall(StakingPool.initialize, (cfg.admin, addr[ROUTER])))));
        d.router = StakingRouter(_proxy(
            impls[1], 0, abi.encodeCall(StakingRouter.initialize, (cfg.admin, addr[POOL], cfg.depositContract, credentials, cfg.treasury))
        ));
        d.registry = OperatorRegistry(_proxy(
            impls[2], 0, abi.encodeCall(OperatorRegistry.initialize, (cfg.admin, addr[ROUTER], cfg.firstBond, cfg.nextBond))
        ));
        d.dsm = DepositSecurityModule(_proxy(
            impls[3],
            0,
            abi.encodeCall(
                DepositSecurityModule.initialize,
                (cfg.admin, addr[POOL], addr[ROUTER], cfg.depositContract, cfg.pauseIntentValidityBlocks, cfg.maxDepositsPerCall)
            )
        ));
        d.withdrawalVault = WithdrawalVault(payable(_proxy(impls[4], 0, abi.encodeCall(WithdrawalVault.initialize, (cfg.admin, addr[POOL])))));
        d.elRewardsVault = new ExecutionRewardsVault(addr[POOL]);
        d.withdrawalQueue = WithdrawalQueue(payable(_proxy(
            wqImpl, 0, abi.encodeCall(WithdrawalQueue.initialize, (cfg.admin, 1e27))
        )));
        d.sanityChecker = SanityChecker(_proxy(impls[5], 0, abi.encodeCall(SanityChecker.initialize, (cfg.admin, cfg.limits))));
        d.hashConsensus = HashConsensus(_proxy(impls[6], 0, _consensusInit(cfg, addr[ORACLE])));
        d.accountingOracle = AccountingOracle(_proxy(
            impls[7], 0, abi.encodeCall(AccountingOracle.initialize, (cfg.admin, addr[CONSENSUS], addr[POOL], addr[REGISTRY], addr[SANITY]))
        ));
        require(
            address(d.pool) == addr[POOL] && address(d.withdrawalQueue) == addr[QUEUE]
                && wqImpl == addr[WQ_IMPL] && impls[0] == addr[POOL_IMPL] && address(d.withdrawalVault) == addr[VAULT]
                && address(d.accountingOracle) == addr[ORACLE] && address(d.hashConsensus) == addr[CONSENSUS],
            "ShoalDeployer: address prediction failed"
        );
    }

    function _predict(address deployer) private view returns (address[12] memory addr) {
        uint256 nonce = VM.getNonce(deployer);
        for (uint256 i; i < addr.length; ++i) {
            addr[i] = VM.computeCreateAddress(deployer, nonce + i);
        }
    }

    function _consensusInit(Config memory cfg, address processor) private pure returns (bytes memory) {
        return abi.encodeCall(
            HashConsensus.initialize,
            (cfg.admin, cfg.genesisTime, cfg.secondsPerSlot, cfg.slotsPerEpoch, cfg.initialEpoch, cfg.epochsPerFrame, processor, 1)
        );
    }

    function _proxy(address impl, uint256 value, bytes memory init) private returns (address) {
        return address(new ERC1967Proxy{value: value}(impl, init));
    }

    /// @dev Wires roles, the DVT module, the guardians and the oracle committee. Must run as `cfg.admin`.
    function _configureShoal(Config memory cfg, Deployment memory d) internal returns (Deployment memory) {
        StakingPool pool = d.pool;
        pool.setProtocolContracts(
            address(d.withdrawalQueue), address(d.withdrawalVault), address(d.elRewardsVault), address(d.sanityChecker)
        );
        pool.grantRole(pool.DEPOSIT_ROLE(), address(d.dsm));
        pool.grantRole(pool.ORACLE_ROLE(), address(d.accountingOracle));
        pool.grantRole(pool.PENALTY_SOURCE_ROLE(), address(d.registry));
        pool.grantRole(pool.STAKING_PAUSE_ROLE(), cfg.admin);
        pool.grantRole(pool.STAKING_CONTROL_ROLE(), cfg.admin);
        d.withdrawalQueue.grantRole(d.withdrawalQueue.FINALIZE_ROLE(), address(pool));
        d.withdrawalQueue.grantRole(d.withdrawalQueue.PAUSE_ROLE(), cfg.admin);
        d.withdrawalQueue.grantRole(d.withdrawalQueue.RESUME_ROLE(), cfg.admin);
        d.withdrawalVault.grantRole(d.withdrawalVault.TRIGGER_EXIT_ROLE(), address(d.registry));
        d.registry.setProtocolContracts(address(pool), address(d.withdrawalVault));
        d.registry.grantRole(d.registry.REPORTER_ROLE(), address(d.accountingOracle));

        d.router.grantRole(d.router.MANAGE_MODULES_ROLE(), cfg.admin);
        d.dvtModuleId = d.router.addStakingModule(
            "DVT", address(d.registry), cfg.moduleStakeShareLimitBps, cfg.moduleFeeBps, cfg.treasuryFeeBps
        );
        d.registry.grantRole(d.registry.MANAGE_CLUSTERS_ROLE(), cfg.admin);
        d.registry.grantRole(d.registry.MANAGE_BOND_CURVE_ROLE(), cfg.admin);
        d.registry.grantRole(d.registry.MANAGE_PENALTIES_ROLE(), cfg.admin);
        d.registry.grantRole(d.registry.MANAGE_EXITS_ROLE(), cfg.admin);

        d.dsm.grantRole(d.dsm.MANAGE_GUARDIANS_ROLE(), cfg.admin);
        d.dsm.grantRole(d.dsm.UNPAUSE_ROLE(), cfg.admin);
        for (uint256 i; i < cfg.guardians.length; ++i) {
            d.dsm.addGuardian(cfg.guardians[i], i + 1 < cfg.guardianQuorum ? i + 1 : cfg.guardianQuorum);
        }
        d.hashConsensus.grantRole(d.hashConsensus.MANAGE_MEMBERS_ROLE(), cfg.admin);
        for (uint256 i; i < cfg.oracleMembers.length; ++i) {
            // the quorum must stay above half the committee as it grows
            uint256 q = (i + 1) / 2 + 1;
            d.hashConsensus.addMember(cfg.oracleMembers[i], q < cfg.oracleQuorum ? q : cfg.oracleQuorum);
        }
        return d;
    }

    /// @notice Limits for a young protocol on a test network; each is justified in SanityChecker's NatSpec.
    function _defaultLimits() internal pure returns (SanityChecker.Limits memory) {
        return SanityChecker.Limits({
            maxAnnualBeaconBalanceGrowthBP: 1_000, // 10 %/year: ~3 % CL rewards with generous headroom
            maxPositiveRebase: 7_500_000, // 0.75 % of pooled ether per report (1e9 = 100 %)
            maxUnexplainedBalanceDropBP: 50, // 0.5 %
            maxLossPerSlashedValidator: 32 ether,
            maxValidatorsAppearedPerDay: 43_200, // far above the churn of a young protocol
            maxValidatorsExitedPerDay: 43_200,
            maxExitRequestsPerReport: 600,
            maxShareRateDeviationBP: 10 // 0.1 %
        });
    }
}
