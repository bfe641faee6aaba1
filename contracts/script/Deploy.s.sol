// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../test/utils/Vm.sol";
import {ShoalDeployer} from "./ShoalDeployer.sol";

/// @notice Deploys Shoal and writes `deployments/<NETWORK>.json`, the manifest every TypeScript part reads.
/// @dev Run through `npm run deploy:local` (which also installs the system contracts anvil lacks), or:
///        forge script contracts/script/Deploy.s.sol --rpc-url $RPC --broadcast --private-key $DEPLOYER_KEY
///      Environment (all optional on a local chain): NETWORK (default "local"), ADMIN (default: the deployer),
///      TREASURY, WITHDRAWAL_VAULT (withdrawal-credentials target), DEPOSIT_CONTRACT, GUARDIANS (comma-separated
///      is not parsed by forge here: GUARDIAN_1..GUARDIAN_3), GUARDIAN_QUORUM, FIRST_BOND_WEI, NEXT_BOND_WEI.
contract Deploy is ShoalDeployer {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run() external {
        uint256 deployerKey = vm.envOr("DEPLOYER_KEY", uint256(0));
        address deployer = deployerKey == 0 ? msg.sender : vm.addr(deployerKey);
        Config memory cfg = _config(deployer);
        uint256 startBlock = block.number;

        if (deployerKey == 0) vm.startBroadcast();
        else vm.startBroadcast(deployerKey);
        Deployment memory d = _deployShoal(cfg, deployer);
        if (cfg.admin == deployer) d = _configureShoal(cfg, d);
        vm.stopBroadcast();

        _writeManifest(cfg, d, startBlock);
    }

    function _config(address deployer) private view returns (Config memory cfg) {
        cfg.admin = vm.envOr("ADMIN", deployer);
        cfg.treasury = vm.envOr("TREASURY", deployer);
        cfg.depositContract = vm.envOr("DEPOSIT_CONTRACT", 0x00000000219ab540356cBB839Cbe05303d7705Fa);
        address vault = vm.envOr("WITHDRAWAL_VAULT", address(0));
        // until the WithdrawalVault is deployed with the rest, credentials point at a configured address
        if (vault == address(0)) vault = address(uint160(uint256(keccak256("shoal.withdrawal-vault.placeholder"))));
        cfg.withdrawalCredentials = bytes32(uint256(uint160(vault)) | (uint256(0x01) << 248));
        cfg.firstBond = vm.envOr("FIRST_BOND_WEI", uint256(1 ether));
        cfg.nextBond = vm.envOr("NEXT_BOND_WEI", uint256(0.5 ether));
        cfg.moduleStakeShareLimitBps = 10_000;
        cfg.moduleFeeBps = 500;
        cfg.treasuryFeeBps = 500;
        cfg.pauseIntentValidityBlocks = 300;
        cfg.maxDepositsPerCall = 50;
        cfg.guardians = new address[](3);
        cfg.guardians[0] = vm.envOr("GUARDIAN_1", 0x90F79bf6EB2c4f870365E785982E1f101E93b906); // anvil #3
        cfg.guardians[1] = vm.envOr("GUARDIAN_2", 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65); // anvil #4
        cfg.guardians[2] = vm.envOr("GUARDIAN_3", 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc); // anvil #5
        cfg.guardianQuorum = vm.envOr("GUARDIAN_QUORUM", uint256(2));
    }

    function _writeManifest(Config memory cfg, Deployment memory d, uint256 startBlock) private {
        string memory network = vm.envOr("NETWORK", string("local"));
        string memory json = string.concat(
            "{\n",
            '  "network": "', network, '",\n',
            '  "chainId": ', vm.toString(block.chainid), ",\n",
            '  "startBlock": ', vm.toString(startBlock), ",\n",
            '  "contracts": {\n',
            '    "StakingPool": "', vm.toString(address(d.pool)), '",\n',
            '    "StakingRouter": "', vm.toString(address(d.router)), '",\n',
            '    "OperatorRegistry": "', vm.toString(address(d.registry)), '",\n',
            '    "DepositSecurityModule": "', vm.toString(address(d.dsm)), '",\n',
            '    "DepositContract": "', vm.toString(cfg.depositContract), '"\n',
            "  },\n"
        );
        json = string.concat(
            json,
            '  "parameters": {\n',
            '    "admin": "', vm.toString(cfg.admin), '",\n',
            '    "treasury": "', vm.toString(cfg.treasury), '",\n',
            '    "withdrawalCredentials": "', vm.toString(cfg.withdrawalCredentials), '",\n',
            '    "dvtModuleId": ', vm.toString(d.dvtModuleId), ",\n",
            '    "firstBondWei": "', vm.toString(cfg.firstBond), '",\n',
            '    "nextBondWei": "', vm.toString(cfg.nextBond), '",\n',
            '    "guardianQuorum": ', vm.toString(cfg.guardianQuorum), "\n",
            "  }\n}\n"
        );
        vm.writeFile(string.concat(vm.projectRoot(), "/deployments/", network, ".json"), json);
    }
}
