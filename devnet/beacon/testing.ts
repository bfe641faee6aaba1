/**
 * Test helper for dv-node, oracle and cross-component tests: a private anvil with our predeploys (deposit contract,
 * EIP-7002, EIP-4788) and this beacon chain in-process on a free loopback port, with a manual clock so a test runs
 * slots instantly (`await beacon.advanceTo(slot)`), plus a typed @lodestar/api client bound to the chain's config.
 *
 * @example
 * const t = await startTestBeacon({ genesisValidators: 64 });
 * try {
 *   await t.advanceTo(16);
 *   const res = await t.api.beacon.getStateFinalityCheckpoints({ stateId: 'head' });
 *   console.log(res.value().finalized.epoch);
 * } finally { await t.stop(); }
 */
import { getClient, type ApiClient } from '@lodestar/api';
import { startAnvil, type Anvil } from '../../common/anvil.ts';
import { installPredeploys } from '../../common/predeploys.ts';
import { BeaconNode, type BeaconNodeOptions } from './node.ts';

export interface TestBeacon {
  anvil: Anvil | null;
  node: BeaconNode;
  url: string;
  api: ApiClient;
  advanceTo(slot: number, beforeAttest?: (slot: number) => void | Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export interface StartTestBeaconOptions extends Omit<BeaconNodeOptions, 'elRpcUrl' | 'clock'> {
  /** Start anvil + predeploys and link them (default true); false = consensus only, faster. */
  withExecution?: boolean;
  /** Use an existing anvil (with predeploys installed) instead of starting one. */
  elRpcUrl?: string;
  /** 'manual' (default) or 'wall' (real slots of `slotTime` seconds). */
  clock?: 'manual' | 'wall';
}

export async function startTestBeacon(opts: StartTestBeaconOptions = {}): Promise<TestBeacon> {
  let anvil: Anvil | null = null;
  let elRpcUrl = opts.elRpcUrl;
  if (!elRpcUrl && (opts.withExecution ?? true)) {
    anvil = await startAnvil();
    try {
      await installPredeploys(anvil.rpcUrl);
    } catch (e) {
      await anvil.stop();
      throw e;
    }
    elRpcUrl = anvil.rpcUrl;
  }
  const node = await BeaconNode.start({ slotTime: 1, genesisValidators: 64, ...opts, elRpcUrl, clock: opts.clock ?? 'manual', port: opts.port ?? 0 });
  const api = getClient({ baseUrl: node.url }, { config: node.chain.forkConfig });
  return {
    anvil,
    node,
    url: node.url,
    api,
    advanceTo: (slot, beforeAttest) => node.advanceTo(slot, beforeAttest),
    stop: async () => {
      await node.stop();
      await anvil?.stop();
    },
  };
}
