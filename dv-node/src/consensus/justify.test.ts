/** The justification rules, case by case (the scenario and property tests exercise them end to end). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex } from './hex.ts';
import { type JustifyContext, justifyDecided, justifyProposal, justifyRoundChange } from './justify.ts';
import { signMessage, verifyMessage } from './message.ts';
import { hmacKeys, SIM_CLUSTER } from './testing/sim.ts';
import type { Duty, Envelope, MsgType, QbftMessage, SignedQbftMessage } from './types.ts';
import { hashValue } from './value.ts';

const keys = hmacKeys(4);
const duty: Duty = { slot: 77, type: 'attester' };
const ctx: JustifyContext = {
  cluster: SIM_CLUSTER,
  duty,
  n: 4,
  quorum: 3,
  verify: (m) => verifyMessage(m, keys.verifier),
};
const A = hashValue(new TextEncoder().encode('A'));
const B = hashValue(new TextEncoder().encode('B'));

function m(sender: number, type: MsgType, round: number, f: Partial<QbftMessage> = {}): SignedQbftMessage {
  const msg: QbftMessage = {
    type,
    cluster: SIM_CLUSTER,
    duty,
    sender,
    round,
    valueHash: null,
    preparedRound: 0,
    preparedValueHash: null,
    ...f,
  };
  return signMessage(msg, keys.signers[sender]!);
}
const env = (msg: SignedQbftMessage, justification: SignedQbftMessage[] = []): Envelope => ({
  msg,
  justification,
  value: null,
});
const prepares = (round: number, h: `0x${string}`, senders = [0, 1, 2]) =>
  senders.map((s) => m(s, 'PREPARE', round, { valueHash: h }));
const rcs = (round: number, senders = [0, 1, 2], prepared: Record<number, [number, `0x${string}`]> = {}) =>
  senders.map((s) =>
    m(s, 'ROUND_CHANGE', round, prepared[s] ? { preparedRound: prepared[s][0], preparedValueHash: prepared[s][1] } : {}),
  );

describe('ROUND-CHANGE justification', () => {
  test('unprepared needs nothing; prepared needs a quorum of matching PREPAREs from distinct members', () => {
    assert.ok(justifyRoundChange(env(m(0, 'ROUND_CHANGE', 2)), ctx));
    const rc = m(0, 'ROUND_CHANGE', 3, { preparedRound: 2, preparedValueHash: A });
    assert.ok(justifyRoundChange(env(rc, prepares(2, A)), ctx));
    assert.equal(justifyRoundChange(env(rc, prepares(2, A, [0, 1])), ctx), false, 'below quorum');
    assert.equal(justifyRoundChange(env(rc, prepares(2, A, [0, 1, 1])), ctx), false, 'repeated sender');
    assert.equal(justifyRoundChange(env(rc, prepares(2, B)), ctx), false, 'another value');
    assert.equal(justifyRoundChange(env(rc, prepares(1, A)), ctx), false, 'another round');
    const foreign = prepares(2, A).map((p) => ({ ...p, duty: { slot: 78, type: 'attester' } }));
    assert.equal(justifyRoundChange(env(rc, foreign), ctx), false, 'another instance');
    const forged = prepares(2, A);
    forged[2] = { ...forged[2]!, signature: toHex(new Uint8Array(32)) };
    assert.equal(justifyRoundChange(env(rc, forged), ctx), false, 'a forged prepare');
    const future = m(0, 'ROUND_CHANGE', 2, { preparedRound: 2, preparedValueHash: A });
    assert.equal(justifyRoundChange(env(future, prepares(2, A)), ctx), false, 'prepared round must be earlier');
  });
});

describe('PRE-PREPARE justification', () => {
  const pp = (round: number, h: `0x${string}`) => m(1, 'PRE_PREPARE', round, { valueHash: h });

  test('round 1 needs none (and carries none)', () => {
    assert.ok(justifyProposal(env(pp(1, A)), ctx));
    assert.equal(justifyProposal(env(pp(1, A), rcs(1)), ctx), false);
  });

  test('a later round needs a quorum of its round changes', () => {
    assert.ok(justifyProposal(env(pp(2, B), rcs(2)), ctx), 'nobody prepared: any value');
    assert.equal(justifyProposal(env(pp(2, B), rcs(2, [0, 1])), ctx), false, 'below quorum');
    assert.equal(justifyProposal(env(pp(2, B), rcs(3)), ctx), false, 'round changes of another round');
    assert.equal(justifyProposal(env(pp(2, B), [...rcs(2, [0, 1]), rcs(2, [1])[0]!]), ctx), false, 'repeated sender');
    assert.equal(justifyProposal(env(pp(2, B), rcs(2)), { ...ctx, duty: { slot: 1, type: 'attester' } }), false);
  });

  test('when a round change shows a prepared value, only that value with its prepare quorum is justified', () => {
    const locked = rcs(3, [0, 1, 2], { 1: [2, A] });
    assert.ok(justifyProposal(env(pp(3, A), [...locked, ...prepares(2, A)]), ctx));
    assert.equal(justifyProposal(env(pp(3, B), [...locked, ...prepares(2, A)]), ctx), false, 'another value');
    assert.equal(justifyProposal(env(pp(3, A), locked), ctx), false, 'no prepare quorum');
    assert.equal(justifyProposal(env(pp(3, A), [...locked, ...prepares(2, A, [0, 1])]), ctx), false);
    // The highest prepared round wins: (1, B) is superseded by (2, A).
    const two = rcs(3, [0, 1, 2], { 0: [1, B], 1: [2, A] });
    assert.ok(justifyProposal(env(pp(3, A), [...two, ...prepares(2, A)]), ctx));
    assert.equal(justifyProposal(env(pp(3, B), [...two, ...prepares(1, B)]), ctx), false);
  });
});

describe('DECIDED justification', () => {
  test('a quorum of COMMITs for the same round and value', () => {
    const d = m(3, 'DECIDED', 2, { valueHash: A });
    const commits = [0, 1, 2].map((s) => m(s, 'COMMIT', 2, { valueHash: A }));
    assert.ok(justifyDecided(env(d, commits), ctx));
    assert.equal(justifyDecided(env(d, commits.slice(0, 2)), ctx), false);
    assert.equal(justifyDecided(env(d, [...commits.slice(0, 2), m(2, 'COMMIT', 1, { valueHash: A })]), ctx), false);
    assert.equal(justifyDecided(env(d, [...commits.slice(0, 2), m(2, 'COMMIT', 2, { valueHash: B })]), ctx), false);
    assert.equal(justifyDecided(env(d, [...commits.slice(0, 2), m(2, 'PREPARE', 2, { valueHash: A })]), ctx), false);
  });
});
