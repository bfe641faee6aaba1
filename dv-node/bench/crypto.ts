/**
 * Prints the figures that size dv-node's signing path on this machine:
 *   - partial-signature combination, 3-of-4, per validator: herumi (bls-eth-wasm, the one dv-node uses) and
 *     @noble/curves (pure JS, for comparison; results must be byte-identical);
 *   - batch verification of 1,000 validators × 3 partials (blst);
 *   - slashing protection check+record latency: one validator per call, and one call for 1,000 validators.
 * Usage: npx tsx dv-node/bench/crypto.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { combinePartialSignatures, findInvalidSignatures, sign, type PartialSignature } from '../src/crypto/bls.ts';
import { interopSecretKey, lagrangeCoefficientsAtZero } from '../src/crypto/field.ts';
import { dealFor, dealRound, finalizeDkg, splitExistingKey } from '../src/crypto/dkg.ts';
import { SlashingProtectionDb } from '../src/slashing/db.ts';

const VALIDATORS = 1000;
const N = 4;
const T = 3;

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const line = (label: string, value: string): void => console.log(`${label.padEnd(62)} ${value}`);

interface G2Point {
  multiply(k: bigint): G2Point;
  add(p: G2Point): G2Point;
}
const nobleSig = bls12_381.longSignatures.Signature as unknown as {
  fromBytes(b: Uint8Array): G2Point;
  toBytes(p: G2Point): Uint8Array;
};
function combineNoble(partials: readonly PartialSignature[]): Uint8Array {
  const lambdas = lagrangeCoefficientsAtZero(partials.map((p) => p.index));
  let acc: G2Point | undefined;
  partials.forEach((p, k) => {
    const term = nobleSig.fromBytes(p.signature).multiply(lambdas[k]!);
    acc = acc === undefined ? term : acc.add(term);
  });
  return nobleSig.toBytes(acc!);
}

console.log(`dv-node crypto bench — node ${process.version}, ${VALIDATORS} validators, ${T}-of-${N}`);

// ---- threshold material ----
const keys = Array.from({ length: VALIDATORS }, (_, v) => splitExistingKey(interopSecretKey(v), { n: N, t: T }));
const messages = keys.map((_, v) => {
  const m = new Uint8Array(32);
  new DataView(m.buffer).setUint32(0, v);
  return m;
});
let start = process.hrtime.bigint();
const partials = keys.map((k, v) => k.shares.slice(0, T).map((s) => ({ index: s.index, signature: sign(s.value, messages[v]!) })));
line(`sign ${T} partials × ${VALIDATORS} (blst)`, `${(ms(start) / VALIDATORS).toFixed(3)} ms per validator`);

start = process.hrtime.bigint();
const sets = partials.flatMap((ps, v) => ps.map((p) => ({ publicKey: keys[v]!.publicShares[p.index - 1]!, message: messages[v]!, signature: p.signature })));
const invalid = findInvalidSignatures(sets);
if (invalid.length) throw new Error('bench partials did not verify');
line(`batch-verify ${sets.length} partials (blst, one multi-pairing)`, `${ms(start).toFixed(0)} ms total, ${(ms(start) / VALIDATORS).toFixed(3)} ms per validator`);

start = process.hrtime.bigint();
const combined = partials.map((ps) => combinePartialSignatures(ps, T));
const herumiPer = ms(start) / VALIDATORS;
line(`combine ${T}-of-${N} (herumi Signature.recover) [chosen]`, `${herumiPer.toFixed(3)} ms per validator`);

const NOBLE_SAMPLE = 50;
start = process.hrtime.bigint();
for (let v = 0; v < NOBLE_SAMPLE; v++) {
  const sig = combineNoble(partials[v]!);
  if (Buffer.compare(Buffer.from(sig), Buffer.from(combined[v]!)) !== 0) throw new Error(`noble and herumi differ at validator ${v}`);
}
const noblePer = ms(start) / NOBLE_SAMPLE;
line(`combine ${T}-of-${N} (@noble/curves G2 multiply, ${NOBLE_SAMPLE} sampled)`, `${noblePer.toFixed(3)} ms per validator (${(noblePer / herumiPer).toFixed(1)}× herumi, identical bytes)`);

// ---- DKG (pure math, one process plays every node) ----
{
  const params = { n: N, t: T, validators: 100 };
  let s = process.hrtime.bigint();
  const rounds = Array.from({ length: N }, (_, k) => dealRound(params, k + 1));
  const deal = ms(s) / N;
  s = process.hrtime.bigint();
  finalizeDkg(params, 1, rounds.map((r) => dealFor(r, 1)));
  const fin = ms(s);
  line(`DKG ${T}-of-${N}, ${params.validators} validators: deal per node / verify+aggregate per node`, `${deal.toFixed(0)} ms / ${fin.toFixed(0)} ms`);
}

// ---- slashing protection ----
const dir = mkdtempSync(join(tmpdir(), 'sp-bench-'));
try {
  const gvr = `0x${'00'.repeat(32)}`;
  const pubkeys = keys.map((k) => `0x${Buffer.from(k.groupPublicKey).toString('hex')}`);
  const db = SlashingProtectionDb.open({ path: join(dir, 'slashing.db'), genesisValidatorsRoot: gvr });
  const single: number[] = [];
  for (let e = 1; e <= 200; e++) {
    const s = process.hrtime.bigint();
    const v = db.checkAndRecordAttestation(pubkeys[0]!, e - 1, e);
    single.push(ms(s));
    if (!v.ok) throw new Error(v.message);
  }
  line('slashing check+record, 1 validator per call (fsync each)', `median ${median(single).toFixed(3)} ms, max ${Math.max(...single).toFixed(3)} ms`);
  const batch: number[] = [];
  for (let e = 1; e <= 30; e++) {
    const s = process.hrtime.bigint();
    const verdicts = db.checkAndRecordBatch(pubkeys.map((pubkey) => ({ type: 'attestation' as const, pubkey, sourceEpoch: 1000 + e - 1, targetEpoch: 1000 + e })));
    batch.push(ms(s));
    if (!verdicts.every((v) => v.ok)) throw new Error('batch refused');
  }
  line(`slashing check+record, batch of ${VALIDATORS} validators (one fsync)`, `median ${median(batch).toFixed(2)} ms, max ${Math.max(...batch).toFixed(2)} ms`);
  db.close();
  const s = process.hrtime.bigint();
  SlashingProtectionDb.open({ path: join(dir, 'slashing.db'), genesisValidatorsRoot: gvr }).close();
  line(`slashing database reopen (${VALIDATORS} validators, journal replay)`, `${ms(s).toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
