import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex } from '../consensus/hex.ts';
import { randomIdentity } from '../identity/identity.ts';
import { ENVELOPE_VERSION, UNSIGNED_ENVELOPE_VERSION, sealEnvelope } from './envelope.ts';
import { MemoryClusterHub } from './memory.ts';
import { waitUntil } from './testing.ts';
import { CONSENSUS_TOPIC, consensusTransport } from './transport.ts';
import type { Hex } from './types.ts';

const CLUSTER = `0x${'cd'.repeat(32)}` as Hex;
const enc = (s: string) => new TextEncoder().encode(s);

function setup() {
  const ids = Array.from({ length: 4 }, () => randomIdentity());
  const hub = new MemoryClusterHub({ cluster: CLUSTER, identities: ids });
  const nets = ids.map((_, i) => hub.endpoint(i));
  return { ids, hub, nets };
}

describe('signed envelopes (in-memory ClusterNetwork)', () => {
  it('delivers authentic messages with the sender index; broadcast skips the sender', async () => {
    const { nets } = setup();
    const got: string[] = [];
    nets.forEach((n, i) => n.onMessage('t', (from, p) => got.push(`${i}<-${from}:${new TextDecoder().decode(p)}`)));
    nets[2]!.broadcast('t', enc('hi'));
    nets[3]!.send(0, 't', enc('direct'));
    await waitUntil(() => got.length === 4, 2_000, 'delivery');
    assert.deepEqual(got.sort(), ['0<-2:hi', '0<-3:direct', '1<-2:hi', '3<-2:hi']);
    assert.equal(nets[0]!.stats().received, 2);
  });

  it('drops and counts forged, tampered, relayed, foreign and malformed frames', async () => {
    const { ids, hub, nets } = setup();
    const got: number[] = [];
    nets[0]!.onMessage('t', (from) => got.push(from));
    const cluster = fromHex(CLUSTER);
    // Operator 1 signs a frame claiming to come from operator 2: the signature is not operator 2's.
    const forged = sealEnvelope({ cluster, sender: 2, topic: 't', payload: enc('x') }, ids[1]!.signer);
    hub.inject(0, forged, 1);
    // A genuine frame whose payload was altered in transit.
    const tampered = sealEnvelope({ cluster, sender: 1, topic: 't', payload: enc('pay 1') }, ids[1]!.signer);
    tampered[tampered.length - 66]! ^= 1;
    hub.inject(0, tampered, 1);
    // Operator 2's genuine frame replayed over operator 1's connection.
    hub.inject(0, sealEnvelope({ cluster, sender: 2, topic: 't', payload: enc('y') }, ids[2]!.signer), 1);
    // Signed for another cluster.
    hub.inject(0, sealEnvelope({ cluster: new Uint8Array(32), sender: 1, topic: 't', payload: enc('z') }, ids[1]!.signer), 1);
    // A stranger's key.
    hub.inject(0, sealEnvelope({ cluster, sender: 3, topic: 't', payload: enc('w') }, randomIdentity().signer), 3);
    hub.inject(0, Uint8Array.of(1, 2, 3), 3);
    hub.inject(0, sealEnvelope({ cluster, sender: 9, topic: 't', payload: enc('v') }, ids[1]!.signer));
    // And one good frame, last: once it is in, everything before it has been handled.
    nets[1]!.send(0, 't', enc('ok'));
    await waitUntil(() => got.length === 1, 2_000, 'the good frame');
    assert.deepEqual(got, [1]);
    const s = nets[0]!.stats();
    assert.equal(s.dropped['bad-signature'], 3);
    assert.equal(s.dropped['sender-mismatch'], 1);
    assert.equal(s.dropped['wrong-cluster'], 1);
    assert.equal(s.dropped.malformed, 1);
    assert.equal(s.dropped['unknown-sender'], 1);
    const invalid = nets[0]!.peers().map((p) => p.invalidMessages);
    assert.deepEqual(invalid, [0, 4, 0, 2]);
  });

  it('queues for a member that is down and delivers when it is back; consensus Transport adapter', async () => {
    const { hub, nets } = setup();
    const transports = nets.map((n) => consensusTransport(n));
    const got: string[] = [];
    transports[3]!.onMessage((m) => got.push(new TextDecoder().decode(m)));
    hub.down(3);
    transports[0]!.broadcast(enc('q1'));
    assert.equal(nets[0]!.peers()[3]!.queued, 1);
    assert.equal(nets[0]!.peers()[3]!.connected, false);
    hub.up(3);
    transports[1]!.broadcast(enc('q2'));
    await waitUntil(() => got.length === 2, 2_000, 'queued delivery');
    assert.deepEqual(got.sort(), ['q1', 'q2']);
  });

  it('consensus frames carry no envelope signature and are accepted only from their authenticated sender', async () => {
    const { ids, hub, nets } = setup();
    const got: string[] = [];
    nets[0]!.onMessage(CONSENSUS_TOPIC, (from, p) => got.push(`${from}:${new TextDecoder().decode(p)}`));
    nets[0]!.onMessage('t', (from, p) => got.push(`${from}:${new TextDecoder().decode(p)}`));
    const cluster = fromHex(CLUSTER);
    const unsigned = sealEnvelope({ cluster, sender: 1, topic: CONSENSUS_TOPIC, payload: enc('m') }, ids[1]!.signer);
    const signed = sealEnvelope({ cluster, sender: 1, topic: 't', payload: enc('m') }, ids[1]!.signer);
    assert.equal(unsigned[0], UNSIGNED_ENVELOPE_VERSION);
    assert.equal(signed[0], ENVELOPE_VERSION);
    assert.equal(signed.length - unsigned.length, 64 + 't'.length - CONSENSUS_TOPIC.length, 'no 64-byte signature');
    hub.inject(0, unsigned, null); // not from an authenticated connection
    hub.inject(0, unsigned, 2); // over operator 2's connection, claiming operator 1
    const relabelled = Uint8Array.from(signed.subarray(0, signed.length - 64));
    relabelled[0] = UNSIGNED_ENVELOPE_VERSION; // a signed topic's frame stripped of its signature
    hub.inject(0, relabelled, 1);
    hub.inject(0, unsigned, 1); // genuine: operator 1's own connection
    nets[2]!.send(0, 't', enc('last'));
    await waitUntil(() => got.length === 2, 2_000, 'the genuine frames');
    assert.deepEqual(got, ['1:m', '2:last']);
    const s = nets[0]!.stats();
    assert.equal(s.dropped['bad-signature'], 2, 'unauthenticated source; signed topic without signature');
    assert.equal(s.dropped['sender-mismatch'], 1);
  });

  it('refuses bad topics and sending to oneself', () => {
    const { nets } = setup();
    assert.throws(() => nets[0]!.broadcast('Bad Topic', enc('x')), /topic must match/);
    assert.throws(() => nets[0]!.send(0, 't', enc('x')), /cannot send to member 0/);
  });
});
