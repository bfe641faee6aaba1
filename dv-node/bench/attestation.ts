/**
 * Attestation latency of a 4-node cluster on loopback, and the largest load served within the first third of a
 * 12 s slot.
 *
 *   npx tsx dv-node/bench/attestation.ts [runs=32] [maxPerSlot=1250] [capacityRuns=5]
 *
 * Setup: 4 dv-nodes, each in its own worker thread (its own event loop, as separate processes would be), wired with
 * `wire()` exactly as `dv-node run` does: libp2p (TCP/noise/yamux) on 127.0.0.1, QBFT with secp256k1 operator keys,
 * the EIP-3076 database on disk (one fsync per batch), real BLS partial signing, verify-combined-first aggregation.
 * The beacon node is a minimal HTTP stub serving attestation data and accepting submissions without verifying them
 * (so its cost is not counted). Each run, the main thread tells all 4 nodes to run the attester duty of a new slot
 * (a new epoch, so slashing protection accepts it) for A validators attesting in that slot; a node's latency is
 * from the common trigger (each node then fetches the attestation data) to its submission of the group-signed
 * attestations it combines (each validator's are combined by n − t + 1 = 2 designated nodes, duties/combiners.ts;
 * nodes with nothing to submit in a run give no sample). An attestation's latency is that of its first submission
 * (the beacon node has it from then on); both are printed.
 *
 * Figures:
 * - latency p50/p99 for a cluster of V = 1, 100, 1,000 validators on the mainnet schedule: a validator attests once
 *   per 32-slot epoch and the beacon chain spreads a cluster's validators over the epoch, so a slot has A = ⌊V/32⌋ or
 *   ⌈V/32⌉ attesters (runs cycle through the 32 slot positions);
 * - the same with all V attesting in one slot (a stress case, not a mainnet schedule) and its CPU cost;
 * - capacity: V = 2,500, 5,000, 10,000, 20,000, 40,000 (A = ⌈V/32⌉) until a slot's slowest node submits later than
 *   4 s (the first third of a 12 s slot).
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { ssz } from '@lodestar/types';
import { chainConfigToJson } from '@lodestar/config';
import { createHash } from 'node:crypto';
import { chainForkConfig } from '../../devnet/beacon/config.ts';
import { parseBeaconOptions } from '../../devnet/beacon/params.ts';
import { makeDealerCluster } from '../test/cluster-fixture.ts';
import type { ClusterLock } from '../src/cluster/types.ts';
import type { Hex } from '../src/duties/types.ts';
import { combinesValidator } from '../src/duties/combiners.ts';

const N = 4;
const SLOTS_PER_EPOCH = 8;
const FIRST_THIRD_MS = 4000;
const T = 3; // the threshold of a 4-operator cluster (the lock's)
const COMBINERS = N - T + 1; // nodes that combine and submit each attestation (duties/combiners.ts)
const GVR = new Uint8Array(32).fill(7);

interface WorkerInit {
  k: number;
  lock: ClusterLock;
  operatorKey: Hex;
  shares: [Hex, Hex][];
  beaconUrl: string;
  ports: number[];
  dir: string;
}

type Stages = { data: number; sign: number; aggregate: number; submit: number };
type Msg = { kind: 'ready' } | { kind: 'done'; slot: number; end: number; submitted: number; failures: string; stages: Stages };

// ------------------------------------------------------------------------------------------------ stub beacon node
function root(tag: string): Uint8Array {
  return createHash('sha256').update(tag).digest();
}

export async function startStubBeacon(): Promise<{ url: string; server: Server; submitted: () => number }> {
  const cfg = chainForkConfig(parseBeaconOptions({ slotTime: 12 }));
  const spec = { ...chainConfigToJson(cfg), SLOTS_PER_EPOCH: String(SLOTS_PER_EPOCH), TARGET_AGGREGATORS_PER_COMMITTEE: '16' };
  const genesisTime = Math.floor(Date.now() / 1000);
  let submitted = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/eth/v1/config/spec') return json({ data: spec });
    if (url.pathname === '/eth/v1/beacon/genesis') {
      return json({ data: { genesis_time: String(genesisTime), genesis_validators_root: `0x${Buffer.from(GVR).toString('hex')}`, genesis_fork_version: '0x53480000' } });
    }
    if (url.pathname === '/eth/v1/validator/attestation_data') {
      const slot = Number(url.searchParams.get('slot'));
      const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
      const data = { slot, index: 0, beaconBlockRoot: root(`b${slot}`), source: { epoch: epoch - 1, root: root(`c${epoch - 1}`) }, target: { epoch, root: root(`c${epoch}`) } };
      return json({ data: ssz.phase0.AttestationData.toJson(data) });
    }
    if (url.pathname === '/eth/v2/beacon/pool/attestations' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        submitted += (JSON.parse(body) as unknown[]).length;
        res.writeHead(200);
        res.end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 404, message: `stub has no ${url.pathname}` }));
  });
  server.keepAliveTimeout = 120_000; // runs at large V are seconds apart: keep the nodes' connections open
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, submitted: () => submitted };
}

// ------------------------------------------------------------------------------------------------ worker: one node
async function workerMain(init: WorkerInit): Promise<void> {
  const { BeaconClient } = await import('../src/beacon/client.ts');
  const { SlashingProtectionDb } = await import('../src/slashing/db.ts');
  const { startClusterNetwork } = await import('../src/p2p/libp2p.ts');
  const { identityFromPrivateKey } = await import('../src/identity/identity.ts');
  const { wire } = await import('../src/node.ts');
  const { NodeMetrics } = await import('../src/ops/metrics.ts');
  const { jsonLogger } = await import('../src/ops/log.ts');
  const { fromHex } = await import('../src/consensus/hex.ts');
  const identity = identityFromPrivateKey(init.operatorKey);
  const beacon = await BeaconClient.connect(init.beaconUrl, { timeoutMs: 120_000 });
  const slashing = SlashingProtectionDb.open({ path: join(init.dir, `slashing-${init.k}.db`), genesisValidatorsRoot: GVR });
  const members = init.lock.definition.operators.map((op, j) => ({ address: op.address, peerId: op.peerId, multiaddrs: [`/ip4/127.0.0.1/tcp/${init.ports[j]}`] }));
  const network = await startClusterNetwork({ identity, members, cluster: init.lock.lockHash, listen: [`/ip4/127.0.0.1/tcp/${init.ports[init.k]}`] });
  await network.waitForPeers(30_000);
  const shares = new Map(init.shares.map(([pk, sk]) => [pk, fromHex(sk)] as [Hex, Uint8Array]));
  const node = wire({ lock: init.lock, identity, shares, network, beacon, slashing, metrics: new NodeMetrics(), log: jsonLogger({ level: 'warn', base: { node: init.k }, write: (l) => void process.stderr.write(l) }) });
  const pubkeys = init.lock.validators.map((v) => v.pubkey.toLowerCase() as Hex);
  parentPort!.on('message', (m: { kind: 'run'; slot: number; validators: number; at: number } | { kind: 'stop' }) => {
    if (m.kind === 'stop') {
      void node.stop().then(() => network.close()).then(() => {
        slashing.close();
        process.exit(0);
      });
      return;
    }
    const defs = pubkeys.slice(0, m.validators).map((pubkey, i) => ({ pubkey, validatorIndex: i, committeeIndex: 0, committeeLength: m.validators, committeesAtSlot: 1, validatorCommitteeIndex: i }));
    setTimeout(() => {
      void node.runDuty({ slot: m.slot, type: 'attester' }, defs).then((r) => {
        const end = performance.timeOrigin + performance.now();
        parentPort!.postMessage({ kind: 'done', slot: m.slot, end, submitted: r.succeeded, failures: JSON.stringify(r.failures), stages: r.stages } satisfies Msg);
      });
    }, Math.max(0, m.at - Date.now()));
  });
  parentPort!.postMessage({ kind: 'ready' } satisfies Msg);
}

// ------------------------------------------------------------------------------------------------ main
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 32);
  const maxPerSlot = Number(process.argv[3] ?? 1250);
  const capacityRuns = Number(process.argv[4] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'dv-bench-'));
  const t0 = Date.now();
  process.stdout.write(`building a 4-operator dealer-mode cluster of ${maxPerSlot} validators… `);
  const cluster = makeDealerCluster({ n: N, interopIndices: Array.from({ length: maxPerSlot }, (_, i) => i), genesisForkVersion: '0x53480000' });
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (cluster.lock.definition.threshold !== T) throw new Error(`the bench assumes threshold ${T}, the cluster has ${cluster.lock.definition.threshold}`);
  const stub = await startStubBeacon();
  const { freePorts } = await import('../test/harness.ts');
  const ports = await freePorts(N);
  const workers = cluster.identities.map(
    (_, k) =>
      // tsx's loader must be registered inside the worker before this .ts file is imported there
      new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); })`, {
        eval: true,
        workerData: {
          k,
          lock: cluster.lock,
          operatorKey: cluster.operatorKeys[k]!,
          shares: [...cluster.shares[k]!].map(([pk, sk]) => [pk, `0x${Buffer.from(sk).toString('hex')}`]),
          beaconUrl: stub.url,
          ports,
          dir,
        } satisfies WorkerInit,
      }),
  );
  await Promise.all(workers.map((w) => new Promise<void>((r) => w.once('message', () => r()))));
  let epoch = 1;
  const stageSums: Stages = { data: 0, sign: 0, aggregate: 0, submit: 0 };
  let stageCount = 0;
  /** Latencies from the common trigger: of every node that submitted, and of every attestation (its first submission). */
  const runOnce = async (validators: number): Promise<{ perNode: number[]; perAttestation: number[] }> => {
    const slot = epoch++ * SLOTS_PER_EPOCH;
    const at = Date.now() + 50;
    const done = workers.map((w) => new Promise<Msg & { kind: 'done' }>((resolve) => {
      const on = (m: Msg) => {
        if (m.kind === 'done' && m.slot === slot) {
          w.off('message', on);
          resolve(m);
        }
      };
      w.on('message', on);
    }));
    for (const w of workers) w.postMessage({ kind: 'run', slot, validators, at });
    const res = await Promise.all(done);
    // each attestation is combined and submitted by n − t + 1 = 2 designated nodes (duties/combiners.ts)
    const submitted = res.reduce((a, r) => a + r.submitted, 0);
    if (submitted !== validators * COMBINERS || res.some((r) => r.failures !== '{}')) {
      throw new Error(`run at ${validators} validators: nodes submitted ${res.map((r) => r.submitted).join('/')} (${res.map((r) => r.failures).join(' ')})`);
    }
    for (const r of res) {
      for (const k of Object.keys(stageSums) as (keyof Stages)[]) stageSums[k] += r.stages[k];
      stageCount++;
    }
    const latency = res.map((r) => r.end - at);
    return {
      perNode: latency.filter((_, k) => res[k]!.submitted > 0),
      // validator v (lock position v) is submitted by its designated nodes; the beacon node has it from the first
      perAttestation: Array.from({ length: validators }, (_, v) => Math.min(...latency.filter((_, k) => combinesValidator(k, v, N, T)))),
    };
  };
  // warm-up (JIT, connections)
  await runOnce(1);
  await runOnce(Math.min(10, maxPerSlot));
  const measure = async (label: string, perSlot: (run: number) => number, n: number) => {
    const att: number[] = [];
    const node: number[] = [];
    for (const k of Object.keys(stageSums) as (keyof Stages)[]) stageSums[k] = 0;
    stageCount = 0;
    for (let i = 0; i < n; i++) {
      const r = await runOnce(perSlot(i));
      att.push(...r.perAttestation);
      node.push(...r.perNode);
    }
    att.sort((a, b) => a - b);
    node.sort((a, b) => a - b);
    const f = (x: number) => x.toFixed(1).padStart(7);
    console.log(`${label.padStart(44)} | ${String(att.length).padStart(5)} ${f(pct(att, 50))} ${f(pct(att, 99))} ${f(att.at(-1)!)} | ${String(node.length).padStart(5)} ${f(pct(node, 50))} ${f(pct(node, 99))} ${f(node.at(-1)!)} | ${(Object.values(stageSums) as number[]).map((x) => (x / stageCount).toFixed(0)).join(' / ')}`);
  };
  const header = (first: string) => {
    console.log(`${''.padStart(44)} | per attestation (first submission)  | per node (each submission)         |`);
    console.log(`${first.padStart(44)} |     n  p50 ms  p99 ms  max ms |     n  p50 ms  p99 ms  max ms | mean stages ms: data (fetch+QBFT) / sign / aggregate / submit`);
  };
  console.log('\nattestation latency, 4-node cluster on loopback (per node, trigger → group-signed attestations submitted)');
  // Mainnet schedule: the beacon chain spreads a cluster's V validators over the 32 slots of an epoch, so a slot has
  // ⌊V/32⌋ or ⌈V/32⌉ attesters; run r takes the validators i with i mod 32 = r mod 32.
  header('cluster of V validators (attesters per slot)');
  for (const v of [1, 100, 1000].filter((x) => Math.ceil(x / 32) <= maxPerSlot)) {
    const perSlot = (r: number) => (v < 32 ? v : Math.floor(v / 32) + (r % 32 < v % 32 ? 1 : 0));
    await measure(`${v} (${Math.floor(v / 32) || v}${v % 32 && v >= 32 ? `–${Math.ceil(v / 32)}` : ''})`, perSlot, v < 32 ? 2 * runs : runs);
  }
  // Stress: every validator of the cluster attesting in the same slot (not a mainnet schedule).
  header('all V validators attesting in one slot');
  const cpuPerRun = new Map<number, number>();
  for (const v of [1, 100, 1000].filter((x) => x <= maxPerSlot)) {
    const n = v >= 1000 ? Math.max(3, Math.floor(runs / 4)) : runs;
    const cpu0 = process.cpuUsage(); // whole process: the 4 node threads + this one (the stub beacon)
    await measure(String(v), () => v, n);
    const cpu = process.cpuUsage(cpu0);
    cpuPerRun.set(v, (cpu.user + cpu.system) / 1000 / n);
  }
  console.log('\nCPU time of the whole cluster per slot (4 nodes + stub), independent of other load on the machine:');
  for (const [v, ms] of cpuPerRun) console.log(`  ${String(v).padStart(5)} attesters: ${ms.toFixed(0)} ms CPU per slot (${(ms / v / N).toFixed(2)} ms per attester per node); on 2 idle cores ≥ ${(ms / 2).toFixed(0)} ms wall`);
  console.log(`  load average while measuring: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores)`);
  console.log(`\ncapacity: validators served with every node's submission within ${FIRST_THIRD_MS} ms of the slot's start (first third of a 12 s slot), ${capacityRuns} slots each`);
  let best = 0;
  for (const validators of [2_500, 5_000, 10_000, 20_000, 40_000]) {
    const perSlot = Math.ceil(validators / 32);
    if (perSlot > maxPerSlot) break;
    let worst = 0;
    for (let i = 0; i < capacityRuns; i++) worst = Math.max(worst, ...(await runOnce(perSlot)).perNode);
    console.log(`  ${String(validators).padStart(6)} validators (${perSlot} attesters per slot): slowest node ${worst.toFixed(0)} ms ${worst <= FIRST_THIRD_MS ? 'ok' : 'TOO SLOW'}`);
    if (worst > FIRST_THIRD_MS) break;
    best = validators;
  }
  console.log(`largest measured: ${best} validators (mainnet timing: each attests once per 32-slot epoch)`);
  console.log(`(beacon stub received ${stub.submitted()} attestations)`);
  for (const w of workers) w.postMessage({ kind: 'stop' });
  await Promise.all(workers.map((w) => new Promise<void>((r) => w.once('exit', () => r()))));
  stub.server.close();
  rmSync(dir, { recursive: true, force: true });
}

if (isMainThread && /attestation\.ts$/.test(process.argv[1] ?? '')) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
} else if (!isMainThread) {
  workerMain(workerData as WorkerInit).catch((e: unknown) => {
    console.error(`worker: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
