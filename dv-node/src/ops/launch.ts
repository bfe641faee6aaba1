/**
 * `dv-node run`: opens everything the node needs, checks it, wires the pipeline and serves the ops endpoints.
 * Every check fails with an error that names the file or setting and what to do.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLock, operatorIndexOf } from '../cluster/index.ts';
import type { ClusterLock } from '../cluster/types.ts';
import { scalarToBytes } from '../crypto/field.ts';
import { loadIdentity, type OperatorIdentity } from '../identity/index.ts';
import { decryptShareKeystore, loadKeystore } from '../keystore/keystore.ts';
import { linearRoundTimer } from '../consensus/clock.ts';
import { startClusterNetwork, type ClusterMember } from '../p2p/libp2p.ts';
import { BeaconClient } from '../beacon/client.ts';
import { SlashingProtectionDb } from '../slashing/db.ts';
import { ChainExitTrigger, FileExitTrigger } from '../duties/exit-trigger.ts';
import type { ExitTrigger } from '../duties/types.ts';
import type { Hex } from '../duties/types.ts';
import { wire, type DvNode } from '../node.ts';
import type { RunConfig } from './config.ts';
import type { Logger } from './log.ts';
import { NodeMetrics } from './metrics.ts';
import { startOpsServer } from './server.ts';

export const SLASHING_DB_FILE = 'slashing-protection.db';

/** How long `run` waits for the beacon node to answer at start. */
const BEACON_CONNECT_TIMEOUT_MS = 60_000;

export interface RunningNode {
  node: DvNode;
  opsUrl: string;
  p2pAddresses: string[];
  stop(): Promise<void>;
}

/** Decrypts this node's share keystores and maps each to its validator's group pubkey (checked against the lock). */
export async function loadShares(lock: ClusterLock, self: number, keysDir: string): Promise<Map<Hex, Uint8Array>> {
  if (!existsSync(keysDir)) throw new Error(`keys directory ${keysDir} does not exist (--keys-dir: where the DKG wrote validator_keys/)`);
  const byShare = new Map(lock.validators.map((v) => [v.publicShares[self]!.toLowerCase(), v.pubkey.toLowerCase() as Hex]));
  const shares = new Map<Hex, Uint8Array>();
  for (const name of readdirSync(keysDir).filter((n) => /^keystore-.*\.json$/.test(n)).sort()) {
    const pwPath = join(keysDir, name.replace(/\.json$/, '.txt'));
    if (!existsSync(pwPath)) throw new Error(`keystore ${name} has no password file ${pwPath}`);
    const { secret, publicKey } = await decryptShareKeystore(loadKeystore(join(keysDir, name)), readFileSync(pwPath, 'utf8').trim());
    const group = byShare.get(`0x${Buffer.from(publicKey).toString('hex')}`);
    if (group === undefined) throw new Error(`keystore ${name} holds a share that is not operator ${self}'s share of any validator in the cluster lock`);
    shares.set(group, scalarToBytes(secret));
  }
  const missing = lock.validators.filter((v) => !shares.has(v.pubkey.toLowerCase() as Hex));
  if (missing.length > 0) throw new Error(`no key share in ${keysDir} for ${missing.length} validator(s) of the lock, e.g. ${missing[0]!.pubkey}`);
  return shares;
}

async function connectBeacon(url: string, log: Logger): Promise<BeaconClient> {
  const deadline = Date.now() + BEACON_CONNECT_TIMEOUT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await BeaconClient.connect(url);
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`beacon node at ${url} did not answer for ${BEACON_CONNECT_TIMEOUT_MS / 1000} s: ${(e as Error).message}`);
      if (attempt === 1) log.warn('waiting for the beacon node', { url, error: (e as Error).message });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function runNode(cfg: RunConfig, log: Logger): Promise<RunningNode> {
  const lock = loadLock(cfg.lock);
  const identity: OperatorIdentity = loadIdentity(cfg.operatorKey, cfg.operatorKeyPassword);
  const self = operatorIndexOf(lock.definition, identity.address);
  const shares = await loadShares(lock, self, cfg.keysDir);
  const beacon = await connectBeacon(cfg.beaconUrl, log);
  mkdirSync(cfg.dataDir, { recursive: true });
  const slashing = SlashingProtectionDb.open({ path: join(cfg.dataDir, SLASHING_DB_FILE), genesisValidatorsRoot: beacon.chain.genesisValidatorsRoot });
  const metrics = new NodeMetrics({ defaultMetrics: true });
  const members: ClusterMember[] = lock.definition.operators.map((op) => ({ address: op.address, peerId: op.peerId, multiaddrs: [...op.multiaddrs] }));
  for (const p of cfg.peers) {
    const [i, addr] = [Number(p.slice(0, p.indexOf('='))), p.slice(p.indexOf('=') + 1)];
    if (members[i] === undefined) throw new Error(`--peers ${p}: no operator ${i} in the lock (0..${members.length - 1})`);
    members[i]!.multiaddrs = [addr];
  }
  const network = await startClusterNetwork({
    identity,
    members,
    cluster: lock.lockHash,
    listen: [cfg.p2pListen],
    metrics: metrics.p2pHooks(),
    onInvalid: (reason, from, detail) => log.warn('dropped invalid p2p message', { reason, peer: from, detail }),
  });
  const exitTriggers: ExitTrigger[] = [new FileExitTrigger(cfg.dataDir, () => beacon.epochOf(beacon.currentSlot()))];
  if (cfg.elRpcUrl !== undefined && cfg.exitContract !== undefined && cfg.exitEvent !== undefined) {
    exitTriggers.push(
      new ChainExitTrigger({
        rpcUrl: cfg.elRpcUrl,
        contract: cfg.exitContract as `0x${string}`,
        event: cfg.exitEvent,
        pubkeys: lock.validators.map((v) => v.pubkey),
        epochAt: (unix) => beacon.epochOf(beacon.currentSlot(unix * 1000)),
      }),
    );
  }
  const node = wire({
    lock,
    identity,
    shares,
    network,
    beacon,
    slashing,
    metrics,
    log,
    roundTimer: linearRoundTimer(cfg.roundMs),
    exitTriggers,
    faultInvalidPartials: cfg.fault === 'invalid-partials',
  });
  if (cfg.fault !== 'none') log.warn('TEST-ONLY FAULT INJECTION ENABLED', { fault: cfg.fault });
  const ops = await startOpsServer({ metrics, readiness: () => node.readiness(), status: () => node.status() }, cfg.opsPort, cfg.opsHost);
  await node.start();
  log.info('serving', { ops: ops.url, p2p: network.listenAddresses(), beacon: beacon.url, slashingDb: join(cfg.dataDir, SLASHING_DB_FILE) });
  let stopped = false;
  return {
    node,
    opsUrl: ops.url,
    p2pAddresses: network.listenAddresses(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await node.stop();
      await ops.close();
      await network.close();
      slashing.close();
    },
  };
}
