#!/usr/bin/env node
/**
 * CLI of the test beacon chain (TEST INFRASTRUCTURE — never a production client):
 *   node --import tsx devnet/beacon/main.ts --el-rpc http://127.0.0.1:8545 --port 5052 --slot-time 4 \
 *        --slots-per-epoch 8 --genesis-validators 64 --activation-delay 5
 * Prints `beacon API listening on http://HOST:PORT` once serving; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { BeaconNode } from './node.ts';
import type { BeaconOptionsInput } from './params.ts';

const USAGE = `usage: main.ts [--el-rpc URL] [--port N] [--host H] [--slot-time S] [--slots-per-epoch N]
  [--genesis-validators N] [--activation-delay EPOCHS] [--withdrawability-delay EPOCHS] [--shard-committee-period EPOCHS]
  [--genesis-time UNIX] [--chain-id N] [--install-predeploys] [--quiet]
  --install-predeploys  put our deposit / EIP-7002 / EIP-4788 contracts on the --el-rpc anvil first`;

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    console.error(`--${name}: expected a number, got "${v}"\n${USAGE}`);
    process.exit(2);
  }
  return n;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'el-rpc': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'slot-time': { type: 'string' },
      'slots-per-epoch': { type: 'string' }, 'genesis-validators': { type: 'string' }, 'activation-delay': { type: 'string' },
      'withdrawability-delay': { type: 'string' }, 'shard-committee-period': { type: 'string' }, 'genesis-time': { type: 'string' },
      'chain-id': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' }, 'install-predeploys': { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const o: BeaconOptionsInput = {};
  const set = <K extends keyof BeaconOptionsInput>(k: K, v: number | undefined) => {
    if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  };
  set('slotTime', num('slot-time', values['slot-time']));
  set('slotsPerEpoch', num('slots-per-epoch', values['slots-per-epoch']));
  set('genesisValidators', num('genesis-validators', values['genesis-validators']));
  set('activationDelay', num('activation-delay', values['activation-delay']));
  set('withdrawabilityDelay', num('withdrawability-delay', values['withdrawability-delay']));
  set('shardCommitteePeriod', num('shard-committee-period', values['shard-committee-period']));
  set('genesisTime', num('genesis-time', values['genesis-time']));
  set('depositChainId', num('chain-id', values['chain-id']));
  const log = values.quiet ? () => {} : (m: string) => console.log(`[beacon ${new Date().toISOString()}] ${m}`);
  if (values['install-predeploys']) {
    if (!values['el-rpc']) {
      console.error(`--install-predeploys needs --el-rpc\n${USAGE}`);
      process.exit(2);
    }
    const { installPredeploys } = await import('../../common/predeploys.ts');
    await installPredeploys(values['el-rpc']);
    log(`installed the deposit, EIP-7002 and EIP-4788 contracts on ${values['el-rpc']}`);
  }
  const node = await BeaconNode.start({ ...o, elRpcUrl: values['el-rpc'], port: num('port', values.port) ?? 5052, host: values.host ?? '127.0.0.1', clock: 'wall', log });
  console.log(`beacon API listening on ${node.url}`);
  log(`genesis time ${node.chain.s.genesisTime}, ${node.chain.opts.genesisValidators} interop validators, slot ${node.chain.opts.slotTime}s × ${node.chain.opts.slotsPerEpoch}/epoch, EL ${values['el-rpc'] ?? 'none'}`);
  const shutdown = async () => {
    await node.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
