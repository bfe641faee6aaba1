/**
 * Integration: 4 `dv-node run` processes (real child processes, libp2p on loopback, real BLS, QBFT, slashing
 * databases on disk) against the project's beacon chain (in this process, wall clock, 4 s slots, 8 slots/epoch).
 * Setup through the CLI: `create-cluster`, `create-cluster sign` by each operator, then the DKG ceremony as 4 real
 * `dv-node dkg --dealer-split` processes over libp2p (dealer mode: 8 of the chain's 16 genesis validators are split, so
 * the chain already has them; a fresh joint-Feldman DKG would need deposits and activation, epochs longer). The chain
 * runs the other 8 itself, so it only finalises — and our balances only rise — if the cluster does its duties.
 *
 * One timeline, 4.5 epochs (~2.6 min), four scenarios:
 *   A  slots 0–9    all four nodes: every duty (attestation, selection proofs, aggregation, RANDAO + block,
 *                   sync committee message) succeeds for all 8 validators
 *   B  slots 10–13  node 3 killed (SIGKILL, mid-slot 9): every duty still succeeds on nodes 0–2
 *   D  slot 14      node 3 restarted mid-epoch (the epoch it was killed in): it picks up its slashing database
 *                   and carries on; no node ever sees a partial over another root, no validator is slashed
 *   C  slots 24–35  node 0 restarted sending invalid partials: every duty still succeeds; nodes 1–3 name operator 0
 *                   in their logs and in /metrics
 * Between D and C nodes 1–3 are asked (CLI `dv-node exit`) to exit one validator; the exit lands on chain.
 * At the end: all 8 balances rose, none slashed, and node 3's slashing database exports (CLI) with its records.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBeacon, type TestBeacon } from '../../devnet/beacon/testing.ts';
import { FORK_VERSIONS } from '../../devnet/beacon/config.ts';
import { NodeProcess, freePorts, runCli, type LogLine } from './harness.ts';
import { main as cliMain } from '../src/cli.ts';
import { loadLock } from '../src/cluster/index.ts';
import type { ClusterLock } from '../src/cluster/types.ts';
import { identityFromPrivateKey } from '../src/identity/identity.ts';
import { interopSecretKey, scalarToBytes } from '../src/crypto/field.ts';
import { toHex } from '../src/consensus/hex.ts';

const SLOT_S = 4;
/** Kill node 3 in this slot (mid-slot), restart it in RESTART_SLOT (same epoch), restart node 0 faulty in FAULT_SLOT. */
const KILL_SLOT = 9;
const RESTART_SLOT = 14;
const FAULT_SLOT = 24;
const END_SLOT = 36;
const OURS = [8, 9, 10, 11, 12, 13, 14, 15];
const EXITING = 15;
let beacon: TestBeacon | undefined;
let dir: string;
let lock: ClusterLock;
const nodes: NodeProcess[] = [];
const opsUrls: string[] = [];
const dataDirs: string[] = [];

const cli = (args: string[], timeoutMs = 120_000) => runCli(args, timeoutMs);

function slotNow(): number {
  return beacon!.node.chain.slot;
}

async function untilSlot(slot: number, fraction = 0): Promise<void> {
  const chain = beacon!.node.chain;
  const target = (chain.slotStartTime(slot) + fraction * SLOT_S) * 1000;
  const deadline = target + 10 * SLOT_S * 1000;
  while (Date.now() < target || chain.slot < slot) {
    if (Date.now() > deadline) throw new Error(`chain did not reach slot ${slot} (at ${chain.slot})`);
    await new Promise((r) => setTimeout(r, Math.min(200, Math.max(10, target - Date.now()))));
  }
}

function dutySlot(l: LogLine): number {
  return Number(String(l.duty ?? '').split('/')[0]);
}
function dutyType(l: LogLine): string {
  return String(l.duty ?? '').split('/')[1] ?? '';
}
function failures(k: number, from: number, to: number, generation?: number): LogLine[] {
  return nodes[k]!.lines.filter((l) => l.msg === 'duty failed' && dutySlot(l) >= from && dutySlot(l) <= to && (generation === undefined || l.generation === generation));
}
function show(lines: LogLine[]): string {
  return lines.slice(0, 8).map((l) => JSON.stringify(l)).join('\n');
}
async function serving(k: number): Promise<void> {
  const l = await nodes[k]!.waitFor((x) => x.msg === 'serving' && x.generation === nodes[k]!.generation, 60_000, 'serving');
  opsUrls[k] = String(l.ops);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dv-int-'));
  const [beaconPort, ...p2p] = await freePorts(5);
  // operators' keys, then the cluster definition (CLI: create-cluster, then create-cluster sign by each operator)
  const identities = Array.from({ length: 4 }, (_, k) => identityFromPrivateKey(toHex(scalarToBytes(BigInt(7000 + k)))));
  const keyPaths = identities.map((_, k) => join(dir, `operator-${k}.key`));
  keyPaths.forEach((path, k) => writeFileSync(path, `${toHex(scalarToBytes(BigInt(7000 + k)))}\n`, { mode: 0o600 }));
  const defPath = join(dir, 'cluster-definition.json');
  assert.equal(await cliMain([
    'create-cluster', '--name', 'integration', '--validators', String(OURS.length),
    '--withdrawal-address', '0x00000000000000000000000000000000000000aa', '--fee-recipient', '0x00000000000000000000000000000000000000bb',
    '--network-name', 'shoal-devnet', '--chain-id', '31337', '--genesis-fork-version', FORK_VERSIONS.GENESIS_FORK_VERSION,
    ...identities.flatMap((id, k) => ['--operator', `${k + 1},${id.peerId},/ip4/127.0.0.1/tcp/${p2p[k]}`]), '--out', defPath,
  ]), 0);
  for (const path of keyPaths) assert.equal(await cliMain(['create-cluster', 'sign', '--definition', defPath, '--operator-key', path]), 0);
  // the DKG ceremony, dealer mode (the chain's genesis validators 8–15 are split), 4 real `dv-node dkg` processes
  const existing = join(dir, 'existing-keys.json');
  writeFileSync(existing, JSON.stringify(OURS.map((i) => `0x${interopSecretKey(i).toString(16).padStart(64, '0')}`)));
  const dkgs = await Promise.all(
    identities.map((_, k) =>
      cli([
        'dkg', '--definition', defPath, '--operator-key', keyPaths[k]!, '--out', join(dir, `node${k}`), '--p2p-listen', `/ip4/127.0.0.1/tcp/${p2p[k]}`,
        '--dealer-split', '--dealer', '0', ...(k === 0 ? ['--existing-keys', existing] : []),
      ]),
    ),
  );
  dkgs.forEach((r, k) => assert.equal(r.status, 0, `dv-node dkg on operator ${k} failed: ${r.stderr}\n${r.stdout}`));
  lock = loadLock(join(dir, 'node0', 'cluster-lock.json'));
  for (let k = 0; k < 4; k++) {
    const dataDir = join(dir, `node${k}`, 'data');
    dataDirs.push(dataDir);
    nodes.push(
      new NodeProcess(`node${k}`, [
        '--lock', join(dir, `node${k}`, 'cluster-lock.json'), '--operator-key', keyPaths[k]!, '--keys-dir', join(dir, `node${k}`, 'validator_keys'),
        '--data-dir', dataDir, '--beacon-url', `http://127.0.0.1:${beaconPort}`, '--p2p-listen', `/ip4/127.0.0.1/tcp/${p2p[k]}`,
        '--ops-port', '0', '--round-ms', '1000',
      ]),
    );
  }
  for (const n of nodes) n.start();
  // every node has loaded its lock and keys and polls for the beacon node: start the chain with genesis just ahead
  await Promise.all(nodes.map((n) => n.waitFor((l) => l.msg === 'waiting for the beacon node', 60_000, 'waiting for the beacon node')));
  beacon = await startTestBeacon({
    withExecution: false, clock: 'wall', slotTime: SLOT_S, genesisValidators: 16, interopParticipation: 0.5, shardCommitteePeriod: 2,
    genesisTime: Math.floor(Date.now() / 1000) + 4, port: beaconPort,
  });
  await Promise.all(nodes.map((_, k) => serving(k)));
});

after(async () => {
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  const dump = process.env.DVNODE_TEST_DUMP; // a directory to keep every node's log lines in, for debugging
  if (dump) {
    mkdirSync(dump, { recursive: true });
    nodes.forEach((n) => writeFileSync(join(dump, `${n.name}.jsonl`), n.lines.map((l) => JSON.stringify(l)).join('\n')));
  }
  await beacon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('4 dv-node processes: every duty for 8 validators over 4.5 epochs, through a killed node, a restart and a Byzantine node', { timeout: 240_000 }, async () => {
  const chain = beacon!.node.chain;
  const spe = chain.opts.slotsPerEpoch;

  // ---- A: all four nodes ----
  await untilSlot(KILL_SLOT, 0.5);
  for (let k = 0; k < 4; k++) assert.deepEqual(failures(k, 0, KILL_SLOT - 1), [], `node ${k} failed duties with all nodes up:\n${show(failures(k, 0, KILL_SLOT - 1))}`);

  // ---- B: node 3 killed mid-slot ----
  await nodes[3]!.kill('SIGKILL');
  const killedAt = slotNow(); // duties of this slot were in flight when it died; B checks from the next slot
  await untilSlot(RESTART_SLOT);
  for (let k = 0; k < 3; k++) assert.deepEqual(failures(k, killedAt + 1, RESTART_SLOT - 1), [], `node ${k} failed duties while node 3 was down:\n${show(failures(k, killedAt + 1, RESTART_SLOT - 1))}`);
  const doneWhileDown = nodes[0]!.lines.filter((l) => l.msg === 'duty done' && dutySlot(l) >= killedAt + 1 && dutySlot(l) <= RESTART_SLOT - 1);
  assert.ok(doneWhileDown.some((l) => dutyType(l) === 'attester' && Number(l.submitted) > 0), 'no attestation submitted while node 3 was down');

  // ---- D: node 3 restarted mid-epoch (the epoch it was killed in) ----
  assert.equal(Math.floor(RESTART_SLOT / spe), Math.floor(KILL_SLOT / spe));
  nodes[3]!.start();
  await serving(3);
  // voluntary exit through the CLI's `exit` command on nodes 1–3 (its main(), in this process: no CPU spike of
  // three process starts while the cluster works)
  await untilSlot(RESTART_SLOT + 3);
  const exitPubkey = lock.validators[OURS.indexOf(EXITING)]!.pubkey;
  for (const k of [1, 2, 3]) {
    const code = await cliMain(['exit', '--data-dir', dataDirs[k]!, '--validator', exitPubkey, '--lock', join(dir, `node${k}`, 'cluster-lock.json')]);
    assert.equal(code, 0, 'dv-node exit failed');
  }
  await untilSlot(FAULT_SLOT);
  const restarted = nodes[3]!.lines.filter((l) => l.generation === 2 && l.msg === 'duty done' && Number(l.submitted) > 0);
  assert.ok(restarted.length > 0, 'restarted node 3 did no duty');
  for (let k = 0; k < 3; k++) assert.deepEqual(failures(k, RESTART_SLOT, FAULT_SLOT - 1), [], `node ${k} failed duties after node 3 restarted:\n${show(failures(k, RESTART_SLOT, FAULT_SLOT - 1))}`);

  // ---- C: node 0 restarted with invalid partials ----
  await nodes[0]!.kill('SIGKILL');
  nodes[0]!.start(['--fault', 'invalid-partials']);
  await serving(0);
  const faultFrom = slotNow() + 2; // the slot it came back in and the next are its transition
  await untilSlot(END_SLOT, 0.5);
  for (const k of [1, 2, 3]) {
    assert.deepEqual(failures(k, faultFrom, END_SLOT - 1, nodes[k]!.generation), [], `node ${k} failed duties with a Byzantine node 0:\n${show(failures(k, faultFrom, END_SLOT - 1))}`);
    const named = nodes[k]!.lines.filter((l) => l.msg === 'invalid partial signature from peer: dropped');
    assert.ok(named.length > 0 && named.every((l) => l.peerIndex === 0), `node ${k} did not name operator 0: ${show(named)}`);
    const metrics = await (await fetch(`${opsUrls[k]}/metrics`)).text();
    const m = metrics.match(new RegExp(`dvnode_invalid_partials_total\\{peer="0:${lock.definition.operators[0]!.address}"\\} (\\d+)`));
    assert.ok(m && Number(m[1]) > 0, `node ${k} /metrics does not count invalid partials from operator 0`);
    assert.ok(!metrics.includes('dvnode_invalid_partials_total{peer="1:') && !metrics.includes('dvnode_invalid_partials_total{peer="2:'), 'an honest operator was blamed');
  }

  // ---- everything ----
  const ok = new Map<string, number>();
  for (const n of nodes) for (const l of n.lines) if (l.msg === 'duty done') ok.set(dutyType(l), (ok.get(dutyType(l)) ?? 0) + Number(l.submitted));
  for (const t of ['randao', 'proposer', 'prepare_aggregator', 'attester', 'aggregator', 'sync_message', 'prepare_sync_contribution', 'sync_contribution', 'exit']) assert.ok((ok.get(t) ?? 0) > 0, `no successful ${t} duty: ${JSON.stringify([...ok])}`);
  assert.ok([...chain.blocks.values()].some((b) => OURS.includes(b.signed.message.proposerIndex)), 'no block of the cluster on chain');
  assert.notEqual(chain.s.validators[EXITING]!.exitEpoch, Number.POSITIVE_INFINITY, 'the requested voluntary exit did not land on chain');
  for (const vi of OURS) {
    assert.equal(chain.s.validators[vi]!.slashed, false, `validator ${vi} was slashed`);
    assert.ok(chain.s.balances[vi]! > 32_000_000_000, `balance of validator ${vi} did not rise: ${chain.s.balances[vi]}`);
  }
  for (const n of nodes) {
    assert.deepEqual(n.lines.filter((l) => l.msg === 'partial signature over another root: dropped'), [], `${n.name} saw a partial signature over a conflicting root`);
  }

  // the status command reads a running node's ops server
  assert.equal(await cliMain(['status', '--ops-url', opsUrls[1]!]), 0);

  // node 3's slashing-protection database survived SIGKILL and exports (CLI), with records up to the last epochs
  await nodes[3]!.kill('SIGTERM');
  const out = join(dir, 'node3-interchange.json');
  const gvr = `0x${Buffer.from(chain.s.genesisValidatorsRoot).toString('hex')}`;
  const r = await cli(['slashing-protection', 'export', '--data-dir', dataDirs[3]!, '--genesis-validators-root', gvr, '--out', out]);
  assert.equal(r.status, 0, `export failed: ${r.stderr}`);
  const ic = JSON.parse(readFileSync(out, 'utf8')) as { data: { pubkey: string; signed_attestations: { target_epoch: string }[] }[] };
  assert.equal(ic.data.length, OURS.length, 'node 3 does not protect every validator');
  for (const d of ic.data) assert.ok(d.signed_attestations.some((a) => Number(a.target_epoch) >= Math.floor(FAULT_SLOT / spe)), `node 3 has no attestation record after its restart for ${d.pubkey}`);
});
