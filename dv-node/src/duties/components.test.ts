/**
 * The duty components alone: aggregator (verify-combined-first, naming the sender of a bad partial, roots it did not
 * expect, deadline), signer (slashing protection before any partial, refusals), duty store (clash), parsig exchange
 * (wire shape), attestation-data sanity and aggregator selection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interopSecretKey, scalarToBytes, sign, splitExistingKey, verify } from '../crypto/index.ts';
import { toHex } from '../consensus/hex.ts';
import { SlashingProtectionDb } from '../slashing/db.ts';
import { PartialAggregator } from './aggregator.ts';
import { ShareSigner } from './signer.ts';
import { MemoryDutyStore } from './store.ts';
import { NetworkParSigExchange, PARSIG_TOPIC } from './parsigex.ts';
import { validAttestationData } from './attester.ts';
import { isAggregator } from './aggregation.ts';
import { DutyError, type Duty, type Hex, type PartialSig } from './types.ts';

const DUTY: Duty = { slot: 40, type: 'attester' };
const ROOT = new Uint8Array(32).fill(9);
const OTHER_ROOT = new Uint8Array(32).fill(8);

function cluster(validators: number) {
  return Array.from({ length: validators }, (_, v) => {
    const split = splitExistingKey(interopSecretKey(100 + v), { n: 4, t: 3 });
    return { pubkey: toHex(split.groupPublicKey) as Hex, shares: split.shares, publicShares: split.publicShares };
  });
}

function partial(v: ReturnType<typeof cluster>[number], operator: number, root = ROOT, signRoot = root): PartialSig {
  return { pubkey: v.pubkey, root: toHex(root), signature: toHex(sign(v.shares[operator]!.value, signRoot)) };
}

function aggregatorFor(vals: ReturnType<typeof cluster>, events: { bad: [number, Hex][]; mismatch: number[] }) {
  return new PartialAggregator({
    threshold: 3,
    publicShares: new Map(vals.map((v) => [v.pubkey, v.publicShares])),
    onInvalidPartial: (from, _d, pk) => events.bad.push([from, pk]),
    onRootMismatch: (from) => events.mismatch.push(from),
  });
}

test('aggregator: t valid partials give the group signature of every validator', async () => {
  const vals = cluster(5);
  const ev = { bad: [] as [number, Hex][], mismatch: [] as number[] };
  const agg = aggregatorFor(vals, ev);
  const done = agg.expect(DUTY, vals.map((v) => ({ pubkey: v.pubkey, root: ROOT })), Date.now() + 5000);
  for (const op of [2, 0, 3]) agg.add(op, DUTY, vals.map((v) => partial(v, op)));
  const r = await done;
  assert.equal(r.failed.length, 0);
  for (const v of vals) assert.ok(verify(Buffer.from(v.pubkey.slice(2), 'hex'), ROOT, r.signatures.get(v.pubkey)!));
  assert.deepEqual(ev.bad, []);
});

test('aggregator: one validator\'s several objects in a duty (sub keys) are combined apart', async () => {
  const [v] = cluster(1);
  const ev = { bad: [] as [number, Hex][], mismatch: [] as number[] };
  const agg = aggregatorFor([v!], ev);
  const done = agg.expect(DUTY, [{ pubkey: v!.pubkey, sub: 0, root: ROOT }, { pubkey: v!.pubkey, sub: 1, root: OTHER_ROOT }], Date.now() + 5000);
  for (const op of [1, 2, 3]) agg.add(op, DUTY, [{ ...partial(v!, op, OTHER_ROOT), sub: 1 }, { ...partial(v!, op, ROOT), sub: 0 }]);
  const r = await done;
  assert.deepEqual(r.failed, []);
  assert.deepEqual([...r.signatures.keys()].sort(), [`${v!.pubkey}#0`, `${v!.pubkey}#1`]);
  const pk = Buffer.from(v!.pubkey.slice(2), 'hex');
  assert.ok(verify(pk, ROOT, r.signatures.get(`${v!.pubkey}#0`)!));
  assert.ok(verify(pk, OTHER_ROOT, r.signatures.get(`${v!.pubkey}#1`)!));
  assert.deepEqual(ev, { bad: [], mismatch: [] });
});

test('aggregator: a bad partial is dropped, its sender named, and the validator combined from the others', async () => {
  const vals = cluster(3);
  const ev = { bad: [] as [number, Hex][], mismatch: [] as number[] };
  const agg = aggregatorFor(vals, ev);
  const done = agg.expect(DUTY, vals.map((v) => ({ pubkey: v.pubkey, root: ROOT })), Date.now() + 5000);
  // operator 1 announces the right root but signs another one (a lie only BLS catches)
  agg.add(1, DUTY, vals.map((v) => partial(v, 1, ROOT, OTHER_ROOT)));
  agg.add(0, DUTY, vals.map((v) => partial(v, 0)));
  agg.add(2, DUTY, vals.map((v) => partial(v, 2)));
  await new Promise((r) => setImmediate(r));
  agg.add(3, DUTY, vals.map((v) => partial(v, 3)));
  const r = await done;
  assert.equal(r.signatures.size, 3);
  for (const v of vals) assert.ok(verify(Buffer.from(v.pubkey.slice(2), 'hex'), ROOT, r.signatures.get(v.pubkey)!));
  assert.deepEqual([...new Set(ev.bad.map(([from]) => from))], [1], 'operator 1 and only it is named');
  assert.equal(ev.bad.length, 3, 'one naming per validator');
});

test('aggregator: only 2 honest partials → insufficient_partials at the deadline, with the liar named', async () => {
  const vals = cluster(1);
  const ev = { bad: [] as [number, Hex][], mismatch: [] as number[] };
  const agg = aggregatorFor(vals, ev);
  const done = agg.expect(DUTY, [{ pubkey: vals[0]!.pubkey, root: ROOT }], Date.now() + 300);
  agg.add(0, DUTY, [partial(vals[0]!, 0)]);
  agg.add(3, DUTY, [partial(vals[0]!, 3, ROOT, OTHER_ROOT)]);
  agg.add(2, DUTY, [partial(vals[0]!, 2)]);
  const r = await done;
  assert.equal(r.signatures.size, 0);
  assert.equal(r.failed[0]!.reason, 'invalid_partial_from_peer');
  assert.match(r.failed[0]!.detail, /invalid partials from operators \[3\]/);
});

test('aggregator: partials over a root this node does not expect are never combined', async () => {
  const vals = cluster(1);
  const ev = { bad: [] as [number, Hex][], mismatch: [] as number[] };
  const agg = aggregatorFor(vals, ev);
  agg.add(1, DUTY, [partial(vals[0]!, 1, OTHER_ROOT)]); // arrives before expect()
  const done = agg.expect(DUTY, [{ pubkey: vals[0]!.pubkey, root: ROOT }], Date.now() + 5000);
  for (const op of [0, 2, 3]) agg.add(op, DUTY, [partial(vals[0]!, op)]);
  const r = await done;
  assert.equal(r.signatures.size, 1);
  assert.deepEqual(ev.mismatch, [1]);
});

test('signer: slashing protection records before signing and refuses a double vote without signing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signer-'));
  try {
    const vals = cluster(2);
    const db = SlashingProtectionDb.open({ path: join(dir, 'db'), genesisValidatorsRoot: new Uint8Array(32) });
    const signer = new ShareSigner({ shares: new Map(vals.map((v) => [v.pubkey, scalarToBytes(v.shares[0]!.value)])), slashing: db });
    const item = (v: (typeof vals)[number], root: Uint8Array, target: number) => ({
      pubkey: v.pubkey,
      root,
      slashing: { type: 'attestation' as const, pubkey: v.pubkey, sourceEpoch: 4, targetEpoch: target, signingRoot: root },
    });
    const first = signer.sign(DUTY, vals.map((v) => item(v, ROOT, 5)));
    assert.equal(first.partials.length, 2);
    assert.deepEqual(first.refused, []);
    for (const v of vals) assert.equal(db.watermarks(v.pubkey)?.targetEpoch, 5n, 'recorded');
    // a restart: a new signer over the same database, asked to sign other data for the same target
    const again = new ShareSigner({ shares: new Map(vals.map((v) => [v.pubkey, scalarToBytes(v.shares[0]!.value)])), slashing: db });
    const second = again.sign(DUTY, [item(vals[0]!, OTHER_ROOT, 5), item(vals[1]!, OTHER_ROOT, 6)]);
    assert.deepEqual(second.partials.map((p) => p.pubkey), [vals[1]!.pubkey], 'only the non-conflicting one is signed');
    assert.equal(second.refused.length, 1);
    assert.match(second.refused[0]!.reason, /DOUBLE_VOTE/);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('duty store: the same value is idempotent, a clashing value is refused', async () => {
  const s = new MemoryDutyStore();
  const waiting = s.await(DUTY, Date.now() + 1000);
  s.store(DUTY, new Uint8Array([1, 2]));
  s.store(DUTY, new Uint8Array([1, 2]));
  assert.deepEqual(await waiting, new Uint8Array([1, 2]));
  assert.throws(() => s.store(DUTY, new Uint8Array([3])), (e: unknown) => e instanceof DutyError && e.reason === 'duty_store_clash');
  await assert.rejects(s.await({ slot: 41, type: 'attester' }, Date.now() + 10), (e: unknown) => e instanceof DutyError && e.reason === 'dependency_missing');
  s.close();
});

test('parsig exchange: round trip over a topic, malformed messages reported with their sender', () => {
  const handlers = new Map<string, (from: number, bytes: Uint8Array) => void>();
  const sent: Uint8Array[] = [];
  const net = { broadcast: (_t: string, b: Uint8Array) => void sent.push(b), onMessage: (t: string, h: (from: number, bytes: Uint8Array) => void) => (handlers.set(t, h), () => {}) };
  const malformed: number[] = [];
  const ex = new NetworkParSigExchange({ network: net, onMalformed: (from) => malformed.push(from) });
  const got: [number, Duty, readonly PartialSig[]][] = [];
  ex.onPartials((f, d, p) => got.push([f, d, p]));
  const p: PartialSig = { pubkey: `0x${'ab'.repeat(48)}`, root: `0x${'cd'.repeat(32)}`, signature: `0x${'ef'.repeat(96)}` };
  const withSub: PartialSig = { ...p, sub: 3 };
  ex.broadcast(DUTY, [p, withSub]);
  handlers.get(PARSIG_TOPIC)!(2, sent[0]!);
  assert.deepEqual(got, [[2, DUTY, [p, withSub]]]);
  handlers.get(PARSIG_TOPIC)!(3, new TextEncoder().encode('{"slot":1,"type":"nonsense","partials":[]}'));
  assert.deepEqual(malformed, [3]);
});

test('attestation data sanity: slot, Electra index, target epoch, source ≤ target', () => {
  const ctx = { slotsPerEpoch: 8 } as Parameters<typeof validAttestationData>[0];
  const ok = { slot: 17, index: 0, beaconBlockRoot: ROOT, source: { epoch: 1, root: ROOT }, target: { epoch: 2, root: ROOT } };
  assert.equal(validAttestationData(ctx, 17, ok), null);
  assert.match(validAttestationData(ctx, 18, ok)!, /slot 17/);
  assert.match(validAttestationData(ctx, 17, { ...ok, index: 1 })!, /index must be 0/);
  assert.match(validAttestationData(ctx, 17, { ...ok, target: { epoch: 3, root: ROOT } })!, /target epoch 3/);
  assert.match(validAttestationData(ctx, 17, { ...ok, source: { epoch: 2, root: ROOT } })!, /both 2/);
});

test('is_aggregator: modulo 1 always selects; the spec formula otherwise', () => {
  const proof = sign(interopSecretKey(1), ROOT);
  assert.equal(isAggregator(2, proof, 16), true);
  // committee of 160 with target 16 → modulo 10: count selections over many proofs, expect about 1/10
  let selected = 0;
  for (let i = 0; i < 200; i++) if (isAggregator(160, sign(interopSecretKey(i), ROOT), 16)) selected++;
  assert.ok(selected > 5 && selected < 45, `selected ${selected}/200`);
});
