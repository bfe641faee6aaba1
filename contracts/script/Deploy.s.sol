// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Vm} from "../test/utils/Vm.sol";
import {ShoalDeployer} from "./ShoalDeployer.sol";

/// @notice Deploys Shoal and writes `deployments/<NETWORK>.json`, the manifest every TypeScript part reads.
/// @dev Run through `npm run deploy:local` (which also installs the system contracts anvil lacks), or:
///        forge script contracts/script/Deploy.s.sol --rpc-url $RPC --broadcast --private-key $DEPLOYER_KEY
///      Environment (all optional on a local chain): NETWORK (default "local"), ADMIN (default: the deployer),
///      TREASURY, DEPOSIT_CONTRACT, GUARDIAN_1..3, GUARDIAN_QUORUM, FIRST_BOND_WEI, NEXT_BOND_WEI, GENESIS_TIME,
///      SECONDS_PER_SLOT, SLOTS_PER_EPOCH, INITIAL_EPOCH, EPOCHS_PER_FRAME, ORACLE_MEMBER_1..3, ORACLE_QUORUM.
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
        cfg.minWithdrawalEther = 100 gwei;
        cfg.maxWithdrawalEther = 1000 ether;
        // the beacon chain's timing (the devnet passes its own); frames of EPOCHS_PER_FRAME epochs
        cfg.genesisTime = vm.envOr("GENESIS_TIME", block.timestamp);
        cfg.secondsPerSlot = vm.envOr("SECONDS_PER_SLOT", uint256(12));
        cfg.slotsPerEpoch = vm.envOr("SLOTS_PER_EPOCH", uint256(32));
        cfg.initialEpoch = vm.envOr("INITIAL_EPOCH", uint256(1));
        cfg.epochsPerFrame = vm.envOr("EPOCHS_PER_FRAME", uint256(225));
        cfg.oracleMembers = new address[](3);
        cfg.oracleMembers[0] = vm.envOr("ORACLE_MEMBER_1", 0x976EA74026E726554dB657fA54763abd0C3a0aa9); // anvil #6
        cfg.oracleMembers[1] = vm.envOr("ORACLE_MEMBER_2", 0x14dC79964da2C08b23698B3D3cc7Ca32193d9955); // anvil #7
        cfg.oracleMembers[2] = vm.envOr("ORACLE_MEMBER_3", 0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f); // anvil #8
        cfg.oracleQuorum = vm.envOr("ORACLE_QUORUM", uint256(2));
        cfg.limits = _defaultLimits();
    }

    function _writeManifest(Config memory cfg, Deployment memory d, uint256 startBlock) private {
        string memory network = vm.envOr("NETWORK", string("local"));
        string memory json = string.concat("{\n", _str("network", network, 2), _num("chainId", block.chainid, 2));
        json = string.concat(json, _num("startBlock", startBlock, 2), '  "contracts": {\n');
        json = string.concat(
            json,
            _str("StakingPool", vm.toString(address(d.pool)), 4),
            _str("StakingRouter", vm.toString(address(d.router)), 4),
            _str("OperatorRegistry", vm.toString(address(d.registry)), 4),
            _str("DepositSecurityModule", vm.toString(address(d.dsm)), 4)
        );
        json = string.concat(
            json,
            _str("WithdrawalVault", vm.toString(address(d.withdrawalVault)), 4),
            _str("ExecutionRewardsVault", vm.toString(address(d.elRewardsVault)), 4),
            _str("WithdrawalQueue", vm.toString(address(d.withdrawalQueue)), 4),
            _str("SanityChecker", vm.toString(address(d.sanityChecker)), 4)
        );
        json = string.concat(
            json,
            _str("HashConsensus", vm.toString(address(d.hashConsensus)), 4),
            _str("AccountingOracle", vm.toString(address(d.accountingOracle)), 4),
            '    "DepositContract": "', vm.toString(cfg.depositContract), '"\n  },\n  "parameters": {\n'
        );
        json = string.concat(
            json,
            _str("admin", vm.toString(cfg.admin), 4),
            _str("treasury", vm.toString(cfg.treasury), 4),
            _str("withdrawalCredentials", vm.toString(d.router.getWithdrawalCredentials()), 4),
            _num("dvtModuleId", d.dvtModuleId, 4)
        );
        json = string.concat(
            json,
            _str("firstBondWei", vm.toString(cfg.firstBond), 4),
            _str("nextBondWei", vm.toString(cfg.nextBond), 4),
            _num("guardianQuorum", cfg.guardianQuorum, 4),
            _num("genesisTime", cfg.genesisTime, 4)
        );
        json = string.concat(
            json,
            _num("secondsPerSlot", cfg.secondsPerSlot, 4),
            _num("slotsPerEpoch", cfg.slotsPerEpoch, 4),
            '    "epochsPerFrame": ', vm.toString(cfg.epochsPerFrame), "\n  }\n}\n"
        );
        vm.writeFile(string.concat(vm.projectRoot(), "/deployments/", network, ".json"), json);
    }

    /// @dev `"name": "value",` indented by `indent` spaces.
    function _str(string memory name, string memory value, uint256 indent) private pure returns (string memory) {
        return string.concat(indent == 2 ? "  " : "    ", '"', name, '": "', value, '",\n');
    }

    /// @dev `"name": number,` indented by `indent` spaces.
    function _num(string memory name, uint256 value, uint256 indent) private pure returns (string memory) {
        return string.concat(indent == 2 ? "  " : "    ", '"', name, '": ', vm.toString(value), ",\n");
    }
}
