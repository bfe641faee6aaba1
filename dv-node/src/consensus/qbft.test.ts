/**
 * QBFT scenarios with real secp256k1 operator keys over the in-memory network and a fake clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConsensusAbortedError } from './consensus.ts';
import { verifyDecision } from './decision.ts';
import { toHex } from './hex.ts';
import { QbftInstance } from './instance.ts';
import { decodeEnvelope, encodeEnvelope } from './message.ts';
import { noopMetrics, RecordingMetrics } from './metrics.ts';
import { faultTolerance, leaderOf } from './quorum.ts';
import { Adversary } from './testing/adversary.ts';
import { drive, secpKeys, SIM_CLUSTER, SimCluster } from './testing/sim.ts';
import { FakeClock, linearRoundTimer } from './clock.ts';
import type { Decision, Duty } from './types.ts';

const keys4 = secpKeys(4);
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : new TextDecoder().decode(v));
const proposalOf = (i: number, duty: Duty) => `value-of-${i}-slot-${duty.slot}`;

function assertAgreement(decisions: (Decision | undefined)[], members: number[]): Decision {
  const first = decisions[members[0]!];
  assert.ok(first, `member ${members[0]} did not decide`);
  for (const i of members) {
    assert.ok(decisions[i], `member ${i} did not decide`);
    assert.equal(decisions[i]!.valueHash, first.valueHash, `member ${i} decided differently`);
  }
  return first;
}

describe('QBFT with secp256k1-signed messages', () => {
  test('4 honest members decide in round 1 on the round-1 leader value, with a verifiable commit certificate', async () => {
    const sim = new SimCluster({ n: 4, keys: keys4 });
    const duty = { slot: 100, type: 'attester' };
    const { decisions, errors } = await sim.runDuty(duty);
    assert.deepEqual(errors, [undefined, undefined, undefined, undefined]);
    const d = assertAgreement(decisions, [0, 1, 2, 3]);
    assert.equal(d.round, 1);
    assert.equal(text(d.value), proposalOf(leaderOf(duty, 1, 4), duty));
    for (const dec of decisions) {
      assert.equal(dec!.commits.length, 3);
      assert.equal(new Set(dec!.commits.map((c) => c.sender)).size, 3);
      assert.ok(verifyDecision(dec!, { cluster: SIM_CLUSTER, n: 4, verifier: keys4.verifier }));
    }
    // A certificate does not survive tampering with the value.
    const forged = { ...d, value: new TextEncoder().encode('something else') };
    assert.equal(verifyDecision(forged, { cluster: SIM_CLUSTER, n: 4, verifier: keys4.verifier }), false);
    for (const m of sim.metrics) {
      assert.equal(m.decisions[0]?.round, 1);
      assert.equal(m.dropped.size, 0, `unexpected drops ${[...m.dropped]}`);
      assert.equal(m.roundChanges.size, 0);
    }
    sim.close();
  });

  test('leader down: members change round on timeout and decide in round 2 on the next leader value', async () => {
    const duty = { slot: 101, type: 'attester' };
    const down = leaderOf(duty, 1, 4);
    const next = leaderOf(duty, 2, 4);
    assert.notEqual(down, next);
    const sim = new SimCluster({ n: 4, keys: keys4, absent: [down] });
    const { decisions } = await sim.runDuty(duty);
    const alive = [0, 1, 2, 3].filter((i) => i !== down);
    const d = assertAgreement(decisions, alive);
    assert.equal(d.round, 2);
    assert.equal(text(d.value), proposalOf(next, duty));
    assert.ok(sim.clock.now() >= 750, 'round 2 cannot start before the 750 ms round-1 timer');
    assert.ok(sim.metrics[next]!.roundChanges.get('timeout')! >= 1);
    sim.close();
  });

  for (const n of [4, 7, 10]) {
    const f = faultTolerance(n);
    test(`n=${n}: f=${f} crashed members (leader among them) still decide; f+1 crashed cannot decide`, async () => {
      const duty = { slot: 200 + n, type: 'proposer' };
      const leader = leaderOf(duty, 1, n);
      const crashed = [leader, ...Array.from({ length: n }, (_, i) => i).filter((i) => i !== leader)].slice(0, f);
      const keys = n === 4 ? keys4 : secpKeys(n);
      const ok = new SimCluster({ n, keys, absent: crashed });
      const run = await ok.runDuty(duty);
      assertAgreement(
        run.decisions,
        Array.from({ length: n }, (_, i) => i).filter((i) => !crashed.includes(i)),
      );
      ok.close();

      const tooMany = [...crashed, ...Array.from({ length: n }, (_, i) => i).filter((i) => !crashed.includes(i))].slice(
        0,
        f + 1,
      );
      const stuck = new SimCluster({ n, keys, absent: tooMany });
      const deadline = 60_000;
      const res = await stuck.runDuty(duty, { deadline });
      for (let i = 0; i < n; i++) {
        if (tooMany.includes(i)) continue;
        assert.equal(res.decisions[i], undefined, `member ${i} decided without a quorum`);
        assert.ok(res.errors[i] instanceof ConsensusAbortedError, `member ${i}: ${res.errors[i]}`);
        assert.equal((res.errors[i] as ConsensusAbortedError).reason, 'expired');
        assert.ok(stuck.metrics[i]!.abandonedDuties.length === 1);
      }
      assert.equal(stuck.clock.now(), deadline);
      stuck.close();
    });
  }

  test('forged, unsigned, re-attributed, foreign-cluster and garbage messages are dropped and counted by reason', async () => {
    const duty = { slot: 300, type: 'attester' };
    const leader = leaderOf(duty, 1, 4);
    const byz = (leader + 1) % 4;
    const victim = (leader + 2) % 4;
    const sim = new SimCluster({ n: 4, keys: keys4, byzantine: [byz] });
    const adv = new Adversary(sim, [byz], duty);
    const honest = adv.honest;
    const fake = new TextEncoder().encode('fake');
    // Before anyone starts: the messages wait in the early buffer and are judged when instances start.
    // 1. A COMMIT claiming to come from the victim but signed with the adversary's key.
    const reattributed = adv.vote(byz, 'COMMIT', 1, fake);
    adv.send(byz, honest, { ...reattributed, msg: { ...reattributed.msg, sender: victim } });
    // 2. Unsigned.
    adv.send(byz, honest, { ...reattributed, msg: { ...reattributed.msg, signature: '0x' } });
    // 3. A corrupted signature.
    const sig = reattributed.msg.signature;
    const flipped = `${sig.slice(0, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}` as typeof sig;
    adv.send(byz, honest, { ...reattributed, msg: { ...reattributed.msg, signature: flipped } });
    // 4. Signed for another cluster.
    const other = adv.vote(byz, 'PREPARE', 1, fake);
    adv.send(byz, honest, {
      ...other,
      msg: { ...other.msg, cluster: `0x${'ab'.repeat(32)}` },
    });
    // 5. Not even a message.
    adv.send(byz, honest, new TextEncoder().encode('{"v":1,"msg":42}'));
    // 6. A proposal from a member who does not lead round 1 (signed correctly).
    adv.send(byz, honest, adv.proposal(byz, 1, fake));

    const { decisions } = await sim.runDuty(duty);
    const d = assertAgreement(decisions, honest);
    assert.equal(text(d.value), proposalOf(leader, duty));
    for (const i of honest) {
      const m = sim.metrics[i]!;
      assert.equal(m.droppedCount('bad-signature'), 2, `member ${i}: ${[...m.dropped]}`);
      assert.equal(m.droppedCount('missing-signature'), 1);
      assert.equal(m.droppedCount('wrong-cluster'), 1);
      assert.equal(m.droppedCount('malformed'), 1);
      assert.equal(m.droppedCount('not-leader'), 1);
    }
    sim.close();
  });

  test('messages replayed from another instance are dropped: duplicate, expired, or bad signature if re-labelled', async () => {
    const sim = new SimCluster({ n: 4, keys: keys4 });
    const captured: Uint8Array[] = [];
    sim.network.setFilter((_from, _to, bytes) => (captured.push(bytes), true));
    const dutyA = { slot: 400, type: 'attester' };
    const a = await sim.runDuty(dutyA);
    assertAgreement(a.decisions, [0, 1, 2, 3]);
    sim.network.setFilter(undefined);
    const unique = [...new Map(captured.map((b) => [toHex(b), b])).values()];
    assert.ok(unique.length >= 7);

    const replay = (bytes: Uint8Array[]) => {
      const ep = sim.network.endpoint(0);
      for (const b of bytes) ep.broadcast(b);
    };
    // While instance A lingers (decided, answering stragglers), its own messages replayed are harmless.
    const before = sim.metrics.map((m) => m.decisions.length);
    replay(unique);
    await drive(sim.clock, () => false, sim.clock.now() + 10);
    assert.deepEqual(sim.metrics.map((m) => m.decisions.length), before, 'a replay must not produce a decision');

    // Re-labelled for instance B, the signatures no longer hold.
    const dutyB = { slot: 401, type: 'attester' };
    const relabelled = unique.map((b) => {
      const env = decodeEnvelope(b);
      return encodeEnvelope({ ...env, msg: { ...env.msg, duty: dutyB } });
    });
    // After A is cancelled on every member (its duty expired), A's messages are dropped as expired.
    for (const node of sim.nodes) node!.cancel(dutyA);
    replay(unique);
    replay(relabelled);
    const b = await sim.runDuty(dutyB);
    const d = assertAgreement(b.decisions, [0, 1, 2, 3]);
    assert.equal(text(d.value), proposalOf(leaderOf(dutyB, 1, 4), dutyB));
    for (let i = 1; i < 4; i++) {
      const m = sim.metrics[i]!;
      assert.ok(m.droppedCount('expired') >= unique.length - 3, `member ${i}: ${[...m.dropped]}`);
      assert.ok(m.droppedCount('bad-signature') >= unique.length - 3, `member ${i}: ${[...m.dropped]}`);
    }

    // Handed straight to B's instance, a message of A is refused as wrong-instance.
    const metrics = new RecordingMetrics();
    const inst = new QbftInstance({
      cluster: SIM_CLUSTER,
      duty: dutyB,
      n: 4,
      self: 0,
      signer: keys4.signers[0]!,
      verifier: keys4.verifier,
      clock: new FakeClock(),
      roundTimer: linearRoundTimer(),
      maxRound: 64,
      metrics,
      inputs: { getValue: async () => new Uint8Array([1]), validate: () => true },
      send: () => {},
      onDecide: () => {},
    });
    inst.start();
    inst.receive(decodeEnvelope(unique[0]!));
    assert.equal(metrics.droppedCount('wrong-instance'), 1);
    inst.stop();
    sim.close();
  });

  test('a member that starts late still decides in round 1 from buffered early messages', async () => {
    const duty = { slot: 500, type: 'attester' };
    const late = (leaderOf(duty, 1, 4) + 1) % 4;
    const sim = new SimCluster({ n: 4, keys: keys4 });
    const { decisions } = await sim.runDuty(duty, { startDelayOf: (i) => (i === late ? 300 : 0) });
    const d = assertAgreement(decisions, [0, 1, 2, 3]);
    assert.equal(d.round, 1);
    assert.equal(decisions[late]!.round, 1);
    sim.close();
  });

  test('f+1 rule: a member that starts late jumps straight to the round its peers are in', async () => {
    const duty = { slot: 550, type: 'attester' };
    const down = leaderOf(duty, 1, 4);
    const late = [0, 1, 2, 3].find((i) => i !== down && i !== leaderOf(duty, 2, 4))!;
    // With the round-1 leader down and `late` absent, the other two cannot reach a quorum of 3 and keep changing
    // round: rounds 1..3 take 750 + 1000 + 1250 ms, so from 3 s to 4.5 s they are in round 4, whose leader is up
    // (leaders of four consecutive rounds are four different members).
    const sim = new SimCluster({ n: 4, absent: [down] });
    const startAt = 3_500;
    const { decisions } = await sim.runDuty(duty, { startDelayOf: (i) => (i === late ? startAt : 0) });
    const alive = [0, 1, 2, 3].filter((i) => i !== down);
    const d = assertAgreement(decisions, alive);
    assert.equal(d.round, 4);
    const m = sim.metrics[late]!;
    assert.ok((m.roundChanges.get('f+1') ?? 0) >= 1, 'the late member used the f+1 rule');
    assert.equal(m.roundChanges.get('timeout') ?? 0, 0, 'it never had to wait out a round timer');
    assert.ok(m.decisions[0]!.latencyMs < 1_000, `decided ${m.decisions[0]!.latencyMs} ms after starting`);
    sim.close();
  });

  test('a member cut off during round 1 decides later through a DECIDED certificate', async () => {
    const duty = { slot: 600, type: 'attester' };
    const cut = (leaderOf(duty, 1, 4) + 2) % 4;
    const sim = new SimCluster({ n: 4, keys: keys4 });
    sim.network.partition([cut]);
    sim.clock.setTimeout(() => sim.network.heal(), 100);
    const { decisions } = await sim.runDuty(duty);
    const d = assertAgreement(decisions, [0, 1, 2, 3]);
    assert.equal(d.round, 1);
    assert.ok(sim.metrics[cut]!.roundChanges.get('timeout')! >= 1, 'the cut-off member timed out first');
    const answered = sim.metrics.reduce((s, m) => s + (m.sent.get('DECIDED') ?? 0), 0);
    assert.ok(answered >= 1, 'someone answered the straggler with DECIDED');
    assert.ok(verifyDecision(decisions[cut]!, { cluster: SIM_CLUSTER, n: 4, verifier: keys4.verifier }));
    sim.close();
  });
});

describe('instance lifecycle', () => {
  test('cancel() rejects an undecided run, stops its timers, and later messages count as expired', async () => {
    const duty = { slot: 700, type: 'attester' };
    const sim = new SimCluster({ n: 4, absent: [1, 2] });
    const results: unknown[] = [];
    const p0 = sim.nodes[0]!.run(duty, { getValue: async () => new Uint8Array([7]), validate: () => true });
    p0.catch((e) => results.push(e));
    const p3 = sim.nodes[3]!.run(duty, { getValue: async () => new Uint8Array([7]), validate: () => true });
    p3.catch((e) => results.push(e));
    await drive(sim.clock, () => false, 5_000);
    assert.ok(sim.nodes[0]!.status(duty)!.round > 1, 'without a quorum the instance keeps changing round');
    sim.nodes[0]!.cancel(duty);
    sim.nodes[3]!.cancel(duty);
    await drive(sim.clock, () => results.length === 2, 6_000);
    assert.equal(results.length, 2);
    for (const e of results) {
      assert.ok(e instanceof ConsensusAbortedError);
      assert.equal(e.reason, 'cancelled');
    }
    assert.equal(sim.clock.pending, 0, 'no timer outlives a cancelled instance');
    assert.equal(sim.nodes[0]!.status(duty), undefined);
    const adv = new Adversary(sim, [3], duty);
    adv.send(3, [0], adv.vote(3, 'PREPARE', 1, new Uint8Array([7])));
    await drive(sim.clock, () => false, sim.clock.now() + 1);
    assert.equal(sim.metrics[0]!.droppedCount('expired'), 1);
    await assert.rejects(sim.nodes[0]!.run(duty, { getValue: async () => new Uint8Array(), validate: () => true }));
    sim.close();
  });

  test('a leader whose fetcher fails costs one round; the next leader decides', async () => {
    const duty = { slot: 800, type: 'attester' };
    const leader = leaderOf(duty, 1, 4);
    const sim = new SimCluster({ n: 4 });
    let outstanding = 4;
    const decisions: (Decision | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      sim.nodes[i]!.run(duty, {
        getValue: async () => {
          if (i === leader) throw new Error('beacon node unreachable');
          return new TextEncoder().encode(`v${i}`);
        },
        validate: () => true,
      }).then((d) => {
        decisions[i] = d;
        outstanding--;
      });
    }
    await drive(sim.clock, () => outstanding === 0, 60_000);
    const d = assertAgreement(decisions, [0, 1, 2, 3]);
    assert.equal(d.round, 2);
    assert.equal(text(d.value), `v${leaderOf(duty, 2, 4)}`);
    sim.close();
  });

  test('a single-member cluster decides its own value', async () => {
    const sim = new SimCluster({ n: 1 });
    const { decisions } = await sim.runDuty({ slot: 1, type: 'exit' });
    assert.equal(decisions[0]?.round, 1);
    sim.close();
  });

  test('the component refuses bad configuration with a clear error', async () => {
    const sim = new SimCluster({ n: 4 });
    const { QbftConsensus } = await import('./consensus.ts');
    const base = {
      cluster: SIM_CLUSTER,
      n: 4,
      self: 0,
      signer: sim.keys.signers[0]!,
      verifier: sim.keys.verifier,
      transport: sim.network.endpoint(0),
      metrics: noopMetrics,
    };
    assert.throws(() => new QbftConsensus({ ...base, self: 4 }), /self must be an operator index in \[0, 3\]/);
    assert.throws(() => new QbftConsensus({ ...base, cluster: '0x12' }), /cluster must be a 32-byte/);
    assert.throws(() => new QbftConsensus({ ...base, n: 0 }), /cluster size must be a positive integer/);
    await assert.rejects(sim.nodes[0]!.run({ slot: -1, type: 'attester' }, { getValue: async () => new Uint8Array(), validate: () => true }), /invalid duty/);
    sim.close();
  });
});
