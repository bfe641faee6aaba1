/**
 * The DepositSecurityModule's guardian attestation: what a keeper needs to call `depositBufferedEther`.
 *
 * The guardians sign the module's `attestMessageHash(blockNumber, blockHash, depositRoot, moduleId, nonce)` for a
 * recent block, the deposit contract's current root and the module's key nonce (so a deposit is refused if keys or
 * the deposit tree changed since they looked). The contract wants the signatures sorted by guardian address and in
 * EIP-2098 compact form {r, vs}.
 */
import { toHex, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount, sign } from 'viem/accounts';
import { depositSecurityModuleAbi, stakingRouterAbi } from './abi/index.ts';
import type { Manifest } from './deployments.ts';
import { DEPOSIT_CONTRACT_ADDRESS, depositContractAbi } from './predeploys.ts';

/** The arguments of `depositBufferedEther` (empty deposit calldata), attested by `guardianKeys` (a quorum of them). */
export async function guardianAttestedDeposit(client: PublicClient, manifest: Manifest, guardianKeys: readonly Hex[]) {
  const c = manifest.contracts;
  const moduleId = BigInt(manifest.parameters.dvtModuleId);
  const block = await client.getBlock({ blockTag: 'latest' });
  const root = await client.readContract({ address: DEPOSIT_CONTRACT_ADDRESS, abi: depositContractAbi, functionName: 'get_deposit_root' });
  const nonce = await client.readContract({ address: c.StakingRouter, abi: stakingRouterAbi, functionName: 'getStakingModuleNonce', args: [moduleId] });
  const digest = await client.readContract({
    address: c.DepositSecurityModule, abi: depositSecurityModuleAbi, functionName: 'attestMessageHash', args: [block.number, block.hash, root, moduleId, nonce],
  });
  const sorted = guardianKeys.map((key) => ({ key, address: privateKeyToAccount(key).address })).sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  const sigs = await Promise.all(sorted.map(async ({ key }) => {
    const s = await sign({ hash: digest, privateKey: key });
    const vs = BigInt(s.s) | (BigInt(s.yParity ?? 0) << 255n); // EIP-2098: the y parity in the top bit of s
    return { r: s.r, vs: toHex(vs, { size: 32 }) };
  }));
  return [block.number, block.hash, root, moduleId, nonce, '0x', sigs] as const;
}
