import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import './node20.ts';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { randomIdentity } from '../identity/identity.ts';
import { startClusterNetwork, type Libp2pClusterNetwork } from './libp2p.ts';
import { membersOf, startLoopbackCluster, waitUntil } from './testing.ts';
import type { Hex } from './types.ts';

const CLUSTER = `0x${'ab'.repeat(32)}` as Hex;
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('libp2p ClusterNetwork (4 nodes on loopback)', () => {
  const ids = Array.from({ length: 4 }, () => randomIdentity());
  let nets: Libp2pClusterNetwork[] = [];
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    await Promise.all([...nets.map((n) => n.close()), ...closers.map((c) => c())]);
  });

  it('connects every member to every other', async () => {
    nets = (await startLoopbackCluster(ids, CLUSTER)) as Libp2pClusterNetwork[];
    await Promise.all(nets.map((n) => n.waitForPeers(10_000)));
    for (const n of nets) {
      assert.deepEqual(n.peers().map((p) => p.connected), [true, true, true, true]);
      assert.equal(n.peers()[n.self]!.self, true);
    }
  });

  it('broadcast reaches every other member once, in order, with the sender index', async () => {
    const got: string[][] = nets.map(() => []);
    const offs = nets.map((n, i) => n.onMessage('test/bcast', (from, p) => got[i]!.push(`${from}:${dec(p)}`)));
    for (let k = 0; k < 20; k++) nets[0]!.broadcast('test/bcast', enc(`m${k}`));
    await waitUntil(() => got.slice(1).every((g) => g.length === 20), 10_000, 'broadcast delivery');
    assert.deepEqual(got[0], []);
    for (const g of got.slice(1)) assert.deepEqual(g, Array.from({ length: 20 }, (_, k) => `0:m${k}`));
    offs.forEach((off) => off());
  });

  it('send reaches only the addressed member; large payloads survive framing', async () => {
    const got: string[][] = nets.map(() => []);
    const offs = nets.map((n, i) => n.onMessage('test/direct', (from, p) => got[i]!.push(`${from}:${p.length}:${p[p.length - 1]}`)));
    const big = new Uint8Array(3_000_000).fill(7);
    nets[1]!.send(2, 'test/direct', big);
    nets[1]!.send(2, 'test/direct', enc('x'));
    await waitUntil(() => got[2]!.length === 2, 10_000, 'direct delivery');
    assert.deepEqual(got[2], ['1:3000000:7', '1:1:120']);
    assert.deepEqual([got[0], got[1], got[3]], [[], [], []]);
    assert.throws(() => nets[1]!.send(1, 'test/direct', big), /cannot send to member 1/);
    assert.throws(() => nets[1]!.send(9, 'test/direct', big), /cannot send to member 9/);
    offs.forEach((off) => off());
  });

  it('refuses a stranger: its dials fail, it never shows up, member status unchanged', async () => {
    const stranger = randomIdentity();
    const node = await createLibp2p({
      privateKey: stranger.libp2pKey(),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    });
    closers.push(async () => {
      await node.stop();
    });
    const target = multiaddr(nets[0]!.listenAddresses()[0]!);
    try {
      const conn = await node.dial(target);
      // Noise completes (that is how member 0 learns who it is), then member 0's gater drops the connection.
      await waitUntil(() => conn.status !== 'open', 5_000, 'member 0 to drop the stranger');
    } catch {
      // refused outright: also fine
    }
    await assert.rejects(node.dialProtocol(target, '/shoal/dv/1.0.0'));
    assert.equal(nets[0]!.peers().length, 4);
    assert.ok(nets[0]!.peers().every((p) => p.peerId !== stranger.peerId));
    // A stranger running our stack with member 0 in its own member list still cannot get in.
    const members = [...membersOf([ids[0]!]), { address: stranger.address, peerId: stranger.peerId, multiaddrs: [] }];
    const intruder = await startClusterNetwork({ identity: stranger, members, cluster: CLUSTER, listen: ['/ip4/127.0.0.1/tcp/0'], minBackoffMs: 20, maxBackoffMs: 100 });
    closers.push(() => intruder.close());
    const seen: number[] = [];
    nets[0]!.onMessage('test/intrude', (from) => seen.push(from));
    intruder.setMemberAddresses(0, nets[0]!.listenAddresses());
    intruder.send(0, 'test/intrude', enc('let me in'));
    // Each time the intruder gets through noise, member 0 hangs up; wait for it to have been thrown out twice.
    await waitUntil(() => intruder.peers()[0]!.reconnects >= 2, 10_000, 'the intruder to be refused twice');
    assert.deepEqual(seen, []);
    assert.ok(nets[0]!.peers().every((p) => p.peerId !== stranger.peerId));
  });

  it('a member that restarts (new port) reconnects; messages sent while it was down are delivered', async () => {
    const before = nets[0]!.peers()[3]!.reconnects;
    await nets[3]!.close();
    await waitUntil(() => nets.slice(0, 3).every((n) => !n.peers()[3]!.connected), 10_000, 'members to notice node 3 is gone');
    nets[0]!.send(3, 'test/restart', enc('while-down'));
    assert.equal(nets[0]!.peers()[3]!.queued >= 1, true);
    const restarted = await startClusterNetwork({
      identity: ids[3]!,
      members: membersOf(ids),
      cluster: CLUSTER,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      minBackoffMs: 20,
      maxBackoffMs: 500,
    });
    const got: string[] = [];
    restarted.onMessage('test/restart', (from, p) => got.push(`${from}:${dec(p)}`));
    for (let j = 0; j < 3; j++) restarted.setMemberAddresses(j, nets[j]!.listenAddresses());
    nets[3] = restarted;
    await restarted.waitForPeers(10_000);
    await Promise.all(nets.map((n) => n.waitForPeers(10_000)));
    nets[1]!.send(3, 'test/restart', enc('after'));
    await waitUntil(() => got.length === 2, 10_000, 'queued and new messages at the restarted node');
    assert.deepEqual(got.sort(), ['0:while-down', '1:after']);
    assert.equal(nets[0]!.peers()[3]!.reconnects, before + 1);
  });
});
