/**
 * Deploys Shoal to a running chain: our system contracts where the chain lacks them (anvil), then
 * contracts/script/Deploy.s.sol (the same deployer the forge tests use), and returns the manifest it wrote.
 */
import { installPredeploys } from './predeploys.ts';
import { runForge } from './forge.ts';
import { loadManifest, type Manifest } from './deployments.ts';

export interface DeployShoalParameters {
  rpcUrl: string;
  /** Private key of the deployer (also admin on a local chain). */
  deployerKey: `0x${string}`;
  /** Manifest name: deployments/<network>.json. */
  network: string;
  /** Install the deposit/EIP-7002/EIP-4788 contracts first (anvil has none). Default true. */
  installSystemContracts?: boolean;
  /** Extra environment for the deploy script (ADMIN, TREASURY, GUARDIAN_1, … see Deploy.s.sol). */
  env?: Record<string, string>;
}

export async function deployShoal(params: DeployShoalParameters): Promise<Manifest> {
  if (params.installSystemContracts ?? true) await installPredeploys(params.rpcUrl);
  await runForge(
    ['script', 'contracts/script/Deploy.s.sol:Deploy', '--rpc-url', params.rpcUrl, '--broadcast', '--slow'],
    { ...params.env, NETWORK: params.network, DEPLOYER_KEY: BigInt(params.deployerKey).toString() },
  );
  return loadManifest(params.network);
}
