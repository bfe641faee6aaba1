// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../test/utils/Vm.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";
import {StakingPool} from "../src/StakingPool.sol";
import {StakingRouter} from "../src/StakingRouter.sol";
import {DepositSecurityModule} from "../src/DepositSecurityModule.sol";
import {OperatorRegistry} from "../src/modules/OperatorRegistry.sol";

/// @notice Deploys the protocol behind ERC1967 proxies, every proxy initialised in its own constructor (no
///         window in which someone else could initialise it). The proxies depend on each other, so their
///         addresses are predicted from the deployer's nonce before any is created. Used by the deployment
///         script and by every test fixture, so tests run exactly what we deploy.
abstract contract ShoalDeployer {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    struct Config {
        address admin;
        address treasury;
        address depositContract;
        bytes32 withdrawalCredentials;
        uint256 firstBond;
        uint256 nextBond;
        uint256 moduleStakeShareLimitBps;
        uint256 moduleFeeBps;
        uint256 treasuryFeeBps;
        uint256 pauseIntentValidityBlocks;
        uint256 maxDepositsPerCall;
        address[] guardians;
        uint256 guardianQuorum;
    }

    struct Deployment {
        StakingPool pool;
        StakingRouter router;
        OperatorRegistry registry;
        DepositSecurityModule dsm;
        uint256 dvtModuleId;
    }

    /// @dev Creates implementations and proxies from `deployer` (the contract or broadcaster running this).
    ///      Sends `StakingPool.BOOTSTRAP_DEPOSIT` wei with the pool's initialisation.
    function _deployShoal(Config memory cfg, address deployer) internal returns (Deployment memory d) {
        address[4] memory impls = [
            address(new StakingPool()),
            address(new StakingRouter()),
            address(new OperatorRegistry()),
            address(new DepositSecurityModule())
        ];
        uint256 nonce = VM.getNonce(deployer);
        // the order of creation below: pool, router, registry, dsm
        address poolAddr = VM.computeCreateAddress(deployer, nonce);
        address routerAddr = VM.computeCreateAddress(deployer, nonce + 1);

        uint256 bootstrap = StakingPool(payable(impls[0])).BOOTSTRAP_DEPOSIT();
        d.pool = StakingPool(payable(_proxy(impls[0], bootstrap, abi.encodeCall(StakingPool.initialize, (cfg.admin, routerAddr)))));
        d.router = StakingRouter(_proxy(
            impls[1],
            0,
            abi.encodeCall(StakingRouter.initialize, (cfg.admin, poolAddr, cfg.depositContract, cfg.withdrawalCredentials, cfg.treasury))
        ));
        d.registry = OperatorRegistry(_proxy(
            impls[2], 0, abi.encodeCall(OperatorRegistry.initialize, (cfg.admin, routerAddr, cfg.firstBond, cfg.nextBond))
        ));
        d.dsm = DepositSecurityModule(_proxy(
            impls[3],
            0,
            abi.encodeCall(
                DepositSecurityModule.initialize,
                (cfg.admin, poolAddr, routerAddr, cfg.depositContract, cfg.pauseIntentValidityBlocks, cfg.maxDepositsPerCall)
            )
        ));
        require(address(d.pool) == poolAddr && address(d.router) == routerAddr, "ShoalDeployer: address prediction failed");
    }

    function _proxy(address impl, uint256 value, bytes memory init) private returns (address) {
        return address(new ERC1967Proxy{value: value}(impl, init));
    }

    /// @dev Wires roles, the DVT module and the guardians. Must run as `cfg.admin`.
    function _configureShoal(Config memory cfg, Deployment memory d) internal returns (Deployment memory) {
        d.pool.grantRole(d.pool.DEPOSIT_ROLE(), address(d.dsm));
        d.pool.grantRole(d.pool.STAKING_PAUSE_ROLE(), cfg.admin);
        d.pool.grantRole(d.pool.STAKING_CONTROL_ROLE(), cfg.admin);
        d.router.grantRole(d.router.MANAGE_MODULES_ROLE(), cfg.admin);
        d.dvtModuleId = d.router.addStakingModule(
            "DVT", address(d.registry), cfg.moduleStakeShareLimitBps, cfg.moduleFeeBps, cfg.treasuryFeeBps
        );
        d.registry.grantRole(d.registry.MANAGE_CLUSTERS_ROLE(), cfg.admin);
        d.registry.grantRole(d.registry.MANAGE_BOND_CURVE_ROLE(), cfg.admin);
        d.dsm.grantRole(d.dsm.MANAGE_GUARDIANS_ROLE(), cfg.admin);
        d.dsm.grantRole(d.dsm.UNPAUSE_ROLE(), cfg.admin);
        for (uint256 i; i < cfg.guardians.length; ++i) {
            d.dsm.addGuardian(cfg.guardians[i], i + 1 < cfg.guardianQuorum ? i + 1 : cfg.guardianQuorum);
        }
        return d;
    }
}
